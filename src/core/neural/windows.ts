// Training examples for the encoders: tokenised texts run together into one stream and cut into
// fixed-length windows, and BERT's masking of a Transformer batch.
import type { Random } from '../random';
import { CLS_ID, FIRST_ORDINARY_ID, MASK_ID, SEP_ID, type EncoderArch } from './config';

export interface Windows {
  /** count × length token ids. */
  ids: Int32Array;
  count: number;
  /** Transformer: maxLen ([CLS] … [SEP]). LSTM: maxLen + 1, the inputs and, one token on, the targets. */
  length: number;
}

/**
 * Cuts token sequences (one per text) into training windows. Texts are joined with [SEP] between
 * them, so a window may span two texts, as BERT's and GPT-2's pretraining data do: short texts
 * (lines, sentences) then still fill whole windows. A last partial window is dropped.
 */
export function sequenceWindows(sequences: Iterable<ArrayLike<number>>, arch: EncoderArch, maxLen: number, vocabSize: number): Windows {
  let total = 0;
  const parts: ArrayLike<number>[] = [];
  let index = 0;
  for (const ids of sequences) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new Error(`sequence ${index + 1} has token id ${id} at position ${i + 1}, outside the vocabulary 0…${vocabSize - 1}: encode the texts with the tokenizer the encoder's vocabSize came from`);
      }
    }
    if (ids.length > 0) {
      parts.push(ids);
      total += ids.length + 1;
    }
    index++;
  }
  const stream = new Int32Array(total);
  let at = 0;
  for (const ids of parts) {
    for (let i = 0; i < ids.length; i++) stream[at++] = ids[i];
    stream[at++] = SEP_ID;
  }

  // Transformer windows carry [CLS] and [SEP] of their own; LSTM windows overlap by one token, the
  // last input of one being the first of the next, so every token is a target once.
  const body = arch === 'transformer' ? maxLen - 2 : maxLen;
  const length = arch === 'transformer' ? maxLen : maxLen + 1;
  const count = arch === 'transformer' ? Math.floor(stream.length / body) : Math.floor((stream.length - 1) / body);
  if (count < 1) {
    throw new Error(`the texts hold ${stream.length} tokens (separators included), fewer than one training window of ${length}: give more text or a smaller maxLen`);
  }
  const ids = new Int32Array(count * length);
  for (let w = 0; w < count; w++) {
    if (arch === 'transformer') {
      ids[w * length] = CLS_ID;
      ids.set(stream.subarray(w * body, (w + 1) * body), w * length + 1);
      ids[w * length + length - 1] = SEP_ID;
    } else {
      ids.set(stream.subarray(w * body, w * body + length), w * length);
    }
  }
  return { ids, count, length };
}

export interface MaskedBatch {
  /** The ids fed to the network: some replaced by [MASK] or a random token. */
  inputs: Int32Array;
  /** Flat positions (row × length + column) whose original token is predicted. */
  positions: Int32Array;
  /** The original token at each of `positions`. */
  targets: Int32Array;
}

/**
 * BERT's masked-LM corruption: each ordinary token (not a special, not padding) is chosen with
 * probability `rate`; a chosen token becomes [MASK] 80% of the time, a random ordinary token 10%,
 * and stays itself 10%, and only chosen tokens count in the loss. If nothing was chosen one token
 * is forced, so every batch has a loss.
 */
export function maskTokens(ids: Int32Array, vocabSize: number, random: Random, rate = 0.15): MaskedBatch {
  const inputs = ids.slice();
  const positions: number[] = [];
  const targets: number[] = [];
  const choose = (i: number) => {
    positions.push(i);
    targets.push(ids[i]);
    const r = random.float();
    if (r < 0.8) inputs[i] = MASK_ID;
    else if (r < 0.9) inputs[i] = FIRST_ORDINARY_ID + Math.floor(random.float() * (vocabSize - FIRST_ORDINARY_ID));
  };
  let firstOrdinary = -1;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < FIRST_ORDINARY_ID) continue;
    if (firstOrdinary < 0) firstOrdinary = i;
    if (random.float() < rate) choose(i);
  }
  if (positions.length === 0) {
    if (firstOrdinary < 0) throw new Error('the batch has only special tokens and padding: there is nothing to mask');
    choose(firstOrdinary);
  }
  return { inputs, positions: Int32Array.from(positions), targets: Int32Array.from(targets) };
}

