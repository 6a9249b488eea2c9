// A set of word vectors and the queries people run on them: cosine similarity, nearest neighbours,
// analogies (3CosAdd and 3CosMul), the odd one out. Semantics follow gensim's KeyedVectors, so that
// numbers computed here and there agree; where they differ on purpose the doc comment says so.

export interface Neighbour {
  word: string;
  similarity: number;
}

export interface MostSimilarOptions {
  /** Words that pull the query away (weight -1), as in king - man + woman. */
  negative?: string[];
  /** How many neighbours to return (gensim's `topn`). Default 10. */
  k?: number;
  /** Only search the first `restrictVocab` rows (the most frequent words, for trained models). */
  restrictVocab?: number;
}

/** gensim's epsilon in 3CosMul, which keeps the quotient finite when a negative term's similarity is -1. */
export const COSMUL_EPSILON = 1e-6;

export class WordVectors {
  readonly words: string[];
  readonly dim: number;
  /** words.length × dim, row-major. */
  readonly data: Float32Array;
  readonly counts?: Float64Array;
  readonly size: number;
  private readonly index: Map<string, number>;
  private unitCache?: Float32Array;

  constructor(words: string[], dim: number, data: Float32Array, counts?: Float64Array) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim must be a positive integer, got ${dim}`);
    if (data.length !== words.length * dim) {
      throw new Error(`expected ${words.length} × ${dim} = ${words.length * dim} numbers, got ${data.length}`);
    }
    if (counts && counts.length !== words.length) {
      throw new Error(`expected one count per word (${words.length}), got ${counts.length}`);
    }
    this.words = words;
    this.dim = dim;
    this.data = data;
    this.counts = counts;
    this.size = words.length;
    this.index = new Map();
    for (let i = 0; i < words.length; i++) if (!this.index.has(words[i])) this.index.set(words[i], i);
  }

  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** A copy of the word's row, or undefined for an unknown word. */
  vector(word: string): Float32Array | undefined {
    const i = this.indexOf(word);
    if (i < 0) return undefined;
    return this.data.slice(i * this.dim, (i + 1) * this.dim);
  }

  /** Row index of `word`; throws an error naming the word when it is unknown. */
  requireIndex(word: string): number {
    const i = this.indexOf(word);
    if (i < 0) throw new Error(`word "${word}" is not in the vocabulary`);
    return i;
  }

  /**
   * The rows scaled to unit length (all-zero rows stay zero), computed on first use and kept. The
   * array is shared with every later query, so callers must not write to it.
   */
  unitVectors(): Float32Array {
    if (this.unitCache) return this.unitCache;
    const { data, dim, size } = this;
    const unit = new Float32Array(data.length);
    for (let row = 0; row < size; row++) {
      const offset = row * dim;
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += data[offset + d] * data[offset + d];
      if (norm === 0) continue;
      const scale = 1 / Math.sqrt(norm);
      for (let d = 0; d < dim; d++) unit[offset + d] = data[offset + d] * scale;
    }
    this.unitCache = unit;
    return unit;
  }

  /** Cosine similarity; 0 when either vector is all zeros. */
  similarity(a: string, b: string): number {
    const unit = this.unitVectors();
    return dot(unit, this.requireIndex(a) * this.dim, unit, this.requireIndex(b) * this.dim, this.dim);
  }

  /**
   * Cosine similarity of the means of two word lists, each mean taken over the raw (not unit)
   * vectors, as gensim's n_similarity. Unknown words throw (gensim 4.2 silently drops them, which
   * hides typos).
   */
  nSimilarity(first: string[], second: string[]): number {
    if (first.length === 0 || second.length === 0) throw new Error('nSimilarity needs at least one word in each list');
    // Sums, not means: scaling a vector does not change a cosine.
    const a = this.sumOfRows(first);
    const b = this.sumOfRows(second);
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let d = 0; d < this.dim; d++) {
      ab += a[d] * b[d];
      aa += a[d] * a[d];
      bb += b[d] * b[d];
    }
    return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
  }

  /**
   * Nearest words by cosine to the mean of the unit vectors of `positive` minus those of `negative`
   * (3CosAdd, as gensim's most_similar). The query words themselves are left out; among equal
   * similarities the earlier (more frequent) row comes first.
   */
  mostSimilar(positive: string | string[], options: MostSimilarOptions = {}): Neighbour[] {
    const positives = typeof positive === 'string' ? [positive] : positive;
    const negatives = options.negative ?? [];
    const k = checkK(options.k);
    if (positives.length + negatives.length === 0) throw new Error('mostSimilar needs at least one word');
    const limit = this.searchLimit(options.restrictVocab);
    const unit = this.unitVectors();
    const dim = this.dim;

    const query = new Float64Array(dim);
    const exclude: number[] = [];
    const addWord = (word: string, weight: number) => {
      const row = this.requireIndex(word);
      exclude.push(row);
      const offset = row * dim;
      for (let d = 0; d < dim; d++) query[d] += weight * unit[offset + d];
    };
    for (const word of positives) addWord(word, 1);
    for (const word of negatives) addWord(word, -1);
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += query[d] * query[d];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dim; d++) query[d] /= norm;
    if (k === 0) return [];

    const top = new TopK(k);
    scanRows(unit, dim, limit, query, exclude, top);
    return this.neighbours(top);
  }

  /**
   * 3CosMul (Levy & Goldberg 2014, eq. 4) as gensim's most_similar_cosmul: each row scores
   * Π(1 + cos(row, p))/2 over positives divided by (Π(1 + cos(row, n))/2 over negatives + 1e-6).
   * With one positive word the ranking equals mostSimilar's. Unlike gensim 4.2, which accepts
   * restrict_vocab but ignores it, `restrictVocab` limits the search here too.
   */
  mostSimilarCosmul(positive: string | string[], options: MostSimilarOptions = {}): Neighbour[] {
    const positives = typeof positive === 'string' ? [positive] : positive;
    const negatives = options.negative ?? [];
    const k = checkK(options.k);
    if (positives.length === 0) throw new Error('mostSimilarCosmul needs at least one positive word');
    const limit = this.searchLimit(options.restrictVocab);
    const unit = this.unitVectors();
    const dim = this.dim;
    const positiveRows = positives.map((w) => this.requireIndex(w));
    const negativeRows = negatives.map((w) => this.requireIndex(w));
    const exclude = [...positiveRows, ...negativeRows];
    const positiveOffsets = positiveRows.map((row) => row * dim);
    const negativeOffsets = negativeRows.map((row) => row * dim);
    if (k === 0) return [];

    const top = new TopK(k);
    for (let row = 0, offset = 0; row < limit; row++, offset += dim) {
      let numerator = 1;
      for (const p of positiveOffsets) numerator *= (1 + dot(unit, offset, unit, p, dim)) / 2;
      // An empty product is 1, as numpy's prod of nothing.
      let denominator = 1;
      for (const n of negativeOffsets) denominator *= (1 + dot(unit, offset, unit, n, dim)) / 2;
      const score = numerator / (denominator + COSMUL_EPSILON);
      if (score > top.threshold && !exclude.includes(row)) top.offer(row, score);
    }
    return this.neighbours(top);
  }

  /**
   * The word furthest from the mean of the unit vectors of all the words, as gensim's doesnt_match.
   * Unknown words throw rather than being dropped.
   */
  doesntMatch(words: string[]): string {
    if (words.length === 0) throw new Error('doesntMatch needs at least one word');
    const unit = this.unitVectors();
    const dim = this.dim;
    const offsets = words.map((w) => this.requireIndex(w) * dim);
    const mean = new Float64Array(dim);
    for (const offset of offsets) for (let d = 0; d < dim; d++) mean[d] += unit[offset + d];
    // The mean's length is the same for every word, so it cannot change which one is furthest.
    let worst = 0;
    let worstScore = Infinity;
    for (let i = 0; i < words.length; i++) {
      let score = 0;
      for (let d = 0; d < dim; d++) score += mean[d] * unit[offsets[i] + d];
      // gensim sorts (similarity, word) pairs, so a tie goes to the word that sorts first.
      if (score < worstScore || (score === worstScore && words[i] < words[worst])) {
        worst = i;
        worstScore = score;
      }
    }
    return words[worst];
  }

  /**
   * The first `n` rows (the most frequent words, when rows are in frequency order) as vectors of
   * their own. The numbers are shared with this object, not copied, and so is the unit-row cache
   * when it exists: vectors are never modified after construction.
   */
  restrictVocab(n: number): WordVectors {
    if (!Number.isInteger(n) || n < 0) throw new Error(`restrictVocab needs a non-negative whole number, got ${n}`);
    const rows = Math.min(n, this.size);
    const restricted = new WordVectors(
      this.words.slice(0, rows),
      this.dim,
      this.data.subarray(0, rows * this.dim),
      this.counts?.subarray(0, rows),
    );
    if (this.unitCache) restricted.unitCache = this.unitCache.subarray(0, rows * this.dim);
    return restricted;
  }

  private searchLimit(restrictVocab: number | undefined): number {
    if (restrictVocab === undefined) return this.size;
    if (!Number.isInteger(restrictVocab) || restrictVocab < 0) {
      throw new Error(`restrictVocab must be a non-negative whole number, got ${restrictVocab}`);
    }
    return Math.min(this.size, restrictVocab);
  }

  private sumOfRows(words: string[]): Float64Array {
    const sum = new Float64Array(this.dim);
    for (const word of words) {
      const offset = this.requireIndex(word) * this.dim;
      for (let d = 0; d < this.dim; d++) sum[d] += this.data[offset + d];
    }
    return sum;
  }

  private neighbours(top: TopK): Neighbour[] {
    return top.sorted().map(({ row, score }) => ({ word: this.words[row], similarity: score }));
  }
}

function checkK(k: number | undefined): number {
  const value = k ?? 10;
  if (!Number.isInteger(value) || value < 0) throw new Error(`k must be a non-negative integer, got ${value}`);
  return value;
}

/**
 * Dot product over `length` numbers with four independent sums: each add of one running sum waits
 * for the previous one, so four sums let four adds be in flight at once.
 */
export function dot(a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (const end = length - 3; d < end; d += 4) {
    s0 += a[aOffset + d] * b[bOffset + d];
    s1 += a[aOffset + d + 1] * b[bOffset + d + 1];
    s2 += a[aOffset + d + 2] * b[bOffset + d + 2];
    s3 += a[aOffset + d + 3] * b[bOffset + d + 3];
  }
  for (; d < length; d++) s0 += a[aOffset + d] * b[bOffset + d];
  return s0 + s1 + s2 + s3;
}

/**
 * Offers every row below `limit` except the excluded ones to `top`, scored by its dot product with
 * `query`. Written out rather than calling dot() so that the hot loop has monomorphic typed-array
 * loads; the exclusion list is only consulted for rows that would enter the top k.
 */
function scanRows(unit: Float32Array, dim: number, limit: number, query: Float64Array, exclude: number[], top: TopK): void {
  const tail = dim & 3;
  const body = dim - tail;
  let threshold = top.threshold;
  for (let row = 0, offset = 0; row < limit; row++, offset += dim) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < body; d += 4) {
      s0 += query[d] * unit[offset + d];
      s1 += query[d + 1] * unit[offset + d + 1];
      s2 += query[d + 2] * unit[offset + d + 2];
      s3 += query[d + 3] * unit[offset + d + 3];
    }
    for (let d = body; d < dim; d++) s0 += query[d] * unit[offset + d];
    const score = s0 + s1 + s2 + s3;
    if (score > threshold && !exclude.includes(row)) {
      top.offer(row, score);
      threshold = top.threshold;
    }
  }
}

/**
 * The k highest scores seen, in a min-heap on typed arrays: a rejected row costs one comparison
 * against `threshold`, an accepted one O(log k). Among equal scores the earlier row wins.
 */
export class TopK {
  private readonly rows: Int32Array;
  private readonly scores: Float64Array;
  private count = 0;
  /** -Infinity until k scores are in, then the lowest kept: a score not above it cannot enter. */
  threshold = -Infinity;

  constructor(private readonly k: number) {
    this.rows = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  offer(row: number, score: number): void {
    const { rows, scores, k } = this;
    if (k === 0) return;
    if (this.count < k) {
      rows[this.count] = row;
      scores[this.count] = score;
      this.siftUp(this.count++);
      if (this.count === k) this.threshold = scores[0];
    } else if (score > scores[0] || (score === scores[0] && row < rows[0])) {
      rows[0] = row;
      scores[0] = score;
      this.siftDown(0);
      this.threshold = scores[0];
    }
  }

  /** Best first; equal scores in row order (more frequent first). */
  sorted(): { row: number; score: number }[] {
    const result: { row: number; score: number }[] = [];
    for (let i = 0; i < this.count; i++) result.push({ row: this.rows[i], score: this.scores[i] });
    return result.sort((a, b) => b.score - a.score || a.row - b.row);
  }

  private less(i: number, j: number): boolean {
    const { scores, rows } = this;
    // Among equal scores the later row is "smaller", so it is the one pushed out first.
    return scores[i] < scores[j] || (scores[i] === scores[j] && rows[i] > rows[j]);
  }

  private swap(i: number, j: number): void {
    const { rows, scores } = this;
    const row = rows[i];
    rows[i] = rows[j];
    rows[j] = row;
    const score = scores[i];
    scores[i] = scores[j];
    scores[j] = score;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.count;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.less(left, smallest)) smallest = left;
      if (right < n && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
