// FastText's character n-grams: a word is "<word>" cut into every n-gram of minn..maxn characters,
// each hashed (32-bit FNV-1a over UTF-8 bytes, fastText's variant) into one of `bucket` shared rows.
// A word never seen in training still gets a vector: the mean of its n-gram rows.
import { WordVectors } from './vectors';

export interface SubwordOptions {
  minn: number;
  maxn: number;
  bucket: number;
}

const encoder = new TextEncoder();

/**
 * fastText's hash: FNV-1a over the bytes, each byte sign-extended before the xor (fastText casts
 * through int8_t; gensim's ft_hash_bytes reproduces this), so our buckets match both.
 */
export function fastTextHash(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 2166136261;
  for (let i = start; i < end; i++) {
    h = (h ^ ((bytes[i] << 24) >> 24)) >>> 0;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/** The n-gram bucket numbers (0 .. bucket-1) of a word, in fastText's order. */
export function ngramBuckets(word: string, options: SubwordOptions): number[] {
  const { minn, maxn, bucket } = options;
  const buckets: number[] = [];
  if (maxn < minn || maxn === 0 || bucket === 0) return buckets;
  const bytes = encoder.encode(`<${word}>`);
  const length = bytes.length;
  const isContinuation = (i: number) => (bytes[i] & 0xc0) === 0x80;
  for (let i = 0; i < length; i++) {
    if (isContinuation(i)) continue;
    let j = i;
    for (let n = 1; j < length && n <= maxn; n++) {
      j++;
      while (j < length && isContinuation(j)) j++;
      // A lone "<" or ">" is not an n-gram of the word.
      if (n >= minn && !(n === 1 && (i === 0 || j === length))) buckets.push(fastTextHash(bytes, i, j) % bucket);
    }
  }
  return buckets;
}

/**
 * The input rows of every vocabulary word as a compressed list: word w uses rows
 * rows[rowStart[w] .. rowStart[w+1]]: its own row w, then vocabularySize + each n-gram bucket.
 */
export function subwordRows(words: readonly string[], options: SubwordOptions | undefined): { rowStart: Int32Array; rows: Int32Array } {
  const rowStart = new Int32Array(words.length + 1);
  if (!options) {
    for (let w = 0; w <= words.length; w++) rowStart[w] = w;
    return { rowStart, rows: Int32Array.from({ length: words.length }, (_, w) => w) };
  }
  const lists = words.map((word) => ngramBuckets(word, options));
  let total = 0;
  for (let w = 0; w < words.length; w++) {
    rowStart[w] = total;
    total += 1 + lists[w].length;
  }
  rowStart[words.length] = total;
  const rows = new Int32Array(total);
  for (let w = 0, at = 0; w < words.length; w++) {
    rows[at++] = w;
    for (const b of lists[w]) rows[at++] = words.length + b;
  }
  return { rowStart, rows };
}

/**
 * A trained FastText model's lookup: vectors of vocabulary words (the mean of the word row and its
 * n-gram rows, as gensim's FastTextKeyedVectors) and vectors of any other word from its n-grams.
 * Only the n-gram rows that some vocabulary word trained are kept: the others never moved from
 * their random start, and averaging them in would only add noise to an unseen word's vector.
 */
export class SubwordVectors {
  private readonly rowOf = new Map<number, number>();

  constructor(
    readonly vectors: WordVectors,
    readonly options: SubwordOptions,
    /** The kept bucket numbers, ascending. */
    readonly buckets: Int32Array,
    /** buckets.length × dim: the row of each kept bucket. */
    readonly rows: Float32Array,
  ) {
    if (rows.length !== buckets.length * vectors.dim) {
      throw new Error(`expected ${buckets.length} n-gram rows of ${vectors.dim} numbers, got ${rows.length} numbers`);
    }
    buckets.forEach((bucket, row) => this.rowOf.set(bucket, row));
  }

  get dim(): number {
    return this.vectors.dim;
  }

  /**
   * The vector of any word: a vocabulary word's own vector, else the mean of its trained n-gram
   * rows; undefined when none of its n-grams was trained.
   */
  vectorFor(word: string): Float32Array | undefined {
    const known = this.vectors.vector(word);
    if (known) return known;
    const dim = this.dim;
    const sum = new Float32Array(dim);
    let used = 0;
    for (const bucket of ngramBuckets(word, this.options)) {
      const row = this.rowOf.get(bucket);
      if (row === undefined) continue;
      const at = row * dim;
      for (let d = 0; d < dim; d++) sum[d] += this.rows[at + d];
      used++;
    }
    if (used === 0) return undefined;
    for (let d = 0; d < dim; d++) sum[d] /= used;
    return sum;
  }
}
