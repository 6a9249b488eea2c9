// The WebAssembly kernel's update rules, checked against the gradients written out by hand on tiny
// inputs, and the tables it draws on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingKernel, type KernelSettings } from '../../src/core/trainingKernel';
import { huffmanTree, noiseDistribution, keepThresholds } from '../../src/core/trainingTables';
import { fastTextHash, ngramBuckets, subwordRows } from '../../src/core/subwords';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const axpy = (a: number, x: number[], y: number[]) => y.map((v, i) => v + a * x[i]);

const DIM = 3;
function kernelFor(counts: number[], settings: Partial<KernelSettings>, subwords?: { minn: number; maxn: number; bucket: number }) {
  const words = counts.map((_, i) => `w${i}`);
  return TrainingKernel.create(
    { words, counts: Float64Array.from(counts), size: counts.length },
    { mode: 'sg', dim: DIM, window: 1, negative: 1, hs: false, cbowMean: true, sample: 0, seed: 3, ...settings },
    subwords,
    { threads: 1, maxSentence: 64, jobCapacity: 64, jobSlotsPerThread: 1 },
  );
}

/** Rows of a padded matrix as plain arrays of DIM numbers. */
function readRows(matrix: Float32Array, stride: number, count: number): number[][] {
  return Array.from({ length: count }, (_, r) => Array.from(matrix.subarray(r * stride, r * stride + DIM)));
}
function writeRows(matrix: Float32Array, stride: number, rows: number[][]): void {
  rows.forEach((row, r) => matrix.set(row, r * stride));
}

function assertClose(actual: number[][], expected: number[][], what: string, tolerance = 0.004): void {
  actual.forEach((row, r) =>
    row.forEach((value, d) => assert.ok(Math.abs(value - expected[r][d]) < tolerance, `${what}[${r}][${d}]: ${value} vs ${expected[r][d]}`)),
  );
}

// With counts [.., 1e12] the last word is (with probability 1 - 1e-8) the noise word of every
// draw, and a window of 1 with down-sampling off makes the windows fixed, so the whole update can
// be written out. The kernel updates as word2vec.c does, input by input, except that the noise
// words of a window are shared by all its inputs.
describe('skip-gram with negative sampling', () => {
  const initialInput = [[0.5, -0.3, 0.8], [-0.2, 0.7, 0.4], [0.1, 0.1, 0.1]];
  const initialOutput = [[0.3, 0.6, -0.5], [0.9, -0.4, 0.2], [-0.7, 0.2, 0.5]];

  it('moves inputs and outputs along the gradient of -log σ(x·c) - log σ(-x·n)', () => {
    const kernel = kernelFor([1, 1, 1e12], {});
    const stride = kernel.layout.stride;
    writeRows(kernel.syn0, stride, initialInput);
    writeRows(kernel.syn1neg, stride, initialOutput);
    const alpha = 0.5;

    const input = initialInput.map((r) => [...r]);
    const output = initialOutput.map((r) => [...r]);
    const gradient = [[0, 0, 0], [0, 0, 0]];
    let loss = 0;
    // (centre, context): the context's input predicts the centre (gensim's orientation).
    for (const [centre, context] of [[0, 1], [1, 0]]) {
      const x = input[context];
      const truth = output[centre];
      const noise = output[2];
      const gTrue = (1 - sigmoid(dot(x, truth))) * alpha;
      const gNoise = -sigmoid(dot(x, noise)) * alpha;
      loss += -Math.log(sigmoid(dot(x, truth))) - Math.log(sigmoid(-dot(x, noise)));
      gradient[context] = axpy(gNoise, noise, axpy(gTrue, truth, gradient[context]));
      output[centre] = axpy(gTrue, x, truth);
      output[2] = axpy(gNoise, x, noise);
    }
    input[0] = axpy(1, gradient[0], input[0]);
    input[1] = axpy(1, gradient[1], input[1]);

    const result = kernel.trainHere([0, 1, -1], alpha, alpha, 42);

    // σ and the loss come from 1000-entry tables over [-6, 6]: agreement to about 0.003·alpha.
    assertClose(readRows(kernel.syn0, stride, 3), input, 'input rows');
    assertClose(readRows(kernel.syn1neg, stride, 3), output, 'output rows');
    assert.deepEqual(readRows(kernel.syn0, stride, 3)[2], [0.1, 0.1, 0.1].map(Math.fround), 'a word that was never an input is untouched');
    assert.equal(result.words, 2);
    assert.equal(result.examples, 2);
    assert.ok(Math.abs(result.loss - loss) < 0.02, `loss ${result.loss} vs ${loss}`);
  });

  it('drives the true pair up and the noise pair down when repeated', () => {
    const kernel = kernelFor([1, 1, 1e12], {});
    const stride = kernel.layout.stride;
    writeRows(kernel.syn0, stride, initialInput);
    writeRows(kernel.syn1neg, stride, initialOutput);
    const probability = (a: number, b: number) => sigmoid(dot(readRows(kernel.syn0, stride, 3)[a], readRows(kernel.syn1neg, stride, 3)[b]));
    const before = probability(1, 0);
    for (let i = 0; i < 300; i++) kernel.trainHere([0, 1, -1], 0.1, 0.1, i);
    assert.ok(before < 0.6 && probability(1, 0) > 0.95, `σ(true pair) went from ${before} to ${probability(1, 0)}`);
    assert.ok(probability(1, 2) < 0.05, `σ(noise pair) is ${probability(1, 2)}`);
  });

  it('trains nothing across a sentence boundary and counts every in-vocabulary word', () => {
    const kernel = kernelFor([1, 1, 1e12], {});
    const result = kernel.trainHere([0, -1, 1, -1], 0.5, 0.5, 1);
    assert.equal(result.words, 2);
    assert.equal(result.examples, 0, 'one-word sentences have no context');
  });
});

describe('CBOW with negative sampling', () => {
  it('predicts the centre from the mean of its context and shares the error with every context word', () => {
    const kernel = kernelFor([1, 1, 1, 1e12], { mode: 'cbow' });
    const stride = kernel.layout.stride;
    const initialInput = [[0.5, -0.3, 0.8], [-0.2, 0.7, 0.4], [0.3, 0.1, -0.6], [0.1, 0.1, 0.1]];
    const initialOutput = [[0.3, 0.6, -0.5], [0.9, -0.4, 0.2], [-0.1, 0.5, 0.3], [-0.7, 0.2, 0.5]];
    writeRows(kernel.syn0, stride, initialInput);
    writeRows(kernel.syn1neg, stride, initialOutput);
    const alpha = 0.4;

    const output = initialOutput.map((r) => [...r]);
    const input = initialInput.map((r) => [...r]);
    for (const [centre, contexts] of [[0, [1]], [1, [0, 2]], [2, [1]]] as [number, number[]][]) {
      const h = [0, 1, 2].map((d) => contexts.reduce((sum, c) => sum + input[c][d], 0) / contexts.length);
      const gTrue = (1 - sigmoid(dot(h, output[centre]))) * alpha;
      const gNoise = -sigmoid(dot(h, output[3])) * alpha;
      const hiddenGradient = axpy(gNoise, output[3], axpy(gTrue, output[centre], [0, 0, 0]));
      output[centre] = axpy(gTrue, h, output[centre]);
      output[3] = axpy(gNoise, h, output[3]);
      // As word2vec.c: every context word takes the whole step, at once.
      for (const c of contexts) input[c] = axpy(1, hiddenGradient, input[c]);
    }

    const result = kernel.trainHere([0, 1, 2, -1], alpha, alpha, 5);
    assertClose(readRows(kernel.syn0, stride, 4), input, 'input rows');
    assertClose(readRows(kernel.syn1neg, stride, 4), output, 'output rows');
    assert.equal(result.examples, 3, 'one prediction per centre word');
  });
});

describe('hierarchical softmax', () => {
  it('builds word2vec.c\'s Huffman tree on known counts', () => {
    // Merging the two rarest words (2 and 1) gives inner node 0; it and word 0 make the root (1).
    const tree = huffmanTree([3, 1, 1]);
    const path = (w: number) => ({
      points: Array.from(tree.points.subarray(tree.codeStart[w], tree.codeStart[w + 1])),
      codes: Array.from(tree.codes.subarray(tree.codeStart[w], tree.codeStart[w + 1])),
    });
    assert.deepEqual(path(0), { points: [1], codes: [1] });
    assert.deepEqual(path(1), { points: [1, 0], codes: [0, 1] });
    assert.deepEqual(path(2), { points: [1, 0], codes: [0, 0] });
    assert.equal(tree.maxCodeLength, 2);
  });

  it('gives an optimal prefix code on a real-looking distribution', () => {
    const counts = Array.from({ length: 500 }, (_, i) => Math.floor(1e6 / (i + 1)) + 1);
    const tree = huffmanTree(counts);
    const lengths = counts.map((_, w) => tree.codeStart[w + 1] - tree.codeStart[w]);
    // A full binary tree: Kraft's sum is exactly 1.
    assert.ok(Math.abs(lengths.reduce((s, l) => s + 2 ** -l, 0) - 1) < 1e-12);
    // Codes are prefix-free.
    const codes = counts.map((_, w) => Array.from(tree.codes.subarray(tree.codeStart[w], tree.codeStart[w + 1])).join(''));
    const sorted = [...codes].sort();
    for (let i = 1; i < sorted.length; i++) assert.ok(!sorted[i].startsWith(sorted[i - 1]), `${sorted[i - 1]} is a prefix of ${sorted[i]}`);
    // Optimal: the weighted length equals the cost of Huffman's merging done the slow way.
    const pool = [...counts];
    let optimal = 0;
    while (pool.length > 1) {
      pool.sort((a, b) => a - b);
      const merged = pool.shift()! + pool.shift()!;
      optimal += merged;
      pool.push(merged);
    }
    assert.equal(counts.reduce((s, c, w) => s + c * lengths[w], 0), optimal);
    assert.ok(lengths[0] < lengths[499], 'frequent words get shorter paths');
  });

  it('moves inputs and the inner nodes on the path along the gradient', () => {
    const kernel = kernelFor([3, 1, 1], { hs: true, negative: 0 });
    const stride = kernel.layout.stride;
    const initialInput = [[0.5, -0.3, 0.8], [-0.2, 0.7, 0.4], [0.3, 0.1, -0.6]];
    const initialNodes = [[0.3, 0.6, -0.5], [0.9, -0.4, 0.2]];
    writeRows(kernel.syn0, stride, initialInput);
    writeRows(kernel.syn1, stride, initialNodes);
    const alpha = 0.5;
    // Paths from the tree test: word 1 goes root(1) -> code 0, node 0 -> code 1; word 2 takes 0, 0.
    const paths: Record<number, [number, number][]> = { 1: [[1, 0], [0, 1]], 2: [[1, 0], [0, 0]] };
    const nodes = initialNodes.map((r) => [...r]);
    const gradient: number[][] = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    let loss = 0;
    for (const [centre, context] of [[1, 2], [2, 1]]) {
      const x = initialInput[context];
      const updates = paths[centre].map(([node, code]) => {
        const f = dot(x, nodes[node]);
        const label = 1 - code;
        loss += label === 1 ? -Math.log(sigmoid(f)) : -Math.log(1 - sigmoid(f));
        return [node, (label - sigmoid(f)) * alpha] as const;
      });
      for (const [node, g] of updates) gradient[context] = axpy(g, nodes[node], gradient[context]);
      for (const [node, g] of updates) nodes[node] = axpy(g, x, nodes[node]);
    }
    const input = initialInput.map((row, w) => axpy(1, gradient[w], row));

    const result = kernel.trainHere([1, 2, -1], alpha, alpha, 9);
    assertClose(readRows(kernel.syn0, stride, 3), input, 'input rows');
    assertClose(readRows(kernel.syn1, stride, 2), nodes, 'inner nodes');
    assert.ok(Math.abs(result.loss - loss) < 0.02, `loss ${result.loss} vs ${loss}`);
  });
});

describe('FastText subwords', () => {
  it('hashes n-grams as fastText and gensim do', () => {
    // Reference values printed by gensim 4.2: compute_ngrams_bytes(word, 3, 6) and ft_hash_bytes.
    const all = { minn: 3, maxn: 6, bucket: 2 ** 32 };
    assert.deepEqual(ngramBuckets('where', all), [
      1048167652, 3668989715, 2761526707, 4089071586, 888420941, 2608312621, 90969176, 4012121234, 4105473420, 557540811,
      1166114991, 2073529033, 2257568469, 2062867498,
    ]);
    // Multi-byte characters count as one character and their bytes hash sign-extended.
    assert.deepEqual(ngramBuckets('naïve', all).slice(0, 4), [1267806890, 785907692, 1476878190, 2660933201]);
    assert.deepEqual(ngramBuckets('a', all), [2359087600]);
    assert.equal(fastTextHash(new TextEncoder().encode('<wh')), 1048167652);
  });

  it('gives each word its own row first, then its n-gram rows after the vocabulary', () => {
    const { rowStart, rows } = subwordRows(['ab', 'where'], { minn: 3, maxn: 6, bucket: 1000 });
    assert.deepEqual(Array.from(rows.subarray(rowStart[0], rowStart[1])), [0, ...ngramBuckets('ab', { minn: 3, maxn: 6, bucket: 1000 }).map((b) => 2 + b)]);
    assert.equal(rows[rowStart[1]], 1);
    assert.equal(rowStart[2] - rowStart[1], 15);
    const plain = subwordRows(['ab', 'where'], undefined);
    assert.deepEqual(Array.from(plain.rows), [0, 1]);
  });

  it('trains an input word as the mean of its rows, and every row gets the full gradient', () => {
    const subwords = { minn: 3, maxn: 3, bucket: 1000 };
    const kernel = kernelFor([1, 1, 1e12], {}, subwords);
    const stride = kernel.layout.stride;
    const { rowStart, rows } = subwordRows(['w0', 'w1', 'w2'], subwords);
    assert.ok(readRows(kernel.syn1neg, stride, 3).flat().every((v) => v === 0), 'output rows start at zero');
    // Non-zero outputs, so the inputs get a gradient on the first step.
    writeRows(kernel.syn1neg, stride, [[0.3, 0.6, -0.5], [0.9, -0.4, 0.2], [-0.7, 0.2, 0.5]]);
    const before = readRows(kernel.syn0, stride, kernel.inputRows);
    kernel.trainHere([0, 1, -1], 0.5, 0.5, 2);
    const after = readRows(kernel.syn0, stride, kernel.inputRows);
    // Word 1 ("<w1>": <w1, w1>) is the input of the first window; its rows all move by the same step.
    const rowsOf1 = Array.from(rows.subarray(rowStart[1], rowStart[2]));
    assert.equal(rowsOf1.length, 3);
    const steps = rowsOf1.map((r) => after[r].map((v, d) => v - before[r][d]));
    // Rows shared by both words (none here: different n-grams) would move twice; check the ones of
    // word 1 that word 0 does not use.
    const rowsOf0 = new Set(rows.subarray(rowStart[0], rowStart[1]));
    const own = steps.filter((_, i) => !rowsOf0.has(rowsOf1[i]));
    assert.ok(own.length >= 2);
    for (const step of own) assertClose([step], [own[0]], 'step of each row', 1e-6);
    assert.ok(Math.hypot(...own[0]) > 0.01, 'the rows moved');
  });
});

describe('sampling tables', () => {
  it('draws noise words in proportion to count^0.75', () => {
    const counts = [1000, 100, 10, 1];
    const { cumulative } = noiseDistribution(counts);
    const powered = counts.map((c) => c ** 0.75);
    const total = powered.reduce((a, b) => a + b, 0);
    let previous = 0;
    cumulative.forEach((end, i) => {
      const share = (end - previous) / 2 ** 31;
      assert.ok(Math.abs(share - powered[i] / total) < 1e-8, `word ${i}: ${share}`);
      previous = end;
    });
  });

  it('keeps rare words always and frequent words with gensim\'s probability', () => {
    const counts = [1_000_000, 10, 1];
    const keep = keepThresholds(counts, 1e-3);
    const threshold = 1e-3 * (1_000_000 + 11);
    const expected = (Math.sqrt(1e6 / threshold) + 1) * (threshold / 1e6);
    assert.ok(Math.abs(keep[0] / 2 ** 32 - expected) < 1e-9);
    assert.equal(keep[1], 0xffffffff);
    assert.equal(keep[2], 0xffffffff);
    assert.ok(keepThresholds(counts, 0).every((k) => k === 0xffffffff), 'sample 0 keeps everything');
  });
});

describe('kernel memory limits', () => {
  it('refuses a model beyond wasm32\'s 4 GiB before allocating, and says what to lower', () => {
    // 3 M words x 300 dimensions: 3.6 GB of input rows plus as much of output rows.
    const size = 3_000_000;
    const counts = new Float64Array(size).fill(5);
    const words = Array.from({ length: size }, (_, i) => `w${i}`);
    assert.throws(
      () =>
        TrainingKernel.create(
          { words, counts, size },
          { mode: 'sg', dim: 300, window: 5, negative: 5, hs: false, cbowMean: true, sample: 0, seed: 1 },
          undefined,
          { threads: 1, maxSentence: 100, jobCapacity: 100, jobSlotsPerThread: 1 },
        ),
      /needs 6\.\d GiB for its weights, more than the 4 GiB .* Lower dim, raise minCount or cap the vocabulary \(maxFinalVocab/,
    );
  });
});
