// Word2Vec and FastText training over a TextCorpus: one pass to count words, then one pass per
// epoch, streaming the text each time. This thread reads the text and cuts it into jobs; worker
// threads tokenize them, count words, and run the WebAssembly kernel (kernels/embedding.c) on
// weights they share through one SharedArrayBuffer.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TextCorpus } from './corpus';
import { abortError } from './corpus';
import { DEFAULT_MAX_SENTENCE_LENGTH } from './tokenizer';
import { Vocabulary, VocabularyBuilder } from './vocab';
import { WordVectors } from './vectors';
import { streamSeed } from './random';
import type { SubwordOptions, SubwordVectors } from './subwords';
import { TrainingKernel } from './trainingKernel';
import { kernelModule, type KernelLayout } from './kernels/kernelMemory';
import type { FromTrainingWorker, ToTrainingWorker } from './trainingWorkerProtocol';
import { requireChoice, requireBoolean, requireInteger, requireNumber } from './optionChecks';
import { CHECKPOINT_VERSION, type TrainingCheckpoint } from './checkpoint';

export type EmbeddingAlgorithm = 'word2vec' | 'fasttext';
export type TrainingMode = 'sg' | 'cbow';

export interface Word2VecOptions {
  /** word2vec: one vector per word. fasttext: words as bags of character n-grams. */
  algorithm: EmbeddingAlgorithm;
  /** Skip-gram or continuous bag of words. */
  mode: TrainingMode;
  dim: number;
  window: number;
  /** Noise words per prediction; 0 turns negative sampling off (then hs must be on). */
  negative: number;
  /** Hierarchical softmax over a Huffman tree. */
  hs: boolean;
  /** CBOW: average the context vectors (true) or sum them. */
  cbowMean: boolean;
  epochs: number;
  minCount: number;
  sample: number;
  alpha: number;
  minAlpha: number;
  seed: number;
  lowercase: boolean;
  /**
   * Worker threads; 0 means one per available core. One thread is the deterministic mode: same seed,
   * same corpus, same vectors, bit for bit. More threads share the weights without locks, so runs
   * differ in the last digits (as gensim's and word2vec.c's do).
   */
  threads: number;
  /** Bound on distinct words held while counting (gensim's max_vocab_size). */
  maxVocabSize?: number;
  /** Keep at most this many words, the most frequent (gensim's max_final_vocab). */
  maxFinalVocab?: number;
  /** FastText: shortest and longest character n-gram, and the number of hashed n-gram rows. */
  minn: number;
  maxn: number;
  bucket: number;
}

/**
 * gensim's Word2Vec / FastText defaults, except the mode: skip-gram, which gives better vectors on
 * the small corpora of a workspace (gensim and word2vec.c default to CBOW).
 */
export const WORD2VEC_DEFAULTS: Word2VecOptions = Object.freeze({
  algorithm: 'word2vec',
  mode: 'sg',
  dim: 100,
  window: 5,
  negative: 5,
  hs: false,
  cbowMean: true,
  epochs: 5,
  minCount: 5,
  sample: 1e-3,
  alpha: 0.025,
  minAlpha: 0.0001,
  seed: 1,
  lowercase: true,
  threads: 0,
  minn: 3,
  maxn: 6,
  bucket: 2_000_000,
});

export interface TrainingProgress {
  phase: 'vocabulary' | 'training';
  /** 1-based; 0 during the vocabulary pass. */
  epoch: number;
  epochs: number;
  /**
   * Training: in-vocabulary corpus words processed across epochs, including down-sampled ones.
   * Vocabulary pass: tokens counted so far.
   */
  wordsDone: number;
  /** vocabulary.totalWords × epochs; 0 during the vocabulary pass (not known yet). */
  wordsTotal: number;
  /** Mean loss per prediction since the previous report. */
  loss: number;
  /** Mean loss per prediction over the current epoch so far. */
  epochLoss: number;
  wordsPerSecond: number;
  learningRate: number;
  /** Since trainWord2Vec was called. */
  elapsedMs: number;
  /** What wordsDone and wordsPerSecond count: corpus words (default), or subword tokens (encoder pretraining). */
  unit?: 'words' | 'tokens';
  /** Encoder pretraining: exp(loss). */
  perplexity?: number;
}

export interface TrainCallbacks {
  onProgress?(progress: TrainingProgress): void;
  onVocabulary?(info: { vocabularySize: number; corpusWords: number; report?: unknown }): void;
  signal?: AbortSignal;
  /** Minimum time between progress reports. Default 250. */
  progressIntervalMs?: number;
  /**
   * Checkpoints: `save` is given the run's whole state at a job boundary (workers idle) once `everyMs`
   * of training time or `everyWords` corpus words have passed since the last one, and training waits
   * for it. The weights are views of the kernel's memory, valid until `save` resolves.
   */
  checkpoint?: { everyMs?: number; everyWords?: number; save(checkpoint: TrainingCheckpoint): Promise<void> };
}

/** Continued training: start from a parent's vectors instead of random ones. */
export interface ContinueFrom {
  /** The parent's word vectors (a model of ours or imported ones); the run takes their dim. */
  vectors: WordVectors;
  /**
   * How far the parent's vectors may move: 'none' frees them, 'old' freezes them (only new words
   * learn), or one factor per parent word between 0 (frozen) and 1 (free), like gensim's vectors_lockf.
   */
  lock: 'none' | 'old' | Float32Array;
  /**
   * FastText: the parent's n-gram rows, which continue too (its minn, maxn and bucket are kept).
   * With lock 'old' the old words' gradients are dropped, but n-grams they share with new words
   * still learn from those.
   */
  subwords?: SubwordVectors;
}

export interface TrainedWord2Vec {
  /** Word vectors (FastText: the word row averaged with its n-gram rows), with counts attached. */
  vectors: WordVectors;
  /** FastText only: vectors for any word, seen in training or not. */
  subwords?: SubwordVectors;
  vocabulary: Vocabulary;
  options: Word2VecOptions;
  stats: {
    /** Tokens in one pass over the corpus, in the vocabulary or not. */
    corpusWords: number;
    /** Words actually trained on (after down-sampling), over all epochs. */
    trainedWords: number;
    epochs: number;
    /** Worker threads that trained. */
    threads: number;
    trainingSeconds: number;
    vocabularySeconds: number;
    /** In-vocabulary corpus words per second of training (down-sampled words included). */
    wordsPerSecond: number;
    /** Mean loss per prediction in each epoch. */
    epochLosses: number[];
  };
}

/** Returning to the event loop this often lets cancellation and I/O in the host process get through. */
const YIELD_INTERVAL_MS = 50;
/**
 * Text per job handed to a worker: about 10,000 words of English (gensim's MAX_WORDS_IN_BATCH), a
 * few tens of milliseconds of training. Workers tokenize their own jobs, so reading is all this
 * thread does and tokenizing scales with the threads.
 */
const JOB_CHARS = 64 * 1024;
/**
 * Token slots a job can need: every token and every sentence end takes at least one character,
 * plus the ends the 10,000-word cut adds and the end of a job cut inside a line.
 */
const JOB_CAPACITY = JOB_CHARS + Math.ceil(JOB_CHARS / DEFAULT_MAX_SENTENCE_LENGTH) + 2;
/** One job running and one waiting per worker keeps every worker busy. */
const JOB_SLOTS_PER_THREAD = 2;

export function resolveWord2VecOptions(partial: Partial<Word2VecOptions>): Word2VecOptions {
  const options: Word2VecOptions = { ...WORD2VEC_DEFAULTS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  requireChoice('algorithm', options.algorithm, ['word2vec', 'fasttext']);
  requireChoice('mode', options.mode, ['sg', 'cbow']);
  requireInteger('dim', options.dim, 1, 10_000);
  requireInteger('window', options.window, 1, 1_000);
  requireInteger('negative', options.negative, 0, 1_000);
  requireBoolean('hs', options.hs);
  requireBoolean('cbowMean', options.cbowMean);
  if (options.negative === 0 && !options.hs) {
    throw new Error('negative is 0 and hs is off: nothing would be trained. Set negative > 0, or turn on hs (hierarchical softmax).');
  }
  requireInteger('epochs', options.epochs, 1, 10_000);
  requireInteger('minCount', options.minCount, 1, Number.MAX_SAFE_INTEGER);
  requireNumber('sample', options.sample, 0, 1, 'between 0 and 1 (0 turns down-sampling off)');
  requireNumber('alpha', options.alpha, Number.MIN_VALUE, 10, 'a positive number');
  requireNumber('minAlpha', options.minAlpha, 0, options.alpha, `between 0 and alpha (${options.alpha})`);
  requireInteger('seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  requireBoolean('lowercase', options.lowercase);
  requireInteger('threads', options.threads, 0, 1_024);
  if (options.maxVocabSize !== undefined) requireInteger('maxVocabSize', options.maxVocabSize, 1, Number.MAX_SAFE_INTEGER);
  if (options.maxFinalVocab !== undefined) requireInteger('maxFinalVocab', options.maxFinalVocab, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('minn', options.minn, 1, 100);
  requireInteger('maxn', options.maxn, 0, 100);
  if (options.maxn !== 0 && options.maxn < options.minn) {
    throw new Error(`maxn (${options.maxn}) must be at least minn (${options.minn}), or 0 for no character n-grams`);
  }
  requireInteger('bucket', options.bucket, 0, 100_000_000);
  return options;
}

/** The threads a run uses: the option, or one per available core when it is 0. */
export function resolveThreadCount(threads: number): number {
  return threads > 0 ? threads : Math.max(1, availableParallelism());
}

export async function trainWord2Vec(
  corpus: TextCorpus,
  options: Partial<Word2VecOptions>,
  callbacks: TrainCallbacks = {},
  from?: ContinueFrom,
  resume?: TrainingCheckpoint,
): Promise<TrainedWord2Vec> {
  if (resume) {
    // A resumed run goes on with the settings it began with, its thread count too: with one thread
    // it then ends bit-identical to the run never interrupted. (`options` are those of the caller's
    // command line or settings now, which may differ; they are not used.)
    const settings = resolveWord2VecOptions(resume.options);
    try {
      return await train(corpus, settings, callbacks, undefined, resume);
    } catch (error) {
      if ((error as Error)?.name === 'AbortError' && callbacks.signal?.aborted) throw abortError('Training cancelled');
      throw error;
    }
  }
  if (from && options.dim !== undefined && options.dim !== from.vectors.dim) {
    throw new Error(`dim ${options.dim} differs from the starting vectors' dim ${from.vectors.dim}; leave dim out to continue them.`);
  }
  const inherited = from && { dim: from.vectors.dim, ...(from.subwords && from.subwords.options) };
  const settings = resolveWord2VecOptions(from ? { ...options, ...inherited } : options);
  if (from && settings.algorithm === 'fasttext' && !from.subwords) {
    throw new Error('FastText continues from a FastText model (it needs the n-gram rows); these vectors have none. Continue them as Word2Vec.');
  }
  if (from?.subwords && settings.algorithm !== 'fasttext') {
    throw new Error('These vectors come from a FastText model: continue them with algorithm fasttext, so their n-gram rows go on too.');
  }
  if (from?.lock instanceof Float32Array && from.lock.length !== from.vectors.size) {
    throw new Error(`lock factors: expected one per starting word (${from.vectors.size}), got ${from.lock.length}`);
  }
  try {
    return await train(corpus, settings, callbacks, from);
  } catch (error) {
    // The corpus may notice the abort first; callers get one kind of cancellation error either way.
    if ((error as Error)?.name === 'AbortError' && callbacks.signal?.aborted) throw abortError('Training cancelled');
    throw error;
  }
}

async function train(corpus: TextCorpus, settings: Word2VecOptions, callbacks: TrainCallbacks, from?: ContinueFrom, resume?: TrainingCheckpoint): Promise<TrainedWord2Vec> {
  const { signal } = callbacks;
  const interval = callbacks.progressIntervalMs ?? 250;
  const started = performance.now();
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortError('Training cancelled');
  };
  throwIfAborted();

  const threads = resolveThreadCount(settings.threads);
  const pool = await WorkerPool.start(threads, {
    lowercase: settings.lowercase,
    maxSentenceLength: DEFAULT_MAX_SENTENCE_LENGTH,
    maxVocabSize: settings.maxVocabSize,
  });
  try {
    let vocabulary: Vocabulary;
    let trainingCounts: Float64Array;
    let charsPerEpoch: number;
    if (resume) {
      // The vocabulary pass was done before the checkpoint: its result comes back with it.
      vocabulary = new Vocabulary(resume.words, Float64Array.from(resume.counts), resume.corpusWords);
      trainingCounts = Float64Array.from(resume.trainingCounts);
      charsPerEpoch = resume.charsPerEpoch;
    } else {
      const counted = await countWords(corpus, settings, callbacks, pool, started);
      charsPerEpoch = counted.charsPerEpoch;
      ({ vocabulary, trainingCounts } = from ? continuedVocabulary(counted.builder, from.vectors, settings) : freshVocabulary(counted.builder, settings));
    }
    const vocabularySeconds = resume ? resume.vocabularySeconds : (performance.now() - started) / 1000;
    callbacks.onVocabulary?.({
      vocabularySize: vocabulary.size,
      corpusWords: vocabulary.corpusWords,
      report: (corpus as { report?: unknown }).report,
    });
    throwIfAborted();

    const kernel = TrainingKernel.create(
      { words: vocabulary.words, counts: trainingCounts, size: vocabulary.size },
      settings,
      subwordSettings(settings),
      { threads, maxSentence: DEFAULT_MAX_SENTENCE_LENGTH, jobCapacity: JOB_CAPACITY, jobSlotsPerThread: JOB_SLOTS_PER_THREAD },
      resume
        ? { vectors: new Float32Array(0), lockFactors: resume.weights.lockf.length > 0 ? resume.weights.lockf : undefined }
        : from && {
            vectors: from.vectors.data,
            lockFactors: lockFactors(from, vocabulary.size),
            ngrams: from.subwords && { buckets: from.subwords.buckets, rows: from.subwords.rows },
          },
    );
    if (resume) kernel.restoreWeights(resume.weights);
    await pool.attachKernel(kernel.memory, kernel.layout, vocabulary.words, signal);
    let wordsPerEpoch = 0;
    for (let i = 0; i < trainingCounts.length; i++) wordsPerEpoch += trainingCounts[i];
    const snapshot = (state: EpochState): TrainingCheckpoint => ({
      version: CHECKPOINT_VERSION,
      options: settings,
      words: vocabulary.words,
      counts: Array.from(vocabulary.counts),
      trainingCounts: Array.from(trainingCounts),
      corpusWords: vocabulary.corpusWords,
      charsPerEpoch,
      vocabularySeconds,
      threads,
      savedAt: new Date().toISOString(),
      weights: kernel.weights(),
      ...state,
    });
    const run = await trainEpochs(corpus, wordsPerEpoch, charsPerEpoch, settings, callbacks, pool, started, interval, snapshot, resume);
    const trained = kernel.collectVectors();
    return {
      ...trained,
      // The kernel sampled by this corpus's counts; the model keeps the parent's plus these.
      vectors: from || resume ? new WordVectors(vocabulary.words, settings.dim, trained.vectors.data, vocabulary.counts) : trained.vectors,
      vocabulary,
      options: settings,
      stats: { corpusWords: vocabulary.corpusWords, vocabularySeconds, threads, ...run },
    };
  } finally {
    await pool.close();
  }
}

function freshVocabulary(builder: VocabularyBuilder, settings: Word2VecOptions): { vocabulary: Vocabulary; trainingCounts: Float64Array } {
  const vocabulary = builder.build({ minCount: settings.minCount, maxVocabSize: settings.maxFinalVocab });
  if (vocabulary.size === 0) {
    throw new Error(
      builder.corpusWords === 0
        ? 'The corpus contains no words: every file was empty, skipped, or had no letters or digits.'
        : `No word occurs at least ${settings.minCount} times (minCount): the corpus has ${builder.distinctWords} distinct words in ${builder.corpusWords} tokens. Use a lower minCount or more text.`,
    );
  }
  return { vocabulary, trainingCounts: vocabulary.counts };
}

/**
 * gensim's build_vocab(update=True): the parent's words keep their places (and so their vectors),
 * words new to it that reach minCount are appended, most frequent first, and every count grows by
 * this corpus's. Sampling (noise words, down-sampling) follows this corpus's counts alone: imported
 * vectors carry none, and it is this text the run learns from.
 */
function continuedVocabulary(builder: VocabularyBuilder, parent: WordVectors, settings: Word2VecOptions): { vocabulary: Vocabulary; trainingCounts: Float64Array } {
  if (builder.corpusWords === 0) throw new Error('The corpus contains no words: every file was empty, skipped, or had no letters or digits.');
  const counted = builder.build({ minCount: 1 });
  const words = [...parent.words];
  for (let i = 0; i < counted.size; i++) {
    if (counted.counts[i] >= settings.minCount && !parent.has(counted.words[i])) words.push(counted.words[i]);
  }
  const trainingCounts = Float64Array.from(words, (word) => {
    const id = counted.id(word);
    return id >= 0 ? counted.counts[id] : 0;
  });
  const counts = Float64Array.from(words, (_, i) => (i < parent.size ? parent.counts?.[i] ?? 0 : 0) + trainingCounts[i]);
  return { vocabulary: new Vocabulary(words, counts, counted.corpusWords), trainingCounts };
}

function lockFactors(from: ContinueFrom, size: number): Float32Array | undefined {
  if (from.lock === 'none') return undefined;
  const factors = new Float32Array(size).fill(1);
  if (from.lock === 'old') factors.fill(0, 0, from.vectors.size);
  else factors.set(from.lock);
  return factors;
}

/**
 * Pass 1: the workers count the words of the jobs they are given; their tallies, merged, give the
 * same vocabulary (words, counts and order) that one counter reading the corpus would.
 */
async function countWords(
  corpus: TextCorpus,
  settings: Word2VecOptions,
  callbacks: TrainCallbacks,
  pool: WorkerPool,
  started: number,
): Promise<{ builder: VocabularyBuilder; charsPerEpoch: number }> {
  const { signal } = callbacks;
  const interval = callbacks.progressIntervalMs ?? 250;
  let lastReport = started;
  let lastYield = started;
  let charsPerEpoch = 0;
  let job = 0;
  let pending = '';
  const report = (now: number) => {
    callbacks.onProgress?.({
      phase: 'vocabulary', epoch: 0, epochs: settings.epochs, wordsDone: pool.tokensCounted, wordsTotal: 0,
      loss: 0, epochLoss: 0, wordsPerSecond: 0, learningRate: settings.alpha, elapsedMs: now - started,
    });
  };
  for await (const chunk of corpus.chunks(signal)) {
    if (signal?.aborted) throw abortError('Training cancelled');
    charsPerEpoch += chunk.length;
    pending += chunk;
    while (pending.length >= JOB_CHARS) {
      const cut = jobEnd(pending);
      await pool.count(pending.slice(0, cut), job++, signal);
      pending = pending.slice(cut);
    }
    const now = performance.now();
    if (now - lastReport >= interval) {
      lastReport = now;
      report(now);
    }
    if (now - lastYield >= YIELD_INTERVAL_MS) {
      lastYield = now;
      await yieldToEventLoop();
    }
  }
  if (pending.length > 0) await pool.count(pending, job++, signal);
  const builder = new VocabularyBuilder({ maxVocabSize: settings.maxVocabSize });
  for (const { tallies, corpusWords } of await pool.collectCounts(signal)) builder.merge(tallies, corpusWords);
  return { builder, charsPerEpoch };
}

function subwordSettings(settings: Word2VecOptions): SubwordOptions | undefined {
  if (settings.algorithm !== 'fasttext' || settings.maxn === 0 || settings.bucket === 0) return undefined;
  return { minn: settings.minn, maxn: settings.maxn, bucket: settings.bucket };
}

/** What a checkpoint adds to the run's fixed facts: where it is and what it has done. */
type EpochState = Pick<TrainingCheckpoint, 'position' | 'totals' | 'epochStart' | 'epochLosses' | 'trainingSeconds'>;

interface EpochRun {
  trainedWords: number;
  epochs: number;
  trainingSeconds: number;
  wordsPerSecond: number;
  epochLosses: number[];
}

/**
 * Streams the corpus once per epoch and cuts the text into jobs at line ends. The learning rate of a
 * job follows from how much text came before it, so it does not depend on timing: with one thread
 * the run is reproducible.
 */
async function trainEpochs(
  corpus: TextCorpus,
  wordsPerEpoch: number,
  charsPerEpoch: number,
  settings: Word2VecOptions,
  callbacks: TrainCallbacks,
  pool: WorkerPool,
  started: number,
  interval: number,
  snapshot: (state: EpochState) => TrainingCheckpoint,
  resume?: TrainingCheckpoint,
): Promise<EpochRun> {
  const { signal } = callbacks;
  const epochs = settings.epochs;
  const wordsTotal = Math.max(1, wordsPerEpoch * epochs);
  const charsTotal = Math.max(1, charsPerEpoch * epochs);
  const alphaAt = (progress: number) =>
    Math.max(settings.minAlpha, settings.alpha - (settings.alpha - settings.minAlpha) * Math.min(1, progress));
  // A resumed run's clock and totals go on from the checkpoint, so speeds and losses read as one run.
  const secondsBefore = resume?.trainingSeconds ?? 0;
  const trainingStarted = performance.now() - secondsBefore * 1000;
  const epochLosses: number[] = resume ? [...resume.epochLosses] : [];
  let jobIndex = resume?.position.jobIndex ?? 0;
  let charsDispatched = resume?.position.charsDispatched ?? 0;
  if (resume) Object.assign(pool.totals, resume.totals);
  const checkpoint = callbacks.checkpoint;
  let lastCheckpointAt = performance.now();
  let lastCheckpointWords = pool.totals.words;
  let epochChars = 0;
  let lastReport = performance.now();
  let lastYield = lastReport;
  // A report that covers no prediction (the very start, or an epoch boundary right after a report)
  // repeats the previous loss instead of a 0 that would read as a perfect model on the chart.
  let lastReportedLoss = 0;
  let reported = { loss: 0, examples: 0 };
  let epochStart = { loss: 0, examples: 0 };

  const report = (epoch: number, now: number) => {
    const totals = pool.totals;
    // Nothing of this epoch has finished yet: the previous report still says it all.
    if (totals.examples === epochStart.examples) return;
    const seconds = (now - trainingStarted) / 1000;
    const windowExamples = totals.examples - reported.examples;
    const epochExamples = totals.examples - epochStart.examples;
    const loss = windowExamples > 0 ? (totals.loss - reported.loss) / windowExamples : lastReportedLoss;
    callbacks.onProgress?.({
      phase: 'training',
      epoch,
      epochs,
      wordsDone: totals.words,
      wordsTotal,
      loss,
      epochLoss: (totals.loss - epochStart.loss) / epochExamples,
      wordsPerSecond: seconds > 0 ? totals.words / seconds : 0,
      learningRate: alphaAt(totals.words / wordsTotal),
      elapsedMs: now - started,
    });
    lastReportedLoss = loss;
    reported = { loss: totals.loss, examples: totals.examples };
  };

  const dispatch = async (text: string) => {
    const slot = await pool.acquire(signal);
    const alphaStart = alphaAt(charsDispatched / charsTotal);
    charsDispatched += text.length;
    epochChars += text.length;
    pool.run(slot, text, alphaStart, alphaAt(charsDispatched / charsTotal), streamSeed(settings.seed, jobIndex++));
  };

  /** Takes a checkpoint when one is due: waits for the running jobs, then saves with the workers idle. */
  const maybeCheckpoint = async (epoch: number, epochStartTotals: { loss: number; examples: number }) => {
    if (!checkpoint) return;
    const now = performance.now();
    const dueByTime = checkpoint.everyMs !== undefined && now - lastCheckpointAt >= checkpoint.everyMs;
    const dueByWords = checkpoint.everyWords !== undefined && pool.totals.words - lastCheckpointWords >= checkpoint.everyWords;
    if (!dueByTime && !dueByWords) return;
    await pool.drain(signal);
    await checkpoint.save(
      snapshot({
        position: { epoch, epochChars, jobIndex, charsDispatched },
        totals: { ...pool.totals },
        epochStart: { loss: epochStartTotals.loss, examples: epochStartTotals.examples },
        epochLosses: [...epochLosses],
        trainingSeconds: (performance.now() - trainingStarted) / 1000,
      }),
    );
    lastCheckpointAt = performance.now();
    lastCheckpointWords = pool.totals.words;
  };

  for (let epoch = resume?.position.epoch ?? 1; epoch <= epochs; epoch++) {
    const resumingHere = resume !== undefined && epoch === resume.position.epoch;
    epochStart = resumingHere ? { ...pool.totals, loss: resume.epochStart.loss, examples: resume.epochStart.examples } : { ...pool.totals };
    // The text before the checkpoint was trained on already: skip it, so jobs are cut where they were.
    let skip = resumingHere ? resume.position.epochChars : 0;
    epochChars = skip;
    let pending = '';
    for await (let chunk of corpus.chunks(signal)) {
      if (signal?.aborted) throw abortError('Training cancelled');
      if (skip > 0) {
        if (chunk.length <= skip) {
          skip -= chunk.length;
          continue;
        }
        chunk = chunk.slice(skip);
        skip = 0;
      }
      pending += chunk;
      while (pending.length >= JOB_CHARS) {
        const cut = jobEnd(pending);
        await dispatch(pending.slice(0, cut));
        pending = pending.slice(cut);
        await maybeCheckpoint(epoch, epochStart);
      }
      const now = performance.now();
      if (now - lastReport >= interval) {
        lastReport = now;
        report(epoch, now);
      }
      if (now - lastYield >= YIELD_INTERVAL_MS) {
        lastYield = now;
        await yieldToEventLoop();
      }
    }
    if (pending.length > 0) await dispatch(pending);
    // Skipping to the checkpoint's place is only right on the same text. (A fresh run whose files change
    // under it just trains on what it reads, as before.)
    if (resumingHere && epochChars !== charsPerEpoch) {
      throw new Error(
        `The text changed since the checkpoint was taken (${charsPerEpoch.toLocaleString('en-US')} characters per pass then, ${epochChars.toLocaleString('en-US')} now): the run cannot resume on it. Start it again.`,
      );
    }
    await pool.drain(signal);
    lastReport = performance.now();
    report(epoch, lastReport);
    const totals = pool.totals;
    const examples = totals.examples - epochStart.examples;
    epochLosses.push(examples > 0 ? (totals.loss - epochStart.loss) / examples : 0);
    // The next epoch starts at a clean boundary: a checkpoint taken here resumes at its start.
    if (epoch < epochs) {
      epochChars = 0;
      await maybeCheckpoint(epoch + 1, pool.totals);
    }
  }
  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  const totals = pool.totals;
  return {
    trainedWords: totals.trainedWords,
    epochs,
    trainingSeconds,
    wordsPerSecond: trainingSeconds > 0 ? totals.words / trainingSeconds : 0,
    epochLosses,
  };
}

/**
 * Where the first job of `text` ends: after its last line break within JOB_CHARS, else after its last
 * whitespace there (a line longer than a job is cut between words), else at JOB_CHARS.
 */
function jobEnd(text: string): number {
  for (let i = JOB_CHARS - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i + 1;
  }
  for (let i = JOB_CHARS - 1; i > 0; i--) {
    if (text.charCodeAt(i) <= 32) return i + 1;
  }
  return JOB_CHARS;
}

interface JobSlot {
  worker: number;
  slot: number;
  address: number;
}

/** Totals over finished jobs; loss and counts are summed in float64. */
interface PoolTotals {
  words: number;
  loss: number;
  examples: number;
  trainedWords: number;
}

/**
 * The training threads. While counting, each has at most JOB_SLOTS_PER_THREAD text jobs queued;
 * while training, a job slot is free, being filled by this thread, or queued or running in its
 * worker. Waiting for a free worker or slot is how reading the corpus is held back to their speed.
 */
class WorkerPool {
  readonly totals: PoolTotals = { words: 0, loss: 0, examples: 0, trainedWords: 0 };
  /** Tokens the workers have counted so far in the vocabulary pass. */
  tokensCounted = 0;
  private readonly free: JobSlot[] = [];
  private readonly slotsInFlight = new Map<string, JobSlot>();
  /** Jobs (counting or training) sent to each worker and not yet answered. */
  private readonly queued: number[];
  /** Each worker's answer to the current request ('collect' or 'init'), once it came. */
  private answers: (FromTrainingWorker | undefined)[];
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private closing = false;

  private constructor(private readonly workers: Worker[]) {
    this.queued = workers.map(() => 0);
    this.answers = workers.map(() => undefined);
  }

  static async start(threads: number, text: { lowercase: boolean; maxSentenceLength: number; maxVocabSize?: number }): Promise<WorkerPool> {
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < threads; i++) workers.push(startWorker());
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              const onStartError = (error: Error) => reject(error);
              worker.once('error', onStartError);
              worker.once('message', (message: FromTrainingWorker) => {
                worker.off('error', onStartError);
                if (message.type !== 'ready') return reject(new Error(`training worker failed to start: ${JSON.stringify(message)}`));
                resolve();
              });
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    const pool = new WorkerPool(workers);
    workers.forEach((worker, index) => {
      pool.watch(worker, index);
      pool.post(index, { type: 'configure', ...text });
    });
    return pool;
  }

  private post(worker: number, message: ToTrainingWorker): void {
    this.workers[worker].postMessage(message);
  }

  private watch(worker: Worker, index: number): void {
    worker.on('message', (message: FromTrainingWorker) => {
      switch (message.type) {
        case 'counted':
          this.tokensCounted += message.tokens;
          this.queued[index]--;
          break;
        case 'done': {
          this.totals.words += message.words;
          this.totals.loss += message.loss;
          this.totals.examples += message.examples;
          this.totals.trainedWords += message.trainedWords;
          this.queued[index]--;
          const key = `${index}:${message.slot}`;
          const slot = this.slotsInFlight.get(key);
          if (slot) {
            this.slotsInFlight.delete(key);
            this.free.push(slot);
          }
          break;
        }
        case 'tallies':
        case 'initialized':
          this.answers[index] = message;
          break;
        case 'error':
          this.fail(new Error(`training thread ${index + 1} failed: ${message.message}`));
          break;
      }
      this.wake();
    });
    worker.on('error', (error) => this.fail(new Error(`training thread ${index + 1} crashed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`training thread ${index + 1} stopped unexpectedly (exit code ${code})`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until `ready()` holds, or fails with the pool's failure or the cancellation. */
  private async until(ready: () => boolean, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (signal?.aborted) throw abortError('Training cancelled');
      if (ready()) return;
      await this.nextEvent(signal);
    }
  }

  /** Hands a text job to the least busy worker to count, once one has room. */
  async count(text: string, job: number, signal?: AbortSignal): Promise<void> {
    const leastBusy = () => this.queued.indexOf(Math.min(...this.queued));
    await this.until(() => this.queued[leastBusy()] < JOB_SLOTS_PER_THREAD, signal);
    const worker = leastBusy();
    this.queued[worker]++;
    this.post(worker, { type: 'count', job, text });
  }

  /** Every worker's tallies, once all counting jobs are done. */
  async collectCounts(signal?: AbortSignal): Promise<Extract<FromTrainingWorker, { type: 'tallies' }>[]> {
    await this.until(() => this.queued.every((n) => n === 0), signal);
    const answers = await this.request({ type: 'collect' }, signal);
    return answers as Extract<FromTrainingWorker, { type: 'tallies' }>[];
  }

  /** Gives every worker the kernel, its thread record and the vocabulary; the job slots open. */
  async attachKernel(memory: WebAssembly.Memory, layout: KernelLayout, words: string[], signal?: AbortSignal): Promise<void> {
    const module = kernelModule();
    await this.request(
      (worker) => ({ type: 'init', module, memory, record: layout.threads[worker].record, capacity: JOB_CAPACITY, words }),
      signal,
    );
    layout.threads.forEach((thread, worker) => thread.jobSlots.forEach((address, slot) => this.free.push({ worker, slot, address })));
  }

  private async request(message: ToTrainingWorker | ((worker: number) => ToTrainingWorker), signal?: AbortSignal): Promise<FromTrainingWorker[]> {
    this.answers = this.workers.map(() => undefined);
    this.workers.forEach((_, worker) => this.post(worker, typeof message === 'function' ? message(worker) : message));
    await this.until(() => this.answers.every((answer) => answer !== undefined), signal);
    return this.answers as FromTrainingWorker[];
  }

  /** A free job slot, waiting for a worker to finish one if none is. */
  async acquire(signal?: AbortSignal): Promise<JobSlot> {
    await this.until(() => this.free.length > 0, signal);
    return this.free.shift()!;
  }

  run(slot: JobSlot, text: string, alphaStart: number, alphaEnd: number, seed: number): void {
    this.queued[slot.worker]++;
    this.slotsInFlight.set(`${slot.worker}:${slot.slot}`, slot);
    this.post(slot.worker, { type: 'job', slot: slot.slot, tokens: slot.address, text, alphaStart, alphaEnd, seed });
  }

  /** Waits until every dispatched job has finished. */
  async drain(signal?: AbortSignal): Promise<void> {
    await this.until(() => this.queued.every((n) => n === 0), signal);
  }

  private nextEvent(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const onAbort = () => resolve();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * A training thread: the worker script beside this module in the bundle (dist/trainingWorker.js), or
 * the TypeScript source when running from source under tsx (tests), loaded through tsx's require hook.
 */
function startWorker(): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'trainingWorker.js'));
  const source = path.join(__dirname, 'trainingWorker.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
