// The two encoder networks as raw tfjs variables and ops. Like the classifiers (classify/
// architectures.ts) they take an already embedded batch: the token table lives outside tfjs
// because the WASM backend cannot differentiate through gather, so each network looks the batch's
// rows up in JavaScript (`inputs`) and hands back the gradient with respect to them
// (`inputGradient`). Attention is built from matMul and softmax, and the LSTM is unrolled, so every
// op used has a WASM gradient.
import type * as tfjs from '@tensorflow/tfjs';
import type { Tfjs } from '../classify/tfBackend';
import { WeightFactory, type NamedWeight } from '../classify/architectures';
import type { EncoderConfig } from './config';
import { dense, gelu, layerNorm, tanh } from './ops';

export interface ForwardOptions {
  /**
   * Training only: dropout is applied, its masks seeded from this number (one seed per mask, counted
   * up from it), so a run is reproducible and each step draws fresh masks.
   */
  dropoutSeed?: number;
  /** Transformer only: also return each layer's attention weights [batch, heads, length, length]. */
  attention?: boolean;
}

export interface NetworkOutput {
  /**
   * Hidden states in blocks of rows. Transformer: one block [batch·length, width], row b·length + t.
   * LSTM: one block per timestep t, [batch, width], row b: slicing a sequence tensor per timestep
   * costs ~5 ms a slice on WASM, so the LSTM never builds one while training.
   */
  blocks: tfjs.Tensor2D[];
  /** Transformer, when asked: per layer [batch, heads, length, length]. */
  attention?: tfjs.Tensor4D[];
}

export interface EncoderNetwork {
  readonly weights: NamedWeight[];
  /** The tensors `forward` takes for ids [batch·length] (batch-major), rows looked up in `table`. */
  inputs(table: Float32Array, ids: Int32Array, batch: number, length: number): tfjs.Tensor[];
  /** mask [batch, length] is 1 for a token, 0 for padding. */
  forward(inputs: tfjs.Tensor[], mask: tfjs.Tensor2D, options?: ForwardOptions): NetworkOutput;
  /** The blocks as one batch-major [batch, length, width] tensor (for inference: it is not cheap to differentiate). */
  hidden(output: NetworkOutput, batch: number, length: number): tfjs.Tensor3D;
  /** The gradients of `inputs`, as one batch-major array [batch·length·width] for the table's rows. */
  inputGradient(grads: tfjs.Tensor[], batch: number, length: number): Float32Array;
  /** Vocabulary logits [rows, vocabSize] of each block (the MLM or next-token head). */
  logits(blocks: tfjs.Tensor2D[]): tfjs.Tensor2D[];
}

/** Seeded Glorot-uniform matrices, zero biases, LayerNorm gains of 1, LSTM forget-gate bias 1. */
export function buildEncoderNetwork(tf: Tfjs, config: EncoderConfig): EncoderNetwork {
  const init = new WeightFactory(tf, config.seed);
  return config.arch === 'transformer' ? transformer(tf, config, init) : lstm(tf, config, init);
}

/** Rows of `table` for `ids`, in the order of `ids`. */
export function lookUpRows(table: Float32Array, width: number, ids: ArrayLike<number>): Float32Array {
  const rows = new Float32Array(ids.length * width);
  for (let i = 0; i < ids.length; i++) rows.set(table.subarray(ids[i] * width, (ids[i] + 1) * width), i * width);
  return rows;
}

/** The head's kernel is transposed (for its gradient, see ops.ts) once for all the LSTM's per-timestep blocks. */
const headLogits = (tf: Tfjs, kernel: tfjs.Tensor, bias: tfjs.Tensor) => (blocks: tfjs.Tensor2D[]) => {
  const kernelT = blocks.length > 1 ? tf.transpose(kernel) : undefined;
  return blocks.map((block) => dense(tf, block, kernel, bias, kernelT));
};

function dropoutFrom(tf: Tfjs, rate: number, seed: number | undefined) {
  let next = seed ?? 0;
  return <T extends tfjs.Tensor>(x: T): T => (seed === undefined || rate === 0 ? x : (tf.dropout(x, rate, undefined, next++) as T));
}

/**
 * Pre-LayerNorm Transformer encoder (as GPT-2 and most small BERTs since): each block adds
 * attention of LN(x) and then a feed-forward layer of LN(x) to the residual stream, and one last
 * LayerNorm gives the hidden states. Pre-LN trains without the long, careful warmup post-LN needs.
 */
function transformer(tf: Tfjs, config: EncoderConfig, init: WeightFactory): EncoderNetwork {
  const { width, heads, ffn, layers, maxLen, vocabSize, dropout } = config;
  const headWidth = width / heads;
  const position = init.glorot('position', [maxLen, width], maxLen, width);
  const layerWeights = Array.from({ length: layers }, (_, l) => {
    const p = `layer${l}`;
    return {
      ln1Gain: init.constant(`${p}/ln1/gain`, [width], 1),
      ln1Bias: init.constant(`${p}/ln1/bias`, [width], 0),
      qkv: init.glorot(`${p}/attention/qkv/kernel`, [width, 3 * width], width, width),
      qkvBias: init.constant(`${p}/attention/qkv/bias`, [3 * width], 0),
      out: init.glorot(`${p}/attention/output/kernel`, [width, width], width, width),
      outBias: init.constant(`${p}/attention/output/bias`, [width], 0),
      ln2Gain: init.constant(`${p}/ln2/gain`, [width], 1),
      ln2Bias: init.constant(`${p}/ln2/bias`, [width], 0),
      ffnIn: init.glorot(`${p}/ffn/in/kernel`, [width, ffn], width, ffn),
      ffnInBias: init.constant(`${p}/ffn/in/bias`, [ffn], 0),
      ffnOut: init.glorot(`${p}/ffn/out/kernel`, [ffn, width], ffn, width),
      ffnOutBias: init.constant(`${p}/ffn/out/bias`, [width], 0),
    };
  });
  const finalGain = init.constant('final_ln/gain', [width], 1);
  const finalBias = init.constant('final_ln/bias', [width], 0);
  const headKernel = init.glorot('head/kernel', [width, vocabSize], width, vocabSize);
  const headBias = init.constant('head/bias', [vocabSize], 0);

  return {
    weights: init.weights,
    inputs: (table, ids, batch, length) => [tf.tensor3d(lookUpRows(table, width, ids), [batch, length, width])],
    forward([x], mask, options = {}) {
      const [batch, length] = x.shape;
      if (length > maxLen) throw new Error(`the input has ${length} tokens but this Transformer has positions for ${maxLen}: cut the ids to maxLen`);
      const drop = dropoutFrom(tf, dropout, options.dropoutSeed);
      const rows = batch * length;
      const positions = length === maxLen ? position : tf.slice(position, [0, 0], [length, width]);
      let h = drop(tf.reshape(tf.add(x, positions), [rows, width])) as tfjs.Tensor2D;
      // Padding keys get -1e9 before the softmax: no weight, and no NaN when a row is all padding.
      const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [batch, 1, 1, length]);
      const attention: tfjs.Tensor4D[] = [];
      for (const b of layerWeights) {
        const normed = layerNorm(tf, h, b.ln1Gain, b.ln1Bias);
        // Heads split with 4-d transposes: a 5-d one (all of q, k, v at once) is 50× slower on WASM.
        const [q, k, v] = tf.split(dense(tf, normed, b.qkv, b.qkvBias), 3, 1).map((part) => tf.transpose(tf.reshape(part, [batch, length, heads, headWidth]), [0, 2, 1, 3]) as tfjs.Tensor4D);
        const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headWidth)), keyBias);
        const weights = tf.softmax(scores) as tfjs.Tensor4D;
        if (options.attention) attention.push(weights);
        const context = tf.reshape(tf.transpose(tf.matMul(drop(weights), v), [0, 2, 1, 3]), [rows, width]) as tfjs.Tensor2D;
        h = tf.add(h, drop(dense(tf, context, b.out, b.outBias))) as tfjs.Tensor2D;
        const normed2 = layerNorm(tf, h, b.ln2Gain, b.ln2Bias);
        const inner = gelu(tf, dense(tf, normed2, b.ffnIn, b.ffnInBias)) as tfjs.Tensor2D;
        h = tf.add(h, drop(dense(tf, inner, b.ffnOut, b.ffnOutBias))) as tfjs.Tensor2D;
      }
      const blocks = [layerNorm(tf, h, finalGain, finalBias)];
      return options.attention ? { blocks, attention } : { blocks };
    },
    hidden: (output, batch, length) => tf.reshape(output.blocks[0], [batch, length, width]),
    inputGradient: ([grad]) => grad.dataSync() as Float32Array,
    logits: headLogits(tf, headKernel, headBias),
  };
}

/**
 * Stacked unidirectional LSTM language model. It reads left to right, so padding at the end of a
 * sequence cannot change the states of the tokens before it and needs no mask.
 */
function lstm(tf: Tfjs, config: EncoderConfig, init: WeightFactory): EncoderNetwork {
  const { width: units, layers, vocabSize, dropout } = config;
  const cells = Array.from({ length: layers }, (_, l) => ({
    input: init.glorot(`lstm${l}/input_kernel`, [units, 4 * units], units, 4 * units),
    recurrent: init.glorot(`lstm${l}/recurrent_kernel`, [units, 4 * units], units, 4 * units),
    bias: init.lstmBias(`lstm${l}/bias`, units),
  }));
  const headKernel = init.glorot('head/kernel', [units, vocabSize], units, vocabSize);
  const headBias = init.constant('head/bias', [vocabSize], 0);

  return {
    weights: init.weights,
    // One tensor per timestep, built directly from the table (time-major).
    inputs(table, ids, batch, length) {
      return Array.from({ length }, (_, t) => {
        const stepIds = Array.from({ length: batch }, (_, b) => ids[b * length + t]);
        return tf.tensor2d(lookUpRows(table, units, stepIds), [batch, units]);
      });
    },
    forward(inputs, _mask, options = {}) {
      const batch = inputs[0].shape[0];
      const drop = dropoutFrom(tf, dropout, options.dropoutSeed);
      let sequence = inputs.map((x) => drop(x as tfjs.Tensor2D));
      for (const cell of cells) {
        const inputT = tf.transpose(cell.input);
        const recurrentT = tf.transpose(cell.recurrent);
        let h: tfjs.Tensor2D = tf.zeros([batch, units]);
        let c: tfjs.Tensor2D = tf.zeros([batch, units]);
        const outputs: tfjs.Tensor2D[] = [];
        for (const x of sequence) {
          const z = tf.add(dense(tf, x, cell.input, cell.bias, inputT), dense(tf, h, cell.recurrent, undefined, recurrentT));
          const [i, f, g, o] = tf.split(z, 4, 1);
          c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tanh(tf, g)));
          h = tf.mul(tf.sigmoid(o), tanh(tf, c)) as tfjs.Tensor2D;
          outputs.push(h);
        }
        sequence = outputs.map((x) => drop(x));
      }
      return { blocks: sequence };
    },
    hidden: (output) => tf.stack(output.blocks, 1) as tfjs.Tensor3D,
    inputGradient(grads, batch, length) {
      const out = new Float32Array(batch * length * units);
      grads.forEach((grad, t) => {
        const values = grad.dataSync();
        for (let b = 0; b < batch; b++) out.set(values.subarray(b * units, (b + 1) * units), (b * length + t) * units);
      });
      return out;
    },
    logits: headLogits(tf, headKernel, headBias),
  };
}
