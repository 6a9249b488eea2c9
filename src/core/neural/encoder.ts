// A pretrained encoder ready for use: its token table, its network, and what training recorded.
// `encode` gives the hidden state of every token (and the Transformer's attention maps),
// `sentenceVector` the mean of a text's token states.
import type * as tfjs from '@tensorflow/tfjs';
import type { Tfjs } from '../classify/tfBackend';
import { Random } from '../random';
import { CLS_ID, PAD_ID, SEP_ID, type EncoderConfig } from './config';
import { buildEncoderNetwork, type EncoderNetwork } from './network';

/** One progress window of pretraining: means over the steps since the previous report. */
export interface PretrainProgress {
  step: number;
  /** Mean training loss (nats per predicted token) over the window's steps, summed in float64. */
  loss: number;
  /** exp(loss). */
  perplexity: number;
  /** Tokens fed through the network per second over the window (every window token counts). */
  tokensPerSecond: number;
  /** Since training started. */
  elapsedMs: number;
}

export interface TrainingStats {
  /** TensorFlow.js backend trained on ('wasm', 'cpu', 'tensorflow'). */
  backend: string;
  steps: number;
  tokens: number;
  elapsedMs: number;
  tokensPerSecond: number;
  /** Mean loss of the last progress window. */
  finalLoss: number;
  windows: number;
  batchSize: number;
  learningRate: number;
  /** Why training stopped. */
  stoppedBy: 'steps' | 'minutes';
  progress: PretrainProgress[];
  /** Seconds spent on the skip-gram token vectors the table started from (pretrainOnCorpus), if any. */
  tokenVectorSeconds?: number;
}

export interface EncodeResult {
  /** batch × length × width, row-major; positions past a sequence's end hold padding's states. */
  hidden: Float32Array;
  batch: number;
  /** The longest sequence of the batch; shorter ones were padded with PAD_ID to it. */
  length: number;
  width: number;
  /** Each sequence's own length. */
  lengths: Int32Array;
  /** Transformer, when asked: per layer, batch × heads × length × length (query, then key). */
  attention?: Float32Array[];
}

export interface EncodeOptions {
  attention?: boolean;
}

/** One named float32 array of an encoder, in the order saved. */
export interface EncoderTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export const TOKEN_TABLE_NAME = 'embeddings/tokens';

export class Encoder {
  private disposed = false;
  constructor(
    readonly tf: Tfjs,
    readonly config: EncoderConfig,
    /** vocabSize × width token embeddings; row PAD_ID is never trained. */
    readonly table: Float32Array,
    readonly network: EncoderNetwork,
    public stats?: TrainingStats,
  ) {}

  get width(): number {
    return this.config.width;
  }

  /** Token table first, then the network's weights in build order: the saved layout. */
  tensors(): EncoderTensor[] {
    this.checkAlive();
    return [
      { name: TOKEN_TABLE_NAME, shape: [this.config.vocabSize, this.config.width], values: this.table },
      ...this.network.weights.map(({ name, variable }) => ({ name, shape: variable.shape.slice(), values: variable.dataSync() as Float32Array })),
    ];
  }

  encode(idsBatch: readonly ArrayLike<number>[], options: EncodeOptions = {}): EncodeResult {
    this.checkAlive();
    const { config, tf } = this;
    if (idsBatch.length === 0) throw new Error('encode needs at least one sequence of ids');
    const lengths = Int32Array.from(idsBatch, (ids) => ids.length);
    const length = Math.max(1, ...lengths);
    if (config.arch === 'transformer' && length > config.maxLen) {
      throw new Error(`a sequence has ${length} tokens but this Transformer takes at most ${config.maxLen}: cut it (encoderInput does)`);
    }
    const batch = idsBatch.length;
    const ids = new Int32Array(batch * length);
    idsBatch.forEach((sequence, b) => {
      for (let t = 0; t < sequence.length; t++) {
        const id = sequence[t];
        if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
          throw new Error(`sequence ${b + 1} has token id ${id} at position ${t + 1}, outside this encoder's vocabulary 0…${config.vocabSize - 1}: use the tokenizer it was trained with`);
        }
        ids[b * length + t] = id;
      }
    });
    const result: EncodeResult = { hidden: new Float32Array(0), batch, length, width: config.width, lengths };
    tf.tidy(() => {
      const out = this.network.forward(this.network.inputs(this.table, ids, batch, length), paddingMask(tf, ids, batch, length), {
        attention: options.attention && config.arch === 'transformer',
      });
      result.hidden = this.network.hidden(out, batch, length).dataSync() as Float32Array;
      if (out.attention) result.attention = out.attention.map((a) => a.dataSync() as Float32Array);
    });
    return result;
  }

  /** Mean of the hidden states of the non-padding tokens of `ids` (as given: see encoderInput). */
  sentenceVector(ids: ArrayLike<number>): Float32Array {
    const { hidden, width } = this.encode([ids]);
    const mean = new Float64Array(width);
    let count = 0;
    for (let t = 0; t < ids.length; t++) {
      if (ids[t] === PAD_ID) continue;
      count++;
      for (let d = 0; d < width; d++) mean[d] += hidden[t * width + d];
    }
    if (count === 0) throw new Error('sentenceVector needs at least one token that is not padding');
    return Float32Array.from(mean, (v) => v / count);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { variable } of this.network.weights) variable.dispose();
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('this encoder was disposed');
  }
}

/**
 * The ids an encoder expects for one text's tokens: the Transformer saw [CLS] text [SEP] windows
 * in pretraining, so the text is wrapped and cut to fit maxLen; the LSTM takes the tokens as they are.
 */
export function encoderInput(config: EncoderConfig, tokenIds: ArrayLike<number>): number[] {
  const ids = Array.from(tokenIds);
  if (config.arch === 'lstm') return ids;
  return [CLS_ID, ...ids.slice(0, config.maxLen - 2), SEP_ID];
}

/** A fresh encoder: seeded network weights and a seeded token table (PAD's row zero). */
export function createEncoder(tf: Tfjs, config: EncoderConfig): Encoder {
  const network = buildEncoderNetwork(tf, config);
  const table = new Float32Array(config.vocabSize * config.width);
  // Its own stream, so the table does not shift when the network's weights change shape.
  const random = new Random(config.seed ^ 0x7ab1e);
  // Uniform with standard deviation 0.05: BERT's N(0, 0.02) is for tables scaled by a LayerNorm; a
  // little larger lets the sparse Adam's small steps make a difference sooner.
  const limit = 0.05 * Math.sqrt(3);
  for (let i = config.width; i < table.length; i++) table[i] = (random.float() * 2 - 1) * limit;
  return new Encoder(tf, config, table, network);
}

/** [batch, length]: 1 for a token, 0 for padding. */
export function paddingMask(tf: Tfjs, ids: Int32Array, batch: number, length: number): tfjs.Tensor2D {
  return tf.tensor2d(Float32Array.from(ids, (id) => (id === PAD_ID ? 0 : 1)), [batch, length]);
}
