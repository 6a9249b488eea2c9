// The shape of a small pretrained text encoder, and the token ids every part of it treats specially.
import { SPECIAL_TOKENS } from './bpe';

// The special ids are the BPE tokenizer's: the encoder is trained on its ids, and an encoder fed
// plain id arrays must agree with it on which ids are [PAD], [CLS], [SEP] and [MASK].
export { PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID } from './bpe';
/** Ids below this are special: never masked, never drawn as a random replacement. */
export const FIRST_ORDINARY_ID = SPECIAL_TOKENS.length;

export type EncoderArch = 'transformer' | 'lstm';
export const ENCODER_ARCHS: readonly EncoderArch[] = ['transformer', 'lstm'];

/**
 * What pretraining asks of the encoder: masked-LM (a Transformer predicts hidden tokens, BERT),
 * next-token (an LSTM language model), or autoencoder (a Transformer's mean-pooled text vector
 * reconstructs the bag of the window's tokens, read with some of them masked: a sentence
 * autoencoder whose decoder predicts the words but not their order).
 */
export type EncoderObjective = 'masked-lm' | 'next-token' | 'autoencoder';
export const OBJECTIVES_OF: Readonly<Record<EncoderArch, readonly EncoderObjective[]>> = { transformer: ['masked-lm', 'autoencoder'], lstm: ['next-token'] };

export interface EncoderConfig {
  arch: EncoderArch;
  /** Rows of the token embedding table: the tokenizer's size, specials included. */
  vocabSize: number;
  /** Embedding and hidden width (LSTM units). Laptop sizes: 128–256. */
  width: number;
  /** Transformer blocks or stacked LSTM layers. Laptop sizes: 2–4 (LSTM: 1–2). */
  layers: number;
  /** Transformer only: attention heads; width must divide by it. */
  heads: number;
  /** Transformer only: inner width of the feed-forward layer (usually 4 × width). */
  ffn: number;
  /** Tokens per training window and, for the Transformer, the longest input (position table rows). */
  maxLen: number;
  dropout: number;
  seed: number;
  /** Absent in encoders saved before it existed: the architecture's first (masked-LM, next-token). */
  objective?: EncoderObjective;
}

/** The objective an encoder was (or is to be) pretrained with. */
export function objectiveOf(config: Pick<EncoderConfig, 'arch' | 'objective'>): EncoderObjective {
  return config.objective ?? OBJECTIVES_OF[config.arch][0];
}

/** A complete config from the parts given: Transformer 2×128, 4 heads, ffn 4×width, 64 tokens; LSTM 1×256. */
export function encoderConfig(partial: Partial<EncoderConfig> & Pick<EncoderConfig, 'arch' | 'vocabSize'>): EncoderConfig {
  const width = partial.width ?? (partial.arch === 'lstm' ? 256 : 128);
  const config: EncoderConfig = {
    arch: partial.arch,
    vocabSize: partial.vocabSize,
    width,
    layers: partial.layers ?? (partial.arch === 'lstm' ? 1 : 2),
    heads: partial.heads ?? 4,
    ffn: partial.ffn ?? 4 * width,
    maxLen: partial.maxLen ?? 64,
    dropout: partial.dropout ?? 0.1,
    seed: partial.seed ?? 1,
    objective: partial.objective ?? OBJECTIVES_OF[partial.arch]?.[0],
  };
  checkEncoderConfig(config);
  return config;
}

/** Throws, naming the field and what it needs to be, when a config (perhaps read from disk) cannot build a network. */
export function checkEncoderConfig(config: EncoderConfig): void {
  if (!ENCODER_ARCHS.includes(config.arch)) throw new Error(`arch must be one of ${ENCODER_ARCHS.join(', ')}, got "${config.arch}"`);
  for (const name of ['vocabSize', 'width', 'layers', 'heads', 'ffn', 'maxLen'] as const) {
    const value = config[name];
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  if (config.vocabSize <= FIRST_ORDINARY_ID) {
    throw new Error(`vocabSize must be more than the ${FIRST_ORDINARY_ID} special tokens, got ${config.vocabSize}`);
  }
  if (config.arch === 'transformer') {
    if (config.width % config.heads !== 0) throw new Error(`width (${config.width}) must be a multiple of heads (${config.heads})`);
    // [CLS], at least one token, [SEP].
    if (config.maxLen < 3) throw new Error(`a Transformer's maxLen must be at least 3 ([CLS] text [SEP]), got ${config.maxLen}`);
  }
  if (config.objective !== undefined && !OBJECTIVES_OF[config.arch].includes(config.objective)) {
    throw new Error(`a ${config.arch} pretrains by ${OBJECTIVES_OF[config.arch].join(' or ')}, not "${config.objective}"`);
  }
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${config.dropout}`);
  if (!Number.isInteger(config.seed)) throw new Error(`seed must be an integer, got ${config.seed}`);
}
