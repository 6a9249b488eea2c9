// The three classifier networks, written as raw tfjs variables and ops. Each takes an already
// embedded batch [batch, length, dim] (the lookup is done in JavaScript, see trainClassifier.ts) and
// a padding mask [batch, length] (1 = a word, 0 = padding), and returns logits [batch, classes].
// Only ops whose gradients the WASM backend has are used: it lacks Conv2DBackpropFilter, so the CNN's
// convolutions are written as a matrix product over windows built from slices.
import type * as tfjs from '@tensorflow/tfjs';
import type { Tfjs } from './tfBackend';
import { Random } from '../random';

export type Architecture = 'bag' | 'cnn' | 'bilstm';
export const ARCHITECTURES: readonly Architecture[] = ['bag', 'cnn', 'bilstm'];

export interface ArchitectureOptions {
  arch: Architecture;
  dim: number;
  classes: number;
  /** bag: width of one hidden ReLU layer; 0 = linear on the mean (fastText). Default 0. */
  hidden?: number;
  /** cnn: filter widths (Kim 2014: 3, 4, 5). */
  filterWidths?: number[];
  /** cnn: feature maps per width (Kim 2014: 100). */
  featureMaps?: number;
  /** bilstm: units per direction. Default 64. */
  lstmUnits?: number;
  /** Dropout on the pooled features (cnn and bilstm; Kim 2014: 0.5). */
  dropout?: number;
}

/** Everything that fixes a network's shape, stored with a saved classifier. */
export type NetworkShape = Required<ArchitectureOptions>;

export function networkShape(options: ArchitectureOptions): NetworkShape {
  const shape: NetworkShape = {
    arch: options.arch,
    dim: options.dim,
    classes: options.classes,
    hidden: options.hidden ?? 0,
    filterWidths: options.filterWidths ?? [3, 4, 5],
    featureMaps: options.featureMaps ?? 100,
    lstmUnits: options.lstmUnits ?? 64,
    dropout: options.dropout ?? (options.arch === 'bag' ? 0 : 0.5),
  };
  if (!ARCHITECTURES.includes(shape.arch)) throw new Error(`unknown architecture "${shape.arch}" (one of ${ARCHITECTURES.join(', ')})`);
  for (const [name, value] of Object.entries({ dim: shape.dim, classes: shape.classes, featureMaps: shape.featureMaps, lstmUnits: shape.lstmUnits })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  if (shape.classes < 2) throw new Error(`a classifier needs at least 2 classes, got ${shape.classes}`);
  if (!Number.isInteger(shape.hidden) || shape.hidden < 0) throw new Error(`hidden must be a non-negative integer, got ${shape.hidden}`);
  if (shape.filterWidths.length === 0 || shape.filterWidths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new Error(`filterWidths must be positive integers, got ${shape.filterWidths.join(', ')}`);
  }
  if (!(shape.dropout >= 0 && shape.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${shape.dropout}`);
  return shape;
}

export interface NamedWeight {
  /** Stable name, used by the saved format. */
  name: string;
  variable: tfjs.Variable;
}

export interface ClassifierNetwork {
  readonly shape: NetworkShape;
  readonly weights: NamedWeight[];
  /**
   * Logits for an embedded batch. `dropoutMask` (training only) is the inverted-dropout mask for the
   * pooled features, [batch, pooledWidth], made by the caller from its seeded stream.
   */
  logits(x: tfjs.Tensor3D, mask: tfjs.Tensor2D, dropoutMask?: tfjs.Tensor2D): tfjs.Tensor2D;
  /** Width of the features dropout is applied to (0: no dropout). */
  readonly pooledWidth: number;
  /** The shortest batch length the network accepts (the CNN's widest filter). */
  readonly minLength: number;
}

/** Builds a network with seeded Glorot-uniform weights, zero biases (LSTM forget gate bias 1). */
export function buildNetwork(tf: Tfjs, options: ArchitectureOptions, seed: number): ClassifierNetwork {
  const shape = networkShape(options);
  const init = new WeightFactory(tf, seed);
  switch (shape.arch) {
    case 'bag':
      return bagOfEmbeddings(tf, shape, init);
    case 'cnn':
      return kimCnn(tf, shape, init);
    case 'bilstm':
      return attentiveBiLstm(tf, shape, init);
  }
}

export class WeightFactory {
  readonly weights: NamedWeight[] = [];
  private readonly random: Random;
  constructor(private readonly tf: Tfjs, seed: number) {
    this.random = new Random(seed);
  }

  glorot(name: string, shape: number[], fanIn: number, fanOut: number): tfjs.Variable {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (this.random.float() * 2 - 1) * limit;
    return this.add(name, this.tf.tensor(values, shape));
  }

  constant(name: string, shape: number[], value: number): tfjs.Variable {
    return this.add(name, this.tf.fill(shape, value));
  }

  /** Gate order i, f, g, o; a forget-gate bias of 1 lets gradients through early in training. */
  lstmBias(name: string, units: number): tfjs.Variable {
    const values = new Float32Array(4 * units);
    values.fill(1, units, 2 * units);
    return this.add(name, this.tf.tensor1d(values));
  }

  private add(name: string, initial: tfjs.Tensor): tfjs.Variable {
    const variable = this.tf.variable(initial, true);
    initial.dispose();
    this.weights.push({ name, variable });
    return variable;
  }
}

/** Mean of the word vectors (padding excluded), then linear or one ReLU layer: fastText's model. */
function bagOfEmbeddings(tf: Tfjs, shape: NetworkShape, init: WeightFactory): ClassifierNetwork {
  const { dim, classes, hidden } = shape;
  const hiddenW = hidden > 0 ? init.glorot('hidden/kernel', [dim, hidden], dim, hidden) : undefined;
  const hiddenB = hidden > 0 ? init.constant('hidden/bias', [hidden], 0) : undefined;
  const inWidth = hidden > 0 ? hidden : dim;
  const outW = init.glorot('output/kernel', [inWidth, classes], inWidth, classes);
  const outB = init.constant('output/bias', [classes], 0);
  return {
    shape,
    weights: init.weights,
    pooledWidth: 0,
    minLength: 1,
    logits(x, mask) {
      const counts = tf.maximum(tf.sum(mask, 1, true), 1);
      const mean = tf.div(tf.sum(tf.mul(x, tf.expandDims(mask, 2)), 1), counts) as tfjs.Tensor2D;
      const features = hiddenW ? tf.relu(tf.add(tf.matMul(mean, hiddenW), hiddenB!)) : mean;
      return tf.add(tf.matMul(features, outW), outB) as tfjs.Tensor2D;
    },
  };
}

/**
 * Kim (2014): for each filter width w, feature maps over every window of w words, ReLU, max over
 * time; the maxima concatenated, dropout, dense softmax. A window's features are one matrix product
 * of the window's w word vectors laid side by side (the same numbers conv1d computes).
 */
function kimCnn(tf: Tfjs, shape: NetworkShape, init: WeightFactory): ClassifierNetwork {
  const { dim, classes, filterWidths, featureMaps } = shape;
  const filters = filterWidths.map((w) => ({
    width: w,
    kernel: init.glorot(`conv${w}/kernel`, [w * dim, featureMaps], w * dim, featureMaps),
    bias: init.constant(`conv${w}/bias`, [featureMaps], 0),
  }));
  const pooledWidth = filterWidths.length * featureMaps;
  const outW = init.glorot('output/kernel', [pooledWidth, classes], pooledWidth, classes);
  const outB = init.constant('output/bias', [classes], 0);
  return {
    shape,
    weights: init.weights,
    pooledWidth,
    minLength: Math.max(...filterWidths),
    logits(x, _mask, dropoutMask) {
      const [batch, length] = x.shape;
      const pooled = filters.map(({ width, kernel, bias }) => {
        const windows = length - width + 1;
        const parts = [];
        for (let i = 0; i < width; i++) parts.push(tf.slice(x, [0, i, 0], [batch, windows, dim]));
        const stacked = width === 1 ? parts[0] : tf.concat(parts, 2);
        const maps = tf.relu(tf.add(tf.matMul(tf.reshape(stacked, [batch * windows, width * dim]), kernel), bias));
        return tf.max(tf.reshape(maps, [batch, windows, featureMaps]), 1);
      });
      let features = tf.concat(pooled, 1);
      if (dropoutMask) features = tf.mul(features, dropoutMask);
      return tf.add(tf.matMul(features, outW), outB) as tfjs.Tensor2D;
    },
  };
}

/**
 * A bidirectional LSTM whose states are pooled by attention: a learned query vector scores each
 * timestep, a softmax over the words (padding masked out) weighs the states. Padding steps leave
 * the state unchanged, so the backward direction starts at each text's last word.
 */
function attentiveBiLstm(tf: Tfjs, shape: NetworkShape, init: WeightFactory): ClassifierNetwork {
  const { dim, classes, lstmUnits: units } = shape;
  const direction = (name: string) => ({
    input: init.glorot(`${name}/input_kernel`, [dim, 4 * units], dim, 4 * units),
    recurrent: init.glorot(`${name}/recurrent_kernel`, [units, 4 * units], units, 4 * units),
    bias: init.lstmBias(`${name}/bias`, units),
  });
  const forward = direction('forward');
  const backward = direction('backward');
  const query = init.glorot('attention/query', [2 * units, 1], 2 * units, 1);
  const outW = init.glorot('output/kernel', [2 * units, classes], 2 * units, classes);
  const outB = init.constant('output/bias', [classes], 0);

  const run = (weights: typeof forward, x: tfjs.Tensor3D, stepMasks: tfjs.Tensor2D[], reverse: boolean) => {
    const [batch, length] = x.shape;
    const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [batch * length, dim]), weights.input), weights.bias), [batch, length, 4 * units]);
    const steps = tf.unstack(projected, 1) as tfjs.Tensor2D[];
    let h: tfjs.Tensor2D = tf.zeros([batch, units]);
    let c: tfjs.Tensor2D = tf.zeros([batch, units]);
    const outputs: tfjs.Tensor2D[] = new Array(length);
    for (let k = 0; k < length; k++) {
      const t = reverse ? length - 1 - k : k;
      const z = tf.add(steps[t], tf.matMul(h, weights.recurrent));
      const [i, f, g, o] = tf.split(z, 4, 1);
      const cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const hNew = tf.mul(tf.sigmoid(o), tf.tanh(cNew));
      const m = stepMasks[t];
      c = tf.add(c, tf.mul(m, tf.sub(cNew, c)));
      h = tf.add(h, tf.mul(m, tf.sub(hNew, h)));
      outputs[t] = h;
    }
    return tf.stack(outputs, 1) as tfjs.Tensor3D;
  };

  return {
    shape,
    weights: init.weights,
    pooledWidth: 2 * units,
    minLength: 1,
    logits(x, mask, dropoutMask) {
      const [batch, length] = x.shape;
      const stepMasks = (tf.unstack(tf.expandDims(mask, 2), 1) as tfjs.Tensor2D[]);
      const states = tf.concat([run(forward, x, stepMasks, false), run(backward, x, stepMasks, true)], 2);
      const scores = tf.reshape(tf.matMul(tf.reshape(states, [batch * length, 2 * units]), query), [batch, length]);
      // Padding gets a score of -1e9: no weight after the softmax, and no NaN when a row is all padding.
      const weights = tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), -1e9)));
      let features = tf.sum(tf.mul(states, tf.expandDims(weights, 2)), 1) as tfjs.Tensor2D;
      if (dropoutMask) features = tf.mul(features, dropoutMask);
      return tf.add(tf.matMul(features, outW), outB) as tfjs.Tensor2D;
    },
  };
}
