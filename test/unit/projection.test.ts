// The map's projections on real GloVe vectors: PCA is deterministic with orthogonal axes ordered by
// variance (more than along random directions), UMAP is reproducible from a seed and keeps the days of
// the week together, and the CSV export reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import { parseProjectionCsv, projectPca, projectUmap, projectionCsv, UMAP_MAX_POINTS } from '../../src/core/projection';
import { Random } from '../../src/core/random';
import { WordVectors } from '../../src/core/vectors';

const glovePath = path.resolve(__dirname, '../../../shared/data/vectors/glove.6B.100d.top10k.txt');
let glove: Promise<WordVectors> | undefined;
const load = () => (glove ??= readWord2Vec(glovePath));

const variance = (values: ArrayLike<number>) => {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i];
  mean /= values.length;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i] - mean) ** 2;
  return s / values.length;
};
const column = (coords: Float32Array, c: number) => coords.filter((_, i) => i % 2 === c);

test('PCA: deterministic, n × 2, centred', async () => {
  const v = await load();
  const a = projectPca(v, 2000);
  const b = projectPca(v, 2000);
  assert.equal(a.length, 4000);
  assert.deepEqual(a, b);
  for (const c of [0, 1]) {
    const mean = column(a, c).reduce((s, x) => s + x, 0) / 2000;
    assert.ok(Math.abs(mean) < 1e-3, `column ${c} mean ${mean}`);
  }
  assert.equal(projectPca(v, 50_000).length, v.size * 2, 'n above the vocabulary maps the whole vocabulary');
});

test('PCA: orthogonal axes ordered by variance, above random directions', async () => {
  const v = await load();
  const n = 5000;
  const coords = projectPca(v, n);
  const x = column(coords, 0);
  const y = column(coords, 1);
  const vx = variance(x);
  const vy = variance(y);
  assert.ok(vx >= vy, `first variance ${vx} < second ${vy}`);
  // Projections on orthogonal principal axes are uncorrelated.
  let cov = 0;
  for (let i = 0; i < n; i++) cov += x[i] * y[i];
  cov /= n;
  assert.ok(Math.abs(cov) / Math.sqrt(vx * vy) < 1e-3, `correlation ${cov / Math.sqrt(vx * vy)}`);
  // No random unit direction carries as much variance as the second axis.
  const random = new Random(7);
  const { dim, data } = v;
  for (let trial = 0; trial < 20; trial++) {
    const u = new Float64Array(dim);
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (u[d] = random.float() - 0.5) ** 2;
    for (let d = 0; d < dim; d++) u[d] /= Math.sqrt(norm);
    const p = new Float64Array(n);
    for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) p[r] += data[r * dim + d] * u[d];
    const vr = variance(p);
    assert.ok(vy >= vr, `a random direction has variance ${vr} > second axis ${vy}`);
  }
  // The top two eigenvalues are what power iteration found: a tiny model with known answers.
  const tiny = new WordVectors(['a', 'b', 'c', 'd'], 3, new Float32Array([3, 0, 0, -3, 0, 0, 0, 1, 0, 0, -1, 0]));
  const t = projectPca(tiny, 4);
  assert.deepEqual(Array.from(t).map((z) => Math.round(z * 1e4) / 1e4 + 0), [3, 0, -3, 0, 0, 1, 0, -1]);
});

test('UMAP on 1,000 GloVe words: reproducible with a seed, days of the week together', async () => {
  const v = await load();
  const fractions: number[] = [];
  const a = await projectUmap(v, 1000, { seed: 42, nEpochs: 200, onProgress: (f) => fractions.push(f) });
  const b = await projectUmap(v, 1000, { seed: 42, nEpochs: 200 });
  assert.equal(a.length, 2000);
  assert.deepEqual(a, b, 'same seed, same layout');
  assert.ok(a.every(Number.isFinite));
  assert.equal(fractions[0], 0);
  assert.equal(fractions[fractions.length - 1], 1);
  assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), 'progress never goes back');

  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((w) => v.requireIndex(w));
  assert.ok(days.every((i) => i < 1000));
  const dist = (i: number, j: number) => Math.hypot(a[i * 2] - a[j * 2], a[i * 2 + 1] - a[j * 2 + 1]);
  let dayMean = 0;
  let pairs = 0;
  for (let i = 0; i < days.length; i++) for (let j = i + 1; j < days.length; j++, pairs++) dayMean += dist(days[i], days[j]);
  dayMean /= pairs;
  const random = new Random(3);
  let randomMean = 0;
  for (let k = 0; k < 2000; k++) randomMean += dist(random.uint32() % 1000, random.uint32() % 1000);
  randomMean /= 2000;
  assert.ok(dayMean < randomMean / 4, `days ${dayMean.toFixed(3)} vs random pairs ${randomMean.toFixed(3)}`);

  const c = await projectUmap(v, 1000, { seed: 43, nEpochs: 200 });
  assert.notDeepEqual(a, c, 'another seed, another layout');
});

test('UMAP refuses more than the limit, with a clear message', async () => {
  const v = await load();
  await assert.rejects(projectUmap(v, UMAP_MAX_POINTS + 1, { seed: 1 }), /at most 20,000 points.*Use PCA/);
});

test('CSV: header, quoting and a round trip', async () => {
  const v = await load();
  const coords = projectPca(v, 300);
  const words = v.words.slice(0, 300);
  const csv = projectionCsv(words, coords);
  assert.ok(csv.startsWith('word,x,y\n'));
  assert.equal(csv.split('\n').length, 302);
  assert.ok(csv.includes('\n",",'), 'a comma is quoted');
  assert.ok(csv.includes('\n"""",'), 'a quote is doubled inside quotes');
  const back = parseProjectionCsv(csv);
  assert.deepEqual(back.words, words);
  assert.deepEqual(back.coords, coords);

  const odd = ['a,b', 'say "hi"', 'line\nbreak', ' space', 'plain', ''];
  const oddCoords = new Float32Array([1.5, -2, 0.1, 1e-7, 3, 4, 5, 6, 7, 8, -0.25, 0]);
  const parsed = parseProjectionCsv(projectionCsv(odd, oddCoords));
  assert.deepEqual(parsed.words, odd);
  assert.deepEqual(parsed.coords, oddCoords);
  assert.throws(() => projectionCsv(['a'], new Float32Array(3)), /expected 2 coordinates/);
});
