// `transfer-lab inspect <encoder> --text "…" [--text "…"] --word W [--attention]`: what a pretrained
// encoder makes of a word in context. Every occurrence of W in the texts gets its contextual vector
// (the hidden state of its first subword); the command prints how alike the occurrences are (the same
// word in different sentences), each one's nearest tokens in context across all the texts, and, for a
// Transformer, where each layer's heads look from it (--attention).
import * as path from 'node:path';
import { BpeTokenizer } from '../core/neural/bpe';
import { loadEncoder } from '../core/neural/encoderFolder';
import { inspectWord } from '../core/neural/inspect';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const INSPECT_USAGE = `  transfer-lab inspect <encoder> --text "…" [--text "…"] --word W [--attention] [-k N]`;

const INSPECT_FLAGS: Record<string, FlagSpec> = {
  text: { kind: 'strings' },
  word: { kind: 'string' },
  attention: { kind: 'boolean' },
  k: { kind: 'int', min: 1, max: 100 },
  json: { kind: 'boolean' },
};

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
  let inspection;
  try {
    inspection = inspectWord(encoder, tokenizer, texts, word, k);
  } catch (error) {
    encoder.dispose();
    throw new UsageError((error as Error).message);
  }
  const { pieces, tokens, occurrences, similarities } = inspection;
  const lines: string[] = [];
  lines.push(`"${word}" is ${pieces.length === 1 ? 'one token' : `${pieces.length} tokens: ${pieces.join(' ')}`}; ${occurrences.length} occurrence(s). Contextual vector: the hidden state of its first token.`);
  if (similarities.length > 0) {
    lines.push('', 'cosine between occurrences (the same word in different contexts):');
    for (const s of similarities) lines.push(`  text ${occurrences[s.a - 1].text} vs text ${occurrences[s.b - 1].text}: ${s.cosine.toFixed(3)}`);
  }
  for (const occurrence of occurrences) {
    lines.push('', `text ${occurrence.text}, nearest tokens in context: ${occurrence.nearest.map((n) => `${n.token} (text ${n.text}) ${n.similarity.toFixed(3)}`).join(', ')}`);
    if (flags.attention === true && occurrence.attention) {
      const row = tokens[occurrence.text - 1];
      occurrence.attention.forEach((layer, l) => {
        const heads = layer.map((weights, h) => {
          const top = weights.map((w, t) => ({ w, t })).sort((x, y) => y.w - x.w).slice(0, 3);
          return `head ${h + 1}: ${top.map(({ w, t }) => `${row[t]} ${w.toFixed(2)}`).join(', ')}`;
        });
        lines.push(`  layer ${l + 1} attention from "${word}": ${heads.join(' | ')}`);
      });
    }
  }
  encoder.dispose();
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(inspection)}\n`);
  } else process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
