// One run's WebAssembly kernel state: the shared memory laid out for a vocabulary and settings,
// filled with the lookup tables and the initial weights, and the trained vectors read back out.
// Worker threads train on it (word2vec.ts); tests drive it directly on this thread.
import type { CheckpointWeights } from './checkpoint';
import type { Vocabulary } from './vocab';
import { WordVectors } from './vectors';
import { Random } from './random';
import { SubwordVectors, subwordRows, type SubwordOptions } from './subwords';
import { huffmanTree, keepThresholds, lossTables, noiseDistribution, sigmoidTable } from './trainingTables';
import {
  createKernelMemory,
  instantiateKernel,
  kernelModule,
  planKernelLayout,
  readThreadTotals,
  setModelField,
  THREAD_RANDOM_OFFSET,
  type KernelExports,
  type KernelLayout,
  type KernelShape,
} from './kernels/kernelMemory';

/** What the kernel needs of the training options. */
export interface KernelSettings {
  mode: 'sg' | 'cbow';
  dim: number;
  window: number;
  negative: number;
  hs: boolean;
  cbowMean: boolean;
  sample: number;
  seed: number;
}

/** Where a continued model starts: its parent's vectors for the first words, and how far they may move. */
export interface KernelStart {
  /** Row-major vectors (dim each) of vocabulary words 0 .. rows-1. */
  vectors: Float32Array;
  /** One factor per vocabulary word: 0 freezes its input vector, 1 lets it learn fully. */
  lockFactors?: Float32Array;
  /** FastText: trained n-gram rows of the parent; `vectors` then hold its word vectors (means). */
  ngrams?: { buckets: Int32Array; rows: Float32Array };
}

export interface KernelLimits {
  threads: number;
  maxSentence: number;
  jobCapacity: number;
  jobSlotsPerThread: number;
}

export class TrainingKernel {
  private inline?: KernelExports;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly layout: KernelLayout,
    private readonly vocabulary: Pick<Vocabulary, 'words' | 'counts' | 'size'>,
    private readonly settings: KernelSettings,
    private readonly subwords: SubwordOptions | undefined,
    readonly inputRows: number,
    /** Words with a lock factor: all of them when the run has factors, else none. */
    private readonly lockRows: number,
  ) {}

  /** Lays out the shared memory and fills in the tables and the initial weights. */
  static create(
    vocabulary: Pick<Vocabulary, 'words' | 'counts' | 'size'>,
    settings: KernelSettings,
    subwords: SubwordOptions | undefined,
    limits: KernelLimits,
    start?: KernelStart,
  ): TrainingKernel {
    const { counts } = vocabulary;
    const noise = noiseDistribution(counts);
    const tree = settings.hs ? huffmanTree(counts) : undefined;
    const { rowStart, rows } = subwordRows(vocabulary.words, subwords);
    const inputRows = vocabulary.size + (subwords?.bucket ?? 0);
    const shape: KernelShape = {
      words: vocabulary.size,
      inputRows,
      dim: settings.dim,
      window: settings.window,
      negative: settings.negative,
      hs: settings.hs,
      cbow: settings.mode === 'cbow',
      cbowMean: settings.cbowMean,
      rowEntries: rows.length,
      codeEntries: tree?.points.length ?? 0,
      maxCodeLength: tree?.maxCodeLength ?? 0,
      guideEntries: noise.guide.length,
      lockFactors: start?.lockFactors !== undefined,
      ...limits,
    };
    const layout = planKernelLayout(shape);
    const memory = createKernelMemory(shape, layout);
    const buffer = memory.buffer;
    const sigmoid = sigmoidTable();
    const loss = lossTables();
    new Float32Array(buffer, layout.sigmoid, sigmoid.length).set(sigmoid);
    new Float32Array(buffer, layout.lossTrue, loss.truth.length).set(loss.truth);
    new Float32Array(buffer, layout.lossNoise, loss.noise.length).set(loss.noise);
    new Uint32Array(buffer, layout.cumulative, noise.cumulative.length).set(noise.cumulative);
    new Int32Array(buffer, layout.guide, noise.guide.length).set(noise.guide);
    setModelField(memory, layout, 'guideShift', noise.guideShift);
    new Uint32Array(buffer, layout.keep, counts.length).set(keepThresholds(counts, settings.sample));
    if (tree) {
      new Int32Array(buffer, layout.codeStart, tree.codeStart.length).set(tree.codeStart);
      new Int32Array(buffer, layout.points, tree.points.length).set(tree.points);
      new Uint8Array(buffer, layout.codes, tree.codes.length).set(tree.codes);
    }
    new Int32Array(buffer, layout.rowStart, rowStart.length).set(rowStart);
    new Int32Array(buffer, layout.rows, rows.length).set(rows);

    // Input rows start small and random, output rows at zero: uniform in ±1/dim, as gensim 4 and
    // fastText draw them (word2vec.c uses half that).
    const random = new Random(settings.seed);
    const scale = 2 / settings.dim;
    const syn0 = new Float32Array(buffer, layout.syn0, inputRows * layout.stride);
    for (let row = 0; row < inputRows; row++) {
      const base = row * layout.stride;
      for (let d = 0; d < settings.dim; d++) syn0[base + d] = (random.float() - 0.5) * scale;
    }
    if (start) {
      const dim = settings.dim;
      const stride = layout.stride;
      const parentWords = start.vectors.length / dim;
      for (let row = 0; row < parentWords; row++) syn0.set(start.vectors.subarray(row * dim, (row + 1) * dim), row * stride);
      if (start.ngrams && subwords) {
        const { buckets, rows: ngramRows } = start.ngrams;
        buckets.forEach((bucket, i) => syn0.set(ngramRows.subarray(i * dim, (i + 1) * dim), (vocabulary.size + bucket) * stride));
        // A FastText word vector is the mean of its word row and n-gram rows; solve for the word row
        // so the parent's words start exactly where the parent left them.
        for (let w = 0; w < parentWords; w++) {
          const count = rowStart[w + 1] - rowStart[w];
          const at = w * stride;
          for (let d = 0; d < dim; d++) syn0[at + d] *= count;
          for (let r = rowStart[w] + 1; r < rowStart[w + 1]; r++) {
            const from = rows[r] * stride;
            for (let d = 0; d < dim; d++) syn0[at + d] -= syn0[from + d];
          }
        }
      }
      if (start.lockFactors) new Float32Array(buffer, layout.lockf, vocabulary.size).set(start.lockFactors);
    }
    return new TrainingKernel(memory, layout, vocabulary, settings, subwords, inputRows, start?.lockFactors ? vocabulary.size : 0);
  }

  /** Input rows (words, then n-gram buckets), `layout.stride` floats apart. */
  get syn0(): Float32Array {
    return new Float32Array(this.memory.buffer, this.layout.syn0, this.inputRows * this.layout.stride);
  }

  /** Output rows for negative sampling, one per word. */
  get syn1neg(): Float32Array {
    return new Float32Array(this.memory.buffer, this.layout.syn1neg, this.settings.negative > 0 ? this.vocabulary.size * this.layout.stride : 0);
  }

  /** Output rows for hierarchical softmax, one per inner node of the Huffman tree. */
  get syn1(): Float32Array {
    const rows = this.settings.hs ? Math.max(1, this.vocabulary.size - 1) : 0;
    return new Float32Array(this.memory.buffer, this.layout.syn1, rows * this.layout.stride);
  }

  /** Per-word lock factors (empty when the run has none). */
  get lockf(): Float32Array {
    return new Float32Array(this.memory.buffer, this.layout.lockf, this.lockRows);
  }

  /** Views of the whole trained state, for a checkpoint (valid while no job runs). */
  weights(): CheckpointWeights {
    return { syn0: this.syn0, syn1neg: this.syn1neg, syn1: this.syn1, lockf: this.lockf };
  }

  /** Puts a checkpoint's weights back; they must come from a run with the same vocabulary and settings. */
  restoreWeights(weights: CheckpointWeights): void {
    for (const [name, target] of Object.entries(this.weights()) as [keyof CheckpointWeights, Float32Array][]) {
      const source = weights[name];
      if (!source || source.length !== target.length) {
        throw new Error(`The checkpoint's ${name} holds ${source?.length ?? 0} values, this run needs ${target.length}: it was written for other settings. Start the run again.`);
      }
      target.set(source);
    }
  }

  /**
   * Runs one job on this thread with thread record 0: for tests and tiny inputs; training runs go
   * through worker threads. Returns the in-vocabulary words and the loss it added.
   */
  trainHere(tokens: ArrayLike<number>, alphaStart: number, alphaEnd: number, seed: number): { words: number; loss: number; examples: number } {
    this.inline ??= instantiateKernel(kernelModule(), this.memory);
    const thread = this.layout.threads[0];
    const slot = thread.jobSlots[0];
    new Int32Array(this.memory.buffer, slot, tokens.length).set(tokens);
    new Uint32Array(this.memory.buffer, thread.record + THREAD_RANDOM_OFFSET, 1)[0] = seed;
    const before = readThreadTotals(this.memory, thread.record);
    const words = this.inline.train_job(thread.record, slot, tokens.length, alphaStart, alphaEnd);
    const after = readThreadTotals(this.memory, thread.record);
    return { words, loss: after.loss - before.loss, examples: after.examples - before.examples };
  }

  /** The trained word vectors, without the kernel's row padding (FastText: with its n-gram lookup). */
  collectVectors(): { vectors: WordVectors; subwords?: SubwordVectors } {
    const { dim } = this.settings;
    const { stride } = this.layout;
    const { words, counts, size } = this.vocabulary;
    const syn0 = this.syn0;
    const unpad = (firstRow: number, rowCount: number) => {
      const out = new Float32Array(rowCount * dim);
      for (let r = 0; r < rowCount; r++) out.set(syn0.subarray((firstRow + r) * stride, (firstRow + r) * stride + dim), r * dim);
      return out;
    };
    const subwords = this.subwords;
    if (!subwords) return { vectors: new WordVectors(words, dim, unpad(0, size), counts) };

    // A FastText word vector is the mean of its word row and n-gram rows, as the kernel trained it.
    const data = unpad(0, size);
    const { rowStart, rows } = subwordRows(words, subwords);
    for (let w = 0; w < size; w++) {
      const first = rowStart[w];
      const last = rowStart[w + 1];
      const at = w * dim;
      for (let r = first + 1; r < last; r++) {
        const from = rows[r] * stride;
        for (let d = 0; d < dim; d++) data[at + d] += syn0[from + d];
      }
      for (let d = 0; d < dim; d++) data[at + d] /= last - first;
    }
    const vectors = new WordVectors(words, dim, data, counts);
    const used = new Uint8Array(subwords.bucket);
    for (let r = 0; r < rows.length; r++) if (rows[r] >= size) used[rows[r] - size] = 1;
    const kept: number[] = [];
    for (let bucket = 0; bucket < used.length; bucket++) if (used[bucket]) kept.push(bucket);
    const buckets = Int32Array.from(kept);
    const ngramRows = new Float32Array(buckets.length * dim);
    buckets.forEach((bucket, i) => ngramRows.set(syn0.subarray((size + bucket) * stride, (size + bucket) * stride + dim), i * dim));
    return { vectors, subwords: new SubwordVectors(vectors, subwords, buckets, ngramRows) };
  }
}
