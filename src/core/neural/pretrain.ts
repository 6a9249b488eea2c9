// Pretrains an encoder on raw text that was already tokenised: a Transformer by masked-language
// modelling (BERT), an LSTM by predicting the next token. The token table is trained as the
// classifiers train theirs (classify/trainClassifier.ts): the batch is embedded in JavaScript, the
// gradient with respect to the embedded batch is taken, and only the rows the batch used move,
// under a lazy per-row Adam. The network's own weights use Adam on tfjs variables.
import type * as tfjs from '@tensorflow/tfjs';
import { loadTensorflow, type LoadedTensorflow, type Tfjs } from '../classify/tfBackend';
import { SparseAdam } from '../classify/trainClassifier';
import { Random, streamSeed } from '../random';
import { checkEncoderConfig, FIRST_ORDINARY_ID, objectiveOf, type EncoderConfig } from './config';
import { createEncoder, Encoder, paddingMask, type PretrainProgress, type TrainingStats } from './encoder';
import { maskTokens, sequenceWindows, type Windows } from './windows';

export interface PretrainCheckpoint {
  /** Called every this many steps (and not after the last: the caller has the result then). */
  everySteps: number;
  /** Training waits for it; the encoder is the live one, so save it (saveEncoder) rather than keep it. */
  save(encoder: Encoder, stats: TrainingStats): Promise<void> | void;
}

export interface PretrainOptions {
  /** Stop after this much training time. At least one of minutes and steps is needed; the first reached ends it. */
  minutes?: number;
  steps?: number;
  /** Windows per step. Default 32. */
  batchSize?: number;
  /** Peak Adam step size, reached after the warmup and then decayed to 0 at the end. Default 1e-3. */
  learningRate?: number;
  /** Steps of linear warmup from 0. Default: 5% of `steps`, or 100 with only a time budget. */
  warmupSteps?: number;
  /** Decay after warmup, by the share of steps (or time) used. Default 'linear'. */
  schedule?: 'linear' | 'cosine';
  /** Gradients are scaled down to this global norm when longer. Default 1. */
  clipNorm?: number;
  /** Transformer: share of ordinary tokens masked. Default 0.15. */
  maskRate?: number;
  /** Steps per progress report (and per loss window). Default 10. */
  progressEvery?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PretrainProgress) => void;
  checkpoint?: PretrainCheckpoint;
  /** Continue training this encoder's weights (it is left as it was); its config must equal `config`. */
  from?: Encoder;
  /**
   * A new encoder's output layer starts predicting each token's frequency in the windows (its bias
   * is set to the log unigram probabilities), so training begins at the unigram loss instead of
   * ln(vocabSize). Default true; ignored with `from`.
   */
  unigramStart?: boolean;
  /** Start from this token table (vocabSize × width, e.g. trainTokenVectors') instead of a random one. */
  tokenTable?: Float32Array;
  /** A TensorFlow.js already loaded (by default loadTensorflow()). */
  tensorflow?: LoadedTensorflow;
}

export class PretrainingCancelledError extends Error {
  constructor() {
    super('encoder pretraining was cancelled');
    this.name = 'AbortError';
  }
}

/**
 * Trains a new encoder of `config` on `source`: token id sequences (one per text, cut into windows by
 * sequenceWindows) or windows already cut. Returns it with its training stats.
 */
export async function pretrainEncoder(source: Iterable<ArrayLike<number>> | Windows, config: EncoderConfig, options: PretrainOptions): Promise<Encoder> {
  checkEncoderConfig(config);
  const settings = checkedSettings(options);
  if (options.signal?.aborted) throw new PretrainingCancelledError();
  const windows = isWindows(source) ? source : sequenceWindows(source, config.arch, config.maxLen, config.vocabSize);
  const expectedLength = config.arch === 'transformer' ? config.maxLen : config.maxLen + 1;
  if (windows.length !== expectedLength) throw new Error(`the windows are ${windows.length} tokens long but this ${config.arch} trains on ${expectedLength}: cut them with sequenceWindows and the same config`);
  const { tf, backend } = options.tensorflow ?? (await loadTensorflow());

  const objective = objectiveOf(config);
  const encoder = createEncoder(tf, config);
  if (options.from) copyWeights(tf, options.from, encoder);
  else if (options.tokenTable) {
    if (options.tokenTable.length !== encoder.table.length) throw new Error(`the token table has ${options.tokenTable.length} numbers but this encoder needs vocabSize × width = ${encoder.table.length}`);
    encoder.table.set(options.tokenTable);
  }
  if (!options.from && options.unigramStart !== false) startAtUnigram(tf, encoder, windows);
  const variables = encoder.network.weights.map((w) => w.variable);
  const adam = new VariableAdam(tf, variables);
  const rows = new SparseAdam(config.vocabSize, config.width, settings.learningRate);
  const batchSize = Math.min(settings.batchSize, windows.count);
  const sequenceLength = config.arch === 'transformer' ? windows.length : windows.length - 1;
  const batches = new BatchOrder(windows.count, batchSize, new Random(streamSeed(config.seed, 2)));
  const maskRandom = new Random(streamSeed(config.seed, 1));
  const dropoutSeed = streamSeed(config.seed, 3);

  const progress: PretrainProgress[] = [];
  const started = performance.now();
  let window = { lossSum: 0, steps: 0, tokens: 0, started };
  let step = 0;
  let tokens = 0;
  let stoppedBy: TrainingStats['stoppedBy'] = 'steps';
  const statsNow = (): TrainingStats => {
    const elapsedMs = performance.now() - started;
    return {
      backend,
      steps: step,
      tokens,
      elapsedMs,
      tokensPerSecond: tokens / (elapsedMs / 1000),
      finalLoss: progress.at(-1)?.loss ?? NaN,
      windows: windows.count,
      batchSize,
      learningRate: settings.learningRate,
      stoppedBy,
      progress: progress.slice(),
    };
  };
  const report = () => {
    const now = performance.now();
    const loss = window.lossSum / window.steps;
    const entry = { step, loss, perplexity: Math.exp(loss), tokensPerSecond: window.tokens / ((now - window.started) / 1000), elapsedMs: now - started };
    progress.push(entry);
    window = { lossSum: 0, steps: 0, tokens: 0, started: now };
    options.onProgress?.(entry);
  };

  try {
    for (;;) {
      const elapsed = performance.now() - started;
      if (settings.steps !== undefined && step >= settings.steps) break;
      if (settings.budgetMs !== undefined && elapsed >= settings.budgetMs) {
        stoppedBy = 'minutes';
        break;
      }
      // Lets an abort (a timer, a message) be delivered between steps.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) throw new PretrainingCancelledError();

      const used = Math.max(settings.steps !== undefined ? step / settings.steps : 0, settings.budgetMs !== undefined ? elapsed / settings.budgetMs : 0);
      const rate = scheduledRate(settings, step + 1, used);
      const ids = gatherWindows(windows, batches.next());
      const batch =
        objective === 'masked-lm' ? maskedLmBatch(ids, batchSize, sequenceLength, config.vocabSize, maskRandom, settings.maskRate)
        : objective === 'autoencoder' ? autoencoderBatch(ids, batchSize, sequenceLength, config.vocabSize, maskRandom, settings.maskRate)
        : nextTokenBatch(ids, batchSize, sequenceLength);
      // A step's masks count up from a seed of their own: an LSTM step draws 2 masks per timestep per layer.
      const loss = trainStep(tf, encoder, batch, adam, rows, rate, settings.clipNorm, streamSeed(dropoutSeed, step));
      if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step + 1}: lower the learning rate (it was ${settings.learningRate})`);

      step++;
      tokens += batchSize * sequenceLength;
      window.lossSum += loss;
      window.steps++;
      window.tokens += batchSize * sequenceLength;
      if (window.steps >= settings.progressEvery) report();
      const checkpoint = options.checkpoint;
      if (checkpoint && step % checkpoint.everySteps === 0 && step !== settings.steps) {
        // On the encoder too, so that saveEncoder records them with the checkpoint.
        encoder.stats = statsNow();
        await checkpoint.save(encoder, encoder.stats);
      }
    }
    if (window.steps > 0) report();
  } catch (error) {
    encoder.dispose();
    throw error;
  } finally {
    adam.dispose();
  }
  encoder.stats = statsNow();
  return encoder;
}

function isWindows(source: Iterable<ArrayLike<number>> | Windows): source is Windows {
  return (source as Windows).ids instanceof Int32Array && typeof (source as Windows).length === 'number' && typeof (source as Windows).count === 'number';
}

function checkedSettings(options: PretrainOptions) {
  const { minutes, steps } = options;
  if (minutes === undefined && steps === undefined) throw new Error('give steps or minutes (or both): pretraining needs to know when to stop');
  if (minutes !== undefined && !(minutes > 0 && Number.isFinite(minutes))) throw new Error(`minutes must be a positive number, got ${minutes}`);
  const settings = {
    steps,
    budgetMs: minutes === undefined ? undefined : minutes * 60_000,
    batchSize: options.batchSize ?? 32,
    learningRate: options.learningRate ?? 1e-3,
    warmupSteps: options.warmupSteps ?? (steps !== undefined ? Math.max(1, Math.round(0.05 * steps)) : 100),
    schedule: options.schedule ?? 'linear',
    clipNorm: options.clipNorm ?? 1,
    maskRate: options.maskRate ?? 0.15,
    progressEvery: options.progressEvery ?? 10,
  };
  for (const name of ['batchSize', 'progressEvery'] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) throw new Error(`${name} must be a positive integer, got ${settings[name]}`);
  }
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) throw new Error(`steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(settings.warmupSteps) || settings.warmupSteps < 0) throw new Error(`warmupSteps must be a non-negative integer, got ${settings.warmupSteps}`);
  for (const name of ['learningRate', 'clipNorm'] as const) {
    if (!(settings[name] > 0 && Number.isFinite(settings[name]))) throw new Error(`${name} must be a positive number, got ${settings[name]}`);
  }
  if (!(settings.maskRate > 0 && settings.maskRate < 1)) throw new Error(`maskRate must be between 0 and 1, got ${settings.maskRate}`);
  if (settings.schedule !== 'linear' && settings.schedule !== 'cosine') throw new Error(`schedule is 'linear' or 'cosine', got "${settings.schedule}"`);
  const checkpoint = options.checkpoint;
  if (checkpoint && (!Number.isInteger(checkpoint.everySteps) || checkpoint.everySteps < 1)) {
    throw new Error(`checkpoint.everySteps must be a positive integer, got ${checkpoint.everySteps}`);
  }
  return settings;
}

/** Linear warmup to the peak, then linear or cosine decay to 0 over the share of the budget `used`. */
function scheduledRate(settings: ReturnType<typeof checkedSettings>, step: number, used: number): number {
  const warm = settings.warmupSteps === 0 ? 1 : Math.min(1, step / settings.warmupSteps);
  const left = Math.min(1, Math.max(0, used));
  const decay = settings.schedule === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * left)) : 1 - left;
  return settings.learningRate * warm * decay;
}

/**
 * Sets the output layer's bias to the log frequency of each token in the windows (add-one smoothed),
 * so the first prediction is already the unigram distribution: a fresh network otherwise spends its
 * first hundred-odd steps, of the few hundred a CPU gets in minutes, learning just that.
 */
function startAtUnigram(tf: Tfjs, encoder: Encoder, windows: Windows): void {
  const counts = new Float64Array(encoder.config.vocabSize).fill(1);
  for (let i = 0; i < windows.ids.length; i++) counts[windows.ids[i]]++;
  let total = 0;
  for (const c of counts) total += c;
  const bias = encoder.network.weights.find((w) => w.name === 'head/bias');
  if (!bias) throw new Error('the encoder network has no head/bias weight to start at the unigram distribution');
  tf.tidy(() => bias.variable.assign(tf.tensor1d(Float32Array.from(counts, (c) => Math.log(c / total)))));
}

function copyWeights(tf: Tfjs, from: Encoder, to: Encoder): void {
  for (const key of Object.keys(to.config) as (keyof EncoderConfig)[]) {
    if (from.config[key] !== to.config[key]) {
      throw new Error(`cannot continue training: the encoder has ${key} ${from.config[key]} but the config asks for ${to.config[key]}; pass the encoder's own config`);
    }
  }
  to.table.set(from.table);
  const source = from.network.weights;
  tf.tidy(() => to.network.weights.forEach((w, i) => w.variable.assign(source[i].variable)));
}

/** Shuffled window order, reshuffled each epoch; a batch never spans two epochs. */
class BatchOrder {
  private order: Int32Array;
  private at: number;
  constructor(count: number, private readonly size: number, private readonly random: Random) {
    this.order = Int32Array.from({ length: count }, (_, i) => i);
    this.at = count;
  }
  next(): Int32Array {
    if (this.at + this.size > this.order.length) {
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = Math.floor(this.random.float() * (i + 1));
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
      this.at = 0;
    }
    this.at += this.size;
    return this.order.subarray(this.at - this.size, this.at);
  }
}

function gatherWindows(windows: Windows, which: Int32Array): Int32Array {
  const ids = new Int32Array(which.length * windows.length);
  which.forEach((w, b) => ids.set(windows.ids.subarray(w * windows.length, (w + 1) * windows.length), b * windows.length));
  return ids;
}

interface StepBatch {
  /** batch × length ids fed to the network. */
  inputs: Int32Array;
  batch: number;
  length: number;
  /** Flat positions scored (undefined: all of them). */
  positions?: Int32Array;
  targets: Int32Array;
  /**
   * Autoencoder: per window, the share of each token among its ordinary tokens [batch × vocab] (the
   * bag to reconstruct), and the mean-pooling matrix [batch × batch·length] over its positions.
   */
  bags?: { shares: Float32Array; pooling: Float32Array };
}

function maskedLmBatch(ids: Int32Array, batch: number, length: number, vocabSize: number, random: Random, rate: number): StepBatch {
  const masked = maskTokens(ids, vocabSize, random, rate);
  return { inputs: masked.inputs, batch, length, positions: masked.positions, targets: masked.targets };
}

/**
 * The autoencoder reads the window with some tokens masked (so its text vector must carry what
 * context implies, not only what it sees) and reconstructs the bag of all the window's ordinary tokens.
 */
function autoencoderBatch(ids: Int32Array, batch: number, length: number, vocabSize: number, random: Random, rate: number): StepBatch {
  const masked = maskTokens(ids, vocabSize, random, rate);
  const shares = new Float32Array(batch * vocabSize);
  const pooling = new Float32Array(batch * batch * length);
  for (let b = 0; b < batch; b++) {
    let ordinary = 0;
    for (let t = 0; t < length; t++) if (ids[b * length + t] >= FIRST_ORDINARY_ID) ordinary++;
    for (let t = 0; t < length; t++) {
      const id = ids[b * length + t];
      // Windows are full (no padding): every position, [CLS] and [SEP] too, is pooled.
      pooling[b * batch * length + b * length + t] = 1 / length;
      if (id >= FIRST_ORDINARY_ID) shares[b * vocabSize + id] += 1 / ordinary;
    }
  }
  return { inputs: masked.inputs, batch, length, targets: new Int32Array(0), bags: { shares, pooling } };
}

/** LSTM windows are length + 1 long: tokens 0…length-1 are read, 1…length predicted. */
function nextTokenBatch(ids: Int32Array, batch: number, length: number): StepBatch {
  const inputs = new Int32Array(batch * length);
  const targets = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    inputs.set(ids.subarray(b * (length + 1), b * (length + 1) + length), b * length);
    targets.set(ids.subarray(b * (length + 1) + 1, (b + 1) * (length + 1)), b * length);
  }
  return { inputs, batch, length, targets };
}

/** One step: loss, gradients, global-norm clipping, the weights' Adam and the used rows' Adam. */
function trainStep(tf: Tfjs, encoder: Encoder, batch: StepBatch, adam: VariableAdam, rows: SparseAdam, rate: number, clipNorm: number, dropoutSeed: number): number {
  const { config, network, table } = encoder;
  return tf.tidy(() => {
    const inputs = network.inputs(table, batch.inputs, batch.batch, batch.length);
    const mask = paddingMask(tf, batch.inputs, batch.batch, batch.length);
    const variables = network.weights.map((w) => w.variable);
    const targetBlocks = batch.bags ? [tf.tensor2d(batch.bags.shares, [batch.batch, config.vocabSize])] : targetsPerBlock(tf, batch, config.vocabSize);
    // The autoencoder's loss is per window: the cross-entropy of its bag against the prediction.
    const scored = batch.bags ? batch.batch : (batch.positions?.length ?? batch.inputs.length);
    const pooling = batch.bags ? tf.tensor2d(batch.bags.pooling, [batch.batch, batch.batch * batch.length]) : undefined;
    // Masked-LM scores only the chosen positions: a 0/1 selection matrix picks their states with a
    // matrix product, which (unlike gather) has a gradient on WASM, and the vocabulary-wide head then
    // runs on ~15% of the rows.
    const selection = batch.positions ? selectionMatrix(tf, batch.positions, batch.inputs.length) : undefined;
    const lossOf = (xs: tfjs.Tensor[]) => {
      const { blocks } = network.forward(xs, mask, { dropoutSeed });
      const logits = network.logits(pooling ? [tf.matMul(pooling, blocks[0])] : selection ? [tf.matMul(selection, blocks[0])] : blocks);
      const sums = logits.map((l, i) => tf.sum(tf.mul(targetBlocks[i], tf.logSoftmax(l))));
      return tf.div(tf.neg(sums.length === 1 ? sums[0] : tf.addN(sums)), scored) as tfjs.Scalar;
    };
    const { value, grads } = tf.valueAndGrads((...xs: tfjs.Tensor[]) => lossOf(xs.slice(0, inputs.length)))([...inputs, ...variables]);
    const norm = Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]);
    const scale = norm > clipNorm ? clipNorm / norm : 1;
    adam.apply(grads.slice(inputs.length), rate, scale);
    const inputGradient = network.inputGradient(grads.slice(0, inputs.length), batch.batch, batch.length);
    if (scale !== 1) for (let i = 0; i < inputGradient.length; i++) inputGradient[i] *= scale;
    rows.learningRate = rate;
    const encoded = { ids: batch.inputs, lengths: new Int32Array(batch.batch).fill(batch.length), maxLen: batch.length };
    rows.apply(table, inputGradient, encoded, Array.from({ length: batch.batch }, (_, b) => b), batch.length);
    return value.dataSync()[0];
  });
}

/**
 * One-hot targets in the layout of the head's blocks: the masked positions in order (one block),
 * or per timestep [batch, vocab] for the LSTM's blocks.
 */
function targetsPerBlock(tf: Tfjs, batch: StepBatch, vocabSize: number): tfjs.Tensor[] {
  if (batch.positions) return [tf.oneHot(tf.tensor1d(batch.targets, 'int32'), vocabSize)];
  return Array.from({ length: batch.length }, (_, t) =>
    tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch.batch }, (_, b) => batch.targets[b * batch.length + t]), 'int32'), vocabSize),
  );
}

function selectionMatrix(tf: Tfjs, positions: Int32Array, total: number): tfjs.Tensor2D {
  const values = new Float32Array(positions.length * total);
  positions.forEach((p, m) => (values[m * total + p] = 1));
  return tf.tensor2d(values, [positions.length, total]);
}

/**
 * Adam (Kingma & Ba) on tfjs variables with a step size set per step, which tf.train.adam does not
 * offer; `scale` applies gradient clipping without another pass over the gradients.
 */
export class VariableAdam {
  private readonly m: tfjs.Variable[];
  private readonly v: tfjs.Variable[];
  private step = 0;
  constructor(private readonly tf: Tfjs, private readonly variables: tfjs.Variable[], private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly epsilon = 1e-7) {
    const zeros = (w: tfjs.Variable) => {
      const initial = tf.zerosLike(w);
      const moment = tf.variable(initial, false);
      // The variable holds its own reference to the data; the initial tensor would otherwise leak.
      initial.dispose();
      return moment;
    };
    this.m = variables.map(zeros);
    this.v = variables.map(zeros);
  }

  apply(grads: tfjs.Tensor[], rate: number, scale: number): void {
    const { tf, beta1, beta2, epsilon } = this;
    this.step++;
    const corrected = (rate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = scale === 1 ? grads[i] : tf.mul(grads[i], scale);
        this.m[i].assign(tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1)));
        this.v[i].assign(tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2)));
        w.assign(tf.sub(w, tf.mul(tf.div(this.m[i], tf.add(tf.sqrt(this.v[i]), epsilon)), corrected)));
      });
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
