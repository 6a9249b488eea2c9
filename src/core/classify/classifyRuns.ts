// What users run with the classifiers: train and score on a held-out test set, the transfer-gain
// curve (accuracy against the number of labelled examples, from scratch against pretrained), and
// k-fold cross-validation. Shared by the CLI, the trainer process and the benchmark.
import type { WordVectors } from '../vectors';
import type { LabelledDataset, LabelledExample } from './labelledData';
import { classificationReport, type ClassificationReport } from './metrics';
import { sampleTrainingSubset, stratifiedFolds, stratifiedSplit, type DataSplit } from './splits';
import type { EmbeddingMode } from './textVocabulary';
import { trainClassifier, type EpochReport, type TrainClassifierOptions, type TrainedClassifier } from './trainClassifier';

/** How to build and train a classifier; the data, vectors and callbacks are given separately. */
export type ClassifierRecipe = Omit<TrainClassifierOptions, 'train' | 'validation' | 'labels' | 'vectors' | 'signal' | 'onEpoch' | 'tensorflow'>;

export type RunHooks = Pick<TrainClassifierOptions, 'signal' | 'onEpoch' | 'tensorflow'>;

export interface Misclassified {
  text: string;
  label: string;
  predicted: string;
  /** The predicted label's probability. */
  confidence: number;
  /** "file:line" or a file path, where the example came from. */
  source?: string;
}

export interface TestResult {
  report: ClassificationReport;
  /** Wrong predictions, most confident first. */
  misclassified: Misclassified[];
  trainSeconds: number;
  bestEpoch: number;
  history: EpochReport[];
}

/** Default shares of a dataset without given splits. */
export const DEFAULT_VALIDATION = 0.1;
export const DEFAULT_TEST = 0.1;

/**
 * Train, validation and test parts: the dataset's own splits when it has them (validation carved,
 * stratified, from train when only train and test are given), else a stratified 80/10/10 split.
 */
export function splitDataset(dataset: LabelledDataset, seed: number): DataSplit & { given: boolean } {
  const given = dataset.splits;
  if (given?.test && given.test.length > 0) {
    if (given.validation && given.validation.length > 0) return { train: given.train, validation: given.validation, test: given.test, given: true };
    const carved = stratifiedSplit(given.train, { validation: DEFAULT_VALIDATION, test: 0, seed });
    return { train: carved.train, validation: carved.validation, test: given.test, given: true };
  }
  const examples = given ? [...given.train, ...(given.validation ?? [])] : dataset.examples;
  return { ...stratifiedSplit(examples, { validation: DEFAULT_VALIDATION, test: DEFAULT_TEST, seed }), given: false };
}

/** Scores a trained classifier on `test`. */
export function testClassifier(classifier: TrainedClassifier, test: readonly LabelledExample[], labels: readonly string[]): Omit<TestResult, 'trainSeconds' | 'bestEpoch' | 'history'> {
  const predictions = classifier.predict(test.map((e) => e.text));
  const index = new Map(labels.map((label, i) => [label, i]));
  const truth = test.map((e) => index.get(e.label) ?? -1);
  const predicted = predictions.map((p) => index.get(p.label) ?? -1);
  const misclassified: Misclassified[] = [];
  test.forEach((example, i) => {
    if (predicted[i] === truth[i]) return;
    const confidence = predictions[i].probabilities[predicted[i]];
    misclassified.push({ text: example.text, label: example.label, predicted: predictions[i].label, confidence, ...(example.source && { source: example.source }) });
  });
  misclassified.sort((a, b) => b.confidence - a.confidence);
  return { report: classificationReport(truth, predicted, labels), misclassified };
}

/** Trains on split.train (early stopping on split.validation) and scores on split.test. */
export async function trainAndTest(
  split: DataSplit,
  labels: string[],
  recipe: ClassifierRecipe,
  vectors: WordVectors | undefined,
  hooks: RunHooks = {},
): Promise<{ classifier: TrainedClassifier; result: TestResult }> {
  const started = performance.now();
  const classifier = await trainClassifier({ ...recipe, ...hooks, train: split.train, validation: split.validation, labels, vectors });
  const trainSeconds = (performance.now() - started) / 1000;
  const scored = testClassifier(classifier, split.test, labels);
  return { classifier, result: { ...scored, trainSeconds, bestEpoch: classifier.settings.bestEpoch, history: classifier.settings.history } };
}

// ---------- the transfer-gain curve ----------

export const CURVE_SIZES = [50, 100, 200, 500, 1000];
export const CURVE_VARIANTS: readonly EmbeddingMode[] = ['random', 'frozen', 'tuned'];

export interface CurvePoint {
  /** Labelled training examples used. */
  size: number;
  /** random = from scratch; frozen and tuned start from the pretrained vectors. */
  variant: EmbeddingMode;
  accuracy: number;
  macroF1: number;
  trainSeconds: number;
}

/**
 * Accuracy against the number of labelled examples: nested stratified subsets of split.train (each
 * size, then all of it), each trained from scratch and from the pretrained vectors (frozen and tuned),
 * all scored on the same split.test with early stopping on the same split.validation.
 */
export async function transferGainCurve(
  split: DataSplit,
  labels: string[],
  recipe: Omit<ClassifierRecipe, 'embeddings'>,
  vectors: WordVectors,
  options: { sizes?: number[]; variants?: readonly EmbeddingMode[]; seed?: number; onPoint?: (point: CurvePoint) => void; hooks?: Omit<RunHooks, 'onEpoch'>; /** Default true: the whole training set is the last point. */ wholeSet?: boolean } = {},
): Promise<CurvePoint[]> {
  const sizes = curveSizes(options.sizes ?? CURVE_SIZES, split.train.length, labels.length).filter((n) => options.wholeSet !== false || n < split.train.length);
  const points: CurvePoint[] = [];
  for (const size of sizes) {
    const train = size >= split.train.length ? split.train : sampleTrainingSubset(split.train, size, options.seed ?? 1);
    for (const variant of options.variants ?? CURVE_VARIANTS) {
      const scaled = scheduleFor(train.length, { ...recipe, embeddings: variant, seed: options.seed ?? recipe.seed });
      const { classifier, result } = await trainAndTest({ ...split, train }, labels, scaled, vectors, options.hooks);
      classifier.dispose();
      const point = { size: train.length, variant, accuracy: result.report.accuracy, macroF1: result.report.macroF1, trainSeconds: result.trainSeconds };
      points.push(point);
      options.onPoint?.(point);
    }
  }
  return points;
}

/** Optimizer steps a small training set gets at least: 50 examples in batches of 50 would be one step an epoch. */
export const MIN_STEPS = 300;

/**
 * A recipe's schedule for `examples` training examples: smaller batches and more epochs for small
 * sets, so that every point of a learning curve is trained to convergence rather than for a fixed
 * handful of steps; early stopping still ends it when validation stops improving.
 */
export function scheduleFor<R extends Pick<ClassifierRecipe, 'batchSize' | 'epochs' | 'patience'>>(examples: number, recipe: R, minSteps = MIN_STEPS): R {
  const batchSize = Math.min(recipe.batchSize ?? 50, Math.max(8, Math.ceil(examples / 8)));
  const stepsPerEpoch = Math.ceil(examples / batchSize);
  const epochs = Math.max(recipe.epochs ?? 10, Math.ceil(minSteps / stepsPerEpoch));
  const patience = Math.max(recipe.patience ?? 3, Math.ceil(epochs / 4));
  return { ...recipe, batchSize, epochs, patience };
}

/** The sizes below the training set's (at least one example per class), then the whole set. */
export function curveSizes(sizes: readonly number[], available: number, classes: number): number[] {
  const below = [...new Set(sizes)].filter((n) => Number.isInteger(n) && n >= classes && n < available).sort((a, b) => a - b);
  return [...below, available];
}

// ---------- cross-validation ----------

export interface MeanAndSpread {
  mean: number;
  /** Sample standard deviation over the folds (0 with one fold). */
  std: number;
}

export interface CrossValidation {
  folds: number;
  accuracy: MeanAndSpread;
  macroF1: MeanAndSpread;
  perFold: { accuracy: number; macroF1: number; trainSeconds: number }[];
}

/**
 * Stratified k-fold cross-validation: each fold's test part is scored by a classifier trained on the
 * rest, of which a stratified tenth is held out for early stopping.
 */
export async function crossValidate(
  examples: readonly LabelledExample[],
  labels: string[],
  k: number,
  recipe: ClassifierRecipe,
  vectors: WordVectors | undefined,
  options: { seed?: number; onFold?: (fold: number, result: TestResult) => void; hooks?: Omit<RunHooks, 'onEpoch'> } = {},
): Promise<CrossValidation> {
  const seed = options.seed ?? 1;
  const perFold: CrossValidation['perFold'] = [];
  const folds = stratifiedFolds(examples, k, seed);
  for (let f = 0; f < folds.length; f++) {
    const carved = stratifiedSplit(folds[f].train, { validation: DEFAULT_VALIDATION, test: 0, seed: seed + f });
    const { classifier, result } = await trainAndTest({ train: carved.train, validation: carved.validation, test: folds[f].test }, labels, recipe, vectors, options.hooks);
    classifier.dispose();
    perFold.push({ accuracy: result.report.accuracy, macroF1: result.report.macroF1, trainSeconds: result.trainSeconds });
    options.onFold?.(f + 1, result);
  }
  return { folds: folds.length, accuracy: meanAndSpread(perFold.map((p) => p.accuracy)), macroF1: meanAndSpread(perFold.map((p) => p.macroF1)), perFold };
}

export function meanAndSpread(values: readonly number[]): MeanAndSpread {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: 0 };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}
