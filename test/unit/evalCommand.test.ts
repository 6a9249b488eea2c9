// `transfer-lab eval` on real vectors and the shared test sets, called in-process for the report's
// content and through the CLI entry point for exit codes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEval, type EvalReport } from '../../src/cli/evalCommand';
import { UsageError } from '../../src/cli/args';
import { readWord2Vec, writeWord2Vec } from '../../src/core/formats/word2vecFormat';
import { evaluateSimilarity } from '../../src/core/evaluation';

const root = path.resolve(__dirname, '..', '..');
const DATA = path.resolve(root, '..', 'shared', 'data');
const GLOVE = path.join(DATA, 'vectors', 'glove.6B.100d.top10k.txt');
const QUESTIONS = path.join(DATA, 'word-eval', 'questions-words.txt');
const WORDSIM = path.join(DATA, 'word-eval', 'wordsim353.tsv');
const SIMLEX = path.join(DATA, 'word-eval', 'simlex999.txt');

/** Runs the command in this process and returns its exit code and what it printed. */
async function evalOutput(...argv: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const code = await runEval(argv, (text) => chunks.push(text));
  return { code, stdout: chunks.join('') };
}

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' });

describe('transfer-lab eval', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tl-eval-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json reports what gensim reports for the same vectors', async () => {
    const { code, stdout } = await evalOutput(GLOVE, '--analogies', QUESTIONS, '--similarity', WORDSIM, '--similarity', SIMLEX, '--json');
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as EvalReport;
    assert.equal(stdout.trim().split('\n').length, 1, 'one JSON object on one line');
    assert.deepEqual(report.vectors, { path: GLOVE, words: 10000, dim: 100 });
    assert.equal(report.restrictVocab, 10000);
    assert.equal(report.caseInsensitive, true);
    // ../shared/bench/evaluate.py (gensim 4.2) on this file with a "10000 100" header line added,
    // run when this test was written: analogy 0.728 = 5124 / 7038 (semantic 0.7224, syntactic
    // 0.7307), WS-353 Spearman 0.5680 with 21.2% OOV, SimLex-999 0.3167 with 28.6% OOV.
    const analogies = report.analogies!;
    assert.deepEqual([analogies.total.correct, analogies.total.total], [5124, 7038]);
    assert.equal(analogies.semantic.accuracy.toFixed(4), '0.7224');
    assert.equal(analogies.syntactic.accuracy.toFixed(4), '0.7307');
    assert.equal(analogies.sections.length, 14);
    assert.deepEqual(
      report.similarity.map((s) => [path.basename(s.source), s.spearman.toFixed(4), s.oovRatio.toFixed(1)]),
      [['wordsim353.tsv', '0.5680', '21.2'], ['simlex999.txt', '0.3167', '28.6']],
    );
  });

  it('prints readable tables by default', async () => {
    const { code, stdout } = await evalOutput(GLOVE, '--analogies', QUESTIONS, '--similarity', WORDSIM);
    assert.equal(code, 0);
    assert.match(stdout, /10,000 words x 100; scored on the 10,000 most frequent, case-insensitive/);
    assert.match(stdout, /^ {2}capital-common-countries +435 +462 +94\.2%$/m);
    assert.match(stdout, /^ {2}total +5,124 +7,038 +72\.8%$/m);
    assert.match(stdout, /^ {2}out of vocabulary: 12,506 of 19,544 questions \(64\.0%\) skipped$/m);
    assert.match(stdout, /^ {2}wordsim353\.tsv +0\.5680 +0\.5929 +278 +21\.2%$/m);
  });

  it('reads binary files and honours --restrict-vocab', async () => {
    const glove = await readWord2Vec(GLOVE);
    const bin = path.join(dir, 'glove3k.bin');
    await writeWord2Vec(glove.restrictVocab(3000), bin, { binary: true });
    const { stdout } = await evalOutput(bin, '--similarity', SIMLEX, '--restrict-vocab', '1000', '--json');
    const report = JSON.parse(stdout) as EvalReport;
    assert.equal(report.restrictVocab, 1000);
    assert.equal(report.analogies, undefined);
    const direct = await evaluateSimilarity(glove, SIMLEX, { restrictVocab: 1000 });
    assert.equal(report.similarity[0].spearman, direct.spearman);
    assert.equal(report.similarity[0].oovPairs, direct.oovPairs);
  });

  it('usage errors say what is missing', async () => {
    const cases: [string[], RegExp][] = [
      [[GLOVE], /eval needs a test set: --analogies FILE .* and\/or --similarity FILE/],
      [[], /eval takes one model folder or vectors file/],
      [[GLOVE, 'extra', 'third', '--similarity', WORDSIM], /eval takes one model folder or vectors file, or two to compare/],
      [[GLOVE, '--similarity', path.join(dir, 'nope.tsv')], /nope\.tsv: no such test set file/],
      [[path.join(dir, 'nope.bin'), '--similarity', WORDSIM], /nope\.bin does not exist/],
      [[GLOVE, '--similarity', WORDSIM, '--restrict-vocab', '0'], /--restrict-vocab must be between 1 and/],
    ];
    for (const [argv, message] of cases) {
      await assert.rejects(evalOutput(...argv), (error: Error) => error instanceof UsageError && message.test(error.message), argv.join(' '));
    }
  });

  it('through the CLI: exit 0 with a report, 2 for usage, 1 for a malformed test set', () => {
    const ok = cli('eval', GLOVE, '--similarity', WORDSIM);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /wordsim353\.tsv +0\.5680/);
    const usage = cli('eval', GLOVE);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /eval needs a test set/);
    const broken = path.join(dir, 'broken.tsv');
    writeFileSync(broken, '# pairs\nking\tqueen\t8\nking queen 8\n');
    const bad = cli('eval', GLOVE, '--similarity', broken);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /broken\.tsv line 3: expected 3 tab-separated fields/);
    const help = cli('--help');
    assert.match(help.stdout, /transfer-lab eval <model> \[<other model>\] \[--analogies FILE\] \[--similarity FILE \.\.\.\]/);
  });
});

describe('eval with two models', () => {
  it('scores both on the same test sets and prints them side by side with the change', async () => {
    const glove = await readWord2Vec(GLOVE);
    // The second model: GloVe with the vectors of its 2,000 most frequent words scrambled (rows
    // shuffled among themselves), so its analogy accuracy must drop.
    const data = glove.data.slice();
    for (let i = 0; i < 2000; i++) {
      const j = (i * 7919) % 2000;
      const a = data.slice(i * glove.dim, (i + 1) * glove.dim);
      data.copyWithin(i * glove.dim, j * glove.dim, (j + 1) * glove.dim);
      data.set(a, j * glove.dim);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-eval2-'));
    const scrambled = path.join(dir, 'scrambled.txt');
    const { WordVectors } = await import('../../src/core/vectors');
    await writeWord2Vec(new WordVectors(glove.words, glove.dim, data), scrambled, { binary: false });
    try {
      const json = await evalOutput(...[GLOVE, scrambled, '--analogies', QUESTIONS, '--similarity', WORDSIM, '--json']);
      assert.equal(json.code, 0);
      const { before: a, after: b } = JSON.parse(json.stdout) as { before: EvalReport; after: EvalReport };
      assert.equal(a.vectors.path, GLOVE);
      assert.equal(b.vectors.path, scrambled);
      assert.equal(a.analogies!.questions, b.analogies!.questions);
      assert.ok(b.analogies!.total.accuracy < a.analogies!.total.accuracy - 0.2, `${a.analogies!.total.accuracy} -> ${b.analogies!.total.accuracy}`);

      const text = await evalOutput(...[GLOVE, scrambled, '--analogies', QUESTIONS, '--similarity', WORDSIM]);
      const side = text.stdout.slice(text.stdout.indexOf('Side by side'));
      const total = side.split('\n').find((line) => line.trim().startsWith('analogies total'))!;
      const change = Number(/([+-]\d+\.\d) pts/.exec(total)![1]);
      assert.ok(Math.abs(change - 100 * (b.analogies!.total.accuracy - a.analogies!.total.accuracy)) < 0.051, total);
      assert.match(side, /wordsim353\.tsv Spearman/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
