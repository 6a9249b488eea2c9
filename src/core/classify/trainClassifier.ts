// Trains a text classifier (architectures.ts) on labelled texts with TensorFlow.js. The embedding
// lookup happens here, in JavaScript: the WASM backend cannot differentiate through gather, and on
// the cpu backend gather's gradient costs time proportional to the vocabulary. So each batch is
// embedded into a plain array, fed as a tensor, and when the embeddings are tuned the gradient with
// respect to that tensor is folded back into the rows the batch used (lazy, per-row Adam).
import type * as tfjs from '@tensorflow/tfjs';
import { Random } from '../random';
import type { WordVectors } from '../vectors';
import { buildNetwork, networkShape, type Architecture, type ClassifierNetwork, type NetworkShape } from './architectures';
import { loadTensorflow, type LoadedTensorflow, type Tfjs } from './tfBackend';
import { sortedLabels, type LabelledExample } from './labelledData';
import { embeddingTableFrom, PADDING_ID, TextVocabulary, type EmbeddingMode, type EncodedTexts, type NgramOrder } from './textVocabulary';

/** What training needs of labelledData.ts's LabelledExample. */
export type LabelledText = Pick<LabelledExample, 'text' | 'label'>;

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  elapsedMs: number;
  /** Training examples per second of this epoch's training pass (validation excluded). */
  examplesPerSecond: number;
}

export interface TrainClassifierOptions {
  train: readonly LabelledText[];
  validation: readonly LabelledText[];
  /** Class names in output order; by default the training labels in sortedLabels' order. */
  labels?: string[];
  /** Pretrained vectors for 'frozen' and 'tuned'; with 'random' only their dim is used. */
  vectors?: WordVectors;
  /** Where the vectors came from (a path or a model name), kept in the saved classifier. */
  vectorsSource?: string;
  embeddings: EmbeddingMode;
  arch: Architecture;
  /** bag: hidden ReLU layer width (0 = linear). cnn: filterWidths, featureMaps. bilstm: lstmUnits. */
  hidden?: number;
  filterWidths?: number[];
  featureMaps?: number;
  lstmUnits?: number;
  dropout?: number;
  /** Embedding width when there are no vectors. Default 100. */
  dim?: number;
  /** Tokens kept per text. Default 64 (128 with word pairs, which count as tokens). */
  maxLen?: number;
  /**
   * 2 adds a learnt row per word pair (fastText's -wordNgrams 2) to the bag of embeddings. Default 1:
   * on MR it did not help the bag (75.4% against 75.2%, 5-fold) and cost 3× the time. Pairs have no
   * pretrained vectors, so they need tuned or random embeddings; the CNN and BiLSTM see word order
   * themselves.
   */
  ngrams?: NgramOrder;
  minCount?: number;
  epochs?: number;
  batchSize?: number;
  /** Adam's step size for the network. Default 0.02 for bag (a linear model on a mean learns slowly at 0.001), 0.001 otherwise. */
  learningRate?: number;
  /** Step size of the embedding rows when they are trained. Default: learningRate. */
  embeddingLearningRate?: number;
  /** Stop after this many epochs without a better validation accuracy. Default 3. */
  patience?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (report: EpochReport) => void;
  /** A TensorFlow.js already loaded (by default loadTensorflow()). */
  tensorflow?: LoadedTensorflow;
}

/** What a saved classifier records about how it was made. */
export interface ClassifierSettings {
  network: NetworkShape;
  embeddings: EmbeddingMode;
  ngrams: NgramOrder;
  maxLen: number;
  minCount: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  embeddingLearningRate: number;
  patience: number;
  seed: number;
  vectorsSource?: string;
  coverage?: { found: number; total: number };
  bestEpoch: number;
  history: EpochReport[];
}

export interface Prediction {
  label: string;
  probabilities: Float32Array;
}

const PREDICT_BATCH = 256;

export class TrainedClassifier {
  private disposed = false;
  constructor(
    readonly tf: Tfjs,
    readonly network: ClassifierNetwork,
    readonly vocabulary: TextVocabulary,
    /** vocabulary × dim; owned by this classifier. */
    readonly table: Float32Array,
    readonly labels: string[],
    readonly settings: ClassifierSettings,
  ) {}

  get dim(): number {
    return this.network.shape.dim;
  }

  predict(texts: string[]): Prediction[] {
    if (this.disposed) throw new Error('this classifier was disposed');
    const encoded = this.vocabulary.encode(texts, this.settings.maxLen);
    const predictions: Prediction[] = [];
    for (let start = 0; start < texts.length; start += PREDICT_BATCH) {
      const rows = range(start, Math.min(texts.length, start + PREDICT_BATCH));
      const probabilities = this.tf.tidy(() => {
        const batch = embedBatch(this.tf, this.table, this.dim, encoded, rows, this.network.minLength);
        return this.tf.softmax(this.network.logits(batch.x, batch.mask)).dataSync() as Float32Array;
      });
      const classes = this.labels.length;
      for (let i = 0; i < rows.length; i++) {
        const p = probabilities.slice(i * classes, (i + 1) * classes);
        predictions.push({ label: this.labels[argMax(p)], probabilities: p });
      }
    }
    return predictions;
  }

  /** Share of `examples` whose predicted label is right. */
  accuracy(examples: readonly LabelledText[]): number {
    if (examples.length === 0) return NaN;
    const predictions = this.predict(examples.map((e) => e.text));
    let right = 0;
    for (let i = 0; i < examples.length; i++) if (predictions[i].label === examples[i].label) right++;
    return right / examples.length;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { variable } of this.network.weights) variable.dispose();
  }
}

export class TrainingCancelledError extends Error {
  constructor() {
    super('classifier training was cancelled');
    this.name = 'AbortError';
  }
}

export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainedClassifier> {
  const { tf } = options.tensorflow ?? (await loadTensorflow());
  const settings = checkedSettings(options);
  const labels = options.labels ?? sortedLabels(options.train);
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const targetsOf = (examples: readonly LabelledText[], what: string) =>
    Int32Array.from(examples, (e, i) => {
      const target = labelIndex.get(e.label);
      if (target === undefined) throw new Error(`${what} example ${i + 1} has label "${e.label}", which is not one of ${labels.join(', ')}`);
      return target;
    });
  if (options.train.length === 0) throw new Error('no training examples');
  const trainTargets = targetsOf(options.train, 'training');
  const validationTargets = targetsOf(options.validation, 'validation');

  const vectors = options.vectors;
  const vocabulary = TextVocabulary.fromTexts(
    options.train.map((e) => e.text),
    // Words only the validation texts have are worth a row when a pretrained vector gives them meaning.
    {
      minCount: settings.minCount,
      ngrams: settings.ngrams,
      extraTexts: vectors && options.embeddings !== 'random' ? options.validation.map((e) => e.text) : undefined,
      keepExtraWord: (word) => vectors?.has(word) ?? false,
    },
  );
  const { table, dim, coverage } = embeddingTableFrom(vocabulary, vectors, options.embeddings, settings.seed, options.dim ?? vectors?.dim ?? 100);
  const shape = networkShape({ ...options, dim, classes: labels.length });
  const network = buildNetwork(tf, shape, settings.seed);
  const optimizer = tf.train.adam(settings.learningRate);
  const tuned = options.embeddings !== 'frozen';
  const rowUpdater = tuned ? new SparseAdam(vocabulary.size, dim, settings.embeddingLearningRate) : undefined;

  const trainEncoded = vocabulary.encode(options.train.map((e) => e.text), settings.maxLen);
  const validationEncoded = vocabulary.encode(options.validation.map((e) => e.text), settings.maxLen);
  const shuffle = new Random(settings.seed ^ 0x5eed);
  const dropoutRandom = new Random(settings.seed ^ 0xd0);
  const order = range(0, options.train.length);
  const history: EpochReport[] = [];
  let best: { accuracy: number; epoch: number; weights: Float32Array[]; table?: Float32Array } | undefined;
  let sinceBest = 0;

  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const started = performance.now();
      let lossSum = 0;
      let right = 0;
      for (const rows of lengthBucketedBatches(order, trainEncoded.lengths, settings.batchSize, shuffle)) {
        // Lets an abort (a timer, a message) be delivered between batches.
        await new Promise((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) throw new TrainingCancelledError();
        const step = trainStep(tf, network, optimizer, table, dim, trainEncoded, trainTargets, rows, labels.length, dropoutRandom, rowUpdater);
        lossSum += step.loss * rows.length;
        right += step.right;
      }
      const trainMs = performance.now() - started;
      const validation = evaluate(tf, network, table, dim, validationEncoded, validationTargets, labels.length);
      const report: EpochReport = {
        epoch,
        trainLoss: lossSum / order.length,
        trainAccuracy: right / order.length,
        validationLoss: validation.loss,
        validationAccuracy: validation.accuracy,
        elapsedMs: performance.now() - started,
        examplesPerSecond: order.length / (trainMs / 1000),
      };
      history.push(report);
      // Without validation examples the accuracy is NaN and every epoch counts as better: the last is kept.
      const better = !best || validation.accuracy > best.accuracy || Number.isNaN(validation.accuracy);
      if (better) {
        best = { accuracy: validation.accuracy, epoch, weights: network.weights.map((w) => w.variable.dataSync().slice() as Float32Array), table: tuned ? table.slice() : undefined };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      options.onEpoch?.(report);
      if (sinceBest >= settings.patience) break;
    }
  } catch (error) {
    for (const { variable } of network.weights) variable.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }

  tf.tidy(() => network.weights.forEach((w, i) => w.variable.assign(tf.tensor(best!.weights[i], w.variable.shape))));
  if (best!.table) table.set(best!.table);
  return new TrainedClassifier(tf, network, vocabulary, table, labels, {
    ...settings,
    network: shape,
    embeddings: options.embeddings,
    vectorsSource: options.vectorsSource,
    coverage: options.embeddings === 'random' ? undefined : coverage,
    bestEpoch: best!.epoch,
    history,
  });
}

/** The bag's step size for pretrained rows being fine-tuned. */
const TUNED_BAG_EMBEDDING_RATE = 0.002;

function checkedSettings(options: TrainClassifierOptions) {
  const ngrams: NgramOrder = options.ngrams ?? 1;
  if (ngrams !== 1 && ngrams !== 2) throw new Error(`ngrams is 1 (words) or 2 (words and word pairs), got ${ngrams}`);
  if (ngrams === 2 && options.embeddings === 'frozen') {
    throw new Error('word pairs have no pretrained vectors, so frozen embeddings could not learn them: use ngrams 1, or tuned embeddings');
  }
  const learningRate = options.learningRate ?? (options.arch === 'bag' ? 0.02 : 0.001);
  const settings = {
    ngrams,
    maxLen: options.maxLen ?? (ngrams === 2 ? 128 : 64),
    minCount: options.minCount ?? 1,
    epochs: options.epochs ?? 10,
    batchSize: options.batchSize ?? 50,
    learningRate,
    // Pretrained rows under the bag's high step size forget what they knew within an epoch (MR: 75%
    // against 76.5% at 0.002); rows learnt from scratch need the full rate.
    embeddingLearningRate: options.embeddingLearningRate ?? (options.arch === 'bag' && options.embeddings === 'tuned' ? TUNED_BAG_EMBEDDING_RATE : learningRate),
    patience: options.patience ?? 3,
    seed: options.seed ?? 1,
  };
  for (const name of ['maxLen', 'minCount', 'epochs', 'batchSize', 'patience'] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) throw new Error(`${name} must be a positive integer, got ${settings[name]}`);
  }
  for (const name of ['learningRate', 'embeddingLearningRate'] as const) {
    if (!(settings[name] > 0 && Number.isFinite(settings[name]))) throw new Error(`${name} must be a positive number, got ${settings[name]}`);
  }
  if (!Number.isInteger(settings.seed)) throw new Error(`seed must be an integer, got ${settings.seed}`);
  return settings;
}

interface EmbeddedBatch {
  x: tfjs.Tensor3D;
  mask: tfjs.Tensor2D;
  length: number;
}

/**
 * The batch's rows of word vectors, cut to its longest text (at least `minLength`): most texts are
 * far shorter than maxLen, and the BiLSTM's cost is proportional to the length.
 */
function embedBatch(tf: Tfjs, table: Float32Array, dim: number, encoded: EncodedTexts, rows: number[], minLength: number): EmbeddedBatch {
  let length = minLength;
  for (const row of rows) length = Math.max(length, encoded.lengths[row]);
  const x = new Float32Array(rows.length * length * dim);
  const mask = new Float32Array(rows.length * length);
  for (let b = 0; b < rows.length; b++) {
    const n = encoded.lengths[rows[b]];
    const ids = encoded.ids.subarray(rows[b] * encoded.maxLen, rows[b] * encoded.maxLen + n);
    for (let t = 0; t < n; t++) {
      x.set(table.subarray(ids[t] * dim, (ids[t] + 1) * dim), (b * length + t) * dim);
      mask[b * length + t] = 1;
    }
  }
  return { x: tf.tensor3d(x, [rows.length, length, dim]), mask: tf.tensor2d(mask, [rows.length, length]), length };
}

function meanCrossEntropy(tf: Tfjs, logits: tfjs.Tensor2D, targets: tfjs.Tensor2D): tfjs.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tfjs.Scalar;
}

function oneHot(tf: Tfjs, targets: Int32Array, rows: number[], classes: number): tfjs.Tensor2D {
  const values = new Float32Array(rows.length * classes);
  rows.forEach((row, i) => (values[i * classes + targets[row]] = 1));
  return tf.tensor2d(values, [rows.length, classes]);
}

function trainStep(
  tf: Tfjs,
  network: ClassifierNetwork,
  optimizer: tfjs.Optimizer,
  table: Float32Array,
  dim: number,
  encoded: EncodedTexts,
  targets: Int32Array,
  rows: number[],
  classes: number,
  dropoutRandom: Random,
  rowUpdater: SparseAdam | undefined,
): { loss: number; right: number } {
  return tf.tidy(() => {
    const batch = embedBatch(tf, table, dim, encoded, rows, network.minLength);
    const target = oneHot(tf, targets, rows, classes);
    const dropout = dropoutMask(tf, network, rows.length, dropoutRandom);
    const variables = network.weights.map((w) => w.variable);
    let logitsValues: Float32Array | undefined;
    // The embedded batch is an input like the weights: its gradient is what tunes the table.
    const lossOf = (x: tfjs.Tensor) => {
      const logits = network.logits(x as tfjs.Tensor3D, batch.mask, dropout);
      logitsValues = logits.dataSync() as Float32Array;
      return meanCrossEntropy(tf, logits, target);
    };
    const inputs: tfjs.Tensor[] = rowUpdater ? [batch.x, ...variables] : variables;
    const { value, grads } = tf.valueAndGrads((...xs: tfjs.Tensor[]) => lossOf(rowUpdater ? xs[0] : batch.x))(inputs);
    const weightGrads = rowUpdater ? grads.slice(1) : grads;
    optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: weightGrads[i] })));
    if (rowUpdater) rowUpdater.apply(table, grads[0].dataSync() as Float32Array, encoded, rows, batch.length);
    let right = 0;
    for (let i = 0; i < rows.length; i++) if (argMax(logitsValues!.subarray(i * classes, (i + 1) * classes)) === targets[rows[i]]) right++;
    return { loss: value.dataSync()[0], right };
  });
}

/** Inverted dropout: kept features scaled by 1/(1 - rate), so nothing changes at prediction time. */
function dropoutMask(tf: Tfjs, network: ClassifierNetwork, batch: number, random: Random): tfjs.Tensor2D | undefined {
  const rate = network.shape.dropout;
  if (rate === 0 || network.pooledWidth === 0) return undefined;
  const values = new Float32Array(batch * network.pooledWidth);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < values.length; i++) values[i] = random.float() < rate ? 0 : keep;
  return tf.tensor2d(values, [batch, network.pooledWidth]);
}

function evaluate(tf: Tfjs, network: ClassifierNetwork, table: Float32Array, dim: number, encoded: EncodedTexts, targets: Int32Array, classes: number) {
  let lossSum = 0;
  let right = 0;
  for (let start = 0; start < targets.length; start += PREDICT_BATCH) {
    const rows = range(start, Math.min(targets.length, start + PREDICT_BATCH));
    tf.tidy(() => {
      const batch = embedBatch(tf, table, dim, encoded, rows, network.minLength);
      const logits = network.logits(batch.x, batch.mask);
      lossSum += meanCrossEntropy(tf, logits, oneHot(tf, targets, rows, classes)).dataSync()[0] * rows.length;
      const values = logits.dataSync();
      for (let i = 0; i < rows.length; i++) if (argMax(values.subarray(i * classes, (i + 1) * classes)) === targets[rows[i]]) right++;
    });
  }
  return { loss: lossSum / targets.length, accuracy: right / targets.length };
}

/**
 * Adam on the embedding rows a batch used, and only those ("lazy" Adam, as TensorFlow's
 * LazyAdamOptimizer): rows not in the batch keep their moments and do not move. Each row counts its
 * own steps for the bias correction. Padding never receives a gradient (its mask is 0).
 */
export class SparseAdam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly steps: Int32Array;
  private readonly sum: Float64Array;
  private readonly touched: Uint8Array;

  constructor(rows: number, private readonly dim: number, public learningRate: number, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly epsilon = 1e-7) {
    this.m = new Float32Array(rows * dim);
    this.v = new Float32Array(rows * dim);
    this.steps = new Int32Array(rows);
    this.sum = new Float64Array(rows * dim);
    this.touched = new Uint8Array(rows);
  }

  /** `gradient` is d loss / d x for the batch [rows, length, dim]; a word used twice adds both. */
  apply(table: Float32Array, gradient: Float32Array, encoded: EncodedTexts, rows: number[], length: number): void {
    const { dim, sum, touched } = this;
    const used: number[] = [];
    for (let b = 0; b < rows.length; b++) {
      const n = encoded.lengths[rows[b]];
      for (let t = 0; t < n; t++) {
        const id = encoded.ids[rows[b] * encoded.maxLen + t];
        if (id === PADDING_ID) continue;
        if (!touched[id]) {
          touched[id] = 1;
          used.push(id);
        }
        const from = (b * length + t) * dim;
        for (let d = 0; d < dim; d++) sum[id * dim + d] += gradient[from + d];
      }
    }
    const { m, v, beta1, beta2, epsilon } = this;
    for (const id of used) {
      const step = ++this.steps[id];
      const rate = (this.learningRate * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step);
      for (let k = id * dim, end = k + dim; k < end; k++) {
        const g = sum[k];
        m[k] = beta1 * m[k] + (1 - beta1) * g;
        v[k] = beta2 * v[k] + (1 - beta2) * g * g;
        table[k] -= (rate * m[k]) / (Math.sqrt(v[k]) + epsilon);
        sum[k] = 0;
      }
      touched[id] = 0;
    }
  }
}

/** Batches of the texts at one time this many batches are sorted by length together. */
const BUCKET_BATCHES = 20;

/**
 * Shuffled batches whose texts have similar lengths: a batch costs as much as its longest text, so
 * mixing a 5-word sentence with a 60-word one wastes most of the work. The texts are shuffled, cut
 * into groups of BUCKET_BATCHES batches, each group sorted by length and cut into batches, and the
 * batches shuffled again, so each batch is still a random draw of texts of about one length.
 */
function lengthBucketedBatches(order: number[], lengths: Int32Array, batchSize: number, random: Random): number[][] {
  shuffleInPlace(order, random);
  const batches: number[][] = [];
  const group = batchSize * BUCKET_BATCHES;
  for (let start = 0; start < order.length; start += group) {
    const sorted = order.slice(start, start + group).sort((a, b) => lengths[a] - lengths[b]);
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  }
  shuffleInPlace(batches, random);
  return batches;
}

function shuffleInPlace<T>(values: T[], random: Random): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random.float() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
