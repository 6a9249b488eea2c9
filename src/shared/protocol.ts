// The one message contract between the three parts of Transfer Lab:
//   extension host  <->  trainer process   (Node IPC through child_process.fork)
//   extension host  <->  webview panel     (postMessage)
// Every message is a plain JSON object with a `type`. Whatever crosses a process or frame boundary is
// checked by the `parse…` functions below before anyone acts on it: unknown or malformed messages are
// dropped, never trusted.

// ---------- shared value types ----------

import type { TrainingProgress, Word2VecOptions } from '../core/word2vec';

/** The training options that cross from the extension to the trainer (all of them but the vocabulary caps). */
export type TrainingParameters = Omit<Word2VecOptions, 'maxVocabSize' | 'maxFinalVocab'>;

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

/** What the panel needs to know about a finished model. */
export interface ModelSummary {
  name: string;
  modelDir: string;
  vocabularySize: number;
  dim: number;
  /** A few frequent words, offered as examples in the search box. */
  exampleWords: string[];
}

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
}

export type HostToTrainer =
  | { type: 'start'; runId: string; job: Word2VecJob }
  | { type: 'cancel'; runId: string };

// ---------- trainer -> extension host ----------

export type TrainerToHost =
  | { type: 'ready'; pid: number }
  | { type: 'log'; runId?: string; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'corpus'; runId: string; report: CorpusReport }
  | { type: 'vocabulary'; runId: string; vocabularySize: number; corpusWords: number }
  | { type: 'progress'; runId: string; progress: TrainingProgress }
  | { type: 'done'; runId: string; model: ModelSummary }
  | { type: 'cancelled'; runId: string }
  | { type: 'error'; runId: string; message: string; detail?: string };

// ---------- webview -> extension host ----------

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'query'; requestId: number; word: string; k: number };

// ---------- extension host -> webview ----------

export interface RunInfo {
  runId: string;
  modelName: string;
  fileCount: number;
  parameters: TrainingParameters;
  startedAt: number;
}

export type HostToPanel =
  | { type: 'runStarted'; run: RunInfo }
  | { type: 'corpus'; report: CorpusReport }
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'runEnded'; status: RunStatus; message: string }
  | { type: 'model'; model: ModelSummary | undefined }
  | { type: 'neighbours'; requestId: number; word: string; results: Neighbour[]; error?: string };

// ---------- validation ----------

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

const MAX_QUERY_LENGTH = 200;
const MAX_K = 1000;

/** Messages from the webview are untrusted input: accept only the exact shapes above. */
export function parsePanelToHost(raw: unknown): PanelToHost | undefined {
  if (!isObject(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'cancel':
      return { type: 'cancel' };
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
    (v.algorithm === 'word2vec' || v.algorithm === 'fasttext') &&
    (v.mode === 'sg' || v.mode === 'cbow')
  );
}

export function parseHostToTrainer(raw: unknown): HostToTrainer | undefined {
  if (!isObject(raw) || !isString(raw.runId)) return undefined;
  if (raw.type === 'cancel') return { type: 'cancel', runId: raw.runId };
  if (raw.type !== 'start' || !isObject(raw.job)) return undefined;
  const job = raw.job;
  if (
    job.kind !== 'word2vec' ||
    !Array.isArray(job.files) ||
    !job.files.every(isString) ||
    !isString(job.corpusRoot) ||
    !isFiniteNumber(job.maxFileBytes) ||
    !isTrainingParameters(job.parameters) ||
    !isString(job.modelDir) ||
    !isString(job.modelName)
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
  switch (raw.type) {
    case 'ready':
      return isFiniteNumber(raw.pid) ? (raw as TrainerToHost) : undefined;
    case 'log':
      return isString(raw.message) && ['info', 'warn', 'error'].includes(raw.level as string) ? (raw as TrainerToHost) : undefined;
    case 'corpus':
      return isString(raw.runId) && isObject(raw.report) && Array.isArray(raw.report.skipped) ? (raw as TrainerToHost) : undefined;
    case 'vocabulary':
      return isString(raw.runId) && isFiniteNumber(raw.vocabularySize) && isFiniteNumber(raw.corpusWords) ? (raw as TrainerToHost) : undefined;
    case 'progress':
      return isString(raw.runId) && isProgress(raw.progress) ? (raw as TrainerToHost) : undefined;
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
  const known = ['runStarted', 'corpus', 'progress', 'runEnded', 'model', 'neighbours'];
  if (!known.includes(raw.type)) return undefined;
  if (raw.type === 'progress' && !isProgress(raw.progress)) return undefined;
  return raw as HostToPanel;
}
