// `transfer-lab classify bench`: our classifiers and the fastText CLI's supervised mode on the same
// folds (or the same given train/test split), side by side: accuracy, macro-F1, training time.
import * as path from 'node:path';
import { ARCHITECTURES, type Architecture } from '../core/classify/architectures';
import { DEFAULT_VALIDATION, meanAndSpread, splitDataset, trainAndTest, type ClassifierRecipe, type MeanAndSpread } from '../core/classify/classifyRuns';
import type { LabelledExample } from '../core/classify/labelledData';
import { stratifiedFolds, stratifiedSplit, type DataSplit } from '../core/classify/splits';
import { loadTensorflow } from '../core/classify/tfBackend';
import { tokenizeForClassifier, type EmbeddingMode } from '../core/classify/textVocabulary';
import { parseArgs, UsageError } from './args';
import { choiceFlag, DATA_FLAGS, openData, openVectorsFlag, recipeFrom, stderrLog, TRAINING_FLAGS } from './classifyCommand';
import { FASTTEXT_CONFIGS, FastTextWorkspace, findFastText, runFastText } from './fastTextBaseline';

export interface BenchRow {
  system: string;
  accuracy: MeanAndSpread;
  macroF1: MeanAndSpread;
  /** Mean training seconds per fold. */
  trainSeconds: number;
}

export interface BenchResult {
  data: string;
  evaluation: string;
  backend: string;
  fastText: string | null;
  rows: BenchRow[];
}

export async function classifyBench(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    ...DATA_FLAGS,
    ...TRAINING_FLAGS,
    folds: { kind: 'int', min: 2, max: 100 },
    'no-fasttext': { kind: 'boolean' },
  });
  if (positional.length !== 1) throw new UsageError('classify bench takes one labelled dataset. Example: transfer-lab classify bench mr.jsonl --vectors glove.txt --folds 10');
  // Progress goes to stderr even with --json: a bench runs for minutes.
  const log = stderrLog(flags.quiet === true);
  const vectors = await openVectorsFlag(flags, log);
  if (!vectors) throw new UsageError('classify bench needs the pretrained vectors: --vectors <model or vectors file>.');
  const modes = listFlag('--embeddings', flags.embeddings, EMBEDDINGS, ['tuned']);
  const systems = systemList(flags.arch, modes);
  const dataset = await openData(positional[0], flags, log);
  const seed = (flags.seed as number | undefined) ?? 1;

  // The units of evaluation: the k folds, or the data's own test split.
  let units: DataSplit[];
  let evaluation: string;
  if (flags.folds === undefined && dataset.splits?.test?.length) {
    const split = splitDataset(dataset, seed);
    units = [split];
    evaluation = `given split: ${split.train.length + split.validation.length} train (${split.validation.length} of them held out for early stopping), ${split.test.length} test`;
  } else {
    const k = (flags.folds as number | undefined) ?? 10;
    const all = dataset.splits ? [...dataset.splits.train, ...(dataset.splits.validation ?? []), ...(dataset.splits.test ?? [])] : dataset.examples;
    units = stratifiedFolds(all, k, seed).map((fold, f) => {
      const carved = stratifiedSplit(fold.train, { validation: DEFAULT_VALIDATION, test: 0, seed: seed + f });
      return { train: carved.train, validation: carved.validation, test: fold.test };
    });
    evaluation = `${k}-fold cross-validation (stratified, seed ${seed})`;
  }
  const { backend } = await loadTensorflow();
  const fastText = flags['no-fasttext'] === true ? undefined : findFastText();
  log(`${evaluation}; TensorFlow.js ${backend}; fastText ${fastText ?? 'not found (set FASTTEXT or put fasttext on the PATH)'}`);

  const scores = new Map<string, { accuracy: number[]; macroF1: number[]; seconds: number[] }>();
  const record = (system: string, accuracy: number, macroF1: number, seconds: number) => {
    let s = scores.get(system);
    if (!s) scores.set(system, (s = { accuracy: [], macroF1: [], seconds: [] }));
    s.accuracy.push(accuracy);
    s.macroF1.push(macroF1);
    s.seconds.push(seconds);
    log(`  ${system}: accuracy ${(100 * accuracy).toFixed(1)}%, macro-F1 ${(100 * macroF1).toFixed(1)}% (${seconds.toFixed(1)} s)`);
  };
  const workspace = fastText ? await FastTextWorkspace.create() : undefined;
  try {
    for (let u = 0; u < units.length; u++) {
      const unit = units[u];
      if (units.length > 1) log(`fold ${u + 1}/${units.length}`);
      for (const { arch, embeddings } of systems) {
        const recipe: ClassifierRecipe = recipeFrom(flags, arch, embeddings);
        const { classifier, result } = await trainAndTest(unit, dataset.labels, recipe, vectors);
        classifier.dispose();
        record(systemName(arch, embeddings), result.report.accuracy, result.report.macroF1, result.trainSeconds);
      }
      if (fastText && workspace) {
        // fastText has no early stopping, so it trains on the held-out validation part too; both
        // see the same tokenised, lower-cased text.
        const tokenised = (examples: LabelledExample[]) => examples.map((e) => ({ ...e, text: tokenizeForClassifier(e.text).join(' ') }));
        const split = { train: tokenised([...unit.train, ...unit.validation]), test: tokenised(unit.test) };
        for (const config of FASTTEXT_CONFIGS) {
          const result = await runFastText(fastText, workspace, config, split, dataset.labels, vectors);
          record(config.name, result.report.accuracy, result.report.macroF1, result.trainSeconds);
        }
      }
    }
  } finally {
    await workspace?.dispose();
  }

  const rows: BenchRow[] = [...scores].map(([system, s]) => ({
    system,
    accuracy: meanAndSpread(s.accuracy),
    macroF1: meanAndSpread(s.macroF1),
    trainSeconds: s.seconds.reduce((a, b) => a + b, 0) / s.seconds.length,
  }));
  const result: BenchResult = { data: path.resolve(positional[0]), evaluation, backend, fastText: fastText ?? null, rows };
  process.stdout.write(flags.json === true ? `${JSON.stringify(result)}\n` : formatBench(result));
  return 0;
}

function systemName(arch: string, embeddings: EmbeddingMode): string {
  const model = { bag: 'Transfer Lab bag', cnn: 'Transfer Lab CNN', bilstm: 'Transfer Lab BiLSTM' }[arch] ?? arch;
  return `${model} (${embeddings === 'random' ? 'from scratch' : `${embeddings} vectors`})`;
}

const EMBEDDINGS = ['frozen', 'tuned', 'random'] as const;

/** --arch bag,cnn:frozen: each architecture with its own embeddings, or with every --embeddings mode. */
function systemList(value: unknown, modes: EmbeddingMode[]): { arch: Architecture; embeddings: EmbeddingMode }[] {
  const items = value === undefined ? ['bag', 'cnn'] : String(value).split(',').map((s) => s.trim());
  return items.flatMap((item) => {
    const [arch, embeddings] = item.split(':');
    const a = choiceFlag('--arch', arch, ARCHITECTURES, 'cnn');
    return embeddings === undefined ? modes.map((m) => ({ arch: a, embeddings: m })) : [{ arch: a, embeddings: choiceFlag('--arch (after the colon)', embeddings, EMBEDDINGS, 'tuned') }];
  });
}

function listFlag<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback: T[]): T[] {
  if (value === undefined) return fallback;
  const items = String(value).split(',').map((s) => s.trim());
  return items.map((item) => choiceFlag(flag, item, allowed, fallback[0]));
}

export function formatBench(result: BenchResult): string {
  const width = Math.max(12, ...result.rows.map((r) => r.system.length));
  const pm = (m: MeanAndSpread) => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`;
  const lines = [`${result.data}: ${result.evaluation}`, `${'system'.padEnd(width)}  ${'accuracy %'.padStart(12)}  ${'macro-F1 %'.padStart(12)}  train s`];
  for (const r of result.rows) lines.push(`${r.system.padEnd(width)}  ${pm(r.accuracy).padStart(12)}  ${pm(r.macroF1).padStart(12)}  ${r.trainSeconds.toFixed(1).padStart(7)}`);
  if (!result.fastText) lines.push('', 'fastText was not run: install it (Debian: apt install fasttext) or set FASTTEXT to its path.');
  return `${lines.join('\n')}\n`;
}
