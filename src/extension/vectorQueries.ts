// What the panel's search box understands: a word, or word arithmetic such as "king - man + woman"
// (3CosAdd, as gensim's most_similar with positive and negative words). FastText models also answer
// for words they never saw, from the vectors of their character n-grams.
import { TopK, type Neighbour, type WordVectors } from '../core/vectors';
import type { SubwordVectors } from '../core/subwords';

export interface QueryTerm {
  word: string;
  sign: 1 | -1;
}

/** The query as typed, term by term in the order given. */
export interface ParsedQuery {
  terms: QueryTerm[];
}

export interface QueryModel {
  name: string;
  vectors: WordVectors;
  /** FastText models: vectors for words outside the vocabulary. */
  subwords?: SubwordVectors;
  /** Whether the model was trained on lower-cased text, so queries must be lower-cased too. */
  lowercase: boolean;
  /** For the message that explains why a word is missing. */
  minCount?: number;
}

export interface QueryAnswer {
  /** The query as understood, e.g. "king − man + woman". */
  label: string;
  results: Neighbour[];
  /** How the answer was made, when that is not the plain lookup (a word built from its n-grams). */
  note?: string;
}

const MINUS = '−'; // U+2212, as the label shows it; typed as well as "-".
const EXAMPLE = '"king - man + woman"';

/**
 * Splits a query into signed words. "+" and "−" are operators wherever they appear; "-" only where it
 * stands alone or starts a word, since inside a word it is a hyphen ("well-known" is one token).
 * Throws an error that says what to type instead.
 */
export function parseNeighbourQuery(text: string): ParsedQuery {
  const tokens = text
    .normalize('NFC')
    .replace(/[+−]/g, (op) => ` ${op} `)
    .split(/\s+/)
    .filter((t) => t !== '')
    .flatMap((t) => (t.length > 1 && t.startsWith('-') ? ['-', t.slice(1)] : [t]));

  const terms: QueryTerm[] = [];
  let pending: { sign: 1 | -1; op: string } | undefined;
  for (const token of tokens) {
    const isOperator = token === '+' || token === '-' || token === MINUS;
    if (isOperator) {
      if (pending) throw new Error(`Expected a word after "${pending.op}", found "${token}". Example: ${EXAMPLE}.`);
      pending = { sign: token === '+' ? 1 : -1, op: token };
      continue;
    }
    if (terms.length > 0 && !pending) {
      throw new Error(`Put + or - between "${terms.at(-1)!.word}" and "${token}", as in ${EXAMPLE}.`);
    }
    terms.push({ word: token, sign: pending?.sign ?? 1 });
    pending = undefined;
  }
  if (pending && terms.length > 0) throw new Error(`Expected a word after the final "${pending.op}".`);
  if (terms.length === 0) throw new Error(`Type a word, or word arithmetic such as ${EXAMPLE}.`);
  if (!terms.some((t) => t.sign === 1)) throw new Error(`Add at least one word with +: the query only subtracts. Example: ${EXAMPLE}.`);
  return { terms };
}

/**
 * Up to `limit` words of `wordsByFrequency` that start with `prefix`, most frequent first: the search
 * box's completion. A lower-cased model completes a prefix typed in capitals too.
 */
export function completeWord(wordsByFrequency: readonly string[], prefix: string, limit: number, lowercase: boolean): string[] {
  const wanted = (lowercase ? prefix.toLowerCase() : prefix).normalize('NFC');
  if (!wanted) return [];
  const out: string[] = [];
  for (const word of wordsByFrequency) {
    if (word.startsWith(wanted)) {
      out.push(word);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** "king − man + woman": the parsed query written back, with a true minus sign. */
export function describeQuery(query: ParsedQuery): string {
  return query.terms
    .map((t, i) => (i === 0 ? `${t.sign < 0 ? MINUS : ''}${t.word}` : ` ${t.sign < 0 ? MINUS : '+'} ${t.word}`))
    .join('');
}

/**
 * Answers a query typed in the panel. Words of the vocabulary use their own vectors; with a FastText
 * model, any other word uses the mean of its trained n-gram rows. Errors name the word at fault.
 */
export function answerQuery(model: QueryModel, text: string, k: number): QueryAnswer {
  const analogy = ANALOGY.exec(text.normalize('NFC'));
  if (analogy) {
    // "man : king :: woman : ?" is "king − man + woman" (3CosAdd), labelled as the user wrote it.
    const [a, b, c] = analogy.slice(1, 4).map((w) => (model.lowercase ? w.toLowerCase() : w));
    const answer = answerQuery(model, `${b} - ${a} + ${c}`, k);
    return { ...answer, label: `${a} : ${b} :: ${c} : ?`, note: answer.note ?? `Answered as ${answer.label} (3CosAdd).` };
  }
  if (text.includes(',')) return oddOneOut(model, text);
  const parsed = parseNeighbourQuery(text);
  const terms = parsed.terms.map((t) => ({ ...t, word: model.lowercase ? t.word.toLowerCase() : t.word }));
  const label = describeQuery({ terms });
  const { vectors } = model;

  const built: string[] = [];
  const queryVectors = terms.map((t) => {
    if (vectors.has(t.word)) return undefined;
    const vector = model.subwords?.vectorFor(t.word);
    if (!vector) throw new Error(unknownWordMessage(model, t.word));
    built.push(t.word);
    return vector;
  });

  if (built.length === 0) {
    const positive = terms.filter((t) => t.sign > 0).map((t) => t.word);
    const negative = terms.filter((t) => t.sign < 0).map((t) => t.word);
    return { label, results: vectors.mostSimilar(positive, { negative, k }) };
  }

  // The same sum of unit vectors that mostSimilar forms, with the built vectors normalised alike.
  const dim = vectors.dim;
  const unit = vectors.unitVectors();
  const query = new Float64Array(dim);
  const exclude: number[] = [];
  terms.forEach((t, i) => {
    const own = queryVectors[i];
    if (own) {
      const length = norm(own, 0, dim);
      // A zero vector has no direction; like an all-zero row in unitVectors(), it adds nothing.
      if (length > 0) addScaled(query, own, 0, dim, t.sign / length);
    } else {
      const row = vectors.indexOf(t.word);
      exclude.push(row);
      addScaled(query, unit, row * dim, dim, t.sign);
    }
  });
  const quoted = built.map((w) => `"${w}"`).join(', ');
  const note =
    built.length === 1
      ? `${quoted} is not in the vocabulary: built from its character n-grams.`
      : `${quoted} are not in the vocabulary: built from their character n-grams.`;
  return { label, results: nearestToVector(vectors, query, { k, exclude }), note };
}

/** "a : b :: c : ?" (the trailing ": ?" may be left out). */
const ANALOGY = /^\s*([^\s:]+)\s*:\s*([^\s:]+)\s*::\s*([^\s:]+)\s*(?::\s*\??\s*)?$/u;

/**
 * "breakfast, lunch, dinner, cat": the word that fits least (gensim's doesnt_match), with every
 * word's cosine to the mean of them all, least similar first.
 */
function oddOneOut(model: QueryModel, text: string): QueryAnswer {
  const words = text
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '')
    .map((w) => (model.lowercase ? w.toLowerCase() : w));
  if (words.length < 3) throw new Error('For the odd one out, list at least three words separated by commas, as in "breakfast, lunch, dinner, cat".');
  for (const word of words) if (!model.vectors.has(word)) throw new Error(unknownWordMessage(model, word));
  const { vectors } = model;
  const unit = vectors.unitVectors();
  const dim = vectors.dim;
  const mean = new Float64Array(dim);
  for (const word of words) addScaled(mean, unit, vectors.indexOf(word) * dim, dim, 1 / words.length);
  const length = norm(mean, 0, dim) || 1;
  const results = words
    .map((word) => {
      const offset = vectors.indexOf(word) * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += mean[d] * unit[offset + d];
      return { word, similarity: dot / length };
    })
    .sort((a, b) => a.similarity - b.similarity);
  const odd = vectors.doesntMatch(words);
  return { label: `odd one out: ${words.join(', ')}`, results, note: `"${odd}" fits least: it is the least similar to the mean of them all.` };
}

/**
 * The k words nearest by cosine to an arbitrary vector (WordVectors.mostSimilar only takes words).
 * `exclude` lists rows to leave out, such as the query's own words. An all-zero vector is near
 * nothing and gives no results.
 */
export function nearestToVector(vectors: WordVectors, vector: ArrayLike<number>, options: { k?: number; exclude?: number[] } = {}): Neighbour[] {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 0) throw new Error(`k must be a non-negative integer, got ${k}`);
  const dim = vectors.dim;
  if (vector.length !== dim) throw new Error(`expected a vector of ${dim} numbers, got ${vector.length}`);
  const length = norm(vector, 0, dim);
  if (length === 0 || k === 0) return [];
  const query = Float64Array.from(vector, (x) => x / length);
  const exclude = options.exclude ?? [];
  const unit = vectors.unitVectors();
  const top = new TopK(k);
  for (let row = 0, offset = 0; row < vectors.size; row++, offset += dim) {
    let score = 0;
    for (let d = 0; d < dim; d++) score += query[d] * unit[offset + d];
    if (score > top.threshold && !exclude.includes(row)) top.offer(row, score);
  }
  return top.sorted().map(({ row, score }) => ({ word: vectors.words[row], similarity: score }));
}

function unknownWordMessage(model: QueryModel, word: string): string {
  const size = model.vectors.size.toLocaleString('en-US');
  if (model.subwords) {
    return `"${word}" is not in the vocabulary of ${model.name} (${size} words), and none of its character n-grams was seen in training.`;
  }
  const rare = model.minCount !== undefined ? `; words rarer than min count ${model.minCount} are left out` : '';
  return `"${word}" is not in the vocabulary of ${model.name} (${size} words${rare}).`;
}

function norm(v: ArrayLike<number>, offset: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += v[offset + d] * v[offset + d];
  return Math.sqrt(s);
}

function addScaled(target: Float64Array, source: ArrayLike<number>, offset: number, dim: number, scale: number): void {
  for (let d = 0; d < dim; d++) target[d] += scale * source[offset + d];
}
