// The fastText CLI's `supervised` mode on exactly our splits, for `classify bench` and
// `npm run bench:classify`: the reference our classifiers are measured against. Optional: when no
// fastText binary is found the bench says so and prints our numbers alone.
import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabelledExample } from '../core/classify/labelledData';
import { toFastTextLines } from '../core/classify/fastTextFormat';
import { classificationReport, type ClassificationReport } from '../core/classify/metrics';
import { writeWord2Vec } from '../core/formats/word2vecFormat';
import type { WordVectors } from '../core/vectors';

/** $FASTTEXT, else `fasttext` on the PATH; undefined when neither runs. */
export function findFastText(): string | undefined {
  for (const candidate of [process.env.FASTTEXT, 'fasttext']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, [], { encoding: 'utf8' });
    // fastText prints its usage and exits 1 when given no command.
    if (!probe.error && /supervised/.test(`${probe.stdout}${probe.stderr}`)) return candidate;
  }
  return undefined;
}

export interface FastTextConfig {
  name: string;
  /** Extra arguments of `fasttext supervised`, e.g. ['-epoch', '25', '-wordNgrams', '2']. */
  args: string[];
  /** Start from these vectors (-pretrainedVectors); -dim follows them. */
  pretrained?: boolean;
}

/**
 * The configurations compared: fastText's defaults, and the settings its text-classification tutorial
 * recommends (more epochs, a higher learning rate, bigrams), each without and with pretrained vectors.
 */
export const FASTTEXT_CONFIGS: FastTextConfig[] = [
  { name: 'fastText default', args: [] },
  { name: 'fastText tuned (epoch 25, lr 0.5, bigrams)', args: ['-epoch', '25', '-lr', '0.5', '-wordNgrams', '2'] },
  { name: 'fastText default + pretrained', args: [], pretrained: true },
  { name: 'fastText tuned + pretrained', args: ['-epoch', '25', '-lr', '0.5', '-wordNgrams', '2'], pretrained: true },
];

export interface FastTextResult {
  config: string;
  report: ClassificationReport;
  trainSeconds: number;
}

/** A temporary folder for one bench run's fastText files; `dispose` removes it. */
export class FastTextWorkspace {
  private constructor(
    readonly dir: string,
    private pretrainedPath: string | undefined,
  ) {}

  static async create(): Promise<FastTextWorkspace> {
    return new FastTextWorkspace(await fs.mkdtemp(path.join(os.tmpdir(), 'transfer-lab-fasttext-')), undefined);
  }

  /** The vectors as a `.vec` file (word2vec text with its "N D" header), which -pretrainedVectors needs; written once. */
  async pretrained(vectors: WordVectors): Promise<string> {
    if (!this.pretrainedPath) {
      const file = path.join(this.dir, 'pretrained.vec');
      await writeWord2Vec(vectors, file, { binary: false });
      this.pretrainedPath = file;
    }
    return this.pretrainedPath;
  }

  async dispose(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Trains fastText on `train` and scores it on `test`. Texts are passed as they are given, so the
 * caller decides the preprocessing both sides see (the bench gives both the same tokenised text).
 */
export async function runFastText(
  binary: string,
  workspace: FastTextWorkspace,
  config: FastTextConfig,
  split: { train: readonly LabelledExample[]; test: readonly LabelledExample[] },
  labels: readonly string[],
  vectors?: WordVectors,
  threads = os.availableParallelism(),
): Promise<FastTextResult> {
  const id = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const trainFile = path.join(workspace.dir, `train-${id}.txt`);
  const testFile = path.join(workspace.dir, `test-${id}.txt`);
  const modelPrefix = path.join(workspace.dir, `model-${id}`);
  await fs.writeFile(trainFile, `${toFastTextLines(split.train).join('\n')}\n`);
  // Labels are not needed to predict, but the same line format keeps the texts identical.
  await fs.writeFile(testFile, `${toFastTextLines(split.test).join('\n')}\n`);
  const args = ['supervised', '-input', trainFile, '-output', modelPrefix, '-thread', String(threads), '-seed', '1', ...config.args];
  if (config.pretrained) {
    if (!vectors) throw new Error(`${config.name} needs pretrained vectors`);
    args.push('-pretrainedVectors', await workspace.pretrained(vectors), '-dim', String(vectors.dim));
  }
  const started = process.hrtime.bigint();
  await run(binary, args);
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const predictions = (await run(binary, ['predict', `${modelPrefix}.bin`, testFile])).replace(/\n$/, '').split('\n');
  await Promise.all([trainFile, testFile, `${modelPrefix}.bin`, `${modelPrefix}.vec`].map((f) => fs.rm(f, { force: true })));
  if (predictions.length !== split.test.length) throw new Error(`fastText predicted ${predictions.length} labels for ${split.test.length} test texts`);
  const index = new Map(labels.map((label, i) => [label.trim().replace(/\s+/g, '_'), i]));
  // A text with no known word gets no prediction: it is given the most frequent training label, as a
  // user of fastText would have to.
  const fallback = mostFrequentLabel(split.train, labels);
  const predicted = predictions.map((line) => index.get(line.trim().replace(/^__label__/, '')) ?? fallback);
  const truth = split.test.map((e) => labels.indexOf(e.label));
  return { config: config.name, report: classificationReport(truth, predicted, labels), trainSeconds };
}

function mostFrequentLabel(examples: readonly LabelledExample[], labels: readonly string[]): number {
  const counts = new Array<number>(labels.length).fill(0);
  for (const e of examples) counts[labels.indexOf(e.label)]++;
  return counts.indexOf(Math.max(...counts));
}

function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`fasttext ${args[0]} exited with ${code}: ${err.trim().split('\n').pop()}`))));
  });
}
