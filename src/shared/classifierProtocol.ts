// The classifier part of the message contract (see protocol.ts): jobs the extension host gives the
// trainer (train a classifier, draw the transfer-gain curve, classify files or text), what the
// trainer reports back, and what the panel is shown. Validators at the end; protocol.ts routes to them.
import type { Architecture } from '../core/classify/architectures';
import type { CurvePoint, Misclassified } from '../core/classify/classifyRuns';
import type { ClassificationReport } from '../core/classify/metrics';
import type { EmbeddingMode } from '../core/classify/textVocabulary';
import type { EpochReport } from '../core/classify/trainClassifier';
import type { EncoderArch } from '../core/neural/config';
import type { EncoderTraining } from '../core/neural/fineTune';

export type { Architecture, CurvePoint, EmbeddingMode, EncoderArch, EncoderTraining, EpochReport, ClassificationReport, Misclassified };

/** What reads the text: a word-vector classifier's architecture, or a pretrained encoder's (classifier on an encoder). */
export type ClassifierArch = Architecture | EncoderArch;

/** How a labelled dataset is read (labelledData.ts's options); all optional. */
export interface DataReadOptions {
  textColumn?: string | number;
  labelColumn?: string | number;
  textField?: string;
  labelField?: string;
  skipBad?: boolean;
}

/** The training settings a user may set; the rest take the classifier's defaults. */
export interface ClassifierTrainingSettings {
  arch: Architecture;
  embeddings: EmbeddingMode;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  maxLen?: number;
  patience?: number;
  seed: number;
}

/**
 * The settings of a classifier on a pretrained encoder: the encoder is the architecture and
 * `encoderTraining` says what learns, so neither arch nor embeddings; the encoder's own defaults
 * (fineTune.ts) for what is left out. maxTokens: tokens read per text, at most the encoder's maxLen.
 */
export interface EncoderClassifierSettings {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  maxTokens?: number;
  patience?: number;
  seed: number;
}

// ---------- extension host -> trainer ----------

interface ClassifyTrainJobBase {
  kind: 'classify-train';
  dataPath: string;
  data: DataReadOptions;
  /** The classifier folder to create; it must not exist yet. */
  classifierDir: string;
  name: string;
}

/** A classifier on word vectors (or on random embeddings). */
export interface ClassifyTrainOnVectorsJob extends ClassifyTrainJobBase {
  /** The model folder whose vectors the embeddings start from; absent = from scratch. */
  vectorsDir?: string;
  encoderDir?: undefined;
  settings: ClassifierTrainingSettings;
}

/** A classifier on a pretrained encoder (an encoder folder, as Pretrain Encoder on Workspace writes). */
export interface ClassifyTrainOnEncoderJob extends ClassifyTrainJobBase {
  encoderDir: string;
  /** frozen: only the softmax layer learns; top: and the encoder's top layer; all: every weight; scratch: the same network from random weights. */
  encoderTraining: EncoderTraining;
  vectorsDir?: undefined;
  settings: EncoderClassifierSettings;
}

export type ClassifyTrainJob = ClassifyTrainOnVectorsJob | ClassifyTrainOnEncoderJob;

/** What each way of training an encoder does to the representation, in the word-vector classifier's terms (the panel's "Embeddings"). */
export const ENCODER_TRAINING_EMBEDDINGS: Readonly<Record<EncoderTraining, EmbeddingMode>> = { frozen: 'frozen', top: 'tuned', all: 'tuned', scratch: 'random' };

export interface ClassifyCurveJob {
  kind: 'classify-curve';
  dataPath: string;
  data: DataReadOptions;
  vectorsDir: string;
  settings: Omit<ClassifierTrainingSettings, 'embeddings'>;
  sizes?: number[];
}

export interface ClassifyPredictJob {
  kind: 'classify-predict';
  classifierDir: string;
  /** Files to read and classify (each one text), and/or texts given directly (a selection). */
  files: string[];
  texts: { id: string; text: string }[];
}

export type ClassifierJob = ClassifyTrainJob | ClassifyCurveJob | ClassifyPredictJob;

// ---------- trainer -> extension host (and on to the panel) ----------

export interface DatasetSummary {
  path: string;
  examples: number;
  labels: string[];
  /** Examples per label, in `labels` order. */
  counts: number[];
  train: number;
  validation: number;
  test: number;
  /** The data came with its own test split. */
  givenSplit: boolean;
  skipped: { reason: string; count: number }[];
}

export interface ClassifierResult {
  name: string;
  classifierDir: string;
  arch: ClassifierArch;
  /** On an encoder, what its training did to the representation: frozen, tuned (top or all) or random (scratch); `encoderTraining` says exactly. */
  embeddings: EmbeddingMode;
  /** The pretrained model's name, when the embeddings started from one; the encoder's name, on an encoder. */
  vectorsName?: string;
  /** Set for a classifier on a pretrained encoder (then `arch` is the encoder's). */
  encoderTraining?: EncoderTraining;
  /** Share of the task's words the pretrained vectors knew. */
  coverage?: { found: number; total: number };
  backend: string;
  dataset: DatasetSummary;
  report: ClassificationReport;
  /** Wrong test predictions, most confident first (at most MAX_MISCLASSIFIED). */
  misclassified: Misclassified[];
  bestEpoch: number;
  history: EpochReport[];
  trainSeconds: number;
}

export interface CurveResult {
  arch: Architecture;
  vectorsName: string;
  backend: string;
  dataset: DatasetSummary;
  points: CurvePoint[];
}

export interface Prediction {
  /** The file path, or the id given with a text. */
  id: string;
  label: string;
  confidence: number;
  /** Every label's probability, most likely first. */
  ranked: { label: string; probability: number }[];
}

export const MAX_MISCLASSIFIED = 200;

export type ClassifierTrainerMessage =
  | { type: 'classifierDataset'; runId: string; dataset: DatasetSummary; backend: string }
  | { type: 'classifierEpoch'; runId: string; epoch: EpochReport }
  | { type: 'classifierDone'; runId: string; result: ClassifierResult }
  | { type: 'curvePoint'; runId: string; point: CurvePoint }
  | { type: 'curveDone'; runId: string; curve: CurveResult }
  | { type: 'predictions'; runId: string; predictions: Prediction[] };

// ---------- extension host -> panel ----------

export interface ClassifierRunInfo {
  runId: string;
  kind: 'train' | 'curve';
  /** The classifier's name, or "transfer-gain curve". */
  title: string;
  dataPath: string;
  arch: ClassifierArch;
  embeddings?: EmbeddingMode;
  vectorsName?: string;
  /** Set for a classifier on a pretrained encoder. */
  encoderTraining?: EncoderTraining;
}

export type ClassifierPanelMessage =
  | { type: 'classifierRunStarted'; run: ClassifierRunInfo }
  | { type: 'classifierDataset'; dataset: DatasetSummary; backend: string }
  | { type: 'classifierEpoch'; epoch: EpochReport }
  | { type: 'classifierResult'; result: ClassifierResult }
  | { type: 'curvePoint'; point: CurvePoint }
  | { type: 'curveResult'; curve: CurveResult }
  | { type: 'classifierRunEnded'; status: 'done' | 'cancelled' | 'failed'; message: string };

// ---------- panel -> extension host ----------

export type ClassifierPanelRequest =
  /** Open the misclassified example number `index` of the result shown (the host knows its source). */
  | { type: 'openMisclassified'; index: number }
  | { type: 'cancelClassifier' }
  /** The buttons: run Train Classifier… or Transfer-Gain Curve…, which ask for everything. */
  | { type: 'trainClassifier' }
  | { type: 'drawCurve' }
  /** Save the curve's points as CSV (the host asks where). */
  | { type: 'exportCurve' };

// ---------- validation ----------

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => isFiniteNumber(v) && Number.isInteger(v) && v >= 0;
const isRatio = (v: unknown): v is number => isFiniteNumber(v) && v >= 0 && v <= 1;
const MAX_LABELS = 10_000;
const MAX_EPOCHS = 10_000;
const MAX_POINTS = 10_000;
const MAX_PREDICTIONS = 100_000;
const isArch = (v: unknown): v is Architecture => v === 'bag' || v === 'cnn' || v === 'bilstm';
const isClassifierArch = (v: unknown): v is ClassifierArch => isArch(v) || v === 'transformer' || v === 'lstm';
// Spelt out rather than imported (fineTune.ts's ENCODER_TRAININGS): this file must not load TensorFlow.js code into the host or the webview.
const isEncoderTraining = (v: unknown): v is EncoderTraining => v === 'frozen' || v === 'top' || v === 'all' || v === 'scratch';
const isEmbeddingMode = (v: unknown): v is EmbeddingMode => v === 'frozen' || v === 'tuned' || v === 'random';
const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

function isDataReadOptions(v: unknown): v is DataReadOptions {
  if (!isObject(v)) return false;
  const column = (c: unknown) => c === undefined || isString(c) || isCount(c);
  const field = (f: unknown) => f === undefined || isString(f);
  return column(v.textColumn) && column(v.labelColumn) && field(v.textField) && field(v.labelField) && (v.skipBad === undefined || typeof v.skipBad === 'boolean');
}

const positiveInt = (x: unknown) => x === undefined || (isCount(x) && x >= 1);
const isLearningRate = (x: unknown) => x === undefined || (isFiniteNumber(x) && x > 0);

function isSettings(v: unknown, needsEmbeddings: boolean): boolean {
  if (!isObject(v) || !isArch(v.arch) || !isFiniteNumber(v.seed) || !Number.isInteger(v.seed)) return false;
  if (needsEmbeddings && !isEmbeddingMode(v.embeddings)) return false;
  return positiveInt(v.epochs) && positiveInt(v.batchSize) && positiveInt(v.maxLen) && positiveInt(v.patience) && isLearningRate(v.learningRate);
}

/** An encoder's settings name no arch or embeddings: a job giving them meant word vectors and is refused, not half-read. */
function isEncoderSettings(v: unknown): boolean {
  if (!isObject(v) || v.arch !== undefined || v.embeddings !== undefined || v.maxLen !== undefined) return false;
  return isFiniteNumber(v.seed) && Number.isInteger(v.seed) && positiveInt(v.epochs) && positiveInt(v.batchSize) && positiveInt(v.maxTokens) && positiveInt(v.patience) && isLearningRate(v.learningRate);
}

const nonEmpty = (v: unknown): v is string => isString(v) && v !== '';

export function parseClassifierJob(job: Json): ClassifierJob | undefined {
  switch (job.kind) {
    case 'classify-train':
      if (job.encoderDir !== undefined || job.encoderTraining !== undefined) {
        // On an encoder: word vectors are the other kind of pretraining, never both.
        return nonEmpty(job.dataPath) &&
          isDataReadOptions(job.data) &&
          nonEmpty(job.encoderDir) &&
          isEncoderTraining(job.encoderTraining) &&
          job.vectorsDir === undefined &&
          isEncoderSettings(job.settings) &&
          nonEmpty(job.classifierDir) &&
          nonEmpty(job.name)
          ? (job as unknown as ClassifyTrainOnEncoderJob)
          : undefined;
      }
      return nonEmpty(job.dataPath) &&
        isDataReadOptions(job.data) &&
        (job.vectorsDir === undefined || nonEmpty(job.vectorsDir)) &&
        isSettings(job.settings, true) &&
        nonEmpty(job.classifierDir) &&
        nonEmpty(job.name) &&
        (job.vectorsDir !== undefined || (job.settings as Json).embeddings === 'random')
        ? (job as unknown as ClassifyTrainOnVectorsJob)
        : undefined;
    case 'classify-curve':
      return nonEmpty(job.dataPath) &&
        isDataReadOptions(job.data) &&
        nonEmpty(job.vectorsDir) &&
        isSettings(job.settings, false) &&
        (job.sizes === undefined || (Array.isArray(job.sizes) && job.sizes.length <= 100 && job.sizes.every((n) => isCount(n) && n >= 1)))
        ? (job as unknown as ClassifyCurveJob)
        : undefined;
    case 'classify-predict':
      return nonEmpty(job.classifierDir) &&
        Array.isArray(job.files) &&
        job.files.every(nonEmpty) &&
        Array.isArray(job.texts) &&
        job.texts.every((t) => isObject(t) && isString(t.id) && isString(t.text)) &&
        job.files.length + job.texts.length > 0
        ? (job as unknown as ClassifyPredictJob)
        : undefined;
    default:
      return undefined;
  }
}

function isEpochReport(v: unknown): v is EpochReport {
  return (
    isObject(v) &&
    isCount(v.epoch) &&
    ['trainLoss', 'trainAccuracy', 'validationLoss', 'validationAccuracy', 'elapsedMs', 'examplesPerSecond'].every((k) => isNumber(v[k]))
  );
}

function isReport(v: unknown): v is ClassificationReport {
  if (!isObject(v) || !isRatio(v.accuracy) || !isRatio(v.macroF1) || !Array.isArray(v.perClass) || !Array.isArray(v.confusion)) return false;
  const k = v.perClass.length;
  return (
    k <= MAX_LABELS &&
    v.perClass.every((c) => isObject(c) && isString(c.label) && isRatio(c.precision) && isRatio(c.recall) && isRatio(c.f1) && isCount(c.support)) &&
    v.confusion.length === k &&
    v.confusion.every((row) => Array.isArray(row) && row.length === k && row.every(isCount))
  );
}

function isDataset(v: unknown): v is DatasetSummary {
  return (
    isObject(v) &&
    isString(v.path) &&
    isCount(v.examples) &&
    Array.isArray(v.labels) &&
    v.labels.length <= MAX_LABELS &&
    v.labels.every(isString) &&
    Array.isArray(v.counts) &&
    v.counts.length === v.labels.length &&
    v.counts.every(isCount) &&
    [v.train, v.validation, v.test].every(isCount) &&
    typeof v.givenSplit === 'boolean' &&
    Array.isArray(v.skipped) &&
    v.skipped.every((s) => isObject(s) && isString(s.reason) && isCount(s.count))
  );
}

function isCurvePoint(v: unknown): v is CurvePoint {
  return isObject(v) && isCount(v.size) && isEmbeddingMode(v.variant) && isRatio(v.accuracy) && isRatio(v.macroF1) && isFiniteNumber(v.trainSeconds);
}

function isMisclassified(v: unknown): v is Misclassified {
  return isObject(v) && isString(v.text) && isString(v.label) && isString(v.predicted) && isRatio(v.confidence) && (v.source === undefined || isString(v.source));
}

function isResult(v: unknown): v is ClassifierResult {
  return (
    isObject(v) &&
    isString(v.name) &&
    isString(v.classifierDir) &&
    isClassifierArch(v.arch) &&
    isEmbeddingMode(v.embeddings) &&
    (v.vectorsName === undefined || isString(v.vectorsName)) &&
    (v.encoderTraining === undefined || isEncoderTraining(v.encoderTraining)) &&
    (v.coverage === undefined || (isObject(v.coverage) && isCount(v.coverage.found) && isCount(v.coverage.total))) &&
    isString(v.backend) &&
    isDataset(v.dataset) &&
    isReport(v.report) &&
    Array.isArray(v.misclassified) &&
    v.misclassified.length <= MAX_MISCLASSIFIED &&
    v.misclassified.every(isMisclassified) &&
    isCount(v.bestEpoch) &&
    Array.isArray(v.history) &&
    v.history.length <= MAX_EPOCHS &&
    v.history.every(isEpochReport) &&
    isFiniteNumber(v.trainSeconds)
  );
}

function isCurve(v: unknown): v is CurveResult {
  return isObject(v) && isArch(v.arch) && isString(v.vectorsName) && isString(v.backend) && isDataset(v.dataset) && Array.isArray(v.points) && v.points.length <= MAX_POINTS && v.points.every(isCurvePoint);
}

function isPrediction(v: unknown): v is Prediction {
  return (
    isObject(v) &&
    isString(v.id) &&
    isString(v.label) &&
    isRatio(v.confidence) &&
    Array.isArray(v.ranked) &&
    v.ranked.length <= MAX_LABELS &&
    v.ranked.every((r) => isObject(r) && isString(r.label) && isRatio(r.probability))
  );
}

/** Checks a classifier message from the trainer (runId included) or the same for the panel (without). */
function checkBody(raw: Json): boolean {
  switch (raw.type) {
    case 'classifierDataset':
      return isDataset(raw.dataset) && isString(raw.backend);
    case 'classifierEpoch':
      return isEpochReport(raw.epoch);
    case 'classifierDone':
    case 'classifierResult':
      return isResult(raw.result);
    case 'curvePoint':
      return isCurvePoint(raw.point);
    case 'curveDone':
    case 'curveResult':
      return isCurve(raw.curve);
    case 'predictions':
      return Array.isArray(raw.predictions) && raw.predictions.length <= MAX_PREDICTIONS && raw.predictions.every(isPrediction);
    default:
      return false;
  }
}

const TRAINER_TYPES = new Set(['classifierDataset', 'classifierEpoch', 'classifierDone', 'curvePoint', 'curveDone', 'predictions']);
const PANEL_TYPES = new Set(['classifierRunStarted', 'classifierDataset', 'classifierEpoch', 'classifierResult', 'curvePoint', 'curveResult', 'classifierRunEnded']);

export const isClassifierTrainerType = (type: unknown) => TRAINER_TYPES.has(type as string);
export const isClassifierPanelType = (type: unknown) => PANEL_TYPES.has(type as string);

export function parseClassifierTrainerMessage(raw: Json): ClassifierTrainerMessage | undefined {
  return isString(raw.runId) && checkBody(raw) ? (raw as unknown as ClassifierTrainerMessage) : undefined;
}

export function parseClassifierPanelMessage(raw: Json): ClassifierPanelMessage | undefined {
  switch (raw.type) {
    case 'classifierRunStarted': {
      const run = raw.run;
      return isObject(run) &&
        isString(run.runId) &&
        (run.kind === 'train' || run.kind === 'curve') &&
        isString(run.title) &&
        isString(run.dataPath) &&
        isClassifierArch(run.arch) &&
        (run.embeddings === undefined || isEmbeddingMode(run.embeddings)) &&
        (run.vectorsName === undefined || isString(run.vectorsName)) &&
        (run.encoderTraining === undefined || isEncoderTraining(run.encoderTraining))
        ? (raw as unknown as ClassifierPanelMessage)
        : undefined;
    }
    case 'classifierRunEnded':
      return (raw.status === 'done' || raw.status === 'cancelled' || raw.status === 'failed') && isString(raw.message) ? (raw as unknown as ClassifierPanelMessage) : undefined;
    default:
      return checkBody(raw) ? (raw as unknown as ClassifierPanelMessage) : undefined;
  }
}

/** Requests from the webview: untrusted, so only these exact shapes, and an index, never a path. */
export function parseClassifierPanelRequest(raw: Json): ClassifierPanelRequest | undefined {
  switch (raw.type) {
    case 'openMisclassified':
      return isCount(raw.index) && raw.index < MAX_MISCLASSIFIED ? { type: 'openMisclassified', index: raw.index } : undefined;
    case 'cancelClassifier':
    case 'trainClassifier':
    case 'drawCurve':
    case 'exportCurve':
      return { type: raw.type };
    default:
      return undefined;
  }
}
