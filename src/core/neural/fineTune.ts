// Text classification on top of a pretrained encoder (the stronger form of transfer): the encoder
// reads the text, its hidden states are mean-pooled over the real tokens, and a softmax layer names
// the label. Three ways to train it:
//   frozen - only the softmax layer learns; the encoder's pooled vectors are computed once, so this
//            is as fast as inference (a probe of what pretraining put in the states);
//   top    - the top layer (Transformer block or LSTM layer) learns too;
//   all    - every weight learns, the token table included (BERT-style fine-tuning).
// "From scratch" is the same network with fresh random weights and 'all': the baseline that says
// what pretraining bought. Early stopping on validation accuracy keeps the best epoch.
import type * as tfjs from '@tensorflow/tfjs';
import { SparseAdam, type EpochReport, type LabelledText } from '../classify/trainClassifier';
import { WeightFactory } from '../classify/architectures';
import { Random } from '../random';
import { abortError } from '../corpus';
import type { BpeTokenizer } from './bpe';
import { PAD_ID, type EncoderConfig } from './config';
import { createEncoder, encoderInput, paddingMask, type Encoder } from './encoder';
import type { NetworkOutput } from './network';
import { VariableAdam } from './pretrain';

export type EncoderTraining = 'frozen' | 'top' | 'all' | 'scratch';
export const ENCODER_TRAININGS: readonly EncoderTraining[] = ['frozen', 'top', 'all', 'scratch'];

export interface EncoderClassifierOptions {
  encoder: Encoder;
  tokenizer: BpeTokenizer;
  train: readonly LabelledText[];
  validation: readonly LabelledText[];
  labels: readonly string[];
  training: EncoderTraining;
  /** Default 10; early stopping usually ends sooner. */
  epochs?: number;
  /** Default 3 epochs without a better validation accuracy. */
  patience?: number;
  batchSize?: number;
  /** The softmax layer's: default 1e-2 frozen, else 1e-3; the encoder's weights move at encoderLearningRate. */
  learningRate?: number;
  /** Default 2e-3 for the top layer alone, 5e-4 for all weights, the head's rate from scratch. */
  encoderLearningRate?: number;
  /** Tokens per text, at most the encoder's maxLen. Default 64. */
  maxTokens?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?(report: EpochReport): void;
}

export interface EncoderClassifier {
  labels: readonly string[];
  training: EncoderTraining;
  epochs: EpochReport[];
  bestEpoch: number;
  /**
   * The encoder it reads with: the one given (trained further by 'top' and 'all'), or for 'scratch'
   * a fresh one of the same architecture, which dispose() frees. Its weights are the ones to save.
   */
  encoder: Encoder;
  /** Tokens read per text (longer texts are cut): the same at prediction as in training. */
  maxTokens: number;
  /** Texts per forward pass: a batch is padded to its longest text, so this too is kept for predicting. */
  batchSize: number;
  /** 'frozen' only: the standardisation of the pooled features, fitted on the training set. */
  standardiser?: FeatureStandardiser;
  /** Copies of the softmax layer's weights: kernel width × labels (row-major), bias one per label. */
  headWeights(): { kernel: Float32Array; bias: Float32Array };
  /** Label probabilities per text, in the order of `labels`. */
  predict(texts: readonly string[]): Float32Array[];
  dispose(): void;
}

/**
 * Per-dimension mean and 1/spread of the pooled features, in float64 as computed: a saved classifier
 * keeps them so (in float32 its predictions would no longer be the same bit for bit).
 */
export interface FeatureStandardiser {
  mean: Float64Array;
  scale: Float64Array;
}

/** What predicting needs: the encoder, its tokenizer, the softmax layer and the settings training used. */
export interface EncoderClassifierParts {
  encoder: Encoder;
  tokenizer: BpeTokenizer;
  /** [width, labels] */
  kernel: tfjs.Tensor;
  /** [labels] */
  bias: tfjs.Tensor;
  standardiser?: FeatureStandardiser;
  maxTokens: number;
  batchSize: number;
}

/**
 * Label probabilities per text. The one computation behind a classifier after training and after
 * loading (encoderClassifierFolder.ts), so a saved classifier predicts exactly as it did in memory.
 */
export function encoderClassifierPredictor(parts: EncoderClassifierParts): (texts: readonly string[]) => Float32Array[] {
  return (texts) => probabilitiesOfIds(parts, texts.map((text) => tokenIds(parts.encoder.config, parts.tokenizer, text, parts.maxTokens)));
}

/** Trains a classifier; with 'top' and 'all' the given encoder's weights change: load it again for another run. */
export async function trainEncoderClassifier(options: EncoderClassifierOptions): Promise<EncoderClassifier> {
  const { tokenizer, labels, training } = options;
  if (!ENCODER_TRAININGS.includes(training)) throw new Error(`training is one of ${ENCODER_TRAININGS.join(', ')}; got "${training}"`);
  if (labels.length < 2) throw new Error(`a classifier needs at least two labels; the data has ${labels.length}`);
  // From scratch: the same architecture, new random weights.
  const encoder = training === 'scratch' ? createEncoder(options.encoder.tf, { ...options.encoder.config, seed: (options.seed ?? 1) + 1000 }) : options.encoder;
  const { tf, config, network } = encoder;
  const epochs = options.epochs ?? 10;
  const patience = options.patience ?? 3;
  const batchSize = options.batchSize ?? 32;
  // A linear layer on fixed, standardised features takes large steps well; under a moving encoder the
  // head keeps pace with it. Measured on SMS spam (test/unit/encoderFineTune.test.ts).
  const headRate = options.learningRate ?? (training === 'frozen' ? 1e-2 : 1e-3);
  const encoderRate = options.encoderLearningRate ?? { frozen: 0, top: 2e-3, all: 5e-4, scratch: headRate }[training];
  const maxTokens = Math.min(options.maxTokens ?? 64, config.maxLen);
  const random = new Random(options.seed ?? 1);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));

  const encode = (texts: readonly LabelledText[]) => texts.map((t) => tokenIds(config, tokenizer, t.text, maxTokens));
  const trainIds = encode(options.train);
  const validationIds = encode(options.validation);
  const trainY = options.train.map((t) => labelIndex.get(t.label) ?? -1);
  const validationY = options.validation.map((t) => labelIndex.get(t.label) ?? -1);
  if (trainY.includes(-1) || validationY.includes(-1)) throw new Error('an example has a label outside `labels`');

  const init = new WeightFactory(tf, options.seed ?? 1);
  const head = { kernel: init.glorot('classifier/kernel', [config.width, labels.length], config.width, labels.length), bias: init.constant('classifier/bias', [labels.length], 0) };
  const trainable = trainableWeights(encoder, training);
  const headAdam = new VariableAdam(tf, [head.kernel, head.bias]);
  const encoderAdam = trainable.length ? new VariableAdam(tf, trainable) : undefined;
  const rows = training === 'all' || training === 'scratch' ? new SparseAdam(config.vocabSize, config.width, encoderRate) : undefined;

  // Frozen: the pooled vectors never change, so they are computed once, and standardised with the
  // training set's mean and spread: a briefly pretrained encoder's states can vary little from text
  // to text, and a softmax layer on raw features would then barely move.
  const standard = training === 'frozen' ? standardiser(pooledFeatures(encoder, trainIds, batchSize), config.width) : undefined;
  const frozenFeatures = standard ? { train: standardise(pooledFeatures(encoder, trainIds, batchSize), standard), validation: standardise(pooledFeatures(encoder, validationIds, batchSize), standard) } : undefined;
  const parts: EncoderClassifierParts = { encoder, tokenizer, kernel: head.kernel, bias: head.bias, standardiser: standard, maxTokens, batchSize };


  const reports: EpochReport[] = [];
  let best = { accuracy: -1, epoch: 0, head: [] as Float32Array[], encoder: [] as Float32Array[], table: undefined as Float32Array | undefined };
  const started = performance.now();
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (options.signal?.aborted) throw abortError('Training cancelled');
    const epochStarted = performance.now();
    const order = shuffled(trainIds.length, random);
    let lossSum = 0;
    let correct = 0;
    for (let at = 0; at < order.length; at += batchSize) {
      if (options.signal?.aborted) throw abortError('Training cancelled');
      const which = order.slice(at, at + batchSize);
      const y = which.map((i) => trainY[i]);
      step++;
      const result = tf.tidy(() => {
        const onehot = tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), labels.length);
        if (frozenFeatures) {
          const x = gatherFeatures(tf, frozenFeatures.train, which, config.width);
          const { value, grads } = tf.valueAndGrads((kernel: tfjs.Tensor, bias: tfjs.Tensor) => crossEntropy(tf, tf.add(tf.matMul(x, kernel), bias) as tfjs.Tensor2D, onehot))([head.kernel, head.bias]);
          headAdam.apply(grads, headRate, 1);
          return { loss: value.dataSync()[0], predicted: tf.argMax(tf.add(tf.matMul(x, head.kernel), head.bias), 1).dataSync() as Int32Array };
        }
        const { ids, batch, length } = padded(which.map((i) => trainIds[i]));
        const inputs = network.inputs(encoder.table, ids, batch, length);
        const mask = paddingMask(tf, ids, batch, length);
        const weights = [head.kernel, head.bias, ...trainable];
        const logitsOf = (xs: tfjs.Tensor[], kernel: tfjs.Tensor, bias: tfjs.Tensor) => tf.add(tf.matMul(meanPool(tf, network.forward(xs, mask, { dropoutSeed: step * 7919 }), ids, batch, length), kernel), bias) as tfjs.Tensor2D;
        const f = (...all: tfjs.Tensor[]) => {
          const xs = all.slice(0, inputs.length);
          return crossEntropy(tf, logitsOf(xs, all[inputs.length], all[inputs.length + 1]), onehot);
        };
        const { value, grads } = tf.valueAndGrads(f)([...inputs, ...weights]);
        const weightGrads = grads.slice(inputs.length);
        headAdam.apply(weightGrads.slice(0, 2), headRate, 1);
        encoderAdam?.apply(weightGrads.slice(2), encoderRate, 1);
        if (rows) {
          const gradient = network.inputGradient(grads.slice(0, inputs.length), batch, length);
          rows.learningRate = encoderRate;
          rows.apply(encoder.table, gradient, { ids, lengths: Int32Array.from(which, (i) => trainIds[i].length), maxLen: length }, Array.from({ length: batch }, (_, b) => b), length);
          encoder.table.fill(0, PAD_ID * config.width, (PAD_ID + 1) * config.width);
        }
        const logits = logitsOf(inputs, head.kernel, head.bias);
        return { loss: value.dataSync()[0], predicted: tf.argMax(logits, 1).dataSync() as Int32Array };
      });
      lossSum += result.loss * which.length;
      result.predicted.forEach((p, b) => (correct += p === y[b] ? 1 : 0));
    }
    const trainSeconds = (performance.now() - epochStarted) / 1000;
    const validation = evaluate(validationIds, validationY, frozenFeatures?.validation);
    const report: EpochReport = {
      epoch,
      trainLoss: lossSum / trainIds.length,
      trainAccuracy: correct / trainIds.length,
      validationLoss: validation.loss,
      validationAccuracy: validation.accuracy,
      elapsedMs: performance.now() - started,
      examplesPerSecond: trainIds.length / Math.max(1e-9, trainSeconds),
    };
    reports.push(report);
    options.onEpoch?.(report);
    if (validation.accuracy > best.accuracy) {
      best = {
        accuracy: validation.accuracy,
        epoch,
        head: [head.kernel, head.bias].map((w) => Float32Array.from(w.dataSync() as Float32Array)),
        encoder: trainable.map((w) => Float32Array.from(w.dataSync() as Float32Array)),
        table: rows ? Float32Array.from(encoder.table) : undefined,
      };
    } else if (epoch - best.epoch >= patience) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The best epoch's weights back in place.
  tf.tidy(() => {
    [head.kernel, head.bias].forEach((w, i) => w.assign(tf.tensor(best.head[i], w.shape)));
    trainable.forEach((w, i) => w.assign(tf.tensor(best.encoder[i], w.shape)));
  });
  if (best.table) encoder.table.set(best.table);
  headAdam.dispose();
  encoderAdam?.dispose();

  function evaluate(ids: number[][], y: number[], features?: Float32Array): { loss: number; accuracy: number } {
    const probabilities = features ? probabilitiesOfFeatures(features, ids.length) : probabilitiesOfIds(parts, ids);
    let loss = 0;
    let correct = 0;
    probabilities.forEach((p, i) => {
      loss -= Math.log(Math.max(1e-12, p[y[i]]));
      let argmax = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[argmax]) argmax = c;
      if (argmax === y[i]) correct++;
    });
    return { loss: loss / Math.max(1, ids.length), accuracy: correct / Math.max(1, ids.length) };
  }

  function probabilitiesOfFeatures(features: Float32Array, count: number): Float32Array[] {
    return tf.tidy(() => {
      const x = tf.tensor2d(features, [count, config.width]);
      const p = tf.softmax(tf.add(tf.matMul(x, head.kernel), head.bias)).dataSync() as Float32Array;
      return Array.from({ length: count }, (_, i) => p.slice(i * labels.length, (i + 1) * labels.length));
    });
  }

  return {
    labels,
    training,
    epochs: reports,
    bestEpoch: best.epoch,
    encoder,
    maxTokens,
    batchSize,
    standardiser: standard,
    headWeights: () => ({ kernel: Float32Array.from(head.kernel.dataSync() as Float32Array), bias: Float32Array.from(head.bias.dataSync() as Float32Array) }),
    predict: encoderClassifierPredictor(parts),
    dispose: () => {
      head.kernel.dispose();
      head.bias.dispose();
      if (training === 'scratch') encoder.dispose();
    },
  };
}

/** The weights 'top' and 'all' train (the pretraining head never: it predicts words, not labels). */
function trainableWeights(encoder: Encoder, training: EncoderTraining): tfjs.Variable[] {
  const weights = encoder.network.weights.filter((w) => !w.name.startsWith('head/'));
  if (training === 'frozen') return [];
  if (training === 'all' || training === 'scratch') return weights.map((w) => w.variable);
  const top = encoder.config.layers - 1;
  const prefix = encoder.config.arch === 'transformer' ? `layer${top}/` : `lstm${top}/`;
  return weights.filter((w) => w.name.startsWith(prefix) || w.name.startsWith('final')).map((w) => w.variable);
}

/** Mean of the hidden states over each text's real tokens: [batch, width]. */
function meanPool(tf: typeof import('@tensorflow/tfjs'), output: NetworkOutput, ids: Int32Array, batch: number, length: number): tfjs.Tensor2D {
  const counts = new Float32Array(batch);
  for (let b = 0; b < batch; b++) for (let t = 0; t < length; t++) if (ids[b * length + t] !== PAD_ID) counts[b]++;
  if (output.blocks.length === 1) {
    // Transformer: one [batch·length, width] block. A [batch, batch·length] averaging matrix pools it
    // with one matrix product (which has a gradient on WASM, unlike gather or segment sums).
    const pool = new Float32Array(batch * batch * length);
    for (let b = 0; b < batch; b++) for (let t = 0; t < length; t++) if (ids[b * length + t] !== PAD_ID) pool[b * batch * length + b * length + t] = 1 / counts[b];
    return tf.matMul(tf.tensor2d(pool, [batch, batch * length]), output.blocks[0]);
  }
  // LSTM: one [batch, width] block per timestep; each is weighted by its column of the mask.
  const parts = output.blocks.map((block, t) => {
    const weight = new Float32Array(batch);
    for (let b = 0; b < batch; b++) weight[b] = ids[b * length + t] !== PAD_ID ? 1 / counts[b] : 0;
    return tf.mul(block, tf.tensor2d(weight, [batch, 1]));
  });
  return tf.addN(parts) as tfjs.Tensor2D;
}

/** Per-dimension mean and 1/spread of `features` (rows of `width`). */
function standardiser(features: Float32Array, width: number): FeatureStandardiser {
  const n = features.length / width;
  const mean = new Float64Array(width);
  const variance = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let d = 0; d < width; d++) mean[d] += features[i * width + d] / n;
  for (let i = 0; i < n; i++) for (let d = 0; d < width; d++) variance[d] += (features[i * width + d] - mean[d]) ** 2 / n;
  const scale = Float64Array.from(variance, (v) => 1 / Math.sqrt(v + 1e-12));
  return { mean, scale };
}

/** Rows of features standardised with `standard`'s mean and spread. */
function standardise(rows: Float32Array, { mean, scale }: FeatureStandardiser): Float32Array {
  const width = mean.length;
  return Float32Array.from(rows, (x, i) => (x - mean[i % width]) * scale[i % width]);
}

/** A text's encoder input: its tokens, cut to `maxTokens` with the Transformer's [CLS] and [SEP] counted. */
function tokenIds(config: EncoderConfig, tokenizer: BpeTokenizer, text: string, maxTokens: number): number[] {
  return encoderInput(config, tokenizer.encode(text).slice(0, config.arch === 'transformer' ? maxTokens - 2 : maxTokens));
}

/** Label probabilities of texts given as encoder inputs, `batchSize` at a time. */
function probabilitiesOfIds({ encoder, kernel, bias, standardiser: standard, batchSize }: EncoderClassifierParts, ids: number[][]): Float32Array[] {
  const { tf, network, config } = encoder;
  const classes = bias.shape[0];
  const out: Float32Array[] = [];
  for (let at = 0; at < ids.length; at += batchSize) {
    const chunk = ids.slice(at, at + batchSize);
    tf.tidy(() => {
      const { ids: flat, batch, length } = padded(chunk);
      const raw = meanPool(tf, network.forward(network.inputs(encoder.table, flat, batch, length), paddingMask(tf, flat, batch, length)), flat, batch, length);
      const pooled = standard ? tf.tensor2d(standardise(raw.dataSync() as Float32Array, standard), [batch, config.width]) : raw;
      const p = tf.softmax(tf.add(tf.matMul(pooled, kernel), bias)).dataSync() as Float32Array;
      for (let b = 0; b < batch; b++) out.push(p.slice(b * classes, (b + 1) * classes));
    });
  }
  return out;
}

function pooledFeatures(encoder: Encoder, ids: number[][], batchSize: number): Float32Array {
  const { tf, network, config } = encoder;
  const out = new Float32Array(ids.length * config.width);
  for (let at = 0; at < ids.length; at += batchSize) {
    tf.tidy(() => {
      const { ids: flat, batch, length } = padded(ids.slice(at, at + batchSize));
      const pooled = meanPool(tf, network.forward(network.inputs(encoder.table, flat, batch, length), paddingMask(tf, flat, batch, length)), flat, batch, length);
      out.set(pooled.dataSync() as Float32Array, at * config.width);
    });
  }
  return out;
}

function gatherFeatures(tf: typeof import('@tensorflow/tfjs'), features: Float32Array, which: number[], width: number): tfjs.Tensor2D {
  const x = new Float32Array(which.length * width);
  which.forEach((i, b) => x.set(features.subarray(i * width, (i + 1) * width), b * width));
  return tf.tensor2d(x, [which.length, width]);
}

/** Ids of several texts padded to the longest: [batch·length], batch-major. */
function padded(sequences: number[][]): { ids: Int32Array; batch: number; length: number } {
  const length = Math.max(1, ...sequences.map((s) => s.length));
  const ids = new Int32Array(sequences.length * length).fill(PAD_ID);
  sequences.forEach((s, b) => ids.set(s, b * length));
  return { ids, batch: sequences.length, length };
}

function crossEntropy(tf: typeof import('@tensorflow/tfjs'), logits: tfjs.Tensor2D, onehot: tfjs.Tensor): tfjs.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tfjs.Scalar;
}

function shuffled(n: number, random: Random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.float() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

