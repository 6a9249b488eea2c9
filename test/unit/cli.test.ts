// The CLI end to end, as a script would call it: real corpus in, vectors file out, neighbour rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const corpus = path.resolve(root, '..', 'shared', 'data', 'gensim', 'lee_background.cor');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' });

test('train writes a word2vec binary that neighbours reads; rows are "word similarity"', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-'));
  const out = path.join(dir, 'lee.bin');
  const trained = cli('train', corpus, '--out', out, '--dim', '16', '--epochs', '2', '--min-count', '3', '--quiet');
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stdout, /^wrote .*lee\.bin: [\d,]+ words x 16 /);
  const header = readFileSync(out).subarray(0, 40).toString('latin1').split('\n')[0];
  assert.match(header, /^\d+ 16$/);
  assert.deepEqual(readdirSync(dir), ['lee.bin'], 'no temporary files left');

  const result = cli('neighbours', out, 'government', '-k', '4');
  assert.equal(result.status, 0, result.stderr);
  const rows = result.stdout.trim().split('\n').map((line) => line.split(' '));
  assert.equal(rows.length, 4);
  for (const [word, similarity] of rows) {
    assert.notEqual(word, 'government');
    assert.ok(Math.abs(Number(similarity)) <= 1, similarity);
  }
  const similarities = rows.map(([, s]) => Number(s));
  assert.deepEqual([...similarities].sort((a, b) => b - a), similarities);

  const missing = cli('neighbours', out, 'qwertyuiop');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /"qwertyuiop" is not in the vocabulary/);
});

test('usage errors exit 2 with a message and write nothing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-'));
  const out = path.join(dir, 'x.bin');
  for (const [args, message] of [
    [['train', corpus], /--out/],
    [['train', corpus, '--out', out, '--dim', '0'], /--dim must be between/],
    [['train', corpus, '--out', out, '--colour', 'red'], /unknown option --colour/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ] as [string[], RegExp][]) {
    const result = cli(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(out), false);
});
