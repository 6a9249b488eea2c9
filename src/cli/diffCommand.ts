// `transfer-lab diff`: which words moved between two models (or vectors files), by the overlap of their
// top-k neighbours in each model and the cosine between their vectors after Procrustes alignment.
import * as path from 'node:path';
import { DIFF_DEFAULT_K, DIFF_DEFAULT_TOP, DIFF_DEFAULT_VOCAB, diffVectors, type ModelDiff, type WordDiff } from '../core/modelDiff';
import { parseArgs, UsageError, type FlagSpec } from './args';
import { openVectors } from './openVectors';

export const DIFF_USAGE = `  transfer-lab diff <a> <b> [-k N] [--top N] [--vocab N] [--word W ...] [--no-align] [--json]`;

export const DIFF_HELP = `diff: lists the words whose neighbourhoods changed most between two models (model folders or
vectors files): lowest overlap of the top-k neighbours (each in its own model, among the shared words)
first, ties by lower cosine between the word's two vectors after rotating b onto a (orthogonal
Procrustes over the shared words).
  -k N             neighbours compared per word            [${DIFF_DEFAULT_K}]
  --top N          how many words to list                  [${DIFF_DEFAULT_TOP}]
  --vocab N        compare the N most frequent shared words [${DIFF_DEFAULT_VOCAB}]
  --word W         show W's two neighbour lists side by side; repeatable
  --no-align       take cosines without the rotation (for two models known to share one space)
  --json           print one JSON object
`;

const DIFF_FLAGS: Record<string, FlagSpec> = {
  k: { kind: 'int', min: 1, max: 1000 },
  top: { kind: 'int', min: 0, max: 1_000_000 },
  vocab: { kind: 'int', min: 2, max: 1_000_000 },
  word: { kind: 'strings' },
  'no-align': { kind: 'boolean' },
  json: { kind: 'boolean' },
};

export async function runDiff(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const { positional, flags } = parseArgs(argv, DIFF_FLAGS);
  if (positional.length !== 2) throw new UsageError('diff takes two models or vectors files. Example: transfer-lab diff models/glove models/glove-notes -k 10');
  const [pathA, pathB] = positional.map((p) => path.resolve(p));
  const [a, b] = [await openVectors(pathA), await openVectors(pathB)];
  const requested = ((flags.word as string[] | undefined) ?? []).map((w) => (a.lowercase && b.lowercase ? w.toLowerCase() : w));
  const diff = diffVectors(a.vectors, b.vectors, {
    k: flags.k as number | undefined,
    top: flags.top as number | undefined,
    vocab: flags.vocab as number | undefined,
    align: flags['no-align'] !== true,
    words: requested,
  });
  if (flags.json === true) {
    write(`${JSON.stringify({ a: pathA, b: pathB, ...diff })}\n`);
  } else {
    write(formatDiff(pathA, pathB, diff));
  }
  return diff.missing.length > 0 ? 1 : 0;
}


export function formatDiff(pathA: string, pathB: string, diff: ModelDiff): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const cos = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));
  const lines = [
    `a: ${pathA}`,
    `b: ${pathB}`,
    `${n(diff.sharedWords)} shared words (${n(diff.onlyInA)} only in a, ${n(diff.onlyInB)} only in b); compared the ${n(diff.comparedWords)} most frequent, ` +
      `top-${diff.k} neighbours, ${diff.aligned ? 'b rotated onto a (Procrustes)' : 'no alignment'}`,
    `mean overlap ${diff.meanOverlap.toFixed(3)}, mean cosine ${cos(diff.meanCosine)}`,
  ];
  if (diff.moved.length > 0) {
    const width = Math.max(12, ...diff.moved.map((w) => w.word.length));
    lines.push('', `Most moved`, `  ${'word'.padEnd(width)}  overlap  cosine  neighbours in a | in b`);
    for (const w of diff.moved) {
      const list = (ns: WordDiff['neighboursA']) => ns.slice(0, 5).map((x) => x.word).join(' ');
      lines.push(`  ${w.word.padEnd(width)}  ${w.overlap.toFixed(2).padStart(7)}  ${cos(w.cosine).padStart(6)}  ${list(w.neighboursA)} | ${list(w.neighboursB)}`);
    }
  }
  for (const w of diff.words) {
    lines.push('', `${w.word}: overlap ${w.overlap.toFixed(2)}, cosine ${cos(w.cosine)}`);
    const width = Math.max(16, ...w.neighboursA.map((x) => x.word.length + 8));
    lines.push(`  ${'a'.padEnd(width)}  b`);
    const rows = Math.max(w.neighboursA.length, w.neighboursB.length);
    for (let i = 0; i < rows; i++) {
      const cell = (x?: { word: string; similarity: number }) => (x ? `${x.word} ${x.similarity.toFixed(3)}` : '');
      lines.push(`  ${cell(w.neighboursA[i]).padEnd(width)}  ${cell(w.neighboursB[i])}`);
    }
  }
  for (const word of diff.missing) lines.push('', `${word}: not among the compared words (not in both models, or beyond --vocab)`);
  return `${lines.join('\n')}\n`;
}
