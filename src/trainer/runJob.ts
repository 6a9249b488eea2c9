// One training job, from corpus files to a trained model and its description. The trainer process
// runs it and writes a model folder; the CLI runs the same function and writes what the user asked.
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { describeLock, parseLockWords, resolveLockFactors } from '../core/lockFactors';
import { FileCorpus, type TextCorpus } from '../core/corpus';
import { trainWord2Vec, type ContinueFrom, type TrainCallbacks, type TrainedWord2Vec, type Word2VecOptions } from '../core/word2vec';
import { trainGlove, type TrainedGlove } from '../core/glove/glove';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint, type TrainingCheckpoint } from '../core/checkpoint';
import { loadModelVectors, writeModelFolder, type ModelManifest, MODEL_FORMAT_VERSION, VECTORS_FILE } from '../core/modelFolder';
import type { CorpusReport, TrainerToHost, Word2VecJob } from '../shared/protocol';

const EXAMPLE_WORD_COUNT = 12;
export const PRODUCT = 'Transfer Lab 0.1.0';

export type JobInput = Omit<Word2VecJob, 'kind' | 'modelDir'>;

/** What any trainer returns; FastText adds its n-gram lookup. */
export type TrainedModel = (TrainedWord2Vec | TrainedGlove) & Partial<Pick<TrainedWord2Vec, 'subwords'>>;

export interface TrainedJob {
  trained: TrainedModel;
  manifest: ModelManifest;
}

/** Streams the corpus files, trains, and describes the result. Reports through `emit` as it goes. */
export async function trainFromFiles(
  runId: string,
  job: JobInput,
  signal: AbortSignal,
  emit: (message: TrainerToHost) => void,
  vocabularyCaps: Pick<Word2VecOptions, 'maxVocabSize' | 'maxFinalVocab'> = {},
  from?: { start: ContinueFrom; parent: NonNullable<ModelManifest['parent']> },
  checkpoints?: { resume?: TrainingCheckpoint; everyMs?: number; everyWords?: number; save(checkpoint: TrainingCheckpoint): Promise<void> },
): Promise<TrainedJob> {
  const started = Date.now();
  const files = new FileCorpus(job.files, { maxFileBytes: job.maxFileBytes });
  const corpus = new FirstPassHash(files);
  const relative = (file: string) => path.relative(job.corpusRoot, file) || path.basename(file);

  emit({ type: 'log', runId, level: 'info', message: `Reading ${job.files.length} files under ${job.corpusRoot}` });
  const callbacks: TrainCallbacks = {
    signal,
    onVocabulary: ({ vocabularySize, corpusWords }) => {
      emit({ type: 'corpus', runId, report: relativeReport(files.report, relative) });
      emit({ type: 'vocabulary', runId, vocabularySize, corpusWords });
    },
    onProgress: (progress) => emit({ type: 'progress', runId, progress }),
    ...(checkpoints && (checkpoints.everyMs !== undefined || checkpoints.everyWords !== undefined) && { checkpoint: checkpoints }),
  };
  const { algorithm, glove, ...parameters } = job.parameters;
  if (checkpoints?.resume && algorithm === 'glove') throw new Error('GloVe runs keep no checkpoints, so this one cannot resume. Start it again.');
  const trained: TrainedModel =
    algorithm === 'glove'
      ? await trainGlove(
          corpus,
          {
            dim: parameters.dim, window: parameters.window, minCount: parameters.minCount, epochs: parameters.epochs,
            seed: parameters.seed, lowercase: parameters.lowercase, maxVocabSize: vocabularyCaps.maxFinalVocab, ...glove,
          },
          callbacks,
        )
      : await trainWord2Vec(corpus, { ...parameters, algorithm, ...vocabularyCaps, ...(from && { dim: from.start.vectors.dim }) }, callbacks, from?.start, checkpoints?.resume);

  const skippedPaths = new Set(files.report.skipped.map((s) => s.path));
  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION,
    name: job.modelName,
    algorithm: job.parameters.algorithm,
    vectorsFile: VECTORS_FILE,
    vectorsFormat: 'word2vec-binary',
    vocabularySize: trained.vectors.size,
    dim: trained.vectors.dim,
    parameters: { ...job.parameters, dim: trained.vectors.dim },
    ...(from && { parent: from.parent }),
    corpus: {
      root: job.corpusRoot,
      files: job.files.filter((f) => !skippedPaths.has(f)).map(relative),
      filesRead: files.report.filesRead,
      bytesRead: files.report.bytesRead,
      corpusWords: trained.stats.corpusWords,
      replacedCharacters: files.report.replacedCharacters,
      skipped: relativeReport(files.report, relative).skipped,
      sha256: corpus.digest(),
    },
    training: { epochLosses: trained.stats.epochLosses, wordsPerSecond: trained.stats.wordsPerSecond, threads: 'threads' in trained.stats ? trained.stats.threads : 1 },
    timings: {
      vocabularySeconds: trained.stats.vocabularySeconds,
      trainingSeconds: trained.stats.trainingSeconds,
      totalSeconds: (Date.now() - started) / 1000,
    },
    createdAt: new Date().toISOString(),
    createdBy: PRODUCT,
  };
  return { trained, manifest };
}

/** The trainer process's whole job: train, then write the model folder atomically. */
export async function runWord2VecJob(
  runId: string,
  job: Word2VecJob,
  signal: AbortSignal,
  emit: (message: TrainerToHost) => void,
): Promise<void> {
  const from = job.init && (await startingPoint(runId, job, emit));
  const checkpoints = job.checkpoint && (await checkpointsFor(runId, job, emit));
  const { trained, manifest } = await trainFromFiles(runId, job, signal, emit, {}, from, checkpoints);
  if (signal.aborted) throw abortError();
  emit({ type: 'log', runId, level: 'info', message: `Writing model to ${job.modelDir}` });
  await writeModelFolder(job.modelDir, trained.vectors, manifest, trained.subwords);
  // The model is safely written: its checkpoint has served.
  if (job.checkpoint) await removeCheckpoint(job.checkpoint.dir);
  emit({
    type: 'done',
    runId,
    model: {
      name: job.modelName,
      modelDir: job.modelDir,
      vocabularySize: trained.vectors.size,
      dim: trained.vectors.dim,
      algorithm: job.parameters.algorithm,
      // GloVe factorises co-occurrence counts: it has no skip-gram/CBOW objective.
      mode: job.parameters.algorithm === 'glove' ? undefined : job.parameters.mode,
      exampleWords: pickExampleWords(trained.vectors.words),
    },
  });
}

/** Checkpoint saving (and the checkpoint to resume from) as the job asks. */
async function checkpointsFor(runId: string, job: Word2VecJob, emit: (message: TrainerToHost) => void): Promise<NonNullable<Parameters<typeof trainFromFiles>[6]>> {
  const settings = job.checkpoint!;
  const save = async (checkpoint: TrainingCheckpoint) => {
    const started = Date.now();
    await saveCheckpoint(settings.dir, checkpoint);
    const { epoch, epochChars } = checkpoint.position;
    emit({ type: 'checkpoint', runId, dir: settings.dir, epoch, wordsDone: checkpoint.totals.words, savedAt: checkpoint.savedAt });
    emit({ type: 'log', runId, level: 'info', message: `Checkpoint saved in ${Date.now() - started} ms: epoch ${epoch}, ${epochChars.toLocaleString('en-US')} characters into it (${settings.dir})` });
  };
  const everyMs = settings.everyMinutes > 0 ? settings.everyMinutes * 60_000 : undefined;
  if (!settings.resume) return { everyMs, save };
  const resume = await loadCheckpoint(settings.dir);
  if (!resume) throw new Error(`There is no checkpoint in ${settings.dir} to resume from (it is written every ${settings.everyMinutes} minutes of training). Start the run again.`);
  emit({ type: 'log', runId, level: 'info', message: `Resuming from the checkpoint of ${resume.savedAt}: epoch ${resume.position.epoch} of ${resume.options.epochs}, ${resume.totals.words.toLocaleString('en-US')} words trained` });
  return { resume, everyMs, save };
}

async function readLockWords(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the lock-word list ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Choose an existing text file of "word [factor]" lines.`);
  }
}

/**
 * A fine-tune's parent: its vectors (and a FastText parent's n-gram rows), checked against the
 * algorithm asked for so a mismatch fails before any text is read, with a message that says what to do.
 */
async function startingPoint(
  runId: string,
  job: Word2VecJob,
  emit: (message: TrainerToHost) => void,
): Promise<{ start: ContinueFrom; parent: NonNullable<ModelManifest['parent']> } | undefined> {
  if (!job.init) return undefined;
  const { modelDir, lock, lockWords } = job.init;
  const { algorithm } = job.parameters;
  if (algorithm === 'glove') {
    throw new Error('GloVe cannot continue from existing vectors: fine-tune with the Word2Vec algorithm (or FastText, from a FastText model).');
  }
  const { manifest, vectors, subwords } = await loadModelVectors(modelDir);
  if (algorithm === 'fasttext' && !subwords) {
    throw new Error(`${manifest.name} has no character n-gram rows: FastText continues only from a FastText model. Fine-tune it with the Word2Vec algorithm.`);
  }
  if (algorithm !== 'fasttext' && subwords) {
    throw new Error(`${manifest.name} is a FastText model: fine-tune it with the FastText algorithm, so its n-gram rows continue too.`);
  }
  const words = lockWords === undefined ? [] : parseLockWords(await readLockWords(lockWords), lockWords);
  const resolved = resolveLockFactors(vectors, lock, words, path.basename(lockWords ?? ''));
  emit({
    type: 'log',
    runId,
    level: 'info',
    message: `Starting from ${manifest.name} (${vectors.size} words × ${vectors.dim}); old vectors: ${describeLock(resolved.description)}`,
  });
  if (resolved.unknownWords.length > 0) {
    emit({
      type: 'log',
      runId,
      level: 'warn',
      message: `${resolved.unknownWords.length} word(s) of ${lockWords} are not in ${manifest.name} and learn freely: ${resolved.unknownWords.slice(0, 10).join(', ')}`,
    });
  }
  return { start: { vectors, lock: resolved.factors, subwords }, parent: { path: modelDir, name: manifest.name, lock: resolved.description } };
}

/**
 * The corpus as the trainer passes it on, hashing the text of the first pass (every pass reads the
 * same text), so a model's lineage says exactly what it learned from.
 */
class FirstPassHash implements TextCorpus {
  private readonly hash = createHash('sha256');
  private passes = 0;
  private hashed: string | undefined;

  constructor(private readonly inner: TextCorpus) {}

  async *chunks(signal?: AbortSignal): AsyncGenerator<string> {
    const first = this.passes++ === 0;
    for await (const chunk of this.inner.chunks(signal)) {
      if (first) this.hash.update(chunk);
      yield chunk;
    }
    if (first) this.hashed = this.hash.digest('hex');
  }

  /** SHA-256 of the UTF-8 text of the first complete pass. */
  digest(): string | undefined {
    return this.hashed;
  }
}

function relativeReport(report: CorpusReport, relative: (file: string) => string): CorpusReport {
  return { ...report, skipped: report.skipped.map((s) => ({ ...s, path: relative(s.path) })) };
}

/** The most frequent words make poor examples ("the", "and"); words a little further down say more. */
export function pickExampleWords(wordsByFrequency: string[]): string[] {
  const start = Math.min(100, Math.floor(wordsByFrequency.length / 10));
  return wordsByFrequency
    .slice(start, start + 200)
    .filter((w) => /^\p{L}{4,}$/u.test(w))
    .slice(0, EXAMPLE_WORD_COUNT);
}

export function abortError(): Error {
  const error = new Error('Training cancelled');
  error.name = 'AbortError';
  return error;
}
