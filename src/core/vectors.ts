// A set of word vectors and the queries people run on them (cosine similarity, nearest neighbours,
// analogies).

export interface Neighbour {
  word: string;
  similarity: number;
}

export interface MostSimilarOptions {
  negative?: string[];
  /** How many neighbours to return. Default 10. */
  k?: number;
  /** Only search the first `restrictVocab` words (the most frequent, for trained models). */
  restrictVocab?: number;
}

export class WordVectors {
  readonly words: string[];
  readonly dim: number;
  /** words.length × dim, row-major. */
  readonly data: Float32Array;
  readonly counts?: Float64Array;
  readonly size: number;
  private readonly index: Map<string, number>;
  private unitRows?: Float32Array;

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

  similarity(a: string, b: string): number {
    const unit = this.unit();
    const dim = this.dim;
    const ia = this.requireIndex(a) * dim;
    const ib = this.requireIndex(b) * dim;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += unit[ia + d] * unit[ib + d];
    return dot;
  }

  /**
   * Nearest words by cosine to the mean of the unit vectors of `positive` minus those of `negative`
   * (3CosAdd, as gensim's most_similar). The query words themselves are left out.
   */
  mostSimilar(positive: string | string[], options: MostSimilarOptions = {}): Neighbour[] {
    const positives = typeof positive === 'string' ? [positive] : positive;
    const negatives = options.negative ?? [];
    const k = options.k ?? 10;
    if (!Number.isInteger(k) || k < 0) throw new Error(`k must be a non-negative integer, got ${k}`);
    if (positives.length + negatives.length === 0) throw new Error('mostSimilar needs at least one word');
    const limit = Math.min(this.size, options.restrictVocab ?? this.size);
    const unit = this.unit();
    const dim = this.dim;

    const query = new Float64Array(dim);
    const exclude = new Set<number>();
    const addWord = (word: string, weight: number) => {
      const row = this.requireIndex(word);
      exclude.add(row);
      const offset = row * dim;
      for (let d = 0; d < dim; d++) query[d] += weight * unit[offset + d];
    };
    for (const word of positives) addWord(word, 1);
    for (const word of negatives) addWord(word, -1);
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += query[d] * query[d];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dim; d++) query[d] /= norm;

    const top = new TopK(k);
    for (let row = 0; row < limit; row++) {
      if (exclude.has(row)) continue;
      const offset = row * dim;
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += query[d] * unit[offset + d];
      top.offer(row, dot);
    }
    return top.sorted().map(({ row, score }) => ({ word: this.words[row], similarity: score }));
  }

  private requireIndex(word: string): number {
    const i = this.indexOf(word);
    if (i < 0) throw new Error(`word "${word}" is not in the vocabulary`);
    return i;
  }

  /** Rows scaled to unit length, computed on first use; all-zero rows stay zero. */
  private unit(): Float32Array {
    if (this.unitRows) return this.unitRows;
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
    this.unitRows = unit;
    return unit;
  }
}

/** The k highest scores seen, in a min-heap so each offer is O(log k) and rejects are O(1). */
class TopK {
  private readonly rows: number[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  offer(row: number, score: number): void {
    const { rows, scores, k } = this;
    if (k === 0) return;
    if (rows.length < k) {
      rows.push(row);
      scores.push(score);
      this.siftUp(rows.length - 1);
    } else if (score > scores[0]) {
      rows[0] = row;
      scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Best first; equal scores in row order (more frequent first). */
  sorted(): { row: number; score: number }[] {
    return this.rows
      .map((row, i) => ({ row, score: this.scores[i] }))
      .sort((a, b) => b.score - a.score || a.row - b.row);
  }

  private less(i: number, j: number): boolean {
    const { scores, rows } = this;
    // Among equal scores the later row is "smaller", so earlier rows win ties.
    return scores[i] < scores[j] || (scores[i] === scores[j] && rows[i] > rows[j]);
  }

  private swap(i: number, j: number): void {
    const { rows, scores } = this;
    [rows[i], rows[j]] = [rows[j], rows[i]];
    [scores[i], scores[j]] = [scores[j], scores[i]];
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
    const n = this.rows.length;
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
