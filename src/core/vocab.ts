// Word counts for a corpus and the vocabulary kept from them.

export interface VocabularyBuilderOptions {
  /**
   * Bound on distinct words held while counting (gensim's max_vocab_size, word2vec.c's vocab
   * reduction): when exceeded, words with count <= a threshold are dropped and the threshold rises.
   * Counts of words that survive a pruning are then lower bounds. Unbounded when not given.
   */
  maxVocabSize?: number;
}

export interface VocabularyBuildOptions {
  minCount: number;
  /** Keep at most this many words (the most frequent). */
  maxVocabSize?: number;
}

/** A counter's words, how often each was seen, and where first (see `add`): compact to pass between threads. */
export interface WordTallies {
  words: string[];
  counts: Float64Array;
  firstSeen: Float64Array;
}

export class VocabularyBuilder {
  private readonly counts = new Map<string, number>();
  /** Where each word was first seen; ties in count are ordered by it. */
  private readonly firstSeen = new Map<string, number>();
  private readonly maxDistinct: number;
  private pruneThreshold = 1;
  private seen = 0;

  constructor(options: VocabularyBuilderOptions = {}) {
    const max = options.maxVocabSize;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new Error(`maxVocabSize must be a positive integer, got ${max}`);
    }
    this.maxDistinct = max ?? Infinity;
  }

  /** All tokens added so far, including ones that will not make it into the vocabulary. */
  get corpusWords(): number {
    return this.seen;
  }

  get distinctWords(): number {
    return this.counts.size;
  }

  /**
   * Counts the tokens. `position` is where the first of them stands in the corpus (default: right
   * after everything added so far); counters that share out one corpus pass positions so that their
   * merged vocabulary is ordered exactly as one counter reading it all would order it.
   */
  add(tokens: readonly string[], position = this.seen): void {
    const counts = this.counts;
    for (let i = 0; i < tokens.length; i++) {
      const word = tokens[i];
      const count = counts.get(word);
      if (count === undefined) {
        counts.set(word, 1);
        this.firstSeen.set(word, position + i);
      } else {
        counts.set(word, count + 1);
      }
    }
    this.seen += tokens.length;
    if (counts.size > this.maxDistinct) this.prune();
  }

  /** Every word counted so far. */
  tallies(): WordTallies {
    const words = [...this.counts.keys()];
    return {
      words,
      counts: Float64Array.from(words, (word) => this.counts.get(word)!),
      firstSeen: Float64Array.from(words, (word) => this.firstSeen.get(word)!),
    };
  }

  /** Adds another counter's tallies and tokens (the tokens it saw, kept or pruned). */
  merge(tallies: WordTallies, corpusWords: number): void {
    const { words, counts, firstSeen } = tallies;
    for (let i = 0; i < words.length; i++) {
      const word = words[i];
      this.counts.set(word, (this.counts.get(word) ?? 0) + counts[i]);
      const first = this.firstSeen.get(word);
      if (first === undefined || firstSeen[i] < first) this.firstSeen.set(word, firstSeen[i]);
    }
    this.seen += corpusWords;
    if (this.counts.size > this.maxDistinct) this.prune();
  }

  private prune(): void {
    while (this.counts.size > this.maxDistinct) {
      for (const [word, count] of this.counts) {
        if (count <= this.pruneThreshold) {
          this.counts.delete(word);
          this.firstSeen.delete(word);
        }
      }
      this.pruneThreshold++;
    }
  }

  build(options: VocabularyBuildOptions): Vocabulary {
    const { minCount, maxVocabSize } = options;
    if (!Number.isInteger(minCount) || minCount < 1) throw new Error(`minCount must be a positive integer, got ${minCount}`);
    if (maxVocabSize !== undefined && (!Number.isInteger(maxVocabSize) || maxVocabSize < 1)) {
      throw new Error(`maxVocabSize must be a positive integer, got ${maxVocabSize}`);
    }
    const kept: [string, number, number][] = [];
    for (const [word, count] of this.counts) if (count >= minCount) kept.push([word, count, this.firstSeen.get(word)!]);
    // Most frequent first; equal counts in the order the words first appeared (as gensim keeps them).
    kept.sort((a, b) => b[1] - a[1] || a[2] - b[2]);
    if (maxVocabSize !== undefined && kept.length > maxVocabSize) kept.length = maxVocabSize;
    const words = kept.map((entry) => entry[0]);
    const counts = Float64Array.from(kept, (entry) => entry[1]);
    return new Vocabulary(words, counts, this.seen);
  }
}

export class Vocabulary {
  readonly words: string[];
  /** counts[i] is the corpus frequency of words[i]; sorted descending. */
  readonly counts: Float64Array;
  readonly size: number;
  /** Sum of the counts of the kept words. */
  readonly totalWords: number;
  /** Every token seen, kept or not. */
  readonly corpusWords: number;
  private readonly ids: Map<string, number>;

  constructor(words: string[], counts: Float64Array, corpusWords: number) {
    if (words.length !== counts.length) {
      throw new Error(`Vocabulary needs one count per word: ${words.length} words, ${counts.length} counts`);
    }
    this.words = words;
    this.counts = counts;
    this.size = words.length;
    this.corpusWords = corpusWords;
    let total = 0;
    for (let i = 0; i < counts.length; i++) total += counts[i];
    this.totalWords = total;
    this.ids = new Map();
    for (let i = 0; i < words.length; i++) if (!this.ids.has(words[i])) this.ids.set(words[i], i);
  }

  id(word: string): number {
    return this.ids.get(word) ?? -1;
  }
}
