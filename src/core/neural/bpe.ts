// Byte-pair-encoding subword tokeniser for the neural encoders. Pure code: no vscode, no Node APIs,
// so it runs in the extension host, the CLI, worker threads and a webview alike.
//
// Words come from the project's own word tokenizer, so a subword model never sees punctuation and
// `decode(encode(t))` equals `tokenize(t).join(' ')`. Inside a word, every piece after the first is
// written WordPiece-style ("##ing"): the marker is unambiguous because tokenize() never yields '#'.

import { tokenize } from '../tokenizer';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const PAD_ID = 0, UNK_ID = 1, CLS_ID = 2, SEP_ID = 3, MASK_ID = 4;

export interface BpeOptions {
  /** Total vocabulary size including the special tokens, e.g. 8000. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged; default 2. */
  minFrequency?: number;
  /** Default true. */
  lowercase?: boolean;
  /** Cap on distinct words held while counting; rare words are pruned above it. Default 2,000,000. */
  maxWords?: number;
  /**
   * The texts are consecutive pieces of one stream (such as FileCorpus.chunks()) that may be cut in
   * the middle of a word; a piece's unfinished last word is carried into the next piece. Default
   * false: each text is tokenized on its own, as a list of documents or sentences expects.
   */
  chunked?: boolean;
}

export interface BpeTrainProgress {
  merges: number;
  vocabSize: number;
  /** 'counting' while words are read, 'merging' while merges are learned. */
  phase: 'counting' | 'merging';
  /** Running words read so far (all occurrences, not distinct). */
  wordsCounted: number;
}

export interface BpeJson {
  type: 'bpe';
  version: 1;
  lowercase: boolean;
  vocab: string[];
  merges: [string, string][];
}

export const DEFAULT_MIN_FREQUENCY = 2;
export const DEFAULT_MAX_WORDS = 2_000_000;
/** Distinct words whose encodings are remembered; Zipf's law makes the top 100k cover nearly all text. */
export const ENCODE_CACHE_LIMIT = 100_000;
const CONTINUATION = '##';
// Pair keys are `left * base + right`; ids stay below the vocabulary size, so small vocabularies get
// small-integer keys, which Maps hash much faster than doubles. The cap keeps keys exact (< 2^53).
const MAX_VOCAB_SIZE = 1 << 24;
/** How long training may run before letting timers (and so an abort) in, and reporting progress. */
const YIELD_EVERY_MS = 40;

function abortError(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

function continuationOf(token: string): string {
  return CONTINUATION + token;
}

/** The token a merge of `left` and `right` produces; `right` is always a continuation piece. */
function joinPieces(left: string, right: string): string {
  return left + right.slice(CONTINUATION.length);
}

function isSpecial(token: string): boolean {
  return (SPECIAL_TOKENS as readonly string[]).includes(token);
}

export class BpeTokenizer {
  /** id -> token string. */
  readonly vocab: readonly string[];
  /** Learned merges, highest priority first. */
  readonly merges: readonly (readonly [string, string])[];
  readonly lowercase: boolean;
  private readonly ids = new Map<string, number>();
  private readonly keyBase: number;
  /** Pair key -> merge rank. */
  private readonly mergeRanks = new Map<number, number>();
  /** Merge rank -> id of the token it produces. */
  private readonly mergeResults: Int32Array;
  // Two generations: a hit in the old one moves the word to the young one, so frequent words survive
  // a turnover while words seen once are dropped with their generation. A plain FIFO would evict
  // "the" after every 100k new rare words.
  private youngCache = new Map<string, readonly number[]>();
  private oldCache = new Map<string, readonly number[]>();

  /** Prefer trainBpe or fromJSON; this checks its arguments and throws a clear Error if they are inconsistent. */
  constructor(vocab: readonly string[], merges: readonly (readonly [string, string])[], options: { lowercase?: boolean } = {}) {
    if (vocab.length > MAX_VOCAB_SIZE) throw new Error(`vocab has ${vocab.length} tokens; at most ${MAX_VOCAB_SIZE} are supported`);
    SPECIAL_TOKENS.forEach((special, id) => {
      if (vocab[id] !== special) {
        throw new Error(`vocab[${id}] must be the special token ${special}, got ${JSON.stringify(vocab[id])}; the first ${SPECIAL_TOKENS.length} entries are ${SPECIAL_TOKENS.join(' ')}`);
      }
    });
    vocab.forEach((token, id) => {
      if (typeof token !== 'string' || token.length === 0 || token === CONTINUATION) {
        throw new Error(`vocab[${id}] must be a non-empty token string, got ${JSON.stringify(token)}`);
      }
      const previous = this.ids.get(token);
      if (previous !== undefined) throw new Error(`vocab has ${JSON.stringify(token)} twice (ids ${previous} and ${id}); every token must be unique`);
      this.ids.set(token, id);
    });
    this.vocab = Object.freeze([...vocab]);
    this.lowercase = options.lowercase ?? true;
    this.keyBase = Math.max(vocab.length, 1);
    this.mergeResults = new Int32Array(merges.length);
    merges.forEach((merge, rank) => {
      if (!Array.isArray(merge) || merge.length !== 2 || typeof merge[0] !== 'string' || typeof merge[1] !== 'string') {
        throw new Error(`merges[${rank}] must be a pair of token strings, got ${JSON.stringify(merge)}`);
      }
      const [left, right] = merge;
      const leftId = this.ids.get(left);
      const rightId = this.ids.get(right);
      if (leftId === undefined || rightId === undefined) {
        throw new Error(`merges[${rank}] (${JSON.stringify(left)}, ${JSON.stringify(right)}) uses ${JSON.stringify(leftId === undefined ? left : right)}, which is not in vocab`);
      }
      if (isSpecial(left) || isSpecial(right)) throw new Error(`merges[${rank}] merges a special token; specials never take part in merges`);
      if (!right.startsWith(CONTINUATION)) {
        throw new Error(`merges[${rank}] right side ${JSON.stringify(right)} must be a continuation piece starting with "${CONTINUATION}"`);
      }
      const merged = joinPieces(left, right);
      const mergedId = this.ids.get(merged);
      if (mergedId === undefined) throw new Error(`merges[${rank}] produces ${JSON.stringify(merged)}, which is not in vocab`);
      const key = leftId * this.keyBase + rightId;
      if (this.mergeRanks.has(key)) throw new Error(`merges[${rank}] repeats merges[${this.mergeRanks.get(key)}] (${JSON.stringify(left)}, ${JSON.stringify(right)})`);
      this.mergeRanks.set(key, rank);
      this.mergeResults[rank] = mergedId;
    });
    this.merges = Object.freeze(merges.map(([left, right]) => Object.freeze([left, right] as const)));
  }

  get size(): number {
    return this.vocab.length;
  }

  /** The id of a token string (e.g. "the", "##ing", "[CLS]"), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Words of `text`, split and cased exactly as tokenize() does, as subword ids. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const word of tokenize(text, { lowercase: this.lowercase })) {
      const ids = this.encodeWord(word);
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
    return out;
  }

  /** Same as encode, as token strings. */
  tokens(text: string): string[] {
    return this.encode(text).map((id) => this.vocab[id]);
  }

  /**
   * Ids of one word that has already been through tokenize() (e.g. from SentenceSplitter with the
   * same `lowercase`); it is used as is. The returned array is shared with the cache: do not modify it.
   */
  encodeWord(word: string): readonly number[] {
    const cached = this.youngCache.get(word);
    if (cached !== undefined) return cached;
    const ids = this.oldCache.get(word) ?? this.segment(word);
    if (this.youngCache.size >= ENCODE_CACHE_LIMIT / 2) {
      this.oldCache = this.youngCache;
      this.youngCache = new Map();
    }
    this.youngCache.set(word, ids);
    return ids;
  }

  /**
   * Ids back to text: words joined by single spaces, continuation pieces glued to the piece before.
   * Specials other than [UNK] are dropped. An [UNK] is shown as "[UNK]" and always starts a new
   * word, since whether it was a continuation is not recorded.
   */
  decode(ids: readonly number[]): string {
    let text = '';
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocab.length) {
        throw new RangeError(`decode: id ${id} is not a token id; ids run from 0 to ${this.vocab.length - 1} for this vocabulary`);
      }
      if (id < SPECIAL_TOKENS.length && id !== UNK_ID) continue;
      const token = this.vocab[id];
      if (token.startsWith(CONTINUATION) && text.length > 0) text += token.slice(CONTINUATION.length);
      else text += text.length > 0 ? ' ' + token : token;
    }
    return text;
  }

  toJSON(): BpeJson {
    return {
      type: 'bpe',
      version: 1,
      lowercase: this.lowercase,
      vocab: [...this.vocab],
      merges: this.merges.map(([left, right]) => [left, right] as [string, string]),
    };
  }

  static fromJSON(json: unknown): BpeTokenizer {
    const fail = (what: string): never => {
      throw new Error(`Not a valid BPE tokenizer: ${what}. Re-save it with BpeTokenizer.toJSON() or train a new one.`);
    };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(`expected an object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
    const record = json as Record<string, unknown>;
    if (record.type !== 'bpe') fail(`"type" must be "bpe", got ${JSON.stringify(record.type)}`);
    if (record.version !== 1) fail(`"version" must be 1, got ${JSON.stringify(record.version)} (this build reads version 1 only)`);
    if (typeof record.lowercase !== 'boolean') fail(`"lowercase" must be true or false, got ${JSON.stringify(record.lowercase)}`);
    if (!Array.isArray(record.vocab)) fail(`"vocab" must be an array of token strings`);
    if (!Array.isArray(record.merges)) fail(`"merges" must be an array of [left, right] pairs`);
    const vocab = record.vocab as unknown[];
    const bad = vocab.findIndex((token) => typeof token !== 'string');
    if (bad >= 0) fail(`vocab[${bad}] must be a string, got ${JSON.stringify(vocab[bad])}`);
    try {
      return new BpeTokenizer(vocab as string[], record.merges as [string, string][], { lowercase: record.lowercase as boolean });
    } catch (error) {
      return fail((error as Error).message);
    }
  }

  /** Rank-greedy BPE as in GPT-2: repeatedly apply the earliest-learned merge present in the word. */
  private segment(word: string): number[] {
    const symbols: number[] = [];
    for (const char of word) {
      const token = symbols.length === 0 ? char : continuationOf(char);
      symbols.push(this.ids.get(token) ?? UNK_ID);
    }
    const base = this.keyBase;
    for (;;) {
      let bestRank = -1;
      let bestKey = 0;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.mergeRanks.get(symbols[i] * base + symbols[i + 1]);
        if (rank !== undefined && (bestRank < 0 || rank < bestRank)) {
          bestRank = rank;
          bestKey = symbols[i] * base + symbols[i + 1];
        }
      }
      if (bestRank < 0) return symbols;
      const left = Math.floor(bestKey / base);
      const right = bestKey - left * base;
      const merged = this.mergeResults[bestRank];
      let write = 0;
      for (let read = 0; read < symbols.length; read++) {
        if (read + 1 < symbols.length && symbols[read] === left && symbols[read + 1] === right) {
          symbols[write++] = merged;
          read++;
        } else {
          symbols[write++] = symbols[read];
        }
      }
      symbols.length = write;
    }
  }
}

interface CheckedOptions {
  vocabSize: number;
  minFrequency: number;
  lowercase: boolean;
  maxWords: number;
  chunked: boolean;
}

function checkOptions(options: BpeOptions): CheckedOptions {
  const { vocabSize, minFrequency = DEFAULT_MIN_FREQUENCY, lowercase = true, maxWords = DEFAULT_MAX_WORDS, chunked = false } = options;
  if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length || vocabSize > MAX_VOCAB_SIZE) {
    throw new Error(`vocabSize must be a whole number from ${SPECIAL_TOKENS.length + 1} to ${MAX_VOCAB_SIZE} (it includes the ${SPECIAL_TOKENS.length} special tokens), got ${vocabSize}`);
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) throw new Error(`minFrequency must be a whole number of at least 1, got ${minFrequency}`);
  if (!Number.isInteger(maxWords) || maxWords < 1) throw new Error(`maxWords must be a whole number of at least 1, got ${maxWords}`);
  if (typeof lowercase !== 'boolean') throw new Error(`lowercase must be true or false, got ${JSON.stringify(lowercase)}`);
  return { vocabSize, minFrequency, lowercase, maxWords, chunked: chunked === true };
}

/** Lets timers run now and then so an AbortSignal fired from a timer or UI event can be seen. */
class Pacer {
  private last = Date.now();
  constructor(private readonly signal: AbortSignal | undefined, private readonly report: () => void) {}

  check(): void {
    if (this.signal?.aborted) throw abortError('BPE training was cancelled');
  }

  async tick(): Promise<void> {
    if (Date.now() - this.last < YIELD_EVERY_MS) return;
    this.report();
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.last = Date.now();
    this.check();
  }
}

/** Whitespace is never inside a word, so a chunk cut there tokenizes as the whole stream would. */
function lastWhitespace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code === 32 || (code >= 9 && code <= 13) || code === 0x85 || code === 0xa0 || code === 0x2028 || code === 0x2029 || code === 0x3000) return i;
  }
  return -1;
}
/** An unfinished "word" longer than this is tokenized anyway, as SentenceSplitter does. */
const MAX_CARRY_CHARS = 1 << 20;

async function countWords(
  texts: AsyncIterable<string> | Iterable<string>,
  options: CheckedOptions,
  pacer: Pacer,
  progress: { wordsCounted: number; phase: 'counting' | 'merging' },
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const tokenizerOptions = { lowercase: options.lowercase };
  // Prune to 80% of the cap, not to the cap, so the sort is not repeated after every few new words.
  const pruneTarget = Math.max(1, Math.floor(options.maxWords * 0.8));
  const add = (text: string): void => {
    const words = tokenize(text, tokenizerOptions);
    progress.wordsCounted += words.length;
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    if (counts.size > options.maxWords) pruneRare(counts, pruneTarget);
  };
  let carry = '';
  for await (const text of texts as AsyncIterable<string>) {
    if (typeof text !== 'string') throw new Error(`trainBpe expects texts to be strings, got ${typeof text}`);
    pacer.check();
    if (options.chunked) {
      const joined = carry + text;
      const cut = lastWhitespace(joined);
      if (cut < 0 && joined.length <= MAX_CARRY_CHARS) {
        carry = joined;
      } else {
        const end = cut < 0 ? joined.length : cut;
        add(joined.slice(0, end));
        carry = joined.slice(end);
      }
    } else {
      add(text);
    }
    await pacer.tick();
  }
  if (carry.length > 0) add(carry);
  return counts;
}

/** Keeps at most `target` words, dropping the rarest (every word tied at the cut goes too). */
function pruneRare(counts: Map<string, number>, target: number): void {
  const sorted = Float64Array.from(counts.values()).sort().reverse();
  const threshold = sorted[target];
  for (const [word, count] of counts) if (count <= threshold) counts.delete(word);
}

/**
 * Max-heap of (count, pair key) with lazy deletion: a pair whose count changes is pushed again and
 * entries whose count no longer matches are skipped when popped. Ties go to the lexicographically
 * smaller (left, right) token strings, so the result does not depend on word or id order.
 */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  constructor(private readonly vocab: readonly string[], private readonly base: number) {}

  get length(): number {
    return this.keys.length;
  }

  clear(): void {
    this.counts = [];
    this.keys = [];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Pops the top entry into `out` ([count, key]); false when empty. */
  pop(out: [number, number]): boolean {
    const n = this.keys.length;
    if (n === 0) return false;
    out[0] = this.counts[0];
    out[1] = this.keys[0];
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (n > 1) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      const size = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const child = r < size && this.before(r, l) ? r : l;
        if (!this.before(child, i)) break;
        this.swap(i, child);
        i = child;
      }
    }
    return true;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    if (ci !== cj) return ci > cj;
    const ki = this.keys[i];
    const kj = this.keys[j];
    if (ki === kj) return false;
    const li = Math.floor(ki / this.base);
    const lj = Math.floor(kj / this.base);
    if (li !== lj) return this.vocab[li] < this.vocab[lj];
    return this.vocab[ki - li * this.base] < this.vocab[kj - lj * this.base];
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
  }
}

/**
 * Learns a BPE vocabulary from text. Reads `texts` once. Rejects with an Error named 'AbortError'
 * when `signal` fires; training yields to the event loop every few tens of milliseconds so that it can.
 */
export async function trainBpe(
  texts: AsyncIterable<string> | Iterable<string>,
  options: BpeOptions,
  onProgress?: (p: BpeTrainProgress) => void,
  signal?: AbortSignal,
): Promise<BpeTokenizer> {
  const checked = checkOptions(options);
  const state = { merges: 0, vocabSize: SPECIAL_TOKENS.length, phase: 'counting' as 'counting' | 'merging', wordsCounted: 0 };
  const pacer = new Pacer(signal, () => onProgress?.({ ...state }));
  pacer.check();
  const counts = await countWords(texts, checked, pacer, state);
  state.phase = 'merging';
  const { vocab, merges } = await learnMerges(counts, checked, pacer, state);
  pacer.check();
  onProgress?.({ ...state });
  return new BpeTokenizer(vocab, merges, { lowercase: checked.lowercase });
}

async function learnMerges(
  counts: Map<string, number>,
  options: CheckedOptions,
  pacer: Pacer,
  state: { merges: number; vocabSize: number },
): Promise<{ vocab: string[]; merges: [string, string][] }> {
  const { vocabSize, minFrequency } = options;
  const vocab: string[] = [...SPECIAL_TOKENS];
  const ids = new Map<string, number>();
  const merges: [string, string][] = [];

  // Alphabet: both forms ("c" and "##c") of every character seen, so a character met only at the
  // start of words in training still encodes mid-word later ("à" in "cap-à-pie"). If the alphabet
  // alone overflows the budget, the rarest forms are left out (they become [UNK]) so that a few
  // stray glyphs cannot crowd out every merge.
  const formCounts = new Map<string, number>();
  for (const [word, count] of counts) {
    let first = true;
    for (const char of word) {
      const form = first ? char : continuationOf(char);
      first = false;
      formCounts.set(form, (formCounts.get(form) ?? 0) + count);
    }
  }
  for (const form of [...formCounts.keys()]) {
    const other = form.startsWith(CONTINUATION) ? form.slice(CONTINUATION.length) : continuationOf(form);
    if (!formCounts.has(other)) formCounts.set(other, 0);
  }
  let alphabet = [...formCounts.keys()];
  const budget = vocabSize - SPECIAL_TOKENS.length;
  if (alphabet.length > budget) {
    alphabet.sort((x, y) => formCounts.get(y)! - formCounts.get(x)! || (x < y ? -1 : 1));
    alphabet = alphabet.slice(0, budget);
  }
  alphabet.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (const form of alphabet) {
    ids.set(form, vocab.length);
    vocab.push(form);
  }
  state.vocabSize = vocab.length;

  // Each word becomes one or more symbol sequences: a character outside the alphabet cuts the word,
  // because no merge may ever cross an [UNK]. Sequences of one symbol have no pairs and are dropped.
  const sequences: Int32Array[] = [];
  const frequencies: number[] = [];
  const symbols: number[] = [];
  const flush = (count: number): void => {
    if (symbols.length > 1) {
      sequences.push(Int32Array.from(symbols));
      frequencies.push(count);
    }
    symbols.length = 0;
  };
  for (const [word, count] of counts) {
    let first = true;
    for (const char of word) {
      const id = ids.get(first ? char : continuationOf(char));
      first = false;
      if (id === undefined) flush(count);
      else symbols.push(id);
    }
    flush(count);
  }
  counts.clear();

  const base = vocabSize;
  const pairCounts = new Map<number, number>();
  // Which sequences may contain a pair. Entries go stale when a merge removes the pair from a
  // sequence; they are cheap to skip, and removing them exactly would cost more than it saves.
  const where = new Map<number, Set<number>>();
  const addWhere = (key: number, sequence: number): void => {
    let set = where.get(key);
    if (set === undefined) {
      set = new Set();
      where.set(key, set);
    }
    set.add(sequence);
  };
  for (let s = 0; s < sequences.length; s++) {
    const seq = sequences[s];
    const count = frequencies[s];
    for (let i = 0; i + 1 < seq.length; i++) {
      const key = seq[i] * base + seq[i + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      addWhere(key, s);
    }
  }

  const heap = new PairHeap(vocab, base);
  for (const [key, count] of pairCounts) heap.push(count, key);
  const changed = new Set<number>();
  const bump = (key: number, delta: number): void => {
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    changed.add(key);
  };
  const top: [number, number] = [0, 0];

  while (vocab.length < vocabSize) {
    let best = -1;
    while (heap.pop(top)) {
      if (pairCounts.get(top[1]) === top[0]) {
        best = top[1];
        break;
      }
    }
    if (best < 0 || top[0] < minFrequency) break;
    const a = Math.floor(best / base);
    const b = best - a * base;
    const mergedToken = joinPieces(vocab[a], vocab[b]);
    // Different merge paths can spell the same token ("##ab"+"##c", "##a"+"##bc"); it keeps one id.
    let c = ids.get(mergedToken);
    if (c === undefined) {
      c = vocab.length;
      ids.set(mergedToken, c);
      vocab.push(mergedToken);
    }
    merges.push([vocab[a], vocab[b]]);

    // Only the pairs touching a merged occurrence change; counting them locally is what keeps each
    // merge proportional to the words that contain the pair rather than to the whole corpus.
    changed.clear();
    const candidates = where.get(best)!;
    where.delete(best);
    for (const s of candidates) {
      const seq = sequences[s];
      const n = seq.length;
      let at = -1;
      for (let i = 0; i + 1 < n; i++) {
        if (seq[i] === a && seq[i + 1] === b) {
          at = i;
          break;
        }
      }
      if (at < 0) continue;
      const f = frequencies[s];
      const out = new Int32Array(n);
      out.set(seq.subarray(0, at));
      let m = at;
      let i = at;
      while (i < n) {
        if (i + 1 < n && seq[i] === a && seq[i + 1] === b) {
          if (m > 0) {
            // The old left pair (seq[i-1], a) becomes (whatever now precedes, c); when the previous
            // occurrence was merged too, that is (b, a) -> (c, c).
            bump(seq[i - 1] * base + a, -f);
            const leftKey = out[m - 1] * base + c;
            bump(leftKey, f);
            addWhere(leftKey, s);
          }
          bump(best, -f);
          // The right pair is handled here unless another occurrence starts there, whose own left
          // step accounts for it; doing both would count it twice.
          if (i + 2 < n && !(i + 3 < n && seq[i + 2] === a && seq[i + 3] === b)) {
            bump(b * base + seq[i + 2], -f);
            const rightKey = c * base + seq[i + 2];
            bump(rightKey, f);
            addWhere(rightKey, s);
          }
          out[m++] = c;
          i += 2;
        } else {
          out[m++] = seq[i++];
        }
      }
      sequences[s] = out.slice(0, m);
    }
    for (const key of changed) {
      const count = pairCounts.get(key)!;
      if (count <= 0) {
        pairCounts.delete(key);
        where.delete(key);
      } else {
        heap.push(count, key);
      }
    }
    // Stale heap entries pile up with every changed pair; rebuilding bounds memory.
    if (heap.length > 4 * pairCounts.size + 65536) {
      heap.clear();
      for (const [key, count] of pairCounts) heap.push(count, key);
    }
    state.merges = merges.length;
    state.vocabSize = vocab.length;
    if ((merges.length & 15) === 0) await pacer.tick();
  }
  return { vocab, merges };
}
