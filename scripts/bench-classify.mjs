#!/usr/bin/env node
// npm run bench:classify [-- --sets mr,sst2,trec,subj,sms] [--arch bag:tuned,cnn:frozen,…]
//                          [--folds K] [--no-build]
// Text classification, Transfer Lab beside the fastText CLI on the same splits in the same run:
// `transfer-lab classify bench` on each set of ../shared/data/classification/ with GloVe 6B 100-d
// (the 40,000 most frequent words) as the pretrained vectors. MR and SUBJ by 10-fold
// cross-validation (their custom), SST-2 and TREC on their given splits, SMS spam by 5-fold
// cross-validation. Writes the table, the machine and the command into BENCHMARKS.md (between the
// bench:classify markers) and the raw results into .cache/bench/classify-<date>.json.
// Our systems: the bag of embeddings (tuned, frozen, from scratch) everywhere; the CNN (frozen and
// fine-tuned) and the BiLSTM (fine-tuned) on the sets with a given split only, because on one CPU
// core they take minutes per training and 10-fold cross-validation would take hours.
// --arch replaces the systems on every set; --folds K the number of folds of the CV sets.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.join(ROOT, '..', 'shared', 'data');
const CACHE = path.join(ROOT, '.cache', 'bench');
const BENCHMARKS_MD = path.join(ROOT, 'BENCHMARKS.md');
const MARK_START = '<!-- bench:classify:start -->';
const MARK_END = '<!-- bench:classify:end -->';
const VECTORS = path.join(DATA, 'vectors', 'glove.6B.100d.top40k.txt.gz');

/** Kim (2014), CNN-non-static with word2vec vectors trained on 100 B words of Google News. */
const BAGS = 'bag:tuned,bag:frozen,bag:random';
const ALL = `${BAGS},cnn:frozen,cnn:tuned,bilstm:tuned`;
const SETS = {
  mr: { name: 'MR', data: 'classification/mr/mr.jsonl', folds: 10, kim: 81.5, arch: BAGS },
  sst2: { name: 'SST-2', data: 'classification/sst2', kim: 87.2, arch: ALL },
  trec: { name: 'TREC', data: 'classification/trec', kim: 93.6, arch: ALL },
  subj: { name: 'SUBJ', data: 'classification/subj/subj.jsonl', folds: 10, kim: 93.4, arch: BAGS },
  sms: { name: 'SMS spam', data: 'classification/sms-spam/SMSSpamCollection.tsv', folds: 5, arch: BAGS },
};

function readOptions(argv) {
  const options = { sets: Object.keys(SETS), arch: undefined, folds: undefined, build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (argv[i + 1] === undefined) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--sets') options.sets = value().split(',');
    else if (arg === '--arch') options.arch = value();
    else if (arg === '--folds') options.folds = Number(value());
    else if (arg === '--no-build') options.build = false;
    else throw new Error(`unknown option ${arg}; see the header of scripts/bench-classify.mjs`);
  }
  for (const set of options.sets) if (!SETS[set]) throw new Error(`unknown set ${set}; sets: ${Object.keys(SETS).join(', ')}`);
  return options;
}

const log = (message) => process.stderr.write(`bench:classify: ${message}\n`);
const sh = (command) => spawnSync('bash', ['-c', command], { encoding: 'utf8' }).stdout?.trim() || 'unknown';

function main() {
  const options = readOptions(process.argv.slice(2));
  if (!existsSync(VECTORS)) throw new Error(`${VECTORS} not found: the benchmark needs ../shared/data beside the repository.`);
  if (options.build) {
    const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  mkdirSync(CACHE, { recursive: true });
  const results = [];
  for (const key of options.sets) {
    const set = SETS[key];
    const folds = set.folds === undefined ? [] : ['--folds', String(options.folds ?? set.folds)];
    const args = [path.join(ROOT, 'dist', 'cli.js'), 'classify', 'bench', path.join(DATA, set.data), '--vectors', VECTORS, '--arch', options.arch ?? set.arch, ...folds, '--json'];
    log(`${set.name}: node ${args.slice(1).map((a) => path.relative(ROOT, a) || a).join(' ')}`);
    const started = Date.now();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`${set.name}: classify bench exited with ${run.status}`);
    const result = JSON.parse(run.stdout.trim().split('\n').pop());
    results.push({ key, ...set, wallSeconds: (Date.now() - started) / 1000, result });
    log(`${set.name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const machine = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: sh('nproc'),
    cpu: sh("lscpu | sed -n 's/^Model name: *//p' | head -n 1"),
    ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    fasttext: sh("dpkg-query -W -f='${Version}' fasttext 2>/dev/null"),
  };
  const command = ['npm run bench:classify', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const text = section(results, machine, command);
  process.stdout.write(`${text}\n`);
  writeSection(text);
  const raw = path.join(CACHE, `classify-${machine.date.replace(/:/g, '-')}.json`);
  writeFileSync(raw, `${JSON.stringify({ command, machine, options, results }, null, 2)}\n`);
  log(`wrote BENCHMARKS.md and ${path.relative(ROOT, raw)}`);
}

const pct = (m) => (100 * m.mean).toFixed(1);
const pm = (m) => (m.std > 0 ? `${pct(m)} ± ${(100 * m.std).toFixed(1)}` : pct(m));

function section(results, machine, command) {
  const lines = [
    MARK_START,
    '## Text classification: Transfer Lab beside the fastText CLI',
    '',
    `Written by \`${command}\` on ${machine.date}.`,
    '',
    `- **Pretrained vectors**: GloVe 6B 100-d, the 40,000 most frequent words (\`../shared/data/vectors/glove.6B.100d.top40k.txt.gz\`), for our embeddings and fastText's \`-pretrainedVectors\` alike.`,
    '- **Splits**: the same for both sides, made by `transfer-lab classify bench` (stratified, seed 1). Ours hold out a stratified tenth of each training part for early stopping and keep the best epoch; fastText, which has no early stopping, trains on the whole training part (that tenth included). Both see the same tokenised, lower-cased text.',
    '- **fastText**: the Debian CLI in four configurations: its defaults; the settings of its text-classification tutorial (`-epoch 25 -lr 0.5 -wordNgrams 2`); each without and with `-pretrainedVectors`. Its best row per set is its best model.',
    `- **Ours**: TensorFlow.js on the WebAssembly backend (SIMD, one thread; \`@tensorflow/tfjs-node\` cannot install here). The bag of embeddings (tuned, frozen, from scratch) on every set; the CNN (Kim 2014; frozen and fine-tuned) and the BiLSTM with attention (fine-tuned) only on the sets with a given split, since on one core each of their trainings takes minutes and 10-fold cross-validation would take hours.`,
    `- **Machine**: ${machine.nproc} CPUs, ${machine.cpu}, ${machine.ramGiB} GiB RAM; Node ${machine.node}; fastText ${machine.fasttext}. Train s is the mean training time per fold (ours: to the end of early stopping; fastText: \`supervised\` with 2 threads).`,
    '',
  ];
  const summary = ['| set | evaluation | best of ours | accuracy % | best fastText | accuracy % | ours − fastText | Kim (2014) CNN |', '|---|---|---|---:|---|---:|---:|---:|'];
  for (const r of results) {
    const ours = r.result.rows.filter((row) => row.system.startsWith('Transfer Lab'));
    const theirs = r.result.rows.filter((row) => row.system.startsWith('fastText'));
    const best = (rows) => rows.reduce((a, b) => (b.accuracy.mean > a.accuracy.mean ? b : a), rows[0]);
    const o = best(ours);
    const f = theirs.length ? best(theirs) : undefined;
    const diff = f ? (100 * (o.accuracy.mean - f.accuracy.mean)).toFixed(1) : '—';
    summary.push(`| ${r.name} | ${r.result.evaluation} | ${o.system} | ${pm(o.accuracy)} | ${f?.system ?? 'not run'} | ${f ? pm(f.accuracy) : '—'} | ${f ? (diff.startsWith('-') ? diff : `+${diff}`) : '—'} | ${r.kim ?? '—'} |`);
  }
  lines.push(...summary, '');
  for (const r of results) {
    lines.push(`### ${r.name}`, '', `\`${path.relative(ROOT, r.result.data)}\`: ${r.result.evaluation}; ${r.wallSeconds.toFixed(0)} s for the whole set.`, '');
    lines.push('| system | accuracy % | macro-F1 % | train s |', '|---|---:|---:|---:|');
    for (const row of r.result.rows) lines.push(`| ${row.system} | ${pm(row.accuracy)} | ${pm(row.macroF1)} | ${row.trainSeconds.toFixed(1)} |`);
    lines.push('');
  }
  lines.push(MARK_END);
  return lines.join('\n');
}

function writeSection(text) {
  const old = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf(MARK_START);
  const end = old.indexOf(MARK_END);
  writeFileSync(BENCHMARKS_MD, start >= 0 && end > start ? old.slice(0, start) + text + old.slice(end + MARK_END.length) : `${old.trimEnd()}\n\n${text}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench:classify: ${error.message}\n`);
  process.exitCode = 1;
}
