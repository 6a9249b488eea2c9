// The one message contract between the three parts of Transfer Lab:
//   extension host  <->  trainer process   (Node IPC through child_process.fork)
//   extension host  <->  webview panel     (postMessage)
// Every message is a plain JSON object with a `type`. Whatever crosses a process or frame boundary is
// checked by the `parse…` functions below before anyone acts on it: unknown or malformed messages are
// dropped, never trusted.

// ---------- shared value types ----------

import type { TrainingProgress, Word2VecOptions } from '../core/word2vec';
import type { Inspection } from '../core/neural/inspect';
export type { Inspection };
import type { GloveOptions } from '../core/glove/glove';
import type { LockSetting } from '../core/lockFactors';
import {
  isClassifierPanelType,
  isClassifierTrainerType,
  parseClassifierJob,
  parseClassifierPanelMessage,
  parseClassifierPanelRequest,
  parseClassifierTrainerMessage,
  type ClassifierJob,
  type ClassifierPanelMessage,
  type ClassifierPanelRequest,
  type ClassifierTrainerMessage,
} from './classifierProtocol';

export type TrainingAlgorithm = 'word2vec' | 'fasttext' | 'glove';

/**
 * The training options that cross from the extension to the trainer (all of them but the vocabulary
 * caps). GloVe uses dim, window, minCount, epochs, seed and lowercase of them, its own learning rate
 * (eta, default 0.05) and the knobs in `glove`.
 */
export type TrainingParameters = Omit<Word2VecOptions, 'maxVocabSize' | 'maxFinalVocab' | 'algorithm'> & {
  algorithm: TrainingAlgorithm;
  glove?: Partial<Pick<GloveOptions, 'xMax' | 'alpha' | 'eta' | 'memoryMB'>>;
};

export type { TrainingProgress };

export type SkipReason = 'binary' | 'too-large' | 'unreadable' | 'not-a-file';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail: string;
}

export interface CorpusReport {
  filesRead: number;
  bytesRead: number;
  skipped: SkippedFile[];
  replacedCharacters: number;
}

export interface Neighbour {
  word: string;
  similarity: number;
}

export type ModelAlgorithm = 'word2vec' | 'fasttext' | 'glove';
export type TrainingMode = 'sg' | 'cbow';

/** What the panel needs to know about a finished model. */
export interface ModelSummary {
  name: string;
  modelDir: string;
  vocabularySize: number;
  dim: number;
  algorithm: ModelAlgorithm;
  /** Absent for GloVe, which has no skip-gram/CBOW objective. */
  mode?: TrainingMode;
  /** A few frequent words, offered as examples in the search box. */
  exampleWords: string[];
}


// ---------- evaluation (extension host <-> evaluation worker, extension host -> webview) ----------

export interface EvaluationScore {
  correct: number;
  total: number;
  /** correct / total; 0 when total is 0. */
  accuracy: number;
}

export interface AnalogySectionScore extends EvaluationScore {
  name: string;
}

export interface AnalogyEvaluation {
  kind: 'analogies';
  /** The test set's file name, and its full path. */
  file: string;
  path: string;
  sections: AnalogySectionScore[];
  total: EvaluationScore;
  semantic: EvaluationScore;
  syntactic: EvaluationScore;
  questions: number;
  oovQuestions: number;
  /** Percentage of questions skipped for an out-of-vocabulary word. */
  oovRatio: number;
}

export interface SimilarityEvaluation {
  kind: 'similarity';
  file: string;
  path: string;
  /** null when undefined (every model or human score equal). */
  spearman: number | null;
  pearson: number | null;
  pairs: number;
  oovPairs: number;
  /** Percentage of pairs left out for an out-of-vocabulary word. */
  oovRatio: number;
}

/** A test set that could not be scored (unreadable, malformed, no word known); the others still are. */
export interface EvaluationFailure {
  kind: 'error';
  file: string;
  path: string;
  message: string;
}

export type EvaluationEntry = AnalogyEvaluation | SimilarityEvaluation | EvaluationFailure;

export interface EvaluatedModel {
  name: string;
  algorithm: string;
  mode?: TrainingMode;
  vocabularySize: number;
  dim: number;
}

export interface EvaluationReport {
  model: EvaluatedModel;
  /** Only the first `restrictVocab` words count, for questions, answers and pairs alike. */
  restrictVocab: number;
  caseInsensitive: boolean;
  entries: EvaluationEntry[];
  elapsedMs: number;
  /** Date.now() when the evaluation ended. */
  finishedAt: number;
}

/** What the extension host hands the evaluation worker. */
export interface EvaluationJob {
  modelDir: string;
  files: string[];
  restrictVocab: number;
  caseInsensitive: boolean;
}

export type EvaluationWorkerToHost =
  | { type: 'progress'; message: string; done: number; total: number }
  | { type: 'done'; report: EvaluationReport }
  | { type: 'error'; message: string };

/** 'done' follows an evaluation whose results are shown elsewhere (Evaluate both, in What moved). */
export type EvaluationState = 'running' | 'cancelled' | 'failed' | 'done';

export type RunStatus = 'done' | 'cancelled' | 'failed';

// ---------- extension host -> trainer ----------

export interface Word2VecJob {
  kind: 'word2vec';
  /** Absolute paths of the corpus files, read and streamed by the trainer itself. */
  files: string[];
  /** Folder the corpus paths are reported relative to (the workspace folder). */
  corpusRoot: string;
  maxFileBytes: number;
  parameters: TrainingParameters;
  /** The model folder to create; it must not exist yet. */
  modelDir: string;
  modelName: string;
  /** Continued training: start from this model folder's vectors, with its vocabulary and dim. */
  init?: FineTuneInit;
  /** Checkpoints (Word2Vec and FastText): where, how often, and whether to resume from the one there. */
  checkpoint?: CheckpointSettings;
}

export interface CheckpointSettings {
  /** A folder of its own; removed when the run ends other than by a crash. */
  dir: string;
  /** Minutes of training between checkpoints; 0 for none (a resume still reads the one there). */
  everyMinutes: number;
  /** Start from the checkpoint in `dir` instead of from the beginning. */
  resume: boolean;
}

/**
 * How far a fine-tuned parent's vectors may move: 'none' frees them, 'old' keeps them fixed (only new
 * words learn), a number from 0 (fixed) to 1 (free) scales every old word's gradient.
 */
export type FineTuneLock = LockSetting;

export interface FineTuneInit {
  /** The parent model folder (vectors.bin + model.json). */
  modelDir: string;
  lock: FineTuneLock;
  /** A file of "word [factor]" lines whose words get their own factor (default 0, fixed), as gensim's vectors_lockf. */
  lockWords?: string;
}

/** Import of pretrained vectors (word2vec text/binary, GloVe text, fastText .vec, optionally gzipped) as a model folder. */
export interface ImportJob {
  kind: 'import';
  sourcePath: string;
  /** The model folder to create; it must not exist yet. */
  modelDir: string;
  modelName: string;
  /** Leave out malformed lines instead of failing on the first. */
  skipBadLines: boolean;
}

/** Inspect in the Encoder section, run in the trainer process (TensorFlow.js never loads in the host). */
export interface InspectEncoderJob {
  kind: 'inspect-encoder';
  encoderDir: string;
  texts: string[];
  word: string;
}

/** The encoders Pretrain Encoder offers: Transformer (masked LM), LSTM (next token), sentence autoencoder (a Transformer). */
export type EncoderKind = 'transformer' | 'lstm' | 'autoencoder';
export const ENCODER_KINDS: readonly EncoderKind[] = ['transformer', 'lstm', 'autoencoder'];

/** Pretrain Encoder: a BPE tokeniser and an encoder of `arch` trained on the files. */
export interface EncoderJob {
  kind: 'pretrain-encoder';
  files: string[];
  corpusRoot: string;
  maxFileBytes: number;
  arch: EncoderKind;
  minutes: number;
  vocabSize: number;
  /** The encoder folder to create; it must not exist yet. */
  encoderDir: string;
  name: string;
}

/** What a finished Pretrain Encoder reports. */
export interface EncoderSummary {
  name: string;
  encoderDir: string;
  arch: EncoderKind;
  steps: number;
  finalLoss: number;
  tokensPerSecond: number;
  backend: string;
  corpusTokens: number;
}

export type HostToTrainer =
  | { type: 'start'; runId: string; job: Word2VecJob | ImportJob | ClassifierJob | EncoderJob | InspectEncoderJob }
  | { type: 'cancel'; runId: string };

// ---------- trainer -> extension host ----------

export type TrainerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'log'; runId?: string; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'corpus'; runId: string; report: CorpusReport }
  | { type: 'vocabulary'; runId: string; vocabularySize: number; corpusWords: number }
  | { type: 'encoderDone'; runId: string; encoder: EncoderSummary }
  | { type: 'inspection'; runId: string; inspection: Inspection }
  /** A checkpoint is on disk: a crash from now on can resume from `epoch` with `wordsDone` trained. */
  | { type: 'checkpoint'; runId: string; dir: string; epoch: number; wordsDone: number; savedAt: string }
  | { type: 'progress'; runId: string; progress: TrainingProgress }
  /** Import progress, bytes of the source file in each phase. */
  | { type: 'importProgress'; runId: string; phase: 'hashing' | 'reading' | 'writing'; bytesDone: number; bytesTotal: number }
  | { type: 'done'; runId: string; model: ModelSummary }
  | { type: 'cancelled'; runId: string }
  | { type: 'error'; runId: string; message: string; detail?: string }
  | ClassifierTrainerMessage;

// ---------- webview -> extension host ----------

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'cancel' }
  /** `word` is a word or an expression such as "king - man + woman". */
  | { type: 'query'; requestId: number; word: string; k: number }
  /** The "Evaluate…" button: runs the Evaluate Model command, which asks for everything else. */
  | { type: 'evaluate' }
  /** "Compare…": runs Show What Moved, which asks which models. */
  | { type: 'compare' }
  /** One word's neighbours in both compared models, side by side. */
  | { type: 'compareWord'; requestId: number; word: string }
  /** "Evaluate both": the compared models on the same test sets. */
  | { type: 'evaluatePair' }
  /** "Open as Markdown": the comparison as an editable document. */
  | { type: 'openComparisonReport' }
  /** The map's Draw button: project the active model's most frequent words to 2-D. */
  | { type: 'drawMap'; method: ProjectionMethod; points: number }
  /** The map's Export CSV button: the projected coordinates, saved where the user chooses. */
  | { type: 'exportMap' }
  /** The training chart as CSV text or a PNG data URL; the host asks where to save it. */
  | { type: 'exportChart'; format: 'csv' | 'png'; data: string }
  /** The search box's completion: vocabulary words starting with `prefix`, most frequent first. */
  | { type: 'complete'; requestId: number; prefix: string }
  /** "Side by side with": a second model, by its name in the models folder, answers every search too; null for none. */
  | { type: 'setSecondModel'; name: string | null }
  /** The Encoder section's Inspect: a word in the given sentences, read by an encoder named as the host listed it. */
  | { type: 'inspectEncoder'; requestId: number; encoder: string; texts: string[]; word: string }
  | ClassifierPanelRequest;

// ---------- extension host -> webview ----------

/** A search answered by the side-by-side model. */
export interface SecondAnswer {
  model: string;
  results: Neighbour[];
  error?: string;
}

export interface RunInfo {
  runId: string;
  modelName: string;
  fileCount: number;
  parameters: TrainingParameters;
  startedAt: number;
}

/** A word of a model comparison: its neighbours in both models and how much they share. */
export interface MovedWord {
  word: string;
  /** Shared share of the two top-k neighbour lists, 0 to 1. */
  overlap: number;
  /** Cosine between its two vectors (after alignment); absent when the dims differ. */
  cosine?: number;
  before: Neighbour[];
  after: Neighbour[];
}

export interface ComparedModel {
  name: string;
  /** "Word2Vec skip-gram · 12,345 words × 100". */
  description: string;
}

/** What moved between two models (core/modelDiff.ts), as the panel shows it. */
export interface ModelComparison {
  before: ComparedModel;
  after: ComparedModel;
  /** Whether `before` is `after`'s recorded parent (else a model the user chose). */
  parentOf: boolean;
  k: number;
  sharedWords: number;
  onlyInBefore: number;
  onlyInAfter: number;
  comparedWords: number;
  aligned: boolean;
  meanOverlap: number;
  meanCosine?: number;
  /** Most moved first. */
  moved: MovedWord[];
  elapsedMs: number;
}

export type ComparisonState = 'running' | 'cancelled' | 'failed';

export type ProjectionMethod = 'pca' | 'umap';
/** The map's most points: UMAP's neighbour search grows fast beyond it on one core. */
export const MAX_MAP_POINTS = 20_000;

export type HostToPanel =
  | { type: 'runStarted'; run: RunInfo }
  | { type: 'corpus'; report: CorpusReport }
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'runEnded'; status: RunStatus; message: string }
  | { type: 'model'; model: ModelSummary | undefined }
  /**
   * `word` is the query as understood (an expression is shown normalised); `note` explains how it was
   * answered. `second` is the same query answered by the side-by-side model, when one is chosen.
   */
  | { type: 'neighbours'; requestId: number; word: string; results: Neighbour[]; note?: string; error?: string; second?: SecondAnswer }
  | { type: 'completions'; requestId: number; prefix: string; words: string[] }
  /** The encoders of .transfer-lab/encoders, by name, for the Encoder section. */
  | { type: 'encoderList'; names: string[] }
  | { type: 'inspection'; requestId: number; encoder: string; inspection?: Inspection; error?: string }
  /** The models the search can be set side by side with (names in the models folder), and the one chosen. */
  | { type: 'modelList'; names: string[]; second: string | null }
  | { type: 'evaluationState'; state: EvaluationState; message: string }
  | { type: 'evaluation'; report: EvaluationReport }
  /** Earlier runs' loss curves (oldest first), drawn under the current run. */
  | { type: 'pastRuns'; runs: { name: string; points: { seconds: number; loss: number }[] }[] }
  | { type: 'mapState'; state: 'running' | 'failed' | 'cancelled'; message: string; fraction?: number }
  /** A model's most frequent words projected to 2-D: coords holds x, y per word. */
  | { type: 'map'; words: string[]; coords: number[]; method: ProjectionMethod; elapsedMs: number; modelName: string }
  /** Show Neighbours from the editor: search this text in the panel, as if typed. */
  | { type: 'search'; text: string }
  | { type: 'comparison'; comparison: ModelComparison }
  | { type: 'comparisonState'; state: ComparisonState; message: string }
  /** `overlap` is the shared share of the two lists; `error` when the word is in neither model. */
  | { type: 'comparedWord'; requestId: number; word: string; before: Neighbour[]; after: Neighbour[]; overlap?: number; error?: string }
  /** The two compared models scored on the same test sets. */
  | { type: 'evaluationPair'; before: EvaluationReport; after: EvaluationReport }
  | ClassifierPanelMessage;

// ---------- validation ----------

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

const MAX_QUERY_LENGTH = 200;
/** A chart export from the webview: a few MB at most (a 4k PNG, or a CSV of every point). */
const MAX_EXPORT_CHARS = 32 * 1024 * 1024;
const MAX_K = 1000;

/** Messages from the webview are untrusted input: accept only the exact shapes above. */
export function parsePanelToHost(raw: unknown): PanelToHost | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'cancel':
      return { type: 'cancel' };
    case 'evaluate':
    case 'compare':
    case 'evaluatePair':
    case 'openComparisonReport':
      return { type: raw.type };
    case 'drawMap': {
      const { method, points } = raw;
      if ((method !== 'pca' && method !== 'umap') || !isFiniteNumber(points)) return undefined;
      return { type: 'drawMap', method, points: Math.max(2, Math.min(MAX_MAP_POINTS, Math.floor(points))) };
    }
    case 'exportMap':
      return { type: 'exportMap' };
    case 'exportChart': {
      const { format, data } = raw;
      if ((format !== 'csv' && format !== 'png') || !isString(data) || data.length > MAX_EXPORT_CHARS) return undefined;
      if (format === 'png' && !data.startsWith('data:image/png;base64,')) return undefined;
      return { type: 'exportChart', format, data };
    }
    case 'compareWord': {
      const { requestId, word } = raw;
      if (!isFiniteNumber(requestId) || !isString(word) || word.trim().length === 0 || word.length > MAX_QUERY_LENGTH) return undefined;
      return { type: 'compareWord', requestId, word: word.trim() };
    }
    case 'openMisclassified':
    case 'cancelClassifier':
    case 'trainClassifier':
    case 'drawCurve':
    case 'exportCurve':
      return parseClassifierPanelRequest(raw);
    case 'complete': {
      const { requestId, prefix } = raw;
      if (!isFiniteNumber(requestId) || !isString(prefix) || prefix.length === 0 || prefix.length > MAX_QUERY_LENGTH) return undefined;
      return { type: 'complete', requestId, prefix };
    }
    case 'inspectEncoder': {
      const { requestId, encoder, texts, word } = raw;
      // An encoder by name, never a path: the host looks it up among the encoders it listed.
      if (!isFiniteNumber(requestId) || !isString(encoder) || encoder === '' || encoder.length > 255 || /[\\/]/.test(encoder) || encoder === '.' || encoder === '..') return undefined;
      if (!isInspectionRequest(texts, word)) return undefined;
      return { type: 'inspectEncoder', requestId, encoder, texts: texts as string[], word: (word as string).trim() };
    }
    case 'setSecondModel': {
      const { name } = raw;
      if (name === null) return { type: 'setSecondModel', name: null };
      // A name, never a path: the host looks it up among the models it listed.
      if (!isString(name) || name === '' || name.length > 255 || /[\\/]/.test(name) || name === '.' || name === '..') return undefined;
      return { type: 'setSecondModel', name };
    }
    case 'query': {
      const { requestId, word, k } = raw;
      if (!isFiniteNumber(requestId) || !isString(word) || !isFiniteNumber(k)) return undefined;
      if (word.length === 0 || word.length > MAX_QUERY_LENGTH) return undefined;
      return { type: 'query', requestId, word, k: Math.max(1, Math.min(MAX_K, Math.floor(k))) };
    }
    default:
      return undefined;
  }
}

function isTrainingParameters(v: unknown): v is TrainingParameters {
  if (!isObject(v)) return false;
  const numeric = ['dim', 'window', 'negative', 'epochs', 'minCount', 'sample', 'alpha', 'minAlpha', 'seed', 'threads', 'minn', 'maxn', 'bucket'];
  const flags = ['lowercase', 'hs', 'cbowMean'];
  return (
    numeric.every((key) => isFiniteNumber(v[key])) &&
    flags.every((key) => typeof v[key] === 'boolean') &&
    (v.algorithm === 'word2vec' || v.algorithm === 'fasttext' || v.algorithm === 'glove') &&
    (v.mode === 'sg' || v.mode === 'cbow') &&
    (v.glove === undefined || (isObject(v.glove) && Object.values(v.glove).every(isFiniteNumber)))
  );
}

export const isFineTuneLock = (v: unknown): v is FineTuneLock => v === 'none' || v === 'old' || (isFiniteNumber(v) && v >= 0 && v <= 1);

function isFineTuneInit(v: unknown): v is FineTuneInit {
  return isObject(v) && isString(v.modelDir) && v.modelDir !== '' && isFineTuneLock(v.lock) && (v.lockWords === undefined || (isString(v.lockWords) && v.lockWords !== ''));
}

export function parseHostToTrainer(raw: unknown): HostToTrainer | undefined {
  if (!isObject(raw) || !isString(raw.runId)) return undefined;
  if (raw.type === 'cancel') return { type: 'cancel', runId: raw.runId };
  if (raw.type !== 'start' || !isObject(raw.job)) return undefined;
  const job = raw.job;
  if (job.kind === 'inspect-encoder') {
    const ok = isString(job.encoderDir) && job.encoderDir !== '' && isInspectionRequest(job.texts, job.word);
    return ok ? (raw as HostToTrainer) : undefined;
  }
  if (job.kind === 'pretrain-encoder') {
    const ok =
      Array.isArray(job.files) && job.files.every(isString) && isString(job.corpusRoot) && isFiniteNumber(job.maxFileBytes) &&
      ENCODER_KINDS.includes(job.arch as EncoderKind) && isFiniteNumber(job.minutes) && job.minutes > 0 &&
      isFiniteNumber(job.vocabSize) && job.vocabSize >= 100 && isString(job.encoderDir) && job.encoderDir !== '' && isString(job.name);
    return ok ? (raw as HostToTrainer) : undefined;
  }
  if (job.kind === 'import') {
    const { sourcePath, modelDir, modelName, skipBadLines } = job;
    if (!isString(sourcePath) || sourcePath === '' || !isString(modelDir) || modelDir === '' || !isString(modelName) || typeof skipBadLines !== 'boolean') return undefined;
    return { type: 'start', runId: raw.runId, job: { kind: 'import', sourcePath, modelDir, modelName, skipBadLines } };
  }
  if (typeof job.kind === 'string' && job.kind.startsWith('classify-')) {
    const classifierJob = parseClassifierJob(job);
    return classifierJob && { type: 'start', runId: raw.runId, job: classifierJob };
  }
  if (
    job.kind !== 'word2vec' ||
    !Array.isArray(job.files) ||
    !job.files.every(isString) ||
    !isString(job.corpusRoot) ||
    !isFiniteNumber(job.maxFileBytes) ||
    !isTrainingParameters(job.parameters) ||
    !isString(job.modelDir) ||
    !isString(job.modelName) ||
    (job.init !== undefined && !isFineTuneInit(job.init)) ||
    (job.checkpoint !== undefined &&
      !(isObject(job.checkpoint) && isString(job.checkpoint.dir) && job.checkpoint.dir !== '' && isFiniteNumber(job.checkpoint.everyMinutes) && job.checkpoint.everyMinutes >= 0 && typeof job.checkpoint.resume === 'boolean'))
  ) {
    return undefined;
  }
  return raw as HostToTrainer;
}

function isProgress(v: unknown): v is TrainingProgress {
  if (!isObject(v)) return false;
  const numeric = ['epoch', 'epochs', 'wordsDone', 'wordsTotal', 'loss', 'epochLoss', 'wordsPerSecond', 'learningRate', 'elapsedMs'];
  return (v.phase === 'vocabulary' || v.phase === 'training') && numeric.every((key) => isNumber(v[key]));
}

/** The trainer is our own code, but it is another process: a corrupted or foreign message must not crash the host. */
export function parseTrainerToHost(raw: unknown): TrainerToHost | undefined {
  if (!isObject(raw)) return undefined;
  if (isClassifierTrainerType(raw.type)) return parseClassifierTrainerMessage(raw);
  switch (raw.type) {
    case 'ready':
      return isFiniteNumber(raw.pid) ? (raw as TrainerToHost) : undefined;
    case 'log':
      return isString(raw.message) && ['info', 'warn', 'error'].includes(raw.level as string) ? (raw as TrainerToHost) : undefined;
    case 'corpus':
      return isString(raw.runId) && isObject(raw.report) && Array.isArray(raw.report.skipped) ? (raw as TrainerToHost) : undefined;
    case 'vocabulary':
      return isString(raw.runId) && isFiniteNumber(raw.vocabularySize) && isFiniteNumber(raw.corpusWords) ? (raw as TrainerToHost) : undefined;
    case 'inspection':
      return isString(raw.runId) && isInspection(raw.inspection) ? (raw as TrainerToHost) : undefined;
    case 'encoderDone': {
      const e = raw.encoder;
      return isString(raw.runId) && isObject(e) && isString(e.name) && isString(e.encoderDir) && ENCODER_KINDS.includes(e.arch as EncoderKind) &&
        ['steps', 'finalLoss', 'tokensPerSecond', 'corpusTokens'].every((k) => isFiniteNumber(e[k])) && isString(e.backend)
        ? (raw as TrainerToHost)
        : undefined;
    }
    case 'checkpoint':
      return isString(raw.runId) && isString(raw.dir) && isFiniteNumber(raw.epoch) && isFiniteNumber(raw.wordsDone) && isString(raw.savedAt) ? (raw as TrainerToHost) : undefined;
    case 'progress':
      return isString(raw.runId) && isProgress(raw.progress) ? (raw as TrainerToHost) : undefined;
    case 'importProgress':
      return isString(raw.runId) && ['hashing', 'reading', 'writing'].includes(raw.phase as string) && isFiniteNumber(raw.bytesDone) && isFiniteNumber(raw.bytesTotal)
        ? (raw as TrainerToHost)
        : undefined;
    case 'done':
      return isString(raw.runId) && isObject(raw.model) && isString(raw.model.modelDir) ? (raw as TrainerToHost) : undefined;
    case 'cancelled':
      return isString(raw.runId) ? (raw as TrainerToHost) : undefined;
    case 'error':
      return isString(raw.runId) && isString(raw.message) ? (raw as TrainerToHost) : undefined;
    default:
      return undefined;
  }
}

/** The host is trusted by the webview, but the check keeps the panel from acting on stray messages. */
export function parseHostToPanel(raw: unknown): HostToPanel | undefined {
  if (!isObject(raw) || !isString(raw.type)) return undefined;
  if (isClassifierPanelType(raw.type)) return parseClassifierPanelMessage(raw);
  switch (raw.type) {
    case 'runStarted':
    case 'corpus':
    case 'runEnded':
    case 'model':
      return raw as HostToPanel;
    case 'progress':
      return isProgress(raw.progress) ? (raw as HostToPanel) : undefined;
    case 'neighbours':
      return isFiniteNumber(raw.requestId) &&
        isString(raw.word) &&
        isNeighbourList(raw.results) &&
        isOptionalString(raw.note) &&
        isOptionalString(raw.error) &&
        (raw.second === undefined || (isObject(raw.second) && isString(raw.second.model) && isNeighbourList(raw.second.results) && isOptionalString(raw.second.error)))
        ? (raw as HostToPanel)
        : undefined;
    case 'encoderList':
      return Array.isArray(raw.names) && raw.names.every(isString) ? (raw as HostToPanel) : undefined;
    case 'inspection':
      return isFiniteNumber(raw.requestId) && isString(raw.encoder) && (raw.inspection === undefined || isInspection(raw.inspection)) && isOptionalString(raw.error) ? (raw as HostToPanel) : undefined;
    case 'completions':
      return isFiniteNumber(raw.requestId) && isString(raw.prefix) && Array.isArray(raw.words) && raw.words.every(isString) ? (raw as HostToPanel) : undefined;
    case 'modelList':
      return Array.isArray(raw.names) && raw.names.every(isString) && (raw.second === null || isString(raw.second)) ? (raw as HostToPanel) : undefined;
    case 'evaluationState':
      return (raw.state === 'running' || raw.state === 'cancelled' || raw.state === 'failed' || raw.state === 'done') && isString(raw.message) ? (raw as HostToPanel) : undefined;
    case 'evaluation':
      return isEvaluationReport(raw.report) ? (raw as HostToPanel) : undefined;
    case 'comparison':
      return isModelComparison(raw.comparison) ? (raw as HostToPanel) : undefined;
    case 'pastRuns':
      return Array.isArray(raw.runs) &&
        raw.runs.length <= 20 &&
        raw.runs.every((r) => isObject(r) && isString(r.name) && Array.isArray(r.points) && r.points.length <= 10_000 && r.points.every((p) => isObject(p) && isFiniteNumber(p.seconds) && isNumber(p.loss)))
        ? (raw as HostToPanel)
        : undefined;
    case 'mapState':
      return (raw.state === 'running' || raw.state === 'failed' || raw.state === 'cancelled') && isString(raw.message) && (raw.fraction === undefined || isRatio(raw.fraction))
        ? (raw as HostToPanel)
        : undefined;
    case 'map':
      return Array.isArray(raw.words) &&
        raw.words.length <= MAX_MAP_POINTS &&
        raw.words.every(isString) &&
        Array.isArray(raw.coords) &&
        raw.coords.length === 2 * raw.words.length &&
        raw.coords.every(isFiniteNumber) &&
        (raw.method === 'pca' || raw.method === 'umap') &&
        isFiniteNumber(raw.elapsedMs) &&
        isString(raw.modelName)
        ? (raw as HostToPanel)
        : undefined;
    case 'search':
      return isString(raw.text) && raw.text.length > 0 && raw.text.length <= MAX_QUERY_LENGTH ? (raw as HostToPanel) : undefined;
    case 'comparisonState':
      return (raw.state === 'running' || raw.state === 'cancelled' || raw.state === 'failed') && isString(raw.message) ? (raw as HostToPanel) : undefined;
    case 'comparedWord':
      return isFiniteNumber(raw.requestId) &&
        isString(raw.word) &&
        isNeighbourList(raw.before) &&
        isNeighbourList(raw.after) &&
        (raw.overlap === undefined || isRatio(raw.overlap)) &&
        isOptionalString(raw.error)
        ? (raw as HostToPanel)
        : undefined;
    case 'evaluationPair':
      return isEvaluationReport(raw.before) && isEvaluationReport(raw.after) ? (raw as HostToPanel) : undefined;
    default:
      return undefined;
  }
}

const MAX_MOVED_WORDS = 1000;
/** Up to 8 sentences of at most 2,000 characters, and a word: what Inspect may ask the trainer. */
function isInspectionRequest(texts: unknown, word: unknown): boolean {
  return Array.isArray(texts) && texts.length >= 1 && texts.length <= 8 && texts.every((t) => isString(t) && t.length <= 2000) && isString(word) && word.trim() !== '' && word.length <= MAX_QUERY_LENGTH;
}

function isInspection(v: unknown): v is Inspection {
  if (!isObject(v) || !isString(v.word) || !Array.isArray(v.pieces) || !v.pieces.every(isString)) return false;
  if (!Array.isArray(v.tokens) || !v.tokens.every((row) => Array.isArray(row) && row.every(isString))) return false;
  if (!Array.isArray(v.similarities) || !v.similarities.every((s) => isObject(s) && isFiniteNumber(s.a) && isFiniteNumber(s.b) && isFiniteNumber(s.cosine))) return false;
  return (
    Array.isArray(v.occurrences) &&
    v.occurrences.every(
      (o) =>
        isObject(o) && isFiniteNumber(o.text) && isFiniteNumber(o.position) && Array.isArray(o.nearest) &&
        o.nearest.every((n) => isObject(n) && isString(n.token) && isFiniteNumber(n.text) && isFiniteNumber(n.similarity)) &&
        (o.attention === undefined || (Array.isArray(o.attention) && o.attention.every((layer) => Array.isArray(layer) && layer.every((head) => Array.isArray(head) && head.every(isFiniteNumber))))),
    )
  );
}

const isNeighbourList = (v: unknown): v is Neighbour[] =>
  Array.isArray(v) && v.length <= MAX_K && v.every((n) => isObject(n) && isString(n.word) && isFiniteNumber(n.similarity));
const isComparedModel = (v: unknown): v is ComparedModel => isObject(v) && isLabel(v.name) && isLabel(v.description);

function isModelComparison(v: unknown): v is ModelComparison {
  return (
    isObject(v) &&
    isComparedModel(v.before) &&
    isComparedModel(v.after) &&
    typeof v.parentOf === 'boolean' &&
    [v.k, v.sharedWords, v.onlyInBefore, v.onlyInAfter, v.comparedWords].every(isCount) &&
    typeof v.aligned === 'boolean' &&
    isRatio(v.meanOverlap) &&
    (v.meanCosine === undefined || isFiniteNumber(v.meanCosine)) &&
    isFiniteNumber(v.elapsedMs) &&
    Array.isArray(v.moved) &&
    v.moved.length <= MAX_MOVED_WORDS &&
    v.moved.every(
      (w) => isObject(w) && isLabel(w.word) && isRatio(w.overlap) && (w.cosine === undefined || isFiniteNumber(w.cosine)) && isNeighbourList(w.before) && isNeighbourList(w.after),
    )
  );
}

/** The worker runs our code in our process, but a failed or partial result must not reach the panel as a report. */
export function parseEvaluationWorkerToHost(raw: unknown): EvaluationWorkerToHost | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'progress':
      return isString(raw.message) && isFiniteNumber(raw.done) && isFiniteNumber(raw.total) ? (raw as EvaluationWorkerToHost) : undefined;
    case 'done':
      return isEvaluationReport(raw.report) ? (raw as EvaluationWorkerToHost) : undefined;
    case 'error':
      return isString(raw.message) ? (raw as EvaluationWorkerToHost) : undefined;
    default:
      return undefined;
  }
}

export function parseEvaluationJob(raw: unknown): EvaluationJob | undefined {
  if (!isObject(raw)) return undefined;
  const { modelDir, files, restrictVocab, caseInsensitive } = raw;
  if (!isString(modelDir) || !Array.isArray(files) || !files.every(isString) || files.length === 0) return undefined;
  if (!isCount(restrictVocab) || restrictVocab < 1 || typeof caseInsensitive !== 'boolean') return undefined;
  return { modelDir, files: [...files], restrictVocab, caseInsensitive };
}

const isOptionalString = (v: unknown) => v === undefined || isString(v);
const isCount = (v: unknown): v is number => isFiniteNumber(v) && Number.isInteger(v) && v >= 0;
const isRatio = (v: unknown) => isFiniteNumber(v) && v >= 0 && v <= 1;
const isPercentage = (v: unknown) => isFiniteNumber(v) && v >= 0 && v <= 100;
const isCorrelation = (v: unknown) => v === null || (isFiniteNumber(v) && v >= -1 && v <= 1);

/** Limits that keep a corrupted report from making the panel build an enormous table. */
const MAX_EVALUATION_ENTRIES = 100;
const MAX_ANALOGY_SECTIONS = 1000;
const MAX_LABEL_LENGTH = 4096;

const isLabel = (v: unknown): v is string => isString(v) && v.length <= MAX_LABEL_LENGTH;

function isEvaluationScore(v: unknown): v is EvaluationScore {
  return isObject(v) && isCount(v.correct) && isCount(v.total) && v.correct <= v.total && isRatio(v.accuracy);
}

function isEvaluationEntry(v: unknown): v is EvaluationEntry {
  if (!isObject(v) || !isLabel(v.file) || !isLabel(v.path)) return false;
  switch (v.kind) {
    case 'analogies':
      return (
        Array.isArray(v.sections) &&
        v.sections.length <= MAX_ANALOGY_SECTIONS &&
        v.sections.every((s) => isObject(s) && isLabel(s.name) && isEvaluationScore(s)) &&
        isEvaluationScore(v.total) &&
        isEvaluationScore(v.semantic) &&
        isEvaluationScore(v.syntactic) &&
        isCount(v.questions) &&
        isCount(v.oovQuestions) &&
        v.oovQuestions <= v.questions &&
        isPercentage(v.oovRatio)
      );
    case 'similarity':
      return isCorrelation(v.spearman) && isCorrelation(v.pearson) && isCount(v.pairs) && isCount(v.oovPairs) && isPercentage(v.oovRatio);
    case 'error':
      return isLabel(v.message);
    default:
      return false;
  }
}

export function isEvaluationReport(v: unknown): v is EvaluationReport {
  if (!isObject(v) || !isObject(v.model)) return false;
  const m = v.model;
  return (
    isLabel(m.name) &&
    isLabel(m.algorithm) &&
    (m.mode === undefined || m.mode === 'sg' || m.mode === 'cbow') &&
    isCount(m.vocabularySize) &&
    isCount(m.dim) &&
    isCount(v.restrictVocab) &&
    typeof v.caseInsensitive === 'boolean' &&
    Array.isArray(v.entries) &&
    v.entries.length <= MAX_EVALUATION_ENTRIES &&
    v.entries.every(isEvaluationEntry) &&
    isFiniteNumber(v.elapsedMs) &&
    isFiniteNumber(v.finishedAt)
  );
}
