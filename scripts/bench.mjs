#!/usr/bin/env node
// `npm run bench`: Transfer Lab's trainer beside the tools users would pick instead (gensim, the
// fastText CLI), on one prepared corpus, in one run, judged by one referee (../shared/bench/evaluate.py).
// Prints a Markdown table, writes it into BENCHMARKS.md (between the bench:word-vectors markers) and
// keeps the raw results in .cache/bench/results-<timestamp>.json.
//
// Usage: npm run bench -- [options]
//   --modes sg,cbow     which architectures                                  [sg,cbow]
//   --tools LIST        comma-separated, from: ours-word2vec, gensim-word2vec, word2vec-c,
//                       ours-fasttext, gensim-fasttext (slow), fasttext
//                       [ours-word2vec,gensim-word2vec,word2vec-c,ours-fasttext,fasttext]
//   --epochs N          passes over the corpus                               [1]
//   --threads N         training threads for every tool                      [2]
//   --repeat N          runs per row; the table shows medians                [1]
//   --quick             train on the first ~2 M words only (a smoke run)
//   --corpus FILE       source text (plain or .gz) instead of the 12 M-word Gutenberg corpus;
//                       it gets the same preparation as the default one
//   --cli FILE          our CLI to benchmark                                 [dist/cli.js]
//   --no-build          do not run `npm run build` first
//
// Machines here are shared and noisy, so tools run alternately (ours, reference, ours, reference…)
// within each mode, and the table compares ratios measured in the same run.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
// ../shared sits beside the repository, on developer machines and in CI alike.
const SHARED = path.join(path.dirname(ROOT), 'shared');
const BENCH = path.join(SHARED, 'bench');
const DEFAULT_SOURCE = path.join(SHARED, 'data', 'corpus', 'gutenberg-12m.txt.gz');
const CACHE = path.join(ROOT, '.cache', 'bench');
const BENCHMARKS_MD = path.join(ROOT, 'BENCHMARKS.md');
const MARK_START = '<!-- bench:word-vectors:start -->';
const MARK_END = '<!-- bench:word-vectors:end -->';
const QUICK_WORDS = 2_000_000;

// The settings reference.sh and gensim_train.py hard-code; ours gets them as flags so the rows compare
// like with like. (fastText's n-gram settings are its defaults, which gensim_train.py also uses.)
const SETTINGS = { dim: 100, window: 5, negative: 5, minCount: 5, sample: 1e-3, seed: 1 };
// reference.sh gives the fastText CLI no -lr, so it trains at fastText's default 0.05; ours gets the
// same (our FastText default is gensim's 0.025).
const FASTTEXT_SETTINGS = { minn: 3, maxn: 6, bucket: 2_000_000, alpha: 0.05 };

// Table order. `ours` rows are run by our CLI; the others by ../shared/bench/reference.sh.
const TOOLS = {
  'ours-word2vec': { algo: 'word2vec', ours: true },
  // gensim's corpus_file mode decays each worker's learning rate by that worker's share of the
  // epoch, so with W workers one epoch ends at alpha - (alpha - min_alpha) / W, not at min_alpha
  // (word2vec_corpusfile.pyx, get_next_alpha). This row gives ours that same schedule, to compare
  // the algorithms apart from the schedule.
  'ours-word2vec-gensim-lr': { algo: 'word2vec', ours: true, gensimSchedule: true },
  'gensim-word2vec': { algo: 'word2vec' },
  'word2vec-c': {
    algo: 'word2vec',
    unavailable: 'not available here: ../shared/bench/reference.sh runs only gensim and the fastText CLI, and no word2vec.c build is installed',
  },
  'ours-fasttext': { algo: 'fasttext', ours: true },
  'gensim-fasttext': { algo: 'fasttext' },
  fasttext: { algo: 'fasttext' },
};
const DEFAULT_TOOLS = ['ours-word2vec', 'ours-word2vec-gensim-lr', 'gensim-word2vec', 'word2vec-c', 'ours-fasttext', 'fasttext'];
/** gensim's and our defaults. */
const ALPHA = 0.025;
const MIN_ALPHA = 0.0001;

// ---------- options ----------

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      modes: { type: 'string', default: 'sg,cbow' },
      tools: { type: 'string', default: DEFAULT_TOOLS.join(',') },
      epochs: { type: 'string', default: '1' },
      threads: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      corpus: { type: 'string' },
      cli: { type: 'string', default: path.join(ROOT, 'dist', 'cli.js') },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const modes = list(values.modes);
  for (const mode of modes) if (mode !== 'sg' && mode !== 'cbow') throw new Error(`--modes takes sg and/or cbow, got "${mode}".`);
  const tools = list(values.tools);
  for (const tool of tools) if (!TOOLS[tool]) throw new Error(`unknown tool "${tool}". Tools: ${Object.keys(TOOLS).join(', ')}.`);
  return {
    help: values.help,
    modes,
    tools,
    epochs: positiveInt('--epochs', values.epochs),
    threads: positiveInt('--threads', values.threads),
    repeat: positiveInt('--repeat', values.repeat),
    quick: values.quick,
    source: path.resolve(values.corpus ?? DEFAULT_SOURCE),
    cli: path.resolve(values.cli),
    build: !values['no-build'],
  };
}

function list(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveInt(name, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} takes a whole number of at least 1, got "${text}".`);
  return n;
}

// ---------- corpus ----------

/** True when `file` exists and was written after `source` (so it was made from this source). */
function isFresh(file, source) {
  return existsSync(file) && statSync(file).mtimeMs > statSync(source).mtimeMs;
}

/** The lowercased, letters-only text every tool trains on, made once by the shared script. */
function prepareCorpus(source) {
  if (!existsSync(source)) throw new Error(`corpus ${source} does not exist.`);
  // The default keeps the name .cache/bench/corpus.txt; another source gets a file of its own.
  const name = source === DEFAULT_SOURCE ? 'corpus' : `corpus-${path.basename(source).replace(/\.gz$/, '').replace(/\.[^.]*$/, '')}`;
  const prepared = path.join(CACHE, `${name}.txt`);
  if (isFresh(prepared, source)) return prepared;
  log(`preparing ${path.relative(ROOT, prepared)} from ${source} (once)…`);
  const result = spawnSync('bash', [path.join(BENCH, 'prepare-corpus.sh'), source, prepared], { stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`prepare-corpus.sh failed (exit ${result.status}) on ${source}.`);
  return prepared;
}

/** The first ~`words` words of `prepared`, cut at a line end, for --quick smoke runs. */
async function quickSlice(prepared, words) {
  const slice = prepared.replace(/\.txt$/, `-${words / 1e6}m.txt`);
  if (isFresh(slice, prepared)) return slice;
  const out = createWriteStream(`${slice}.tmp`);
  let count = 0;
  const lines = createInterface({ input: createReadStream(prepared), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
    count += line.split(' ').filter(Boolean).length;
    if (count >= words) break;
  }
  lines.close();
  out.end();
  await once(out, 'finish');
  renameSync(`${slice}.tmp`, slice); // a half-written slice is never mistaken for a fresh one
  return slice;
}

/** Words as reference.sh counts them (`wc -w`), so every row divides by the same number. */
function countWords(file) {
  const result = spawnSync('wc', ['-w', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wc -w ${file} failed: ${result.stderr.trim()}`);
  return Number(result.stdout.trim().split(/\s+/)[0]);
}

// ---------- running the tools ----------

/** Builds dist/cli.js; returns an error message instead of throwing so references still run. */
function buildCli() {
  log('building our CLI (npm run build)…');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  process.stderr.write(result.stdout + result.stderr);
  return result.status === 0 ? null : `failed: npm run build: ${errorLine(result.stderr || result.stdout)}`;
}

/** Runs a command under /usr/bin/time -v; splits its own stderr from time's report. */
function timed(command, args, options = {}) {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const stderr = result.error ? `${result.error.message}\n` : result.stderr ?? '';
  const reportAt = stderr.search(/^(Command exited with non-zero status|Command terminated by signal|\tCommand being timed:)/m);
  const report = reportAt >= 0 ? stderr.slice(reportAt) : '';
  const wall = /Elapsed \(wall clock\) time \([^)]*\): ([\d:.]+)/.exec(report)?.[1];
  const rssKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1];
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: reportAt >= 0 ? stderr.slice(0, reportAt) : stderr,
    wallSeconds: wall ? wall.split(':').reduce((s, part) => s * 60 + Number(part), 0) : null,
    peakRssMb: rssKb ? Math.round(Number(rssKb) / 1024) : null,
  };
}

/** Our CLI with the shared settings. Words/s are recomputed from `wc -w`, as reference.sh does. */
function runOurs(tool, mode, ctx) {
  if (ctx.buildError) return { error: ctx.buildError };
  const algo = TOOLS[tool].algo;
  const vectors = path.join(ctx.vectorsDir, `${tool}-${mode}.txt`);
  const schedule = TOOLS[tool].gensimSchedule ? ['--min-alpha', ALPHA - (ALPHA - MIN_ALPHA) / ctx.threads] : [];
  rmSync(vectors, { force: true }); // never evaluate an older run's file after a failed one
  const args = [
    ctx.cli, 'train', ctx.corpus, '--algo', algo, '--mode', mode,
    '--dim', SETTINGS.dim, '--window', SETTINGS.window, '--negative', SETTINGS.negative,
    '--min-count', SETTINGS.minCount, '--sample', SETTINGS.sample,
    ...(algo === 'fasttext'
      ? ['--minn', FASTTEXT_SETTINGS.minn, '--maxn', FASTTEXT_SETTINGS.maxn, '--bucket', FASTTEXT_SETTINGS.bucket, '--alpha', FASTTEXT_SETTINGS.alpha]
      : []),
    '--epochs', ctx.epochs, '--threads', ctx.threads, '--seed', SETTINGS.seed, ...schedule,
    '--out', vectors, '--json', '--quiet',
  ].map(String);
  const run = timed(process.execPath, args, { cwd: ROOT });
  if (run.status !== 0) return { error: `failed: ${errorLine(run.stderr || run.stdout) || `exit status ${run.status}`}` };
  const report = lastJsonLine(run.stdout);
  if (!report) return { error: `failed: no JSON line on stdout: ${errorLine(run.stdout)}` };
  if (!(report.trainingSeconds > 0)) return { error: `failed: no trainingSeconds in ${JSON.stringify(report).slice(0, 80)}` };
  return {
    wordsPerSecond: Math.round((ctx.corpusWords * ctx.epochs) / report.trainingSeconds),
    trainSeconds: report.trainingSeconds,
    wallSeconds: run.wallSeconds,
    peakRssMb: run.peakRssMb,
    vectors,
    raw: report,
  };
}

/** One reference training through ../shared/bench/reference.sh, which times and counts by itself. */
function runReference(tool, mode, ctx) {
  if (TOOLS[tool].unavailable) return { error: TOOLS[tool].unavailable };
  const prefix = path.join(ctx.vectorsDir, `${tool}-${mode}`);
  rmSync(`${prefix}.txt`, { force: true });
  // reference.sh sends the tool's output to a mktemp log and keeps it when the tool fails; a TMPDIR of
  // our own lets us find that log and show why.
  const tmp = path.join(CACHE, 'tmp', `${tool}-${mode}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const args = [path.join(BENCH, 'reference.sh'), tool, mode, ctx.corpus, prefix, ctx.epochs, ctx.threads].map(String);
  const result = spawnSync('bash', args, { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
  const toolLog = readLeftoverLog(tmp);
  rmSync(tmp, { recursive: true, force: true });
  // The tools print progress first and the reason last (a traceback, fastText's "Empty vocabulary…").
  if (result.status !== 0) return { error: `failed: ${lastLine(toolLog) || errorLine(result.stderr) || `reference.sh exit status ${result.status}`}` };
  const report = lastJsonLine(result.stdout);
  if (!report) return { error: `failed: no JSON line from reference.sh: ${errorLine(result.stdout + result.stderr)}` };
  return {
    wordsPerSecond: report.words_per_s,
    trainSeconds: report.train_s,
    wallSeconds: report.wall_s,
    peakRssMb: report.peak_rss_mb,
    vectors: report.vectors,
    raw: report,
  };
}

function readLeftoverLog(dir) {
  const text = readdirSync(dir).map((name) => readFileSync(path.join(dir, name), 'utf8')).join('\n');
  // Drop /usr/bin/time's report, which reference.sh writes into the same log.
  return text.split(/^(?:Command exited with non-zero status|Command terminated by signal|\tCommand being timed:)/m)[0];
}

/** The shared referee: gensim's evaluators on the same sets for every tool. */
function evaluate(vectors) {
  const result = spawnSync('/usr/bin/python3', [path.join(BENCH, 'evaluate.py'), vectors], { encoding: 'utf8' });
  const report = result.status === 0 ? lastJsonLine(result.stdout) : null;
  return report ?? { error: `evaluate.py: ${lastLine(result.stderr || result.stdout)}` };
}

function lastJsonLine(text) {
  const line = text.trim().split('\n').at(-1)?.trim();
  if (!line?.startsWith('{')) return null;
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** The first line of an error message (our CLI and npm put the reason first). */
function errorLine(text) {
  return nonEmptyLines(text)[0]?.slice(0, 160) ?? '';
}

function lastLine(text) {
  return nonEmptyLines(text).at(-1)?.slice(0, 160) ?? '';
}

function nonEmptyLines(text) {
  return (text ?? '').split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean);
}

// ---------- the plan ----------

/** Row order: per algorithm and mode, ours then the references; repeats alternate within a mode. */
function plan(options) {
  const runs = [];
  for (const algo of ['word2vec', 'fasttext']) {
    const tools = Object.keys(TOOLS).filter((t) => TOOLS[t].algo === algo && options.tools.includes(t));
    for (const mode of options.modes) {
      for (let repeat = 1; repeat <= options.repeat; repeat++) {
        // An unavailable tool gives the same answer every time: one row per mode is enough.
        for (const tool of tools) if (repeat === 1 || !TOOLS[tool].unavailable) runs.push({ tool, mode, repeat });
      }
    }
  }
  return runs;
}

function runAll(runs, ctx) {
  const results = [];
  runs.forEach(({ tool, mode, repeat }, i) => {
    const label = `[${i + 1}/${runs.length}] ${tool} ${mode}${ctx.repeat > 1 ? ` (run ${repeat}/${ctx.repeat})` : ''}`;
    // The machine is shared: a high load average before a run explains an outlier in the raw results.
    const loadBefore = Number(os.loadavg()[0].toFixed(2));
    log(`${label}… (load average ${loadBefore})`);
    const outcome = TOOLS[tool].ours ? runOurs(tool, mode, ctx) : runReference(tool, mode, ctx);
    if (outcome.vectors) outcome.evaluation = evaluate(outcome.vectors);
    log(outcome.error ? `${label}: ${outcome.error}` : `${label}: ${fmtInt(outcome.wordsPerSecond)} words/s, ${outcome.trainSeconds.toFixed(1)} s training, ${outcome.peakRssMb} MB, analogy ${pct(outcome.evaluation?.analogy)} %`);
    results.push({ tool, mode, repeat, algo: TOOLS[tool].algo, ours: !!TOOLS[tool].ours, loadBefore, ...outcome });
  });
  return results;
}

// ---------- summary ----------

/** One row per tool and mode: medians over the runs that worked, or the first error. */
function summarise(results) {
  const rows = [];
  for (const r of results) {
    if (rows.some((row) => row.tool === r.tool && row.mode === r.mode)) continue;
    const runs = results.filter((x) => x.tool === r.tool && x.mode === r.mode);
    const ok = runs.filter((x) => !x.error);
    const row = { tool: r.tool, mode: r.mode, algo: r.algo, ours: r.ours, runs: runs.length, okRuns: ok.length };
    if (ok.length === 0) {
      rows.push({ ...row, error: runs[0].error });
      continue;
    }
    const m = (get) => median(ok.map(get).filter((v) => typeof v === 'number'));
    const ev = (key) => m((x) => x.evaluation?.[key]);
    rows.push({
      ...row,
      wordsPerSecond: m((x) => x.wordsPerSecond),
      wallSeconds: m((x) => x.wallSeconds),
      trainSeconds: m((x) => x.trainSeconds),
      peakRssMb: m((x) => x.peakRssMb),
      analogy: ev('analogy'),
      semantic: ev('analogy_semantic'),
      syntactic: ev('analogy_syntactic'),
      ws353: ev('ws353_spearman'),
      simlex: ev('simlex_spearman'),
      vocab: ev('vocab'),
      evaluationError: ok.find((x) => x.evaluation?.error)?.evaluation.error,
    });
  }
  for (const row of rows) {
    const best = bestReference(rows, row.algo, row.mode);
    row.ratio = best && row.wordsPerSecond ? row.wordsPerSecond / best.wordsPerSecond : null;
  }
  return rows;
}

function bestReference(rows, algo, mode) {
  const refs = rows.filter((r) => !r.ours && r.algo === algo && r.mode === mode && r.wordsPerSecond);
  return refs.sort((a, b) => b.wordsPerSecond - a.wordsPerSecond)[0] ?? null;
}

function median(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** "word2vec sg: ours 0.85× gensim-word2vec's words/s, 1.3× its peak RSS", per algorithm and mode. */
function ratioLines(rows) {
  const lines = [];
  for (const ours of rows.filter((r) => r.ours)) {
    const label = `${ours.tool} ${ours.mode}`;
    const best = bestReference(rows, ours.algo, ours.mode);
    if (ours.error) lines.push(`${label}: no result for ours (see its row)`);
    else if (!best) lines.push(`${label}: no reference measured`);
    else {
      lines.push(
        `${label}: ${ratio(ours.wordsPerSecond / best.wordsPerSecond)} ${best.tool}'s words/s, ` +
          `${ratio(best.wallSeconds / ours.wallSeconds)} its speed in wall time, ${ratio(ours.peakRssMb / best.peakRssMb)} its peak RSS, ` +
          `analogy ${pointDifference(ours.analogy, best.analogy)}`,
      );
    }
  }
  return lines.length ? lines : ['ours not run in this benchmark (see --tools)'];
}

function pointDifference(ours, theirs) {
  if (ours == null || theirs == null) return 'n/a';
  const points = (ours - theirs) * 100;
  return `${points >= 0 ? '+' : ''}${points.toFixed(1)} points`;
}

// ---------- output ----------

const COLUMNS = ['tool', 'mode', 'words/s', 'ratio vs best reference', 'wall s', 'train s', 'peak RSS MB', 'analogy %', 'semantic %', 'syntactic %', 'WS-353 ρ', 'SimLex ρ', 'vocab'];

function tableRow(r) {
  if (r.error) return [r.tool, r.mode, r.error, ...Array(COLUMNS.length - 3).fill('—')];
  return [
    r.tool, r.mode, fmtInt(r.wordsPerSecond), r.ratio == null ? '—' : `${r.ratio.toFixed(2)}×`,
    fixed(r.wallSeconds, 1), fixed(r.trainSeconds, 1), fmtInt(r.peakRssMb),
    pct(r.analogy), pct(r.semantic), pct(r.syntactic), fixed(r.ws353, 3), fixed(r.simlex, 3), fmtInt(r.vocab),
  ];
}

function markdownTable(rows) {
  const cell = (s) => String(s).replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${tableRow(r).map(cell).join(' | ')} |`),
  ].join('\n');
}

function section({ rows, options, machine, corpus, corpusWords, command }) {
  const notes = rows.filter((r) => r.evaluationError).map((r) => `- ${r.tool} ${r.mode}: ${r.evaluationError}`);
  if (!options.tools.includes('word2vec-c')) notes.push('- word2vec.c: not run (not available here: ../shared/bench/reference.sh runs only gensim and the fastText CLI).');
  return `${MARK_START}
## Word vectors: Transfer Lab beside gensim and fastText

Written by \`${command}\` on ${machine.date}.

- **Corpus**: \`${path.relative(ROOT, corpus)}\`, ${fmtInt(corpusWords)} words (\`wc -w\`)${options.quick ? `, the first ~${QUICK_WORDS / 1e6} M words of the prepared corpus (--quick)` : ''}; prepared from \`${path.relative(ROOT, options.source)}\` by \`../shared/bench/prepare-corpus.sh\` (lowercased, letters only), the same file for every tool.
- **Settings**: dim ${SETTINGS.dim}, window ${SETTINGS.window}, negative ${SETTINGS.negative}, min count ${SETTINGS.minCount}, sample ${SETTINGS.sample}, ${options.epochs} epoch${options.epochs > 1 ? 's' : ''}, ${options.threads} threads, seed ${SETTINGS.seed}; FastText char n-grams ${FASTTEXT_SETTINGS.minn}..${FASTTEXT_SETTINGS.maxn}, ${fmtInt(FASTTEXT_SETTINGS.bucket)} buckets, learning rate ${FASTTEXT_SETTINGS.alpha} (the fastText CLI's default, which \`reference.sh\` leaves in place). ${options.repeat > 1 ? `Each row is the median of ${options.repeat} runs; ` : 'One run per row; '}within each mode the tools ran alternately.
- **Words/s** = corpus words × epochs ÷ training seconds, as \`../shared/bench/reference.sh\` counts: gensim's \`train()\` only; the fastText CLI's whole run (vocabulary and saving included); ours, the \`trainingSeconds\` our CLI reports. Wall time and peak RSS come from \`/usr/bin/time -v\` around each whole run.
- **Learning rate**: every tool is asked for alpha ${ALPHA} decaying to ${MIN_ALPHA}. gensim's \`corpus_file\` mode (what \`reference.sh\` runs) decays each worker's rate by that worker's share of the epoch only, so with ${options.threads} workers one epoch ends at ${fmtAlpha(ALPHA - (ALPHA - MIN_ALPHA) / options.threads)}: a higher rate on average, which a 1-epoch run rewards. \`ours-word2vec\` keeps the schedule as asked; \`ours-word2vec-gensim-lr\` is the same engine given gensim's effective schedule (\`--min-alpha ${fmtAlpha(ALPHA - (ALPHA - MIN_ALPHA) / options.threads)}\`), to compare the algorithms apart from the schedule.
- **Quality**: \`../shared/bench/evaluate.py\` (gensim's evaluators) on every vectors file: Google analogies restricted to the 30,000 most frequent words, Spearman ρ on WordSim-353 and SimLex-999.
- **Machine**: ${machine.nproc} CPUs (\`nproc\`), ${machine.cpu}, ${machine.ramGiB} GiB RAM; Node ${machine.node}, gensim ${machine.gensim}, fastText ${machine.fasttext}.
- **Ratios** (ours ÷ the fastest reference of the same algorithm and mode): ${ratioLines(rows).join('; ')}.

${markdownTable(rows)}
${notes.length ? `\n${notes.join('\n')}\n` : ''}${MARK_END}`;
}

/** Replaces only our section, so other benchmarks' sections in BENCHMARKS.md stay as they are. */
function writeBenchmarks(text) {
  const old = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf(MARK_START);
  const end = old.indexOf(MARK_END);
  const next = start >= 0 && end > start
    ? old.slice(0, start) + text + old.slice(end + MARK_END.length)
    : `${old.trimEnd()}\n\n${text}\n`;
  writeFileSync(BENCHMARKS_MD, next);
}

function describeMachine() {
  const sh = (command) => spawnSync('bash', ['-c', command], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: sh('nproc'),
    cpu: sh("lscpu | sed -n 's/^Model name: *//p' | head -n 1"),
    ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    gensim: sh("/usr/bin/python3 -c 'import gensim; print(gensim.__version__)' 2>/dev/null"),
    // The fastText CLI has no --version; Debian's package version is the one we run.
    fasttext: sh("dpkg-query -W -f='${Version}' fasttext 2>/dev/null"),
  };
}

const fmtInt = (v) => (typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : '—');
const fixed = (v, digits) => (typeof v === 'number' ? v.toFixed(digits) : '—');
const pct = (v) => (typeof v === 'number' ? (100 * v).toFixed(1) : '—');
const fmtAlpha = (v) => String(Number(v.toPrecision(4)));
const ratio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');
const log = (message) => process.stderr.write(`bench: ${message}\n`);

// ---------- main ----------

class UsageError extends Error {}

async function main() {
  let options;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    throw new UsageError(`${error.message.replace(/\.?$/, '.')} See npm run bench -- --help.`);
  }
  if (options.help) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  if (!existsSync(BENCH)) {
    throw new Error(`${BENCH} not found: the benchmark needs the shared folder beside the repository (${SHARED}), with bench/ and data/.`);
  }
  mkdirSync(CACHE, { recursive: true });
  const prepared = prepareCorpus(options.source);
  const corpus = options.quick ? await quickSlice(prepared, QUICK_WORDS) : prepared;
  const corpusWords = countWords(corpus);
  log(`corpus ${path.relative(ROOT, corpus)}: ${fmtInt(corpusWords)} words`);

  const wantsOurs = options.tools.some((t) => TOOLS[t].ours);
  const buildError = wantsOurs && options.build ? buildCli() : null;
  const vectorsDir = path.join(CACHE, 'vectors');
  mkdirSync(vectorsDir, { recursive: true });
  const ctx = { ...options, corpus, corpusWords, buildError, vectorsDir };

  const machine = describeMachine();
  const results = runAll(plan(options), ctx);
  const rows = summarise(results);
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const text = section({ rows, options, machine, corpus, corpusWords, command });

  process.stdout.write(`\n${text.split('\n').slice(1, -1).join('\n')}\n`);
  writeBenchmarks(text);
  const rawFile = path.join(CACHE, `results-${machine.date.replace(/[:]/g, '-')}.json`);
  writeFileSync(rawFile, `${JSON.stringify({ command, machine, settings: { ...SETTINGS, ...FASTTEXT_SETTINGS, epochs: options.epochs, threads: options.threads, repeat: options.repeat }, corpus, corpusWords, rows, runs: results }, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, BENCHMARKS_MD)} and ${path.relative(ROOT, rawFile)}`);
}

/** --help prints this file's header comment, so the usage is written in one place. */
function helpText() {
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
  return lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
