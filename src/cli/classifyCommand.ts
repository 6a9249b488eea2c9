// `transfer-lab classify train|predict|curve|bench`: text classifiers on pretrained word vectors
// (src/core/classify/) or on a pretrained encoder (encoderClassifierRuns.ts, encoderClassify.ts), from a terminal. Progress goes
// to stderr, results to stdout.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ARCHITECTURES, type Architecture } from '../core/classify/architectures';
import { saveClassifier } from '../core/classify/classifierFormat';
import { crossValidate, splitDataset, trainAndTest, type CrossValidation, transferGainCurve, CURVE_SIZES, CURVE_VARIANTS, type ClassifierRecipe, type CurvePoint, type TestResult } from '../core/classify/classifyRuns';
import { loadLabelledData, type LabelledDataset, type LoadLabelledDataOptions } from '../core/classify/labelledData';
import type { ClassificationReport } from '../core/classify/metrics';
import { loadTensorflow } from '../core/classify/tfBackend';
import type { EmbeddingMode } from '../core/classify/textVocabulary';
import { TrainingCancelledError, type EpochReport } from '../core/classify/trainClassifier';
import { listCorpusFiles } from '../core/corpus';
import type { WordVectors } from '../core/vectors';
import { parseArgs, UsageError, type FlagSpec } from './args';
import { openVectors } from './openVectors';
import { classifyBench } from './classifyBench';
import { encoderCurve, formatEncoderCurve } from './encoderClassify';
import { trainAndTestOnEncoder } from '../core/neural/encoderClassifierRuns';
import { loadAnyClassifier } from '../core/neural/encoderClassifierFolder';
import { ENCODER_TRAININGS, type EncoderTraining } from '../core/neural/fineTune';

export const CLASSIFY_USAGE = `  transfer-lab classify train <data> [--vectors <model>] [--arch bag|cnn|bilstm] [--embeddings frozen|tuned|random] --out <clf>
  transfer-lab classify train <data> --encoder <encoder> [--encoder-training frozen|top|all|scratch] [--out <clf>]
  transfer-lab classify predict <clf> <file-or-folder> [--out predictions.csv]
  transfer-lab classify curve <data> --vectors <model> [--arch bag] [--sizes 50,100,200,500,1000]
  transfer-lab classify bench <data> --vectors <model> [--folds K] [--arch bag,cnn]`;

export const CLASSIFY_HELP = `classify: text classifiers on word vectors, trained with TensorFlow.js.
<data> is labelled text: a folder with one subfolder per label (pos/*.txt, neg/*.txt), a CSV or TSV file
(text and label columns), a JSONL file ({"text": …, "label": …}), fastText's "__label__x text" lines, or a
folder holding train.* / dev.* / test.* files of one of those. Without given splits the data is split
80/10/10, stratified and seeded; the validation part decides early stopping and the best epoch.
  --vectors M          pretrained vectors: a model folder or a vectors file (word2vec, GloVe, fastText .vec)
  --arch A             bag (averaged embeddings, fastText-style; seconds) | bilstm (attention; the most
                       accurate here, minutes) | cnn (Kim 2014; minutes) [bag]
  --embeddings E       frozen | tuned (start from --vectors) | random (from scratch) [tuned with --vectors]
  --epochs N --batch-size N --lr X --max-len N --patience N --seed N   training settings
  --word-pairs         bag: also learn a vector per word pair (fastText's -wordNgrams 2)
  --encoder E          instead of word vectors: a neural encoder from \`transfer-lab pretrain\` reads the text;
                       --encoder-training frozen (only the softmax layer learns) | top (and the top layer) |
                       all (every weight) | scratch (the same network, random weights) [all]; --max-tokens N [64].
                       train scores it on the test split and, with --out, writes the classifier (the encoder
                       it reads with, the softmax layer, the test results) for predict; curve compares scratch,
                       frozen and all (or the comma-separated list given to --encoder-training)
  --text-column C --label-column C   CSV/TSV columns (name or 0-based index); --text-field --label-field for JSONL
  --skip-bad           skip malformed lines (counted) instead of stopping at the first
  --out PATH           train: the classifier folder to write (optional with --encoder); predict: a CSV of
                       file,label,confidence. predict takes a classifier of either kind
  --sizes LIST         curve: training-set sizes, comma-separated (the whole set is added, unless --no-whole-set) [${CURVE_SIZES.join(',')}]
  --folds K            train: also report k-fold cross-validation over all the data (the classifier
                       written is trained on the usual split); bench: k-fold cross-validation (default: the data's own test split if it has one, else 10)
                       bench's --arch takes a list, each item optionally with its embeddings: bag:tuned,cnn:frozen
  --no-fasttext        bench: do not run the fastText CLI even if it is installed
  --json               print one JSON object
`;

export const DATA_FLAGS: Record<string, FlagSpec> = {
  'text-column': { kind: 'string' },
  'label-column': { kind: 'string' },
  'text-field': { kind: 'string' },
  'label-field': { kind: 'string' },
  'skip-bad': { kind: 'boolean' },
};

/** Training settings, shared by train, curve and bench; --embeddings also takes a list in bench. */
export const TRAINING_FLAGS: Record<string, FlagSpec> = {
  vectors: { kind: 'string' },
  encoder: { kind: 'string' },
  'encoder-training': { kind: 'string' },
  'max-tokens': { kind: 'int', min: 4, max: 4096 },
  arch: { kind: 'string' },
  embeddings: { kind: 'string' },
  epochs: { kind: 'int', min: 1, max: 1000 },
  'batch-size': { kind: 'int', min: 1, max: 100_000 },
  lr: { kind: 'number', min: 1e-7, max: 10 },
  'max-len': { kind: 'int', min: 1, max: 10_000 },
  patience: { kind: 'int', min: 1, max: 1000 },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  'word-pairs': { kind: 'boolean' },
  json: { kind: 'boolean' },
  quiet: { kind: 'boolean' },
};

export async function runClassify(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'train':
      return classifyTrain(rest);
    case 'predict':
      return classifyPredict(rest);
    case 'curve':
      return classifyCurve(rest);
    case 'bench':
      return classifyBench(rest);
    default:
      throw new UsageError(`classify needs one of train, predict, curve, bench${sub ? `; got "${sub}"` : ''}. See transfer-lab --help.`);
  }
}

// ---------- shared pieces ----------

export function dataOptions(flags: Record<string, unknown>): LoadLabelledDataOptions {
  const column = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as string | undefined));
  return {
    textColumn: column(flags['text-column']),
    labelColumn: column(flags['label-column']),
    textField: flags['text-field'] as string | undefined,
    labelField: flags['label-field'] as string | undefined,
    skipBad: flags['skip-bad'] === true,
  };
}

export async function openData(dataPath: string, flags: Record<string, unknown>, log: (line: string) => void): Promise<LabelledDataset> {
  const dataset = await loadLabelledData(path.resolve(dataPath), dataOptions(flags));
  const counts = dataset.labels.map((label) => `${label} ${dataset.examples.filter((e) => e.label === label).length.toLocaleString('en-US')}`);
  log(`${dataset.path}: ${dataset.examples.length.toLocaleString('en-US')} examples (${counts.join(', ')})${dataset.splits ? ', with given splits' : ''}`);
  for (const s of dataset.skipped) log(`  skipped ${s.count.toLocaleString('en-US')}: ${s.reason}${s.firstLines.length ? ` (lines ${s.firstLines.join(', ')}…)` : ''}`);
  return dataset;
}

export function choiceFlag<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
  return value as T;
}

export function recipeFrom(flags: Record<string, unknown>, arch: Architecture, embeddings: EmbeddingMode): ClassifierRecipe {
  const recipe: ClassifierRecipe = { arch, embeddings };
  if (flags.epochs !== undefined) recipe.epochs = flags.epochs as number;
  if (flags['batch-size'] !== undefined) recipe.batchSize = flags['batch-size'] as number;
  if (flags.lr !== undefined) recipe.learningRate = flags.lr as number;
  if (flags['max-len'] !== undefined) recipe.maxLen = flags['max-len'] as number;
  if (flags.patience !== undefined) recipe.patience = flags.patience as number;
  if (flags['word-pairs'] === true) recipe.ngrams = 2;
  recipe.seed = (flags.seed as number | undefined) ?? 1;
  return recipe;
}

export async function openVectorsFlag(flags: Record<string, unknown>, log: (line: string) => void): Promise<WordVectors | undefined> {
  const file = flags.vectors as string | undefined;
  if (file === undefined) return undefined;
  const { vectors } = await openVectors(path.resolve(file));
  log(`vectors ${file}: ${vectors.size.toLocaleString('en-US')} words × ${vectors.dim}`);
  return vectors;
}

export const stderrLog = (quiet: boolean) => (line: string) => {
  if (!quiet) process.stderr.write(`${line}\n`);
};

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function epochLine(e: EpochReport): string {
  return `epoch ${String(e.epoch).padStart(2)}: train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)} · validation loss ${e.validationLoss.toFixed(4)} acc ${pct(e.validationAccuracy)} · ${Math.round(e.examplesPerSecond).toLocaleString('en-US')} examples/s`;
}

export function formatReport(report: ClassificationReport): string {
  const width = Math.max(8, ...report.perClass.map((c) => c.label.length));
  const lines = [`accuracy ${pct(report.accuracy)}, macro-F1 ${pct(report.macroF1)}`, '', `  ${'class'.padEnd(width)}  precision  recall     F1  support`];
  for (const c of report.perClass) {
    lines.push(`  ${c.label.padEnd(width)}  ${pct(c.precision).padStart(9)}  ${pct(c.recall).padStart(6)}  ${pct(c.f1).padStart(5)}  ${String(c.support).padStart(7)}`);
  }
  const cell = Math.max(6, ...report.confusion.flat().map((n) => String(n).length + 1), ...report.perClass.map((c) => c.label.length + 1));
  lines.push('', `  confusion (rows: true, columns: predicted)`, `  ${''.padEnd(width)}${report.perClass.map((c) => c.label.padStart(cell)).join('')}`);
  report.confusion.forEach((row, i) => lines.push(`  ${report.perClass[i].label.padEnd(width)}${row.map((n) => String(n).padStart(cell)).join('')}`));
  return lines.join('\n');
}

// ---------- train ----------

async function classifyTrain(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, { ...DATA_FLAGS, ...TRAINING_FLAGS, out: { kind: 'string' }, folds: { kind: 'int', min: 2, max: 100 } });
  if (positional.length !== 1) throw new UsageError('classify train takes one labelled dataset. Example: transfer-lab classify train reviews/ --vectors glove.txt --out sentiment');
  if (flags.encoder !== undefined) return classifyTrainOnEncoder(positional[0], flags);
  const out = flags.out as string | undefined;
  if (!out) throw new UsageError('classify train needs --out <folder> for the classifier.');
  const outDir = path.resolve(out);
  if (await fs.stat(outDir).catch(() => undefined)) throw new UsageError(`${outDir} already exists: choose a new --out folder (an existing classifier is never overwritten).`);
  const log = stderrLog(flags.quiet === true || flags.json === true);
  const arch = choiceFlag('--arch', flags.arch, ARCHITECTURES, 'bag');
  const vectors = await openVectorsFlag(flags, log);
  const embeddings = choiceFlag('--embeddings', flags.embeddings, ['frozen', 'tuned', 'random'] as const, vectors ? 'tuned' : 'random');
  if (embeddings !== 'random' && !vectors) throw new UsageError(`--embeddings ${embeddings} starts from pretrained vectors: give them with --vectors <model>.`);
  const dataset = await openData(positional[0], flags, log);
  const recipe = recipeFrom(flags, arch, embeddings);
  const split = splitDataset(dataset, recipe.seed ?? 1);
  const { backend, note } = await loadTensorflow();
  log(`${arch}, embeddings ${embeddings}; ${split.train.length} train / ${split.validation.length} validation / ${split.test.length} test${split.given ? ' (given)' : ''}; TensorFlow.js ${backend}: ${note}`);

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    let crossValidation: CrossValidation | undefined;
    if (flags.folds !== undefined) {
      // Cross-validation first, over every example, for an estimate less noisy than one test split;
      // the classifier written is then trained as without --folds.
      const k = flags.folds as number;
      crossValidation = await crossValidate(dataset.examples, dataset.labels, k, recipe, vectors, {
        seed: recipe.seed,
        hooks: { signal: abort.signal },
        onFold: (fold, r) => log(`fold ${fold}/${k}: accuracy ${pct(r.report.accuracy)}, macro-F1 ${pct(r.report.macroF1)}`),
      });
      log(`${k}-fold cross-validation: accuracy ${pct(crossValidation.accuracy.mean)} ± ${pct(crossValidation.accuracy.std)}, macro-F1 ${pct(crossValidation.macroF1.mean)} ± ${pct(crossValidation.macroF1.std)}`);
    }
    const { classifier, result } = await trainAndTest(split, dataset.labels, { ...recipe, vectorsSource: flags.vectors as string | undefined }, vectors, {
      signal: abort.signal,
      onEpoch: (e) => log(epochLine(e)),
    });
    await saveClassifier(classifier, outDir, { metrics: metricsRecord(result, dataset) });
    classifier.dispose();
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify({ out: outDir, arch, embeddings, backend, ...summary(result), ...(crossValidation && { crossValidation }) })}\n`);
    } else {
      process.stdout.write(`wrote ${outDir}: best epoch ${result.bestEpoch} of ${result.history.length}, ${result.trainSeconds.toFixed(1)} s\n\ntest set (${split.test.length} examples): ${formatReport(result.report)}\n`);
      if (crossValidation) {
        const cv = crossValidation;
        process.stdout.write(`\n${cv.folds}-fold cross-validation: accuracy ${pct(cv.accuracy.mean)} ± ${pct(cv.accuracy.std)}, macro-F1 ${pct(cv.macroF1.mean)} ± ${pct(cv.macroF1.std)}\n`);
      }
      if (result.misclassified.length > 0) {
        process.stdout.write(`\nmost confident mistakes:\n`);
        for (const m of result.misclassified.slice(0, 5)) {
          process.stdout.write(`  ${m.label} → ${m.predicted} (${pct(m.confidence)})${m.source ? ` ${m.source}` : ''}: ${m.text.replace(/\s+/g, ' ').slice(0, 100)}\n`);
        }
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof TrainingCancelledError) {
      process.stderr.write('cancelled; no classifier was written\n');
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function summary(result: TestResult) {
  return {
    accuracy: result.report.accuracy,
    macroF1: result.report.macroF1,
    perClass: result.report.perClass,
    confusion: result.report.confusion,
    bestEpoch: result.bestEpoch,
    epochs: result.history,
    trainSeconds: result.trainSeconds,
    misclassified: result.misclassified.length,
  };
}

/** What classifier.json keeps of the test: enough to show the results again without the data. */
export function metricsRecord(result: TestResult, dataset: LabelledDataset) {
  return { data: dataset.path, ...summary(result), misclassified: result.misclassified.slice(0, 200) };
}

// ---------- predict ----------

async function classifyPredict(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, { out: { kind: 'string' }, json: { kind: 'boolean' } });
  if (positional.length !== 2) throw new UsageError('classify predict takes a classifier folder and a file or folder. Example: transfer-lab classify predict sentiment review.txt');
  const [clfPath, target] = positional.map((p) => path.resolve(p));
  const classifier = await loadAnyClassifier(clfPath);
  const files = await listCorpusFiles(target);
  if (files.length === 0) throw new UsageError(`no text files found at ${target}.`);
  const rows: { file: string; label: string; confidence: number }[] = [];
  const BATCH = 64;
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH);
    const texts = await Promise.all(batch.map((f) => fs.readFile(f, 'utf8')));
    classifier.predict(texts).forEach((p, j) => rows.push({ file: batch[j], label: p.label, confidence: Math.max(...p.probabilities) }));
  }
  classifier.dispose();
  const relative = (f: string) => (files.length === 1 ? path.basename(f) : path.relative(target, f));
  const out = flags.out as string | undefined;
  if (out) {
    const csv = ['file,label,confidence', ...rows.map((r) => [csvCell(relative(r.file)), csvCell(r.label), r.confidence.toFixed(4)].join(','))].join('\n');
    const { writeFileAtomic } = await import('../core/atomicWrite');
    await writeFileAtomic(path.resolve(out), (temp) => fs.writeFile(temp, `${csv}\n`));
    process.stdout.write(`wrote ${path.resolve(out)}: ${rows.length} files\n`);
  } else if (flags.json === true) {
    process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, file: relative(r.file) })))}\n`);
  } else {
    for (const r of rows) process.stdout.write(`${r.label}\t${r.confidence.toFixed(3)}\t${relative(r.file)}\n`);
  }
  return 0;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// ---------- curve ----------

async function classifyCurve(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, { ...DATA_FLAGS, ...TRAINING_FLAGS, sizes: { kind: 'string' }, 'no-whole-set': { kind: 'boolean' } });
  if (positional.length !== 1) throw new UsageError('classify curve takes one labelled dataset. Example: transfer-lab classify curve reviews/ --vectors glove.txt');
  const log = stderrLog(flags.quiet === true || flags.json === true);
  if (flags.encoder !== undefined) return classifyCurveOnEncoder(positional[0], flags, log);
  const vectors = await openVectorsFlag(flags, log);
  if (!vectors) throw new UsageError('classify curve compares from-scratch with pretrained: give the vectors with --vectors <model>.');
  if (flags.embeddings !== undefined) throw new UsageError('classify curve trains every variant (random, frozen, tuned); leave out --embeddings.');
  const sizes = parseSizes(flags.sizes);
  const arch = choiceFlag('--arch', flags.arch, ARCHITECTURES, 'bag');
  const dataset = await openData(positional[0], flags, log);
  const recipe = recipeFrom(flags, arch, 'random');
  const split = splitDataset(dataset, recipe.seed ?? 1);
  const { backend } = await loadTensorflow();
  log(`${arch} on ${split.train.length} training examples at most; scored on ${split.test.length} test examples; TensorFlow.js ${backend}`);
  const points = await transferGainCurve(split, dataset.labels, recipe, vectors, {
    sizes,
    wholeSet: flags['no-whole-set'] !== true,
    seed: recipe.seed,
    onPoint: (p) => log(`  ${String(p.size).padStart(6)} examples, ${p.variant.padEnd(6)}: accuracy ${pct(p.accuracy)}, macro-F1 ${pct(p.macroF1)} (${p.trainSeconds.toFixed(1)} s)`),
  });
  if (flags.json === true) process.stdout.write(`${JSON.stringify({ arch, backend, test: split.test.length, points })}\n`);
  else process.stdout.write(formatCurve(points));
  return 0;
}

function encoderSettings(flags: Record<string, unknown>, log: (line: string) => void) {
  return {
    epochs: flags.epochs as number | undefined,
    batchSize: flags['batch-size'] as number | undefined,
    learningRate: flags.lr as number | undefined,
    maxTokens: flags['max-tokens'] as number | undefined,
    patience: flags.patience as number | undefined,
    seed: (flags.seed as number | undefined) ?? 1,
    onEpoch: (e: EpochReport) => log(epochLine(e)),
  };
}

/** classify train --encoder: fine-tunes (or probes) a pretrained encoder, scores it on the test split and, with --out, saves it. */
async function classifyTrainOnEncoder(dataPath: string, flags: Record<string, unknown>): Promise<number> {
  if (flags.vectors !== undefined) throw new UsageError('--encoder and --vectors are two kinds of pretraining: give one of them.');
  const outDir = flags.out === undefined ? undefined : path.resolve(flags.out as string);
  // Checked before training, not after minutes of it; saveEncoderClassifier refuses it again if it appears meanwhile.
  if (outDir && (await fs.stat(outDir).catch(() => undefined))) throw new UsageError(`${outDir} already exists: choose a new --out folder (an existing classifier is never overwritten).`);
  const training = choiceFlag('--encoder-training', flags['encoder-training'], ENCODER_TRAININGS, 'all');
  const log = stderrLog(flags.quiet === true || flags.json === true);
  const dataset = await openData(dataPath, flags, log);
  const split = splitDataset(dataset, (flags.seed as number | undefined) ?? 1);
  const { backend } = await loadTensorflow();
  log(`encoder ${flags.encoder as string}, ${training}; ${split.train.length} train / ${split.validation.length} validation / ${split.test.length} test; TensorFlow.js ${backend}`);
  const save = outDir ? { dir: outDir, metrics: (r: TestResult) => metricsRecord(r, dataset) } : undefined;
  const result = await trainAndTestOnEncoder(path.resolve(flags.encoder as string), split, dataset.labels, training, encoderSettings(flags, log), save);
  if (flags.json === true) {
    process.stdout.write(
      `${JSON.stringify({ ...(outDir && { out: outDir }), encoder: flags.encoder, training, backend, accuracy: result.report.accuracy, macroF1: result.report.macroF1, bestEpoch: result.bestEpoch, epochs: result.history, trainSeconds: result.trainSeconds })}\n`,
    );
  } else {
    process.stdout.write(`${outDir ? `wrote ${outDir}: ` : ''}best epoch ${result.bestEpoch} of ${result.history.length}, ${result.trainSeconds.toFixed(1)} s\n\ntest set (${split.test.length} examples): ${formatReport(result.report)}\n`);
  }
  return 0;
}

/** classify curve --encoder: frozen, fine-tuned and from-scratch against the number of labelled examples. */
async function classifyCurveOnEncoder(dataPath: string, flags: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  if (flags.vectors !== undefined) throw new UsageError('--encoder and --vectors are two kinds of pretraining: give one of them.');
  const sizes = parseSizes(flags.sizes) ?? CURVE_SIZES;
  const dataset = await openData(dataPath, flags, log);
  const split = splitDataset(dataset, (flags.seed as number | undefined) ?? 1);
  const trainings = flags['encoder-training'] === undefined ? (['scratch', 'frozen', 'all'] as EncoderTraining[]) : String(flags['encoder-training']).split(',').map((t) => choiceFlag('--encoder-training', t.trim(), ENCODER_TRAININGS, 'all'));
  const points = await encoderCurve(path.resolve(flags.encoder as string), dataset, split, [...sizes], trainings, encoderSettings(flags, () => undefined), (p) =>
    log(`  ${String(p.size).padStart(6)} examples, ${p.training.padEnd(7)}: accuracy ${pct(p.accuracy)}, macro-F1 ${pct(p.macroF1)} (${p.trainSeconds.toFixed(1)} s)`),
  );
  if (flags.json === true) process.stdout.write(`${JSON.stringify({ encoder: flags.encoder, test: split.test.length, points })}\n`);
  else process.stdout.write(`${formatEncoderCurve(points)}\n`);
  return 0;
}

function parseSizes(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const sizes = String(value).split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--sizes takes whole numbers separated by commas, such as 50,100,200; got "${value}".`);
  return sizes;
}

/** The curve as a table: one row per size, test accuracy per variant, and the gain over from-scratch. */
export function formatCurve(points: CurvePoint[]): string {
  const sizes = [...new Set(points.map((p) => p.size))];
  const variants = CURVE_VARIANTS.filter((v) => points.some((p) => p.variant === v));
  const at = (size: number, variant: string) => points.find((p) => p.size === size && p.variant === variant);
  const header = `${'examples'.padStart(8)}  ${variants.map((v) => (v === 'random' ? 'scratch' : v).padStart(8)).join('  ')}  ${'gain'.padStart(8)}`;
  const lines = ['test accuracy by number of labelled training examples', header];
  for (const size of sizes) {
    const cells = variants.map((v) => {
      const p = at(size, v);
      return (p ? pct(p.accuracy) : '–').padStart(8);
    });
    const scratch = at(size, 'random')?.accuracy;
    const best = Math.max(...variants.filter((v) => v !== 'random').map((v) => at(size, v)?.accuracy ?? -Infinity));
    const gain = scratch === undefined || !Number.isFinite(best) ? '–' : `${best >= scratch ? '+' : '−'}${(100 * Math.abs(best - scratch)).toFixed(1)} pts`;
    lines.push(`${String(size).padStart(8)}  ${cells.join('  ')}  ${gain.padStart(8)}`);
  }
  return `${lines.join('\n')}\n`;
}
