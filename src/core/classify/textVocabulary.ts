// The words a classifier knows, how texts become rows of word ids, and the embedding table those ids
// index. The table lives in a Float32Array outside TensorFlow.js: the lookup is done in JavaScript
// (the WASM backend cannot differentiate through gather), see trainClassifier.ts.
import { tokenize } from '../tokenizer';
import { Random } from '../random';
import type { WordVectors } from '../vectors';

/** Row 0: padding after the end of a text, always zeros. */
export const PADDING_ID = 0;
/** Row 1: any word the vocabulary does not hold. */
export const UNKNOWN_ID = 1;
export const PADDING_WORD = '<pad>';
export const UNKNOWN_WORD = '<unk>';

export type EmbeddingMode = 'frozen' | 'tuned' | 'random';

/** Kim (2014) initialises vectors of words without a pretrained vector uniformly in this ±range. */
export const RANDOM_INIT_RANGE = 0.25;

/** 1 = words only; 2 = words and word pairs (fastText's -wordNgrams 2), for the bag of embeddings. */
export type NgramOrder = 1 | 2;

export interface TextVocabularyOptions {
  /** Training words seen fewer times than this map to <unk>. Default 1. */
  minCount?: number;
  /** Also learn a row per word pair seen in training (every pair is kept). Default 1. */
  ngrams?: NgramOrder;
  /**
   * Other texts (validation, unlabelled) whose words are added when `keepExtraWord` says so, typically
   * when they have a pretrained vector: such a word then means something at prediction time even
   * though training never saw it.
   */
  extraTexts?: string[];
  keepExtraWord?: (word: string) => boolean;
}

/** The tokenizer's settings: lower-cased, as the pretrained models are. */
export function tokenizeForClassifier(text: string): string[] {
  return tokenize(text, { lowercase: true });
}

/** Joins a word pair into one token; the tokenizer never puts a space inside a word, so pairs cannot collide with words. */
export const PAIR_JOINER = ' ';

export const isWordPair = (token: string) => token.includes(PAIR_JOINER);

/**
 * A text's tokens for a vocabulary of this order: with pairs, each word is followed by the pair it
 * ends ("a", "b", "a b", "c", "b c"), so cutting at maxLen keeps the start of the text whole.
 */
export function classifierTokens(text: string, ngrams: NgramOrder): string[] {
  const words = tokenizeForClassifier(text);
  if (ngrams === 1) return words;
  const tokens: string[] = [];
  for (let i = 0; i < words.length; i++) {
    tokens.push(words[i]);
    if (i > 0) tokens.push(words[i - 1] + PAIR_JOINER + words[i]);
  }
  return tokens;
}

export interface EncodedTexts {
  /** texts × maxLen word ids, padded with PADDING_ID. */
  ids: Int32Array;
  /** Tokens kept per text (at most maxLen). */
  lengths: Int32Array;
  maxLen: number;
}

export class TextVocabulary {
  /** Row order: <pad>, <unk>, then words by falling training count (extra words last). */
  readonly words: string[];
  private readonly index = new Map<string, number>();

  constructor(
    words: string[],
    readonly ngrams: NgramOrder = 1,
  ) {
    if (ngrams !== 1 && ngrams !== 2) throw new Error(`ngrams is 1 or 2, got ${ngrams}`);
    if (words[PADDING_ID] !== PADDING_WORD || words[UNKNOWN_ID] !== UNKNOWN_WORD) {
      throw new Error(`a classifier vocabulary starts with ${PADDING_WORD} and ${UNKNOWN_WORD}`);
    }
    this.words = words;
    for (let i = 0; i < words.length; i++) {
      if (this.index.has(words[i])) throw new Error(`the word "${words[i]}" is in the vocabulary twice`);
      this.index.set(words[i], i);
    }
  }

  static fromTexts(texts: string[], options: TextVocabularyOptions = {}): TextVocabulary {
    const minCount = options.minCount ?? 1;
    const ngrams = options.ngrams ?? 1;
    const counts = new Map<string, number>();
    for (const text of texts) for (const token of classifierTokens(text, ngrams)) counts.set(token, (counts.get(token) ?? 0) + 1);
    // Ties keep first-seen order (Map iteration order; sort is stable), so the rows are reproducible.
    // Word pairs are all kept, as fastText keeps every hashed pair: a rare pair costs one row.
    const kept = [...counts].filter(([token, count]) => count >= minCount || isWordPair(token)).sort((a, b) => b[1] - a[1]).map(([token]) => token);
    const words = [PADDING_WORD, UNKNOWN_WORD, ...kept];
    if (options.extraTexts) {
      const have = new Set(words);
      for (const text of options.extraTexts) {
        for (const word of tokenizeForClassifier(text)) {
          if (have.has(word) || counts.has(word) || !(options.keepExtraWord?.(word) ?? true)) continue;
          have.add(word);
          words.push(word);
        }
      }
    }
    return new TextVocabulary(words, ngrams);
  }

  get size(): number {
    return this.words.length;
  }

  idOf(word: string): number {
    return this.index.get(word) ?? UNKNOWN_ID;
  }

  /** Texts as rows of ids; tokens past `maxLen` are dropped. */
  encode(texts: string[], maxLen: number): EncodedTexts {
    if (!Number.isInteger(maxLen) || maxLen < 1) throw new Error(`maxLen must be a positive integer, got ${maxLen}`);
    const ids = new Int32Array(texts.length * maxLen);
    const lengths = new Int32Array(texts.length);
    for (let t = 0; t < texts.length; t++) {
      const tokens = classifierTokens(texts[t], this.ngrams);
      const n = Math.min(tokens.length, maxLen);
      for (let i = 0; i < n; i++) ids[t * maxLen + i] = this.idOf(tokens[i]);
      lengths[t] = n;
    }
    return { ids, lengths, maxLen };
  }
}

export interface EmbeddingTable {
  /** vocabulary × dim, row-major; row PADDING_ID is zeros. */
  table: Float32Array;
  dim: number;
  /** Vocabulary words (padding and unknown excluded) that got a pretrained vector. */
  coverage: { found: number; total: number };
}

/**
 * The starting embedding table: pretrained rows for the words `vectors` holds ('frozen', 'tuned'),
 * uniform(-0.25, 0.25) for the others and for every word in mode 'random' (Kim 2014's CNN-rand),
 * zeros for padding. Word-pair rows start small, uniform(-1/dim, 1/dim) as fastText's input rows,
 * so that at first the words' own (pretrained) vectors decide the average. `dim` is the table's
 * width when there are no vectors.
 */
export function embeddingTableFrom(
  vocab: TextVocabulary,
  vectors: WordVectors | undefined,
  mode: EmbeddingMode,
  seed: number,
  dim = vectors?.dim ?? 100,
): EmbeddingTable {
  if (mode !== 'random' && !vectors) throw new Error(`embeddings "${mode}" need pretrained vectors`);
  if (vectors && vectors.dim !== dim) throw new Error(`dim ${dim} differs from the vectors' ${vectors.dim}`);
  const table = new Float32Array(vocab.size * dim);
  const random = new Random(seed);
  let found = 0;
  let pairs = 0;
  for (let row = 0; row < vocab.size; row++) {
    if (row === PADDING_ID) continue;
    if (isWordPair(vocab.words[row])) {
      pairs++;
      for (let d = 0; d < dim; d++) table[row * dim + d] = (random.float() * 2 - 1) / dim;
      continue;
    }
    const source = mode === 'random' || row === UNKNOWN_ID ? -1 : vectors!.indexOf(vocab.words[row]);
    if (source >= 0) {
      table.set(vectors!.data.subarray(source * dim, (source + 1) * dim), row * dim);
      found++;
    } else {
      for (let d = 0; d < dim; d++) table[row * dim + d] = (random.float() * 2 - 1) * RANDOM_INIT_RANGE;
    }
  }
  return { table, dim, coverage: { found, total: vocab.size - 2 - pairs } };
}
