#!/usr/bin/env node
// `npm run bench:scale`: the "big workspaces" issue, measured. Three questions:
//   1. the 12 M-token Gutenberg corpus: peak RSS of our CLI (skip-gram, dim 100, 1 epoch, 2 threads),
//      and, when gensim is installed, gensim's on the same prepared text (as a ratio);
//   2. a vocabulary of over 1,000,000 words: peak RSS against the size of the weights, checked against
//      the bound stated below (PASS/FAIL);
//   3. a 100,000-file workspace: how long listCorpusFiles (what the CLI scans folders with) takes, and
//      how long it holds the event loop (longest gap of a 10 ms ticker in the same process).
// Prints a Markdown table. Writes nothing into BENCHMARKS.md: copy what you want from the output.
//
// Usage: npm run bench:scale -- [options]
//   --no-build        do not run `npm run build` first
//   --no-gensim       skip the gensim row even when /usr/bin/python3 has gensim
//   --skip-12m | --skip-1m | --skip-scan
//   --tail-words N    distinct rare words in the synthetic corpus          [1050000]
//   --files N         files in the synthetic workspace                     [100000]
//   --keep            keep the temporary folder (its path is printed)
//   --write-synthetic FILE  only write the synthetic 1 M-word corpus to FILE (to train other tools on it)
//   --root DIR        measure another checkout: its dist/cli.js and src/core/corpus.ts  [this one]
//                     (e.g. `git archive HEAD | tar -x -C DIR` with node_modules linked in, so that
//                     edits in progress in the working tree, or someone else's rebuild, do not leak in)
//
// Peak RSS comes from `/usr/bin/time -v` (ru_maxrss of the whole process; the training threads are
// worker threads of that one process, so they are included). Without /usr/bin/time it falls back to
// VmHWM from /proc/<pid>/status, sampled until the process exits. Machines here are shared: read the
// times as context, the memory as the result.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, openSync, readSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.join(path.dirname(ROOT), 'shared');
const CORPUS_12M = path.join(SHARED, 'data', 'corpus', 'gutenberg-12m.txt.gz');
const BENCH = path.join(SHARED, 'bench');
const TIME = '/usr/bin/time';
const PYTHON = '/usr/bin/python3';

const DIM = 100;
const MB = 1024 * 1024;

// The stated memory bound, for dim 100. Peak RSS = a fixed cost (Node, the CLI bundle, two worker
// isolates: ~230 MB) + the two weight matrices (vocab x dim x 4 bytes each) + the vocabulary, which is
// held three times at the peak (the main thread's merged counts and word list, and each worker's
// word -> id Map built at the start of training, before the counting garbage is collected): about
// 1 KB per word, 1.25 x the weights at dim 100. k = 2.5 covers weights + vocabulary with ~15 % to
// spare. At smaller dims the vocabulary's share grows, so the bound is stated for dim 100 only.
// (A first guess of 512 MB + 2 x weights held on one 1.1 M-word run, 2,081 MB against 2,190 MB, and
// not on another, 2,206 MB.)
const BOUND = { baseMB: 512, k: 2.5 };
const boundMB = (weightsMB) => BOUND.baseMB + BOUND.k * weightsMB;
const BOUND_TEXT = `peak RSS ≤ ${BOUND.baseMB} MB + ${BOUND.k} × weights (weights = vocab × ${DIM} × 4 B × 2 matrices)`;

// Synthetic corpus: a Zipf head (s = 1) of HEAD_WORDS words, like real text, and a tail of rare words
// that each occur exactly TAIL_REPEATS times, so that every one of them reaches minCount 5 and the
// vocabulary is known in advance. 1,050,000 x 6 + 14 M = ~20 M tokens.
const HEAD_WORDS = 50_000;
const HEAD_TOKENS = 14_000_000;
const TAIL_REPEATS = 6;
const SENTENCE_TOKENS = 20;
const SEED = 1;

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'no-build': { type: 'boolean', default: false },
      'no-gensim': { type: 'boolean', default: false },
      'skip-12m': { type: 'boolean', default: false },
      'skip-1m': { type: 'boolean', default: false },
      'skip-scan': { type: 'boolean', default: false },
      'tail-words': { type: 'string', default: '1050000' },
      files: { type: 'string', default: '100000' },
      keep: { type: 'boolean', default: false },
      root: { type: 'string', default: ROOT },
      'write-synthetic': { type: 'string' },
    },
  });
  return {
    build: !values['no-build'],
    gensim: !values['no-gensim'],
    run12m: !values['skip-12m'],
    run1m: !values['skip-1m'],
    scan: !values['skip-scan'],
    tailWords: positiveInt('--tail-words', values['tail-words']),
    files: positiveInt('--files', values.files),
    keep: values.keep,
    root: path.resolve(values.root),
    writeSynthetic: values['write-synthetic'],
  };
}

function positiveInt(flag, raw) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${raw}`);
  return n;
}

// ---------- measuring a child process ----------

/** Runs a command to completion; returns its stdout, stderr, wall seconds and peak RSS in MB. */
async function measured(command, args, options = {}) {
  if (existsSync(TIME)) {
    const r = spawnSync(TIME, ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 64 * MB, ...options });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-3000)}`);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
    const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(r.stderr);
    return {
      stdout: r.stdout,
      stderr: r.stderr,
      wallSeconds: wall ? wall[1].split(':').reduce((s, part) => s * 60 + Number(part), 0) : NaN,
      peakMB: rss ? Number(rss[1]) / 1024 : NaN,
      rssSource: '/usr/bin/time -v',
    };
  }
  // VmHWM is the kernel's own high-water mark, so sampling only has to catch the process before it
  // exits, not at its peak.
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let hwmKB = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
    } catch {
      // already gone
    }
  };
  const timer = setInterval(sample, 100);
  const [code] = await once(child, 'exit');
  clearInterval(timer);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${code}):\n${stderr.slice(-3000)}`);
  return { stdout, stderr, wallSeconds: (performance.now() - started) / 1000, peakMB: hwmKB / 1024, rssSource: 'VmHWM (sampled)' };
}

async function trainOurs(cli, corpus, outDir, name) {
  const out = path.join(outDir, `${name}.bin`);
  const args = [cli, 'train', corpus, '--out', out, '--mode', 'sg', '--dim', String(DIM), '--epochs', '1', '--threads', '2', '--json', '--quiet'];
  const r = await measured(process.execPath, args);
  const json = JSON.parse(r.stdout.trim().split('\n').at(-1));
  rmSync(out, { force: true });
  return {
    vocab: json.vocabularySize,
    corpusWords: json.corpusWords,
    wordsPerSecond: json.wordsPerSecond,
    trainSeconds: json.trainingSeconds,
    wallSeconds: r.wallSeconds,
    peakMB: r.peakMB,
    rssSource: r.rssSource,
  };
}

function gensimAvailable() {
  if (!existsSync(PYTHON) || !existsSync(path.join(BENCH, 'reference.sh'))) return false;
  return spawnSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0;
}

/** ../shared/bench/reference.sh: gensim with the same settings, its own /usr/bin/time -v. */
function trainGensim(corpus, outDir) {
  const prefix = path.join(outDir, 'gensim');
  const r = spawnSync('bash', [path.join(BENCH, 'reference.sh'), 'gensim-word2vec', 'sg', corpus, prefix, '1', '2'], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`reference.sh failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const json = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const vectors = json.vectors;
  // The first line of word2vec text format is "<vocab> <dim>".
  // The file is ~1 GB for a 1 M-word vocabulary: read only the header.
  const fd = openSync(vectors, 'r');
  const head = Buffer.alloc(64);
  readSync(fd, head, 0, 64, 0);
  closeSync(fd);
  const vocab = Number(head.toString('latin1').split(/\s/)[0]);
  rmSync(vectors, { force: true });
  return { vocab, corpusWords: json.corpus_words, wordsPerSecond: json.words_per_s, trainSeconds: json.train_s, wallSeconds: json.wall_s, peakMB: json.peak_rss_mb };
}

// ---------- the synthetic 1 M-word corpus ----------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Letters only, so every tokenizer path keeps a word whole; the prefix keeps head and tail apart. */
function spell(prefix, n) {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return prefix + s;
}

async function writeSyntheticCorpus(file, tailWords) {
  const random = mulberry32(SEED);
  const head = Array.from({ length: HEAD_WORDS }, (_, i) => spell('x', i));
  const cumulative = new Float64Array(HEAD_WORDS);
  let total = 0;
  for (let r = 0; r < HEAD_WORDS; r++) cumulative[r] = total += 1 / (r + 1);
  const pickHead = () => {
    const u = random() * total;
    let lo = 0;
    let hi = HEAD_WORDS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return head[lo];
  };
  // Each pass over the tail is the permutation i -> (i * STRIDE + pass * OFFSET) mod N (STRIDE prime
  // and not a factor of N), so every tail word occurs exactly TAIL_REPEATS times, in scattered order.
  const STRIDE = 1_000_003;
  if (tailWords % STRIDE === 0) throw new Error('--tail-words must not be a multiple of 1000003');
  const OFFSET = 7_919;
  const tailTotal = tailWords * TAIL_REPEATS;
  let tailDone = 0;
  const nextTail = () => {
    const pass = Math.floor(tailDone / tailWords);
    const i = tailDone % tailWords;
    tailDone++;
    // Below 2^53 for any tail up to ~9e9 words, so plain numbers stay exact.
    return spell('q', (i * STRIDE + pass * OFFSET) % tailWords);
  };
  const tokens = tailTotal + HEAD_TOKENS;
  const stream = createWriteStream(file);
  let buffer = [];
  let line = [];
  for (let t = 0; t < tokens; t++) {
    // Drawing tail with probability (tail left / tokens left) spreads it evenly and ends exactly.
    const tailLeft = tailTotal - tailDone;
    line.push(random() * (tokens - t) < tailLeft ? nextTail() : pickHead());
    if (line.length === SENTENCE_TOKENS) {
      buffer.push(line.join(' '));
      line = [];
      if (buffer.length === 5000) {
        if (!stream.write(buffer.join('\n') + '\n')) await once(stream, 'drain');
        buffer = [];
      }
    }
  }
  if (line.length) buffer.push(line.join(' '));
  stream.end(buffer.join('\n') + '\n');
  await once(stream, 'finish');
  return { tokens, distinct: tailWords + HEAD_WORDS };
}

// ---------- the 100 k-file workspace ----------

/** d0..d9 / d0..d9 / d0..d9 / 100 files: 1,000 leaf folders, every tenth file not a corpus file. */
function writeWorkspace(root, files) {
  const perFolder = 100;
  let written = 0;
  for (let leaf = 0; written < files; leaf++) {
    const dir = path.join(root, `d${Math.floor(leaf / 100) % 10}`, `d${Math.floor(leaf / 10) % 10}`, `d${leaf % 10}${leaf >= 1000 ? `-${Math.floor(leaf / 1000)}` : ''}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perFolder && written < files; f++, written++) {
      writeFileSync(path.join(dir, `note-${f}.${written % 10 === 9 ? 'log' : 'txt'}`), `file ${written}\n`);
    }
  }
}

/** All files in one folder: the worst case for a walk that handles a folder's entries in one go. */
function writeFlatWorkspace(root, files) {
  mkdirSync(root, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(root, `note-${i}.${i % 10 === 9 ? 'log' : 'txt'}`), `file ${i}\n`);
}

/** Times listCorpusFiles with a 10 ms ticker beside it: the longest gap is how long the loop was held. */
async function timeScan(listCorpusFiles, root) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 10);
  histogram.enable();
  const started = performance.now();
  const files = await listCorpusFiles(root);
  const seconds = (performance.now() - started) / 1000;
  // One more tick so a block at the very end of the scan is counted too.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  histogram.disable();
  return { files: files.length, seconds, longestGapMs: longestGap, maxDelayMs: histogram.max / 1e6, p99DelayMs: histogram.percentile(99) / 1e6 };
}

// ---------- output ----------

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return `${cpu}, ${os.availableParallelism()} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}`;
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  if (options.writeSynthetic) {
    const { tokens, distinct } = await writeSyntheticCorpus(options.writeSynthetic, options.tailWords);
    process.stderr.write(`${options.writeSynthetic}: ${fmt(tokens)} tokens, ${fmt(distinct)} distinct words\n`);
    return;
  }
  if (options.build) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: options.root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
  }
  const cli = path.join(options.root, 'dist', 'cli.js');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-bench-scale-'));
  const log = (message) => process.stderr.write(`[bench:scale] ${message}\n`);
  log(`temporary folder ${tmp}`);
  const rows = [];
  const checks = [];
  const scans = [];
  try {
    if (options.run12m) {
      log('12 M corpus: ours on the .gz as shipped');
      const raw = await trainOurs(cli, CORPUS_12M, tmp, 'gutenberg');
      rows.push({ run: 'ours, Gutenberg 12 M (.gz as is)', ...raw });
      if (options.gensim && gensimAvailable()) {
        // gensim reads plain whitespace-split text, so both get the shared preparation for the ratio.
        const prepared = path.join(tmp, 'gutenberg-prepared.txt');
        log('12 M corpus: preparing the shared lowercased text for the gensim comparison');
        const p = spawnSync('bash', [path.join(BENCH, 'prepare-corpus.sh'), CORPUS_12M, prepared], { stdio: ['ignore', 'ignore', 'inherit'] });
        if (p.status !== 0) throw new Error('prepare-corpus.sh failed');
        log('12 M corpus: ours on the prepared text');
        const ours = await trainOurs(cli, prepared, tmp, 'gutenberg-prepared');
        rows.push({ run: 'ours, Gutenberg 12 M (prepared)', ...ours });
        log('12 M corpus: gensim on the prepared text');
        const gensim = trainGensim(prepared, tmp);
        rows.push({ run: 'gensim 4.2, Gutenberg 12 M (prepared)', ...gensim });
        rows.at(-2).note = `${fmt(ours.peakMB / gensim.peakMB, 2)}× gensim's peak RSS`;
        rmSync(prepared, { force: true });
      } else {
        log('gensim: skipped (--no-gensim, or /usr/bin/python3 has no gensim)');
      }
    }
    if (options.run1m) {
      const synthetic = path.join(tmp, 'synthetic-1m.txt');
      log(`synthetic corpus: ${fmt(options.tailWords)} rare words x ${TAIL_REPEATS} + ${fmt(HEAD_TOKENS)} Zipf tokens`);
      const started = performance.now();
      const { tokens, distinct } = await writeSyntheticCorpus(synthetic, options.tailWords);
      log(`synthetic corpus: ${fmt(tokens)} tokens, ${fmt(distinct)} distinct, ${fmt(statSync(synthetic).size / MB)} MB, written in ${fmt((performance.now() - started) / 1000, 1)} s`);
      log('synthetic corpus: ours');
      const ours = await trainOurs(cli, synthetic, tmp, 'synthetic');
      rows.push({ run: `ours, synthetic ${fmt(tokens / 1e6, 1)} M tokens`, ...ours });
      if (options.gensim && gensimAvailable()) {
        log('synthetic corpus: gensim');
        const gensim = trainGensim(synthetic, tmp);
        rows.push({ run: `gensim 4.2, synthetic ${fmt(tokens / 1e6, 1)} M tokens`, ...gensim });
        rows.at(-2).note = `${fmt(ours.peakMB / gensim.peakMB, 2)}× gensim's peak RSS`;
      }
      if (!options.keep) rmSync(synthetic, { force: true });
    }
    for (const row of rows) {
      row.weightsMB = (row.vocab * DIM * 4 * 2) / MB;
      row.boundMB = boundMB(row.weightsMB);
      if (row.run.startsWith('ours')) checks.push({ run: row.run, peakMB: row.peakMB, boundMB: row.boundMB, pass: row.peakMB <= row.boundMB });
    }

    if (options.scan) {
      const { tsImport } = await import('tsx/esm/api');
      const { listCorpusFiles } = await tsImport(path.join(options.root, 'src', 'core', 'corpus.ts'), import.meta.url);
      for (const [layout, write] of [
        [`nested: ${fmt(Math.ceil(options.files / 100))} folders x 100 files, 3 levels`, writeWorkspace],
        ['flat: one folder', writeFlatWorkspace],
      ]) {
        const root = path.join(tmp, layout.startsWith('nested') ? 'workspace-nested' : 'workspace-flat');
        log(`workspace scan: writing ${fmt(options.files)} files (${layout})`);
        write(root, options.files);
        // Three scans: the first also pays for cold dentry and inode caches, the others show the spread.
        for (let i = 1; i <= 3; i++) {
          const r = await timeScan(listCorpusFiles, root);
          scans.push({ layout, pass: i, ...r });
          log(`workspace scan ${layout} #${i}: ${fmt(r.files)} corpus files in ${fmt(r.seconds, 2)} s, longest ticker gap ${fmt(r.longestGapMs)} ms`);
        }
        rmSync(root, { recursive: true, force: true });
      }
    }
  } finally {
    if (options.keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  const out = [];
  out.push(`Machine: ${machine()}. Command: \`npm run bench:scale${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`.`);
  out.push('');
  if (rows.length) {
    out.push('| run | vocab | corpus words | words/s | train s | wall s | peak RSS MB | weights MB | bound MB | note |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of rows) {
      const bound = r.run.startsWith('ours') ? fmt(r.boundMB) : '—';
      out.push(`| ${r.run} | ${fmt(r.vocab)} | ${fmt(r.corpusWords)} | ${fmt(r.wordsPerSecond)} | ${fmt(r.trainSeconds, 1)} | ${fmt(r.wallSeconds, 1)} | ${fmt(r.peakMB)} | ${fmt(r.weightsMB, 1)} | ${bound} | ${r.note ?? ''} |`);
    }
    out.push('');
    out.push(
      `Ours: \`node dist/cli.js train CORPUS --out OUT.bin --mode sg --dim ${DIM} --epochs 1 --threads 2 --json --quiet\` (min count 5, window 5, ` +
        `negative 5, sample 1e-3: the defaults); gensim: \`../shared/bench/reference.sh gensim-word2vec sg CORPUS OUT 1 2\` (the same settings). ` +
        `Peak RSS: ${rows.find((r) => r.rssSource)?.rssSource ?? '/usr/bin/time -v'}. Prepared = \`../shared/bench/prepare-corpus.sh\` (lowercased, letters only).`,
    );
    out.push('');
    out.push(`Bound: ${BOUND_TEXT}.`);
    for (const c of checks) out.push(`- ${c.pass ? 'PASS' : 'FAIL'}: ${c.run}: ${fmt(c.peakMB)} MB ${c.pass ? '≤' : '>'} ${fmt(c.boundMB)} MB`);
    out.push('');
  }
  if (scans.length) {
    out.push(`listCorpusFiles on ${fmt(options.files)} files (every tenth a .log, not a corpus file), with a 10 ms setInterval ticker in the same process:`);
    out.push('');
    out.push('| layout | scan | corpus files | seconds | longest ticker gap ms | max event-loop delay ms | p99 delay ms |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const s of scans) out.push(`| ${s.layout} | ${s.pass} | ${fmt(s.files)} | ${fmt(s.seconds, 2)} | ${fmt(s.longestGapMs)} | ${fmt(s.maxDelayMs)} | ${fmt(s.p99DelayMs)} |`);
    out.push('');
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (checks.some((c) => !c.pass)) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`bench:scale: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
