// npm run bench:neural: what pretraining a small neural encoder on raw text buys a classifier.
//  1. A slice of ../shared/data/corpus/gutenberg-12m.txt.gz (first --slice-mb MB of text).
//  2. `transfer-lab pretrain` a Transformer (masked LM), an LSTM (next token) and a sentence
//     autoencoder on it for --minutes each (the first seconds go to the subword skip-gram vectors the
//     token table starts from), two at a time (one core each: tfjs-wasm trains on one thread).
//  3. `transfer-lab classify curve --encoder` on SST-2 and MR: from scratch, frozen and fine-tuned, at
//     --sizes labelled examples; beside it the word-vector CNN of the classifier issue
//     (`classify curve --vectors glove… --arch cnn`), the same sizes and test sets.
//  4. SST-2 only (it has given splits, so its training texts can be read without the test's): the
//     Transformer adapted to the task's own unlabelled training sentences (`pretrain --from`, for
//     --adapt-minutes), then fine-tuned the same way: the workspace-of-reviews case.
// Everything runs in one pool two jobs wide: pretraining first, then each curve once its encoder is done. Prints one markdown table per data set, with wall
// times and tokens/s. Usage:
//   npm run bench:neural [-- --minutes 20 --slice-mb 24 --sizes 50,100,200,500 --adapt-minutes 3 --no-build]
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(ROOT, '..', 'shared', 'data');
const CLI = join(ROOT, 'dist', 'cli.js');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    'slice-mb': { type: 'string', default: '24' },
    sizes: { type: 'string', default: '50,100,200,500' },
    epochs: { type: 'string', default: '8' },
    'adapt-minutes': { type: 'string', default: '3' },
    'no-build': { type: 'boolean', default: false },
    'no-cnn': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** Reuse the encoders of an earlier run (a folder holding transformer/, lstm/ and autoencoder/, from --keep). */
    encoders: { type: 'string' },
  },
});
const SETS = [
  { name: 'SST-2', data: join(DATA, 'classification', 'sst2'), adapt: join(DATA, 'classification', 'sst2', 'train.jsonl') },
  { name: 'MR', data: join(DATA, 'classification', 'mr', 'mr.jsonl') },
];
const GLOVE = join(DATA, 'vectors', 'glove.6B.100d.top40k.txt.gz');
/** The encoders pretrained and compared, as `pretrain --arch` names them. */
const ENCODERS = [
  { arch: 'transformer', label: 'Transformer (masked LM)' },
  { arch: 'lstm', label: 'LSTM (next token)' },
  { arch: 'autoencoder', label: 'Autoencoder (bag of tokens)' },
];

/** An earlier run's pretraining facts, from each encoder's encoder.json (for --encoders). */
function fromManifest(home, arch) {
  const t = JSON.parse(readFileSync(join(home, arch, 'encoder.json'), 'utf8')).training;
  return { result: { backend: t.backend, steps: t.steps, finalLoss: t.finalLoss, tokensPerSecond: t.tokensPerSecond, tokenVectorSeconds: t.tokenVectorSeconds }, seconds: t.elapsedMs / 1000 + (t.tokenVectorSeconds ?? 0) };
}

const log = (line) => process.stderr.write(`[bench:neural] ${line}\n`);

/** Runs the CLI with --json; resolves with its last stdout line parsed, and the wall time. */
function cli(args, label) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      const last = String(d).trim().split('\n').at(-1);
      if (last) log(`${label}: ${last}`);
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${label} failed (exit ${code}):\n${err.slice(-2000)}`));
      resolvePromise({ result: JSON.parse(out.trim().split('\n').at(-1)), seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function writeSlice(file, megabytes) {
  const limit = megabytes * 1024 * 1024;
  let written = 0;
  const output = createWriteStream(file);
  for await (const chunk of createReadStream(join(DATA, 'corpus', 'gutenberg-12m.txt.gz')).pipe(createGunzip())) {
    const part = chunk.subarray(0, Math.max(0, limit - written));
    output.write(part);
    written += part.length;
    if (written >= limit) break;
  }
  await new Promise((r) => output.end(r));
  return written;
}

/** Runs the jobs (functions returning promises) `width` at a time; resolves with their results in order. */
async function pool(jobs, width) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

/**
 * The Transformer continued on the task's unlabelled training sentences (the labels are never read),
 * then fine-tuned ('all' only; its scratch twin is the curve's).
 */
async function adaptedCurve(set, home, work, minutes, curveArgs) {
  const text = join(work, `${set.name}-train.txt`);
  const lines = readFileSync(set.adapt, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l).text);
  writeFileSync(text, `${lines.join('\n')}\n`);
  const out = join(work, `transformer-${set.name}`);
  const pretrain = await cli(['pretrain', text, '--from', join(home, 'transformer'), '--minutes', String(minutes), '--out', out, '--quiet'], `${set.name} adapt transformer`);
  const curve = await cli(['classify', 'curve', set.data, '--encoder', out, '--encoder-training', 'all', ...curveArgs], `${set.name} adapted transformer`);
  return { ...curve, pretrain, sentences: lines.length };
}

const pct = (x) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}`);

async function main() {
  if (!values['no-build']) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'tl-bench-neural-'));
  try {
    const minutes = values.minutes;
    let bytes = Number(values['slice-mb']) * 1024 * 1024;
    const home = values.encoders ? resolve(values.encoders) : work;
    const archs = ENCODERS.map((e) => e.arch);
    // Each encoder's pretraining, started by the pool (or read back from an earlier run's folder).
    const pretrained = new Map();
    let slice;
    if (values.encoders) {
      log(`reusing the encoders in ${home}`);
    } else {
      slice = join(work, 'slice.txt');
      bytes = await writeSlice(slice, Number(values['slice-mb']));
      log(`slice: ${(bytes / 1e6).toFixed(1)} MB of Gutenberg text`);
    }
    const pretrainJob = (arch) => () => {
      const run = values.encoders ? Promise.resolve(fromManifest(home, arch)) : cli(['pretrain', slice, '--arch', arch, '--minutes', minutes, '--vocab-size', '8000', '--out', join(work, arch), '--quiet'], `pretrain ${arch}`);
      pretrained.set(arch, run);
      return run;
    };
    // A curve waits for its encoder: the pool starts pretraining first, so by then it is running.
    const after = (arch, job) => async () => {
      await pretrained.get(arch);
      return job();
    };
    const curveArgs = ['--sizes', values.sizes, '--epochs', values.epochs, '--seed', '1', '--quiet'];
    const adaptMinutes = Number(values['adapt-minutes']);
    const perSet = SETS.map((set) => [
      ...archs.map((arch) => after(arch, () => cli(['classify', 'curve', set.data, '--encoder', join(home, arch), ...curveArgs], `${set.name} ${arch}`))),
      () => (values['no-cnn'] ? undefined : cli(['classify', 'curve', set.data, '--vectors', GLOVE, '--arch', 'cnn', '--no-whole-set', ...curveArgs], `${set.name} word-vector CNN`)),
      ...(set.adapt && adaptMinutes > 0 ? [after('transformer', () => adaptedCurve(set, home, work, adaptMinutes, curveArgs))] : []),
    ]);
    // Pretraining first (two at a time, one core each), then the curves as slots free up.
    const results = await pool([...archs.map(pretrainJob), ...perSet.flat()], 2);
    // Kept before formatting: an hour of measurements is not lost to a formatting error.
    const raw = join(tmpdir(), 'bench-neural-last.json');
    writeFileSync(raw, JSON.stringify({ archs, sets: SETS.map((s) => s.name), results }, null, 1));
    log(`raw results in ${raw}`);
    const encoders = Object.fromEntries(archs.map((arch, i) => [arch, results[i]]));
    const curves = results.slice(archs.length);
    const sections = SETS.map((set, i) => {
      const from = perSet.slice(0, i).reduce((n, jobs) => n + jobs.length, 0);
      const found = curves.slice(from, from + perSet[i].length);
      const byArch = Object.fromEntries(archs.map((arch, k) => [arch, found[k]]));
      return table(set, byArch, found[archs.length], found[archs.length + 1]);
    });
    const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
    const lines = [
      `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Command: \`npm run bench:neural -- ${process.argv.slice(2).join(' ')}\`.`,
      '',
      `Pretraining on ${(bytes / 1e6).toFixed(1)} MB of Gutenberg text for ${minutes} minutes each (two at a time, one core each), token vectors included:`,
      '',
      '| encoder | backend | token vectors s | steps | final loss (perplexity) | tokens/s | wall s |',
      '|---|---|---:|---:|---:|---:|---:|',
      ...Object.entries(encoders).map(([arch, { result, seconds }]) => `| ${arch} | ${result.backend} | ${result.tokenVectorSeconds === undefined ? '–' : result.tokenVectorSeconds.toFixed(0)} | ${result.steps} | ${result.finalLoss.toFixed(3)} (${Math.exp(result.finalLoss).toFixed(0)}) | ${Math.round(result.tokensPerSecond).toLocaleString('en-US')} | ${seconds.toFixed(0)} |`),
      '',
      ...sections,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

/** Test accuracy (%) per size: each encoder three ways (and the adapted one), and the word-vector CNN three ways. */
function table(set, byArch, cnn, adapted) {
  const first = byArch[ENCODERS[0].arch];
  const sizes = [...new Set(first.result.points.map((p) => p.size))].sort((a, b) => a - b);
  const at = (points, key, value, size) => points.find((p) => p.size === size && p[key] === value)?.accuracy;
  const header = ['examples'];
  for (const { arch, label } of ENCODERS) {
    header.push(`${label} scratch`, 'frozen', 'fine-tuned');
    if (arch === 'transformer' && adapted) header.push('adapted, fine-tuned');
  }
  if (cnn) header.push('CNN (GloVe) random', 'frozen', 'tuned');
  const rows = sizes.map((size) => {
    const row = [size];
    for (const { arch } of ENCODERS) {
      row.push(...['scratch', 'frozen', 'all'].map((t) => pct(at(byArch[arch].result.points, 'training', t, size))));
      if (arch === 'transformer' && adapted) row.push(pct(at(adapted.result.points, 'training', 'all', size)));
    }
    if (cnn) row.push(...['random', 'frozen', 'tuned'].map((v) => pct(at(cnn.result.points, 'variant', v, size))));
    return row;
  });
  const seconds = (points) => points.reduce((s, p) => s + p.trainSeconds, 0).toFixed(0);
  const times = [...ENCODERS.map(({ arch, label }) => `${label} ${seconds(byArch[arch].result.points)} s`), ...(cnn ? [`CNN ${seconds(cnn.result.points)} s`] : [])];
  return [
    `**${set.name}** (test accuracy %, ${first.result.test} test examples; training time over the whole curve: ${times.join(', ')})`,
    ...(adapted ? ['', `Adapted: the Transformer continued for ${(adapted.pretrain.seconds / 60).toFixed(1)} minutes (${adapted.pretrain.result.steps} steps, final loss ${adapted.pretrain.result.finalLoss.toFixed(3)}) on the ${adapted.sentences.toLocaleString('en-US')} training sentences without their labels.`] : []),
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}

if (!existsSync(join(DATA, 'corpus', 'gutenberg-12m.txt.gz'))) {
  process.stderr.write('bench:neural needs ../shared/data/corpus/gutenberg-12m.txt.gz (see ../shared/data/README.md).\n');
  process.exit(2);
}
await main();
