// Word2vec training (skip-gram with negative sampling) over a TextCorpus: one pass to count words,
// then one pass per epoch, streaming the text each time. The per-pair arithmetic is in skipGram.ts.
import type { TextCorpus } from './corpus';
import { abortError } from './corpus';
import { DEFAULT_MAX_SENTENCE_LENGTH, SentenceSplitter } from './tokenizer';
import { Vocabulary, VocabularyBuilder } from './vocab';
import { WordVectors } from './vectors';
import { SkipGramTrainer } from './skipGram';

export interface Word2VecOptions {
  dim: number;
  window: number;
  negative: number;
  epochs: number;
  minCount: number;
  sample: number;
  alpha: number;
  minAlpha: number;
  seed: number;
  lowercase: boolean;
  maxVocabSize?: number;
}

/** gensim's Word2Vec defaults (sg=1, hs=0). */
export const WORD2VEC_DEFAULTS: Word2VecOptions = Object.freeze({
  dim: 100,
  window: 5,
  negative: 5,
  epochs: 5,
  minCount: 5,
  sample: 1e-3,
  alpha: 0.025,
  minAlpha: 0.0001,
  seed: 1,
  lowercase: true,
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
  /** Mean SGNS loss per (centre, context) pair since the previous report. */
  loss: number;
  /** Mean SGNS loss per pair over the current epoch so far. */
  epochLoss: number;
  wordsPerSecond: number;
  learningRate: number;
  /** Since trainWord2Vec was called. */
  elapsedMs: number;
}

export interface TrainCallbacks {
  onProgress?(progress: TrainingProgress): void;
  onVocabulary?(info: { vocabularySize: number; corpusWords: number; report?: unknown }): void;
  signal?: AbortSignal;
  /** Minimum time between progress reports. Default 250. */
  progressIntervalMs?: number;
}

export interface TrainedWord2Vec {
  /** Input vectors, with word counts attached. */
  vectors: WordVectors;
  vocabulary: Vocabulary;
  options: Word2VecOptions;
  stats: {
    /** Tokens in one pass over the corpus, in the vocabulary or not. */
    corpusWords: number;
    /** Words actually trained on (after down-sampling), over all epochs. */
    trainedWords: number;
    epochs: number;
    trainingSeconds: number;
    vocabularySeconds: number;
    /** In-vocabulary corpus words per second of training (down-sampled words included). */
    wordsPerSecond: number;
    /** Mean loss per pair in each epoch. */
    epochLosses: number[];
  };
}

/** Returning to the event loop this often lets cancellation and I/O in the host process get through. */
const YIELD_INTERVAL_MS = 50;

export function resolveWord2VecOptions(partial: Partial<Word2VecOptions>): Word2VecOptions {
  const options: Word2VecOptions = { ...WORD2VEC_DEFAULTS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  requireInteger('dim', options.dim, 1, 10_000);
  requireInteger('window', options.window, 1, 1_000);
  requireInteger('negative', options.negative, 1, 1_000);
  requireInteger('epochs', options.epochs, 1, 10_000);
  requireInteger('minCount', options.minCount, 1, Number.MAX_SAFE_INTEGER);
  requireNumber('sample', options.sample, 0, 1, 'between 0 and 1 (0 turns down-sampling off)');
  requireNumber('alpha', options.alpha, Number.MIN_VALUE, 10, 'a positive number');
  requireNumber('minAlpha', options.minAlpha, 0, options.alpha, `between 0 and alpha (${options.alpha})`);
  requireInteger('seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (typeof options.lowercase !== 'boolean') throw new Error(`lowercase must be true or false, got ${String(options.lowercase)}`);
  if (options.maxVocabSize !== undefined) requireInteger('maxVocabSize', options.maxVocabSize, 1, Number.MAX_SAFE_INTEGER);
  return options;
}

function requireInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a positive integer` : `an integer between ${min} and ${max}`;
    const rangeText = min === Number.MIN_SAFE_INTEGER ? 'an integer' : range;
    throw new Error(`${name} must be ${rangeText}, got ${String(value)}`);
  }
}

function requireNumber(name: string, value: unknown, min: number, max: number, description: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be ${description}, got ${String(value)}`);
  }
}

export async function trainWord2Vec(
  corpus: TextCorpus,
  options: Partial<Word2VecOptions>,
  callbacks: TrainCallbacks = {},
): Promise<TrainedWord2Vec> {
  const settings = resolveWord2VecOptions(options);
  try {
    return await train(corpus, settings, callbacks);
  } catch (error) {
    // The corpus may notice the abort first; callers get one kind of cancellation error either way.
    if ((error as Error)?.name === 'AbortError' && callbacks.signal?.aborted) throw abortError('Training cancelled');
    throw error;
  }
}

async function train(corpus: TextCorpus, settings: Word2VecOptions, callbacks: TrainCallbacks): Promise<TrainedWord2Vec> {
  const { signal } = callbacks;
  const interval = callbacks.progressIntervalMs ?? 250;
  const started = performance.now();
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortError('Training cancelled');
  };
  throwIfAborted();

  // Pass 1: vocabulary.
  const builder = new VocabularyBuilder({ maxVocabSize: settings.maxVocabSize });
  let lastReport = started;
  let lastYield = started;
  const reportVocabularyProgress = () => {
    callbacks.onProgress?.({
      phase: 'vocabulary', epoch: 0, epochs: settings.epochs, wordsDone: builder.corpusWords, wordsTotal: 0,
      loss: 0, epochLoss: 0, wordsPerSecond: 0, learningRate: settings.alpha, elapsedMs: performance.now() - started,
    });
  };
  {
    const splitter = new SentenceSplitter({ lowercase: settings.lowercase, maxSentenceLength: DEFAULT_MAX_SENTENCE_LENGTH });
    for await (const chunk of corpus.chunks(signal)) {
      throwIfAborted();
      for (const sentence of splitter.push(chunk)) builder.add(sentence);
      const now = performance.now();
      if (now - lastReport >= interval) {
        lastReport = now;
        reportVocabularyProgress();
      }
      if (now - lastYield >= YIELD_INTERVAL_MS) {
        lastYield = now;
        await yieldToEventLoop();
        throwIfAborted();
      }
    }
    for (const sentence of splitter.end()) builder.add(sentence);
  }
  const vocabulary = builder.build({ minCount: settings.minCount, maxVocabSize: settings.maxVocabSize });
  if (vocabulary.size === 0) {
    throw new Error(
      builder.corpusWords === 0
        ? 'The corpus contains no words: every file was empty, skipped, or had no letters or digits.'
        : `No word occurs at least ${settings.minCount} times (minCount): the corpus has ${builder.distinctWords} distinct words in ${builder.corpusWords} tokens. Use a lower minCount or more text.`,
    );
  }
  const vocabularySeconds = (performance.now() - started) / 1000;
  callbacks.onVocabulary?.({
    vocabularySize: vocabulary.size,
    corpusWords: vocabulary.corpusWords,
    report: (corpus as { report?: unknown }).report,
  });
  throwIfAborted();

  // Passes 2…: training.
  const trainer = new SkipGramTrainer({
    dim: settings.dim,
    window: settings.window,
    negative: settings.negative,
    counts: vocabulary.counts,
    sample: settings.sample,
    seed: settings.seed,
    maxSentenceLength: DEFAULT_MAX_SENTENCE_LENGTH,
  });
  const epochs = settings.epochs;
  const wordsTotal = vocabulary.totalWords * epochs;
  const startAlpha = settings.alpha;
  const alphaRange = settings.alpha - settings.minAlpha;
  const trainingStarted = performance.now();
  const ids = new Int32Array(DEFAULT_MAX_SENTENCE_LENGTH);
  const epochLosses: number[] = [];
  let wordsDone = 0;
  let alpha = startAlpha;
  let lossAtReport = 0;
  let pairsAtReport = 0;
  let lossAtEpochStart = 0;
  let pairsAtEpochStart = 0;

  // A report that covers no trained pair (the very start, or an epoch boundary right after a report)
  // repeats the previous loss instead of a 0 that would read as a perfect model on the chart.
  let lastReportedLoss = 0;
  const reportTrainingProgress = (epoch: number, now: number) => {
    if (trainer.pairs === 0) return;
    const seconds = (now - trainingStarted) / 1000;
    const reportPairs = trainer.pairs - pairsAtReport;
    const epochPairs = trainer.pairs - pairsAtEpochStart;
    callbacks.onProgress?.({
      phase: 'training',
      epoch,
      epochs,
      wordsDone,
      wordsTotal,
      loss: reportPairs > 0 ? (trainer.lossSum - lossAtReport) / reportPairs : lastReportedLoss,
      epochLoss: epochPairs > 0 ? (trainer.lossSum - lossAtEpochStart) / epochPairs : 0,
      wordsPerSecond: seconds > 0 ? wordsDone / seconds : 0,
      learningRate: alpha,
      elapsedMs: now - started,
    });
    if (reportPairs > 0) lastReportedLoss = (trainer.lossSum - lossAtReport) / reportPairs;
    lossAtReport = trainer.lossSum;
    pairsAtReport = trainer.pairs;
  };

  for (let epoch = 1; epoch <= epochs; epoch++) {
    lossAtEpochStart = trainer.lossSum;
    pairsAtEpochStart = trainer.pairs;
    const splitter = new SentenceSplitter({ lowercase: settings.lowercase, maxSentenceLength: DEFAULT_MAX_SENTENCE_LENGTH });
    // Progress and cancellation are looked at after every sentence, so a large chunk (or a corpus
    // that yields everything at once) still reports and stops in time.
    const trainSentences = (sentences: string[][]) => {
      for (const sentence of sentences) {
        for (let i = 0; i < sentence.length; i++) ids[i] = vocabulary.id(sentence[i]);
        wordsDone += trainer.trainSentence(ids, sentence.length, alpha);
        // Linear decay over the whole run, as gensim and word2vec.c.
        alpha = Math.max(settings.minAlpha, startAlpha - (alphaRange * wordsDone) / wordsTotal);
        throwIfAborted();
        const now = performance.now();
        if (now - lastReport >= interval) {
          lastReport = now;
          reportTrainingProgress(epoch, now);
        }
      }
    };
    for await (const chunk of corpus.chunks(signal)) {
      throwIfAborted();
      trainSentences(splitter.push(chunk));
      const now = performance.now();
      if (now - lastYield >= YIELD_INTERVAL_MS) {
        lastYield = now;
        await yieldToEventLoop();
        throwIfAborted();
      }
    }
    trainSentences(splitter.end());
    throwIfAborted();
    lastReport = performance.now();
    reportTrainingProgress(epoch, lastReport);
    const epochPairs = trainer.pairs - pairsAtEpochStart;
    epochLosses.push(epochPairs > 0 ? (trainer.lossSum - lossAtEpochStart) / epochPairs : 0);
  }

  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  return {
    vectors: new WordVectors(vocabulary.words, settings.dim, trainer.syn0, vocabulary.counts),
    vocabulary,
    options: settings,
    stats: {
      corpusWords: vocabulary.corpusWords,
      trainedWords: trainer.effectiveWords,
      epochs,
      trainingSeconds,
      vocabularySeconds,
      wordsPerSecond: trainingSeconds > 0 ? wordsDone / trainingSeconds : 0,
      epochLosses,
    },
  };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
