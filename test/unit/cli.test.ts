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
    [['train', corpus, '--out', out, '--resume'], /--resume and --checkpoint-minutes need --checkpoint <folder>/],
    [['train', corpus, '--out', out, '--checkpoint', path.join(dir, 'none'), '--resume'], /--resume: there is no checkpoint in .*none\. Run without --resume/],
    [['train', corpus, '--out', out, '--algo', 'glove', '--checkpoint', path.join(dir, 'g')], /GloVe runs keep no checkpoints/],
  ] as [string[], RegExp][]) {
    const result = cli(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(out), false);
});

test('train --init continues a model: the parent is recorded and --lock old keeps its vectors', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-init-'));
  const parentFile = path.join(dir, 'parent.txt');
  const parent = cli('train', corpus, '--out', parentFile, '--dim', '16', '--epochs', '1', '--min-count', '10', '--threads', '1', '--quiet');
  assert.equal(parent.status, 0, parent.stderr);
  const child = path.join(dir, 'child');
  const continued = cli('train', corpus, '--init', parentFile, '--lock', 'old', '--min-count', '3', '--epochs', '1', '--out', child, '--quiet');
  assert.equal(continued.status, 0, continued.stderr);
  const manifest = JSON.parse(readFileSync(path.join(child, 'model.json'), 'utf8'));
  assert.deepEqual(manifest.parent, { path: parentFile, name: 'parent.txt', lock: 'old' });
  // The lineage names the exact text: the file as read, followed by the line break every file gets.
  const { createHash } = await import('node:crypto');
  assert.equal(manifest.corpus.sha256, createHash('sha256').update(`${readFileSync(corpus, 'utf8')}\n`).digest('hex'));
  assert.equal(manifest.dim, 16);

  const { readWord2Vec } = await import('../../src/core/formats/word2vecFormat');
  const before = await readWord2Vec(parentFile);
  const after = await readWord2Vec(path.join(child, 'vectors.bin'));
  assert.ok(after.size > before.size, 'words below the parent\'s min count joined');
  assert.deepEqual(after.words.slice(0, before.size), before.words);
  for (const word of ['government', 'police', 'fire']) assert.deepEqual(after.vector(word), before.vector(word), word);

  // Per-word factors: the listed words stay, the lineage says how the run was locked.
  const { writeFileSync } = await import('node:fs');
  const lockWords = path.join(dir, 'keep.txt');
  writeFileSync(lockWords, '# keep these\ngovernment\npolice 0\nqwertyuiop\n');
  const perWord = path.join(dir, 'per-word');
  const locked = cli('train', corpus, '--init', parentFile, '--lock-words', lockWords, '--min-count', '3', '--epochs', '1', '--out', perWord, '--quiet');
  assert.equal(locked.status, 0, locked.stderr);
  assert.match(locked.stderr, /1 word\(s\) of .*keep\.txt are not in .* and learn freely: qwertyuiop/);
  assert.equal(JSON.parse(readFileSync(path.join(perWord, 'model.json'), 'utf8')).parent.lock, 'none + 2 words from keep.txt');
  const perWordVectors = await readWord2Vec(path.join(perWord, 'vectors.bin'));
  for (const word of ['government', 'police']) assert.deepEqual(perWordVectors.vector(word), before.vector(word), word);
  assert.notDeepEqual(perWordVectors.vector('fire'), before.vector('fire'), 'an unlisted word moved');

  for (const [args, message] of [
    [['--init', parentFile, '--lock', '1.5'], /--lock: the lock is none .* or a factor from 0 \(fixed\) to 1 \(free\); got "1\.5"/],
    [['--lock-words', lockWords], /--lock and --lock-words apply to continued training/],
    [['--init', parentFile, '--lock-words', path.join(dir, 'absent.txt')], /--lock-words: cannot read .*absent\.txt \(ENOENT\)/],
  ] as [string[], RegExp][]) {
    const result = cli('train', corpus, ...args, '--out', path.join(dir, 'y'));
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(path.join(dir, 'y')), false);

  const mismatch = cli('train', corpus, '--init', parentFile, '--dim', '32', '--out', path.join(dir, 'x'));
  assert.equal(mismatch.status, 2);
  assert.match(mismatch.stderr, /--dim cannot be combined with --init/);
});

test('train --checkpoint: a run killed mid-way resumes with --resume to the same vectors as an unbroken run, and the checkpoint is removed', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-ckpt-'));
  const settings = ['--dim', '16', '--epochs', '30', '--min-count', '3', '--threads', '1', '--seed', '4', '--quiet'];
  const reference = cli('train', corpus, '--out', path.join(dir, 'ref.bin'), ...settings);
  assert.equal(reference.status, 0, reference.stderr);
  const checkpoint = path.join(dir, 'ckpt');
  const out = path.join(dir, 'resumed.bin');
  // Killed (SIGKILL, no chance to clean up) as soon as its first checkpoint is on disk.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'train', corpus, '--out', out, ...settings, '--checkpoint', checkpoint, '--checkpoint-minutes', '0.002'], { cwd: root, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for (let i = 0; i < 6000 && !existsSync(path.join(checkpoint, 'current')); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(existsSync(path.join(checkpoint, 'current')), 'a checkpoint was on disk');
  assert.equal(existsSync(out), false, 'the killed run wrote no vectors');
  const resumed = cli('train', corpus, '--out', out, '--checkpoint', checkpoint, '--resume', '--quiet');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.ok(readFileSync(out).equals(readFileSync(path.join(dir, 'ref.bin'))), 'bit-identical to the unbroken run');
  assert.equal(existsSync(checkpoint), false, 'the checkpoint is removed once the vectors are written');
});

test('pretrain writes an encoder folder that classify train --encoder and inspect use; bad flags are named', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-enc-'));
  const encoder = path.join(dir, 'encoder');
  const pretrained = cli('pretrain', corpus, '--arch', 'lstm', '--steps', '3', '--vocab-size', '600', '--width', '32', '--max-len', '24', '--batch-size', '8', '--out', encoder, '--json');
  assert.equal(pretrained.status, 0, pretrained.stderr);
  const result = JSON.parse(pretrained.stdout.trim());
  assert.equal(result.arch, 'lstm');
  assert.equal(result.steps, 3);
  assert.ok(result.finalLoss > 0 && result.vocabSize === 600, pretrained.stdout);
  assert.deepEqual(readdirSync(encoder).sort(), ['encoder.json', 'tokenizer.json', 'weights.bin']);

  const sms = path.resolve(root, '..', 'shared', 'data', 'classification', 'sms-spam', 'SMSSpamCollection.tsv');
  const trained = cli('classify', 'train', sms, '--encoder', encoder, '--encoder-training', 'frozen', '--epochs', '1', '--max-tokens', '24', '--json');
  assert.equal(trained.status, 0, trained.stderr);
  const scored = JSON.parse(trained.stdout.trim());
  assert.equal(scored.training, 'frozen');
  assert.ok(scored.accuracy > 0.5 && scored.accuracy <= 1, trained.stdout);

  const inspected = cli('inspect', encoder, '--text', 'the government said on monday', '--text', 'a new government was formed', '--word', 'government');
  assert.equal(inspected.status, 0, inspected.stderr);
  assert.match(inspected.stdout, /2 occurrence\(s\)/);
  assert.match(inspected.stdout, /text 1 vs text 2: -?\d\.\d{3}/);
  assert.match(inspected.stdout, /text 2, nearest tokens in context: \S+ \(text \d\) -?\d\.\d{3}/);
  const missing = cli('inspect', encoder, '--text', 'nothing here', '--word', 'government');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /"government" .* does not occur in the texts given/);

  for (const [args, message] of [
    [['pretrain', corpus, '--out', path.join(dir, 'x'), '--arch', 'gru'], /--arch must be one of transformer, lstm/],
    [['pretrain', corpus, '--out', encoder], /already exists/],
    [['classify', 'train', sms, '--encoder', encoder, '--out', encoder], /already exists: choose a new --out folder/],
    [['classify', 'train', sms, '--encoder', encoder, '--encoder-training', 'half'], /--encoder-training must be one of frozen, top, all, scratch/],
  ] as [string[], RegExp][]) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('pretrain --checkpoint: killed after a checkpoint, --resume finishes the run from it (the steps before count) and removes it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-enc-ckpt-'));
  const checkpoint = path.join(dir, 'ckpt');
  const out = path.join(dir, 'encoder');
  const settings = ['--arch', 'lstm', '--steps', '40', '--vocab-size', '600', '--width', '32', '--max-len', '24', '--batch-size', '8'];
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'pretrain', corpus, ...settings, '--checkpoint', checkpoint, '--checkpoint-steps', '5', '--out', out, '--quiet'], { cwd: root, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  for (let i = 0; i < 6000 && !existsSync(path.join(checkpoint, 'encoder.json')); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.equal(existsSync(out), false, 'the killed run wrote no encoder');
  const resumed = cli('pretrain', corpus, ...settings, '--checkpoint', checkpoint, '--resume', '--out', out, '--json');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout.trim()).steps, 40, 'the steps before the checkpoint count');
  assert.deepEqual(readdirSync(out).sort(), ['encoder.json', 'tokenizer.json', 'weights.bin']);
  assert.equal(existsSync(checkpoint), false, 'the checkpoint is removed once the encoder is written');
});
