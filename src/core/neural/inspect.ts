// What an encoder makes of a word in context: each occurrence's contextual vector (the hidden state
// of its first subword), how alike the occurrences are, each one's nearest tokens in context across
// the texts, and for a Transformer where each layer's heads look from it. Used by `transfer-lab
// inspect` and the panel's Encoder section (through the trainer process).
import type { BpeTokenizer } from './bpe';
import { encoderInput, type Encoder } from './encoder';

export interface TokenInContext {
  token: string;
  /** 1-based text number. */
  text: number;
  similarity: number;
}

export interface Inspection {
  word: string;
  /** The word's subword pieces. */
  pieces: string[];
  /** Each text as the encoder read it, token by token ([CLS] … [SEP] for a Transformer). */
  tokens: string[][];
  occurrences: {
    text: number;
    position: number;
    nearest: TokenInContext[];
    /** Transformer: [layer][head][token] attention weights from this occurrence over its own text. */
    attention?: number[][][];
  }[];
  /** Cosine between every two occurrences (the same word in different contexts). */
  similarities: { a: number; b: number; cosine: number }[];
}

export function inspectWord(encoder: Encoder, tokenizer: BpeTokenizer, texts: readonly string[], word: string, k = 5): Inspection {
  const pieces = tokenizer.tokens(word);
  if (pieces.length === 0) throw new Error(`"${word}" has no letters or digits to look for.`);
  const inputs = texts.map((t) => encoderInput(encoder.config, tokenizer.encode(t)));
  const tokens = inputs.map((ids) => ids.map((id) => tokenizer.vocab[id]));
  const encoded = encoder.encode(inputs, { attention: encoder.config.arch === 'transformer' });
  const { width, length } = encoded;
  const vectorAt = (b: number, t: number) => encoded.hidden.subarray((b * length + t) * width, (b * length + t + 1) * width);
  const found: { text: number; position: number }[] = [];
  tokens.forEach((row, b) => {
    for (let t = 0; t + pieces.length <= row.length; t++) if (pieces.every((p, i) => row[t + i] === p)) found.push({ text: b, position: t });
  });
  if (found.length === 0) throw new Error(`"${word}" (${pieces.join(' ')}) does not occur in the texts given.`);
  const heads = encoder.config.heads;
  const occurrences = found.map(({ text, position }) => {
    const own = vectorAt(text, position);
    const nearest: TokenInContext[] = [];
    tokens.forEach((row, b) =>
      row.forEach((token, t) => {
        if ((b === text && t === position) || token.startsWith('[')) return;
        nearest.push({ token, text: b + 1, similarity: cosine(own, vectorAt(b, t)) });
      }),
    );
    nearest.sort((x, y) => y.similarity - x.similarity);
    const attention = encoded.attention?.map((layer) =>
      Array.from({ length: heads }, (_, h) => {
        const at = ((text * heads + h) * length + position) * length;
        return Array.from(layer.subarray(at, at + tokens[text].length));
      }),
    );
    return { text: text + 1, position, nearest: nearest.slice(0, k), ...(attention && { attention }) };
  });
  const similarities: Inspection['similarities'] = [];
  for (let i = 0; i < found.length; i++) {
    for (let j = i + 1; j < found.length; j++) {
      similarities.push({ a: i + 1, b: j + 1, cosine: cosine(vectorAt(found[i].text, found[i].position), vectorAt(found[j].text, found[j].position)) });
    }
  }
  return { word, pieces, tokens, occurrences, similarities };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
