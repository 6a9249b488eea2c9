// GloVe training (Pennington, Socher and Manning 2014) the way Stanford's tools run it: vocab_count,
// cooccur, shuffle, glove, in one call over a streamed TextCorpus.
//   1. one pass to count words (the same VocabularyBuilder as word2vec);
//   2. one pass to count co-occurrences within memoryMB, spilling sorted runs to a temp folder;
//   3. merge the runs and shuffle the records (in memory if they fit, else in chunk files);
//   4. `epochs` passes of AdaGrad over the shuffled records.
// Progress uses word2vec's TrainingProgress: passes 1–3 report as phase 'vocabulary' (epoch 0), so
// every consumer of that type works unchanged; see the notes on wordsDone below.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TextCorpus } from '../corpus';
import { abortError } from '../corpus';
import { DEFAULT_MAX_SENTENCE_LENGTH, SentenceSplitter } from '../tokenizer';
import { Vocabulary, VocabularyBuilder } from '../vocab';
import { WordVectors } from '../vectors';
import { Random } from '../random';
import type { TrainCallbacks, TrainingProgress } from '../word2vec';
import { CooccurrenceCounter, mergeRuns, reduceRuns, RUN_RECORD_BYTES } from './cooccurrence';
import { RecordShuffler, TRAINING_RECORD_BYTES, type TrainingRecords } from './shuffle';
import { GloveModel } from './model';
import { requireBoolean, requireInteger, requireNumber } from '../optionChecks';

export interface GloveOptions {
  dim: number;
  /** Words on each side of a word that count as its context (symmetric, weighted 1/distance). */
  window: number;
  minCount: number;
  /** Keep at most this many words (the most frequent), as vocab_count's -max-vocab. */
  maxVocabSize?: number;
  /** Passes of AdaGrad over the co-occurrence records. */
  epochs: number;
  /** Initial AdaGrad learning rate. */
  eta: number;
  /** Counts at or above xMax get full weight in the loss. */
  xMax: number;
  /** Exponent of the weighting function below xMax. */
  alpha: number;
  /**
   * Budget in MiB for counting, merging and shuffling co-occurrences and for holding the shuffled
   * records while training (as the -memory of cooccur and shuffle, which count in GB). What does not
   * fit goes to temp files. The model itself comes on top.
   */
  memoryMB: number;
  /** Parent of the temp folder for spilled counts; os.tmpdir() when not given. */
  tempDir?: string;
  /**
   * The same seed, corpus and settings give identical vectors. memoryMB is one of the settings that
   * matter: it decides how the records are cut into chunks and so the order they are shuffled into.
   */
  seed: number;
  lowercase: boolean;
}

/**
 * Stanford's defaults (demo.sh for what glove.c leaves to the caller): window 15, minCount 5,
 * xMax 10, alpha 0.75, eta 0.05, 15 iterations (demo.sh's MAX_ITER; glove.c alone defaults to 25).
 * xMax is demo.sh's 10 for text8-sized corpora rather than glove.c's 100, which is tuned for
 * billions of words: on the 12 M-word benchmark corpus 10 scores better on every test set (17.6%
 * against 11.9% analogies), and a workspace is smaller still.
 * dim is 100 to match the rest of Transfer Lab (demo.sh uses 50).
 */
export const GLOVE_DEFAULTS: GloveOptions = Object.freeze({
  dim: 100,
  window: 15,
  minCount: 5,
  epochs: 15,
  eta: 0.05,
  xMax: 10,
  alpha: 0.75,
  memoryMB: 1024,
  seed: 1,
  lowercase: true,
});

/** glove.c's grad_clip_value. */
const GRADIENT_CLIP = 100;
/** Returning to the event loop this often lets cancellation and I/O in the host process get through. */
const YIELD_INTERVAL_MS = 50;
/** Records per kernel call between looks at the clock: a few milliseconds at dim 100. */
const TRAIN_SLICE_RECORDS = 2048;
/** Merge input buffers get this share of the budget, the rest goes to the shuffle. */
const MERGE_SHARE = 1 / 16;
const MIN_MERGE_BUFFER_RECORDS = 4096;
const MAX_FAN_IN = 64;
const MIN_SHUFFLE_RECORDS = 4096;
/** One ArrayBuffer of at most 2 GiB (see cooccurrence.ts). */
const MAX_SHUFFLE_RECORDS = Math.floor(2 ** 31 / TRAINING_RECORD_BYTES);
const MIN_MEMORY_MB = 0.01;

export interface TrainedGlove {
  /** w + c (Stanford's model=2), with word counts attached. */
  vectors: WordVectors;
  vocabulary: Vocabulary;
  options: GloveOptions;
  stats: {
    /** Tokens in one pass over the corpus, in the vocabulary or not. */
    corpusWords: number;
    epochs: number;
    trainingSeconds: number;
    vocabularySeconds: number;
    /** Counting, merging and shuffling co-occurrences. */
    cooccurrenceSeconds: number;
    /** Non-zero X(i, j) trained on, both (i, j) and (j, i) counted, as the lines of cooccurrence.bin. */
    cooccurrenceEntries: number;
    /** Sorted runs written while counting (0 when all counts fitted in memoryMB). */
    spilledRuns: number;
    /** Shuffled chunk files trained from (0 when the records fitted in memoryMB). */
    shuffleChunks: number;
    /** In-vocabulary corpus words x epochs per second of training, comparable with word2vec's figure. */
    wordsPerSecond: number;
    /** Mean 0.5 f(x) (error)^2 per record in each epoch (glove.c prints the same "cost"). */
    epochLosses: number[];
  };
}

export function resolveGloveOptions(partial: Partial<GloveOptions>): GloveOptions {
  const options: GloveOptions = { ...GLOVE_DEFAULTS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  requireInteger('dim', options.dim, 1, 10_000);
  requireInteger('window', options.window, 1, 1_000);
  requireInteger('minCount', options.minCount, 1, Number.MAX_SAFE_INTEGER);
  if (options.maxVocabSize !== undefined) requireInteger('maxVocabSize', options.maxVocabSize, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('epochs', options.epochs, 1, 10_000);
  requireNumber('eta', options.eta, Number.MIN_VALUE, 10, 'a positive number');
  requireNumber('xMax', options.xMax, Number.MIN_VALUE, Number.MAX_VALUE, 'a positive number');
  requireNumber('alpha', options.alpha, 0, 10, 'between 0 and 10');
  requireNumber('memoryMB', options.memoryMB, MIN_MEMORY_MB, 1_000_000, `a number of megabytes between ${MIN_MEMORY_MB} and 1000000`);
  if (options.tempDir !== undefined && (typeof options.tempDir !== 'string' || options.tempDir.length === 0)) {
    throw new Error(`tempDir must be a folder path, got ${JSON.stringify(options.tempDir)}`);
  }
  requireInteger('seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  requireBoolean('lowercase', options.lowercase);
  return options;
}

/** A temp folder made on first use and removed, with everything in it, by remove(). */
export class TempFolder {
  private created?: Promise<string>;

  constructor(private readonly parent: string) {}

  readonly path = (): Promise<string> => {
    this.created ??= fs.mkdtemp(path.join(this.parent, 'transfer-lab-glove-')).catch((error: Error) => {
      this.created = undefined;
      throw new Error(`GloVe keeps co-occurrence counts that exceed memoryMB in a temp folder, and none could be made in ${this.parent}: ${error.message}`);
    });
    return this.created;
  };

  async remove(): Promise<void> {
    const created = this.created;
    if (!created) return;
    this.created = undefined;
    const folder = await created.catch(() => undefined);
    if (folder) await fs.rm(folder, { recursive: true, force: true });
  }
}

export async function trainGlove(
  corpus: TextCorpus,
  options: Partial<GloveOptions>,
  callbacks: TrainCallbacks = {},
): Promise<TrainedGlove> {
  const settings = resolveGloveOptions(options);
  const temp = new TempFolder(settings.tempDir ?? os.tmpdir());
  try {
    return await train(corpus, settings, callbacks, temp);
  } catch (error) {
    // The corpus may notice the abort first; callers get one kind of cancellation error either way.
    if ((error as Error)?.name === 'AbortError' && callbacks.signal?.aborted) throw abortError('Training cancelled');
    throw error;
  } finally {
    await temp.remove();
  }
}

async function train(corpus: TextCorpus, settings: GloveOptions, callbacks: TrainCallbacks, temp: TempFolder): Promise<TrainedGlove> {
  const { signal } = callbacks;
  const interval = callbacks.progressIntervalMs ?? 250;
  const started = performance.now();
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortError('Training cancelled');
  };
  throwIfAborted();
  let lastReport = started;
  let lastYield = started;
  /** Yields to the event loop if it has been a while; checks for cancellation either way. */
  const breathe = async () => {
    throwIfAborted();
    const now = performance.now();
    if (now - lastYield >= YIELD_INTERVAL_MS) {
      lastYield = now;
      await yieldToEventLoop();
      throwIfAborted();
    }
  };

  // Vocabulary pass (wordsDone: tokens so far; wordsTotal 0, not known yet) and co-occurrence pass
  // (wordsDone: tokens of this pass; wordsTotal: the corpus's tokens), both phase 'vocabulary'.
  let countingDone = 0;
  let countingTotal = 0;
  const reportCounting = (force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < interval) return;
    lastReport = now;
    callbacks.onProgress?.({
      phase: 'vocabulary', epoch: 0, epochs: settings.epochs, wordsDone: countingDone, wordsTotal: countingTotal,
      loss: 0, epochLoss: 0, wordsPerSecond: 0, learningRate: settings.eta, elapsedMs: now - started,
    });
  };
  const afterChunk = async () => {
    reportCounting();
    await breathe();
  };

  const vocabulary = await countWords(corpus, settings, signal, async (tokens) => {
    countingDone = tokens;
    await afterChunk();
  });
  const vocabularySeconds = (performance.now() - started) / 1000;
  callbacks.onVocabulary?.({
    vocabularySize: vocabulary.size,
    corpusWords: vocabulary.corpusWords,
    report: (corpus as { report?: unknown }).report,
  });
  throwIfAborted();

  const cooccurrenceStarted = performance.now();
  const budget = settings.memoryMB * 2 ** 20;
  countingDone = 0;
  countingTotal = vocabulary.corpusWords;
  const counter = await countCooccurrences(corpus, vocabulary, {
    window: settings.window,
    lowercase: settings.lowercase,
    memoryBytes: budget,
    workDir: temp.path,
    signal,
    onProgress: async (tokens) => {
      countingDone = tokens;
      await afterChunk();
    },
  });
  reportCounting(true);

  const records = await shuffleCounts(counter, budget, temp, settings.seed, signal, afterChunk);
  const cooccurrenceSeconds = (performance.now() - cooccurrenceStarted) / 1000;
  if (records.total === 0) {
    throw new Error(
      `No two vocabulary words occur within ${settings.window} words of each other on one line, so GloVe has nothing to fit. Use more text, a lower minCount or a larger window.`,
    );
  }
  throwIfAborted();

  // Training. wordsDone counts in-vocabulary corpus words, prorated by the share of records done,
  // so that progress, speed and ETA mean the same as for word2vec.
  const model = new GloveModel(
    { vocabularySize: vocabulary.size, dim: settings.dim, eta: settings.eta, xMax: settings.xMax, alpha: settings.alpha, gradClip: GRADIENT_CLIP },
    new Random(settings.seed),
  );
  const shuffleRandom = new Random(settings.seed ^ 0x5bd1e995);
  const epochs = settings.epochs;
  const wordsPerEpoch = vocabulary.totalWords;
  const wordsTotal = wordsPerEpoch * epochs;
  const trainingStarted = performance.now();
  const epochLosses: number[] = [];
  let lossAtReport = 0;
  let recordsAtReport = 0;
  let lossAtEpochStart = 0;
  let recordsAtEpochStart = 0;
  let recordsInEpoch = 0;
  let lastReportedLoss = 0;
  const wordsDoneIn = (epoch: number) => wordsPerEpoch * (epoch - 1 + recordsInEpoch / records.total);
  const reportTraining = (epoch: number, now: number) => {
    if (model.records === 0) return;
    const seconds = (now - trainingStarted) / 1000;
    const wordsDone = wordsDoneIn(epoch);
    const windowRecords = model.records - recordsAtReport;
    const epochRecords = model.records - recordsAtEpochStart;
    // A window with no record (an epoch boundary right after a report) repeats the last loss rather
    // than a 0 that would read as a perfect fit on the chart.
    const loss = windowRecords > 0 ? (model.lossSum - lossAtReport) / windowRecords : lastReportedLoss;
    const progress: TrainingProgress = {
      phase: 'training',
      epoch,
      epochs,
      wordsDone,
      wordsTotal,
      loss,
      epochLoss: epochRecords > 0 ? (model.lossSum - lossAtEpochStart) / epochRecords : 0,
      wordsPerSecond: seconds > 0 ? wordsDone / seconds : 0,
      learningRate: settings.eta,
      elapsedMs: now - started,
    };
    callbacks.onProgress?.(progress);
    lastReportedLoss = loss;
    lossAtReport = model.lossSum;
    recordsAtReport = model.records;
  };

  for (let epoch = 1; epoch <= epochs; epoch++) {
    lossAtEpochStart = model.lossSum;
    recordsAtEpochStart = model.records;
    recordsInEpoch = 0;
    for await (const block of records.blocks(shuffleRandom, signal)) {
      for (let start = 0; start < block.length; start += TRAIN_SLICE_RECORDS) {
        const end = Math.min(block.length, start + TRAIN_SLICE_RECORDS);
        model.train(block, start, end);
        recordsInEpoch += end - start;
        const now = performance.now();
        if (now - lastReport >= interval) {
          lastReport = now;
          reportTraining(epoch, now);
        }
        await breathe();
      }
    }
    throwIfAborted();
    lastReport = performance.now();
    reportTraining(epoch, lastReport);
    const epochRecords = model.records - recordsAtEpochStart;
    epochLosses.push(epochRecords > 0 ? (model.lossSum - lossAtEpochStart) / epochRecords : 0);
  }

  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  return {
    vectors: new WordVectors(vocabulary.words, settings.dim, model.wordPlusContext(), vocabulary.counts),
    vocabulary,
    options: settings,
    stats: {
      corpusWords: vocabulary.corpusWords,
      epochs,
      trainingSeconds,
      vocabularySeconds,
      cooccurrenceSeconds,
      cooccurrenceEntries: records.total,
      spilledRuns: counter.runs.length,
      shuffleChunks: records.chunkFiles,
      wordsPerSecond: trainingSeconds > 0 ? wordsTotal / trainingSeconds : 0,
      epochLosses,
    },
  };
}

/**
 * The vocabulary pass, in a function of its own so that the word counts of every distinct word are
 * garbage once the vocabulary is built (a closure in train() would keep them for the whole run).
 */
async function countWords(
  corpus: TextCorpus,
  settings: GloveOptions,
  signal: AbortSignal | undefined,
  onProgress: (tokens: number) => Promise<void>,
): Promise<Vocabulary> {
  const builder = new VocabularyBuilder();
  await forEachSentence(corpus, settings.lowercase, signal, () => onProgress(builder.corpusWords), (sentences) => {
    for (const sentence of sentences) builder.add(sentence);
  });
  const vocabulary = builder.build({ minCount: settings.minCount, maxVocabSize: settings.maxVocabSize });
  if (vocabulary.size === 0) {
    throw new Error(
      builder.corpusWords === 0
        ? 'The corpus contains no words: every file was empty, skipped, or had no letters or digits.'
        : `No word occurs at least ${settings.minCount} times (minCount): the corpus has ${builder.distinctWords} distinct words in ${builder.corpusWords} tokens. Use a lower minCount or more text.`,
    );
  }
  return vocabulary;
}

/**
 * One pass over the corpus, line by line (a line is a sentence, as everywhere in Transfer Lab; the
 * tokenizer also cuts lines longer than DEFAULT_MAX_SENTENCE_LENGTH words).
 */
async function forEachSentence(
  corpus: TextCorpus,
  lowercase: boolean,
  signal: AbortSignal | undefined,
  afterChunk: () => Promise<void>,
  visit: (sentences: string[][]) => Promise<void> | void,
): Promise<void> {
  const splitter = new SentenceSplitter({ lowercase, maxSentenceLength: DEFAULT_MAX_SENTENCE_LENGTH });
  for await (const chunk of corpus.chunks(signal)) {
    if (signal?.aborted) throw abortError('Training cancelled');
    await visit(splitter.push(chunk));
    await afterChunk();
  }
  await visit(splitter.end());
}

export interface CountCooccurrencesOptions {
  window: number;
  lowercase: boolean;
  /** Budget for the dense block and the hash; beyond it counts spill to run files in workDir. */
  memoryBytes: number;
  workDir: () => Promise<string>;
  signal?: AbortSignal;
  /** Called after each chunk with the tokens read so far in this pass; awaited. */
  onProgress?: (tokens: number) => Promise<void> | void;
}

/**
 * The co-occurrence pass: each line's in-vocabulary words, in order, into a CooccurrenceCounter.
 * The counts end up in its memory, or partly in its runs if the budget ran out.
 */
export async function countCooccurrences(corpus: TextCorpus, vocabulary: Vocabulary, options: CountCooccurrencesOptions): Promise<CooccurrenceCounter> {
  let tokens = 0;
  const counter = new CooccurrenceCounter({
    vocabularySize: vocabulary.size,
    window: options.window,
    memoryBytes: options.memoryBytes,
    workDir: options.workDir,
    signal: options.signal,
    onWriteProgress: () => options.onProgress?.(tokens),
  });
  const ids = new Int32Array(DEFAULT_MAX_SENTENCE_LENGTH);
  await forEachSentence(corpus, options.lowercase, options.signal, async () => options.onProgress?.(tokens), async (sentences) => {
    for (const sentence of sentences) {
      let n = 0;
      for (let k = 0; k < sentence.length; k++) {
        const id = vocabulary.id(sentence[k]);
        if (id >= 0) ids[n++] = id;
      }
      for (let p = counter.count(ids, n); p < n; p = counter.count(ids, n, p)) await counter.spill();
      tokens += sentence.length;
    }
  });
  return counter;
}

/**
 * Turns the counts into shuffled training records within the budget: straight from memory when the
 * counts and their records fit in it together, else through sorted runs on disk, merged (in rounds
 * when there are more runs than merge buffers fit in the budget) into the shuffler.
 */
export async function shuffleCounts(
  counter: CooccurrenceCounter,
  budget: number,
  temp: TempFolder,
  seed: number,
  signal: AbortSignal | undefined,
  onBatch: () => Promise<void>,
): Promise<TrainingRecords> {
  const random = new Random(seed ^ 0x27d4eb2f);
  if (counter.inMemory) {
    const entries = counter.memoryEntries();
    const records = 2 * entries;
    if (counter.denseBytes + counter.hashBytes + records * TRAINING_RECORD_BYTES <= budget && records <= MAX_SHUFFLE_RECORDS) {
      const shuffler = new RecordShuffler(records, random, temp.path, signal);
      await counter.emitMemory(async (batch) => {
        await shuffler.add(batch);
        await onBatch();
      });
      counter.release();
      return shuffler.finish();
    }
  }
  // With runs on disk the hash and dense block are no longer needed: their memory goes to merging.
  await counter.spillAll();
  const mergeBudget = budget * MERGE_SHARE;
  const fanIn = Math.max(2, Math.min(MAX_FAN_IN, Math.floor(mergeBudget / (RUN_RECORD_BYTES * MIN_MERGE_BUFFER_RECORDS))));
  const runs = await reduceRuns(counter.runs, fanIn, MIN_MERGE_BUFFER_RECORDS, temp.path, signal);
  const bufferRecords = Math.max(MIN_MERGE_BUFFER_RECORDS, Math.floor(mergeBudget / (RUN_RECORD_BYTES * Math.max(1, runs.length))));
  const capacity = Math.max(
    MIN_SHUFFLE_RECORDS,
    Math.min(MAX_SHUFFLE_RECORDS, 2 * counter.runEntries, Math.floor((budget - mergeBudget) / TRAINING_RECORD_BYTES)),
  );
  const shuffler = new RecordShuffler(capacity, random, temp.path, signal);
  await mergeRuns(runs, async (batch) => {
    await shuffler.add(batch);
    await onBatch();
  }, { bufferRecords, signal });
  // The runs are merged into the shuffled records; dropping them now halves the disk in use while training.
  for (const run of runs) await fs.rm(run, { force: true });
  return shuffler.finish();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
