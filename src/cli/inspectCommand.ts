// `transfer-lab inspect <encoder> --text "…" [--text "…"] --word W [--attention]`: what a pretrained
// encoder makes of a word in context. Every occurrence of W in the texts gets its contextual vector
// (the hidden state of its first subword); the command prints how alike the occurrences are (the same
// word in different sentences), each one's nearest tokens in context across all the texts, and, for a
// Transformer, where each layer's heads look from it (--attention).
import * as path from 'node:path';
import { BpeTokenizer } from '../core/neural/bpe';
import { encoderInput } from '../core/neural/encoder';
import { loadEncoder } from '../core/neural/encoderFolder';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const INSPECT_USAGE = `  transfer-lab inspect <encoder> --text "…" [--text "…"] --word W [--attention] [-k N]`;

const INSPECT_FLAGS: Record<string, FlagSpec> = {
  text: { kind: 'strings' },
  word: { kind: 'string' },
  attention: { kind: 'boolean' },
  k: { kind: 'int', min: 1, max: 100 },
  json: { kind: 'boolean' },
};

interface Occurrence {
  text: number;
  /** Position in the encoder's input (after [CLS] for a Transformer). */
  position: number;
  vector: Float32Array;
}

export async function runInspect(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, INSPECT_FLAGS);
  if (positional.length !== 1) throw new UsageError('inspect takes one encoder folder. Example: transfer-lab inspect encoder --text "the river bank" --text "the bank raised rates" --word bank');
  const texts = ([] as string[]).concat((flags.text as string | string[] | undefined) ?? []);
  const word = (flags.word as string | undefined)?.toLowerCase();
  if (texts.length === 0 || !word) throw new UsageError('inspect needs at least one --text and the --word to look at.');
  const k = (flags.k as number | undefined) ?? 5;
  const { encoder, tokenizerJson } = await loadEncoder(path.resolve(positional[0]));
  if (!tokenizerJson) throw new UsageError(`${positional[0]} has no tokenizer.json: pretrain it with transfer-lab pretrain.`);
  const tokenizer = BpeTokenizer.fromJSON(tokenizerJson);
  const wordPieces = tokenizer.tokens(word);
  const inputs = texts.map((t) => encoderInput(encoder.config, tokenizer.encode(t)));
  const pieces = inputs.map((ids) => ids.map((id) => tokenizer.vocab[id]));
  const encoded = encoder.encode(inputs, { attention: flags.attention === true });
  const width = encoded.width;
  const vectorAt = (b: number, t: number) => encoded.hidden.slice((b * encoded.length + t) * width, (b * encoded.length + t + 1) * width);

  // Occurrences: where the word's pieces appear in a row.
  const occurrences: Occurrence[] = [];
  pieces.forEach((row, b) => {
    for (let t = 0; t + wordPieces.length <= row.length; t++) {
      if (wordPieces.every((p, i) => row[t + i] === p)) occurrences.push({ text: b, position: t, vector: vectorAt(b, t) });
    }
  });
  if (occurrences.length === 0) throw new UsageError(`"${word}" (${wordPieces.join(' ')}) does not occur in the texts given.`);

  const lines: string[] = [];
  lines.push(`"${word}" is ${wordPieces.length === 1 ? 'one token' : `${wordPieces.length} tokens: ${wordPieces.join(' ')}`}; ${occurrences.length} occurrence(s). Contextual vector: the hidden state of its first token.`);
  if (occurrences.length > 1) {
    lines.push('', 'cosine between occurrences (the same word in different contexts):');
    for (let i = 0; i < occurrences.length; i++) {
      for (let j = i + 1; j < occurrences.length; j++) lines.push(`  text ${occurrences[i].text + 1} vs text ${occurrences[j].text + 1}: ${cosine(occurrences[i].vector, occurrences[j].vector).toFixed(3)}`);
    }
  }
  for (const occurrence of occurrences) {
    const scored: { token: string; text: number; similarity: number }[] = [];
    pieces.forEach((row, b) =>
      row.forEach((token, t) => {
        if ((b === occurrence.text && t === occurrence.position) || token.startsWith('[')) return;
        scored.push({ token, text: b + 1, similarity: cosine(occurrence.vector, vectorAt(b, t)) });
      }),
    );
    scored.sort((a, b) => b.similarity - a.similarity);
    lines.push('', `text ${occurrence.text + 1}, nearest tokens in context: ${scored.slice(0, k).map((s) => `${s.token} (text ${s.text}) ${s.similarity.toFixed(3)}`).join(', ')}`);
    if (encoded.attention) {
      const { length } = encoded;
      const heads = encoder.config.heads;
      encoded.attention.forEach((layer, l) => {
        const rows: string[] = [];
        for (let h = 0; h < heads; h++) {
          const at = ((occurrence.text * heads + h) * length + occurrence.position) * length;
          const weights = Array.from(layer.subarray(at, at + pieces[occurrence.text].length));
          const top = weights.map((w, t) => ({ w, t })).sort((a, b) => b.w - a.w).slice(0, 3);
          rows.push(`head ${h + 1}: ${top.map(({ w, t }) => `${pieces[occurrence.text][t]} ${w.toFixed(2)}`).join(', ')}`);
        }
        lines.push(`  layer ${l + 1} attention from "${word}": ${rows.join(' | ')}`);
      });
    }
  }
  encoder.dispose();
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ word, pieces: wordPieces, occurrences: occurrences.map((o) => ({ text: o.text + 1, position: o.position })) })}\n`);
  } else process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
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
