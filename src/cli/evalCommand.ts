// `transfer-lab eval`: analogy accuracy and word-similarity correlation of a vectors file or model
// folder, scored as gensim scores them (see src/core/evaluation.ts), so that the numbers can be set
// beside those of ../shared/bench/evaluate.py for other tools' vectors.
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { readWord2Vec } from '../core/formats/word2vecFormat';
import { loadModelVectors } from '../core/modelFolder';
import type { WordVectors } from '../core/vectors';
import {
  ANALOGY_DEFAULT_RESTRICT_VOCAB,
  evaluateAnalogies,
  evaluateSimilarity,
  type AnalogyResult,
  type AnalogyScore,
  type SimilarityResult,
} from '../core/evaluation';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const EVAL_USAGE = `  transfer-lab eval <model> [<other model>] [--analogies FILE] [--similarity FILE ...] [--restrict-vocab N] [--json]`;

export const EVAL_HELP = `eval: scores vectors as gensim's evaluate_word_analogies and evaluate_word_pairs do.
<model> is a model folder or a vectors file (.bin, .txt, .vec, optionally .gz). With two models (a parent
and its fine-tuned child), both are scored on the same test sets and printed side by side with the change:
did the child keep what the parent knew? Name at least one test set:
  --analogies FILE     questions in the questions-words.txt format (": section" lines, then "a b c d")
  --similarity FILE    word pairs with human scores, "w1<TAB>w2<TAB>score" (WordSim-353, SimLex-999); repeatable
  --restrict-vocab N   only the N most frequent words count, for questions, answers and pairs [${ANALOGY_DEFAULT_RESTRICT_VOCAB}]
  --case-sensitive     compare words as written (default: upper-cased on both sides, as gensim)
  --json               print one JSON object instead of tables
`;

const EVAL_FLAGS: Record<string, FlagSpec> = {
  analogies: { kind: 'string' },
  similarity: { kind: 'strings' },
  'restrict-vocab': { kind: 'int', min: 1, max: 1e9 },
  'case-sensitive': { kind: 'boolean' },
  json: { kind: 'boolean' },
};

export interface EvalReport {
  vectors: { path: string; words: number; dim: number };
  restrictVocab: number;
  caseInsensitive: boolean;
  analogies?: AnalogyResult;
  similarity: SimilarityResult[];
}

/** Runs the command and prints its report (to stdout unless `write` is given); returns the exit code. */
export async function runEval(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const { positional, flags } = parseArgs(argv, EVAL_FLAGS);
  if (positional.length !== 1 && positional.length !== 2) {
    throw new UsageError('eval takes one model folder or vectors file, or two to compare. Example: transfer-lab eval vectors.bin --analogies questions-words.txt --similarity wordsim353.tsv');
  }
  const analogies = flags.analogies as string | undefined;
  const similarity = (flags.similarity as string[] | undefined) ?? [];
  if (analogies === undefined && similarity.length === 0) {
    throw new UsageError('eval needs a test set: --analogies FILE (questions-words.txt format) and/or --similarity FILE (w1<TAB>w2<TAB>score), which may be repeated. No test sets ship with Transfer Lab.');
  }
  const restrictVocab = (flags['restrict-vocab'] as number | undefined) ?? ANALOGY_DEFAULT_RESTRICT_VOCAB;
  const caseInsensitive = flags['case-sensitive'] !== true;
  for (const file of [...(analogies === undefined ? [] : [analogies]), ...similarity]) {
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) throw new UsageError(`${file}: no such test set file.`);
  }

  const options = { restrictVocab, caseInsensitive };
  const reports: EvalReport[] = [];
  for (const model of positional) {
    const modelPath = path.resolve(model);
    const vectors = await loadVectors(modelPath);
    const report: EvalReport = {
      vectors: { path: modelPath, words: vectors.size, dim: vectors.dim },
      restrictVocab: Math.min(restrictVocab, vectors.size),
      caseInsensitive,
      similarity: [],
    };
    if (analogies !== undefined) report.analogies = await evaluateAnalogies(vectors, analogies, options);
    for (const file of similarity) report.similarity.push(await evaluateSimilarity(vectors, file, options));
    reports.push(report);
  }
  if (reports.length === 1) {
    write(flags.json === true ? `${JSON.stringify(reports[0])}\n` : formatReport(reports[0]));
  } else {
    const [before, after] = reports;
    write(flags.json === true ? `${JSON.stringify({ before, after })}\n` : `${formatReport(before)}\n${formatReport(after)}\n${formatComparison(before, after)}`);
  }
  return 0;
}

/** Two reports' headline numbers side by side, with the change from the first to the second. */
export function formatComparison(before: EvalReport, after: EvalReport): string {
  const rows: [string, string, string, string][] = [];
  const a = before.analogies;
  const b = after.analogies;
  const signed = (x: number, digits: number, unit = '') => `${x > 0 ? '+' : x < 0 ? '-' : '±'}${Math.abs(x).toFixed(digits)}${unit}`;
  if (a && b) {
    for (const part of ['semantic', 'syntactic', 'total'] as const) {
      const x = a[part];
      const y = b[part];
      const change = x.total && y.total ? signed(100 * (y.accuracy - x.accuracy), 1, ' pts') : '-';
      rows.push([`analogies ${part}`, percent(x.total ? x.accuracy : NaN), percent(y.total ? y.accuracy : NaN), change]);
    }
  }
  before.similarity.forEach((x, i) => {
    const y = after.similarity[i];
    const change = Number.isFinite(x.spearman) && Number.isFinite(y.spearman) ? signed(y.spearman - x.spearman, 4) : '-';
    rows.push([`${path.basename(x.source)} Spearman`, fixed(x.spearman), fixed(y.spearman), change]);
  });
  const names = [path.basename(before.vectors.path), path.basename(after.vectors.path)];
  const width = Math.max(24, ...rows.map((r) => r[0].length));
  const col = Math.max(10, ...names.map((name) => name.length));
  const lines = [`Side by side (${names[0]} -> ${names[1]})`, `  ${''.padEnd(width)}  ${names[0].padStart(col)}  ${names[1].padStart(col)}  ${'change'.padStart(10)}`];
  for (const [name, x, y, change] of rows) lines.push(`  ${name.padEnd(width)}  ${x.padStart(col)}  ${y.padStart(col)}  ${change.padStart(10)}`);
  lines.push('  (each model counts the questions and pairs whose words it knows among its most frequent words)');
  return `${lines.join('\n')}\n`;
}

async function loadVectors(modelPath: string): Promise<WordVectors> {
  const stat = await fs.stat(modelPath).catch(() => undefined);
  if (!stat) throw new UsageError(`${modelPath} does not exist.`);
  if (stat.isDirectory()) return (await loadModelVectors(modelPath)).vectors;
  return readWord2Vec(modelPath);
}

/** The report as aligned plain-text tables. */
export function formatReport(report: EvalReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines: string[] = [];
  const { vectors } = report;
  lines.push(
    `${vectors.path}: ${n(vectors.words)} words x ${vectors.dim}; scored on the ${n(report.restrictVocab)} most frequent, ` +
      `${report.caseInsensitive ? 'case-insensitive' : 'case-sensitive'}`,
  );
  const a = report.analogies;
  if (a) {
    lines.push('', `Analogies (3CosAdd): ${path.basename(a.source)}`);
    const width = Math.max(20, ...a.sections.map((s) => s.name.length));
    const row = (name: string, s: AnalogyScore) =>
      `  ${name.padEnd(width)}  ${n(s.correct).padStart(7)}  ${n(s.total).padStart(7)}  ${percent(s.total ? s.accuracy : NaN).padStart(8)}`;
    lines.push(`  ${'section'.padEnd(width)}  ${'correct'.padStart(7)}  ${'of'.padStart(7)}  ${'accuracy'.padStart(8)}`);
    for (const s of a.sections) lines.push(row(s.name, s));
    lines.push(`  ${'-'.repeat(width + 28)}`);
    lines.push(row('semantic', a.semantic), row('syntactic', a.syntactic), row('total', a.total));
    lines.push(`  out of vocabulary: ${n(a.oovQuestions)} of ${n(a.questions)} questions (${a.oovRatio.toFixed(1)}%) skipped`);
  }
  if (report.similarity.length > 0) {
    const names = report.similarity.map((s) => path.basename(s.source));
    const width = Math.max(16, ...names.map((name) => name.length));
    lines.push('', 'Word similarity');
    lines.push(`  ${'test set'.padEnd(width)}  ${'Spearman'.padStart(8)}  ${'Pearson'.padStart(8)}  ${'pairs'.padStart(6)}  ${'OOV'.padStart(6)}`);
    report.similarity.forEach((s, i) => {
      lines.push(
        `  ${names[i].padEnd(width)}  ${fixed(s.spearman).padStart(8)}  ${fixed(s.pearson).padStart(8)}  ${n(s.pairs).padStart(6)}  ${`${s.oovRatio.toFixed(1)}%`.padStart(6)}`,
      );
    });
  }
  return `${lines.join('\n')}\n`;
}

function percent(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-';
}

function fixed(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : 'n/a';
}
