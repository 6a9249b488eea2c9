// What moved between two models: the SVD and Procrustes alignment against known answers, a model
// against itself, and GloVe against a copy with a few words' vectors swapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diffVectors, multiply, procrustes, svd } from '../../src/core/modelDiff';
import { readWord2Vec, writeWord2Vec } from '../../src/core/formats/word2vecFormat';
import { importVectors } from '../../src/core/importVectors';
import { WordVectors } from '../../src/core/vectors';

const root = path.resolve(__dirname, '..', '..');
const glovePath = path.resolve(__dirname, '../../../shared/data/vectors/glove.6B.100d.top10k.txt');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' });

/** Deterministic standard normals (mulberry32 + Box–Muller). */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** A random orthogonal matrix (row-major): Gram–Schmidt on Gaussian rows. */
function randomRotation(dim: number, seed: number): Float64Array {
  const next = normals(seed);
  const r = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) r[i * dim + j] = next();
    for (let p = 0; p < i; p++) {
      let proj = 0;
      for (let j = 0; j < dim; j++) proj += r[i * dim + j] * r[p * dim + j];
      for (let j = 0; j < dim; j++) r[i * dim + j] -= proj * r[p * dim + j];
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += r[i * dim + j] ** 2;
    for (let j = 0; j < dim; j++) r[i * dim + j] /= Math.sqrt(norm);
  }
  return r;
}

test('svd: U diag(s) Vᵀ reproduces the matrix, U and V are orthogonal, also for a singular matrix', () => {
  for (const [size, singular] of [[7, false], [20, false], [6, true]] as const) {
    const next = normals(size);
    const m = Float64Array.from({ length: size * size }, next);
    if (singular) for (let j = 0; j < size; j++) m[(size - 1) * size + j] = m[j] + m[size + j]; // last row = row 0 + row 1
    const { u, s, v } = svd(m, size);
    let maxError = 0;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let x = 0;
        let uu = 0;
        let vv = 0;
        for (let c = 0; c < size; c++) {
          x += u[i * size + c] * s[c] * v[j * size + c];
          uu += u[c * size + i] * u[c * size + j];
          vv += v[c * size + i] * v[c * size + j];
        }
        maxError = Math.max(maxError, Math.abs(x - m[i * size + j]), Math.abs(uu - (i === j ? 1 : 0)), Math.abs(vv - (i === j ? 1 : 0)));
      }
    }
    assert.ok(maxError < 1e-10, `size ${size}${singular ? ' singular' : ''}: max error ${maxError}`);
    if (singular) assert.equal([...s].filter((x) => x === 0).length, 1);
  }
});

test('procrustes recovers a known random rotation: B = A R, aligned B ≈ A', () => {
  const n = 500;
  const dim = 50;
  const next = normals(42);
  const a = Float64Array.from({ length: n * dim }, next);
  const r = randomRotation(dim, 7);
  const b = multiply(a, n, dim, r);
  const w = procrustes(a, b, n, dim);
  const aligned = multiply(b, n, dim, w);
  let maxError = 0;
  for (let i = 0; i < n * dim; i++) maxError = Math.max(maxError, Math.abs(aligned[i] - a[i]));
  assert.ok(maxError < 1e-4, `max error ${maxError}`);
  // W is R's inverse, Rᵀ.
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) assert.ok(Math.abs(w[i * dim + j] - r[j * dim + i]) < 1e-5);
});

test('a rotated copy of GloVe: full neighbour overlap, and cosine ≈ 1 only after alignment', async () => {
  const glove = (await readWord2Vec(glovePath)).restrictVocab(1500);
  const rotated = new WordVectors(glove.words, glove.dim, multiply(glove.data, glove.size, glove.dim, randomRotation(glove.dim, 3)));
  const aligned = diffVectors(glove, rotated, { k: 10 });
  assert.equal(aligned.aligned, true);
  assert.ok(aligned.meanOverlap > 0.999, String(aligned.meanOverlap));
  assert.ok(aligned.meanCosine! > 0.99999, String(aligned.meanCosine));
  const raw = diffVectors(glove, rotated, { k: 10, align: false });
  assert.ok(raw.meanCosine! < 0.2, String(raw.meanCosine));
});

test('a model against itself: full overlap, cosine 1, nothing moved', async () => {
  const glove = await readWord2Vec(glovePath);
  const diff = diffVectors(glove, glove, { vocab: 2000, k: 10, top: 5, words: ['king', 'qwertyuiop'] });
  assert.equal(diff.sharedWords, glove.size);
  assert.equal(diff.comparedWords, 2000);
  assert.equal(diff.meanOverlap, 1);
  assert.ok(Math.abs(diff.meanCosine! - 1) < 1e-6);
  for (const w of diff.moved) assert.equal(w.overlap, 1);
  assert.equal(diff.words[0].word, 'king');
  assert.deepEqual(diff.words[0].neighboursA, diff.words[0].neighboursB);
  assert.deepEqual(diff.missing, ['qwertyuiop']);
});

test('GloVe against a copy with a few words swapped: those words top the list', async () => {
  const glove = await readWord2Vec(glovePath);
  const data = glove.data.slice();
  const pairs = [['king', 'river'], ['computer', 'wine'], ['france', 'football']];
  for (const [x, y] of pairs) {
    const i = glove.requireIndex(x) * glove.dim;
    const j = glove.requireIndex(y) * glove.dim;
    const saved = data.slice(i, i + glove.dim);
    data.copyWithin(i, j, j + glove.dim);
    data.set(saved, j);
  }
  const perturbed = new WordVectors(glove.words, glove.dim, data);
  const diff = diffVectors(glove, perturbed, { vocab: 3000, k: 10, top: 6, words: ['king'] });
  const swapped = pairs.flat().sort();
  assert.deepEqual(diff.moved.map((w) => w.word).sort(), swapped);
  for (const w of diff.moved) {
    assert.ok(w.overlap <= 0.1, `${w.word}: ${w.overlap}`);
    assert.ok(w.cosine! < 0.5, `${w.word}: ${w.cosine}`);
  }
  const king = diff.words[0];
  assert.ok(king.neighboursA.some((n) => n.word === 'queen'));
  assert.ok(king.neighboursB.some((n) => n.word === 'lake' || n.word === 'rivers' || n.word === 'valley'), JSON.stringify(king.neighboursB));
});

test('transfer-lab diff: a model folder against a vectors file, table and --json', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-diff-'));
  const glove = (await readWord2Vec(glovePath)).restrictVocab(800);
  const small = path.join(dir, 'small.txt');
  await writeWord2Vec(glove, small, { binary: false });
  await importVectors(small, path.join(dir, 'model'));
  const data = glove.data.slice();
  const [i, j] = [glove.requireIndex('city'), glove.requireIndex('money')].map((row) => row * glove.dim);
  const saved = data.slice(i, i + glove.dim);
  data.copyWithin(i, j, j + glove.dim);
  data.set(saved, j);
  const other = path.join(dir, 'other.bin');
  await writeWord2Vec(new WordVectors(glove.words, glove.dim, data), other, { binary: true });

  const table = cli('diff', path.join(dir, 'model'), other, '-k', '5', '--top', '2', '--word', 'City');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /800 shared words \(0 only in a, 0 only in b\); compared the 800 most frequent, top-5 neighbours, b rotated onto a/);
  const moved = table.stdout.split('Most moved')[1].split('\n').slice(2, 4).map((line) => line.trim().split(/\s+/)[0]);
  assert.deepEqual(moved.sort(), ['city', 'money']);
  assert.match(table.stdout, /\ncity: overlap 0\.00, cosine /);

  const json = cli('diff', path.join(dir, 'model'), other, '--json', '--top', '1', '--no-align');
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.aligned, false);
  assert.equal(report.moved.length, 1);
  assert.ok(['city', 'money'].includes(report.moved[0].word));

  const usage = cli('diff', path.join(dir, 'model'));
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /diff takes two models/);
});
