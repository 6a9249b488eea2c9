// What users run with the classifiers, on real data: splits of datasets with and without given
// splits, the transfer-gain curve (every point present, pretraining ahead with few labels), k-fold
// cross-validation, and the CLI's train → predict round trip.
import { before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crossValidate, curveSizes, splitDataset, transferGainCurve } from '../../src/core/classify/classifyRuns';
import { loadLabelledData, type LabelledDataset } from '../../src/core/classify/labelledData';
import { stratifiedSplit } from '../../src/core/classify/splits';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import type { WordVectors } from '../../src/core/vectors';

const root = path.resolve(__dirname, '..', '..');
const DATA = path.resolve(root, '../shared/data');
const SMS = path.join(DATA, 'classification/sms-spam/SMSSpamCollection.tsv');
const TREC = path.join(DATA, 'classification/trec');
const SUBJ = path.join(DATA, 'classification/subj/subj.jsonl');
const GLOVE = path.join(DATA, 'vectors/glove.6B.100d.top10k.txt');

test('splitDataset: given train/test keep their test set and carve validation from train; plain data is split 80/10/10', async () => {
  const trec = await loadLabelledData(TREC);
  const given = splitDataset(trec, 1);
  assert.equal(given.given, true);
  assert.equal(given.test.length, 500);
  assert.equal(given.train.length + given.validation.length, 5452);
  assert.ok(given.validation.length > 500 && given.validation.length < 600, `${given.validation.length}`);
  assert.deepEqual(new Set(given.validation.map((e) => e.label)), new Set(trec.labels), 'every class in validation');

  const sms = await loadLabelledData(SMS);
  const split = splitDataset(sms, 1);
  assert.equal(split.given, false);
  assert.equal(split.train.length + split.validation.length + split.test.length, 5574);
  const spamShare = (xs: { label: string }[]) => xs.filter((e) => e.label === 'spam').length / xs.length;
  assert.ok(Math.abs(spamShare(split.test) - 747 / 5574) < 0.01, 'stratified');
  assert.deepEqual(splitDataset(sms, 1).test, split.test, 'seeded');
});

test('curveSizes keeps the sizes below the training set (at least one per class) and ends with all of it', () => {
  assert.deepEqual(curveSizes([50, 100, 200, 500, 1000], 450, 2), [50, 100, 200, 450]);
  assert.deepEqual(curveSizes([1000, 50, 50, 3], 5000, 6), [50, 1000, 5000]);
  assert.deepEqual(curveSizes([10], 8, 2), [8]);
});

describe('on SUBJ with GloVe (bag of embeddings, a few epochs)', () => {
  let subj: LabelledDataset;
  let glove: WordVectors;
  before(async () => {
    [subj, glove] = await Promise.all([loadLabelledData(SUBJ), readWord2Vec(GLOVE)]);
  });

  it('the transfer-gain curve has every (size, variant) point, and pretrained vectors win with 50 labels', async () => {
    const small = stratifiedSplit(subj.examples, { validation: 0.04, test: 0.06, seed: 2 });
    // 400 + 400 + 600 examples keep the test fast; the curve subsamples the 400.
    const split = { train: small.train.slice(0, 400), validation: small.validation.slice(0, 400), test: small.test.slice(0, 600) };
    const seen: string[] = [];
    const points = await transferGainCurve(split, subj.labels, { arch: 'bag', epochs: 8, patience: 8 }, glove, {
      sizes: [50, 200],
      seed: 3,
      onPoint: (p) => seen.push(`${p.size}/${p.variant}`),
    });
    const expected = [50, 200, 400].flatMap((size) => ['random', 'frozen', 'tuned'].map((v) => `${size}/${v}`));
    assert.deepEqual(seen, expected);
    assert.deepEqual(points.map((p) => `${p.size}/${p.variant}`), expected);
    for (const p of points) assert.ok(p.accuracy >= 0 && p.accuracy <= 1 && p.macroF1 >= 0 && p.macroF1 <= 1 && p.trainSeconds > 0);
    const at = (size: number, variant: string) => points.find((p) => p.size === size && p.variant === variant)!.accuracy;
    // SUBJ is balanced (chance 50%). Stated margin: with 50 labels, pretrained vectors are at least
    // 5 points ahead of learning the embeddings from scratch.
    assert.ok(Math.max(at(50, 'frozen'), at(50, 'tuned')) > at(50, 'random') + 0.05, JSON.stringify(points.map((p) => [p.size, p.variant, p.accuracy.toFixed(3)])));
    assert.ok(at(400, 'frozen') > 0.75, `frozen with 400 labels: ${at(400, 'frozen')}`);
  });

  it('cross-validation scores every fold and summarises them', async () => {
    const examples = stratifiedSplit(subj.examples, { validation: 0, test: 0.1, seed: 4 }).test; // 1,000 examples
    const folds: number[] = [];
    const cv = await crossValidate(examples, subj.labels, 3, { arch: 'bag', embeddings: 'frozen', epochs: 5 }, glove, { seed: 5, onFold: (f) => folds.push(f) });
    assert.deepEqual(folds, [1, 2, 3]);
    assert.equal(cv.perFold.length, 3);
    const mean = cv.perFold.reduce((s, f) => s + f.accuracy, 0) / 3;
    assert.ok(Math.abs(cv.accuracy.mean - mean) < 1e-12);
    assert.ok(cv.accuracy.std >= 0 && cv.accuracy.std < 0.1, `std ${cv.accuracy.std}`);
    assert.ok(cv.accuracy.mean > 0.75, `mean ${cv.accuracy.mean}`);
  });
});

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' });

test('CLI: classify train on a folder per label, then predict a folder into a CSV', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-classify-'));
  const data = path.join(dir, 'data');
  // SMS spam as a folder per label: one file per message.
  const lines = readFileSync(SMS, 'utf8').split('\n').filter((l) => l.includes('\t')).slice(0, 1500);
  lines.forEach((line, i) => {
    const [label, text] = line.split('\t');
    mkdirSync(path.join(data, label), { recursive: true });
    writeFileSync(path.join(data, label, `${i}.txt`), text);
  });
  const clf = path.join(dir, 'spam-filter');
  const trained = cli('classify', 'train', data, '--vectors', GLOVE, '--arch', 'bag', '--epochs', '6', '--folds', '2', '--out', clf, '--json');
  assert.equal(trained.status, 0, trained.stderr);
  const summary = JSON.parse(trained.stdout);
  assert.equal(summary.backend, 'wasm');
  assert.ok(summary.accuracy > 0.9, `accuracy ${summary.accuracy}`);
  assert.equal(summary.perClass.length, 2);
  assert.equal(summary.crossValidation.folds, 2);
  assert.equal(summary.crossValidation.perFold.length, 2);
  assert.ok(summary.crossValidation.accuracy.mean > 0.9, JSON.stringify(summary.crossValidation.accuracy));
  assert.ok(existsSync(path.join(clf, 'classifier.json')) && existsSync(path.join(clf, 'weights.bin')));

  const inbox = path.join(dir, 'inbox');
  mkdirSync(inbox);
  writeFileSync(path.join(inbox, 'offer.txt'), 'URGENT! You have won a guaranteed £1000 cash prize. To claim txt WIN to 80086 now');
  writeFileSync(path.join(inbox, 'friend.txt'), 'ok see you at home later, i will bring the food');
  const csv = path.join(dir, 'predictions.csv');
  const predicted = cli('classify', 'predict', clf, inbox, '--out', csv);
  assert.equal(predicted.status, 0, predicted.stderr);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'file,label,confidence');
  assert.match(rows.find((r) => r.startsWith('offer.txt'))!, /^offer\.txt,spam,0\.\d{4}|^offer\.txt,spam,1\.0000/);
  assert.match(rows.find((r) => r.startsWith('friend.txt'))!, /^friend\.txt,ham,/);

  // An existing classifier is never overwritten, and options that need vectors say so.
  for (const [args, message] of [
    [['classify', 'train', data, '--out', clf], /already exists/],
    [['classify', 'train', data, '--embeddings', 'frozen', '--out', path.join(dir, 'x')], /--embeddings frozen starts from pretrained vectors: give them with --vectors/],
    [['classify', 'train', data, '--arch', 'transformer', '--out', path.join(dir, 'x')], /--arch must be one of bag, cnn, bilstm/],
    [['classify', 'curve', data], /give the vectors with --vectors/],
    [['classify', 'frobnicate'], /classify needs one of train, predict, curve, bench/],
  ] as [string[], RegExp][]) {
    const result = cli(...args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(path.join(dir, 'x')), false);
});
