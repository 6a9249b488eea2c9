import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileCorpus, type TextCorpus } from '../../src/core/corpus';
import { Random } from '../../src/core/random';
import { Vocabulary } from '../../src/core/vocab';
import { CooccurrenceCounter, type CanonicalBatch } from '../../src/core/glove/cooccurrence';
import { countCooccurrences, GLOVE_DEFAULTS, resolveGloveOptions, shuffleCounts, TempFolder, trainGlove, type TrainedGlove } from '../../src/core/glove/glove';
import { GloveModel } from '../../src/core/glove/model';
import type { RecordBlock } from '../../src/core/glove/shuffle';
import type { TrainingProgress } from '../../src/core/word2vec';

const DATA = path.resolve(__dirname, '../../../shared/data');
const LEE = path.join(DATA, 'gensim/lee_background.cor');
const GUTENBERG = path.join(DATA, 'corpus/gutenberg-12m.txt.gz');

class StringCorpus implements TextCorpus {
  constructor(private readonly text: string) {}
  async *chunks(): AsyncGenerator<string> {
    yield this.text;
  }
}

/** The first `maxWords` words of a corpus, cut at a line end. */
class PrefixCorpus implements TextCorpus {
  constructor(private readonly inner: TextCorpus, private readonly maxWords: number) {}
  async *chunks(signal?: AbortSignal): AsyncGenerator<string> {
    let words = 0;
    let carry = '';
    for await (const chunk of this.inner.chunks(signal)) {
      const text = carry + chunk;
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        carry = text;
        continue;
      }
      carry = text.slice(end + 1);
      const lines = text.slice(0, end + 1);
      words += lines.split(/\s+/).filter(Boolean).length;
      yield lines;
      if (words >= this.maxWords) return;
    }
    if (carry) yield carry;
  }
}

async function tempParent(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'glove-test-'));
}

/** "i j" -> x for every shuffled training record; a record that comes twice fails the test. */
async function recordsToMap(records: { blocks(random: Random): AsyncGenerator<RecordBlock> }): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for await (const block of records.blocks(new Random(1))) {
    for (let r = 0; r < block.length; r++) {
      const key = `${block.ints[3 * r]} ${block.ints[3 * r + 1]}`;
      assert.ok(!seen.has(key), `record ${key} appears twice`);
      seen.set(key, block.floats[3 * r + 2]);
    }
  }
  return seen;
}

/** Counts every line of `lines` (already vocabulary ids) into a counter, spilling as needed. */
async function countLines(counter: CooccurrenceCounter, lines: number[][]): Promise<void> {
  const ids = new Int32Array(10_000);
  for (const line of lines) {
    ids.set(line);
    for (let p = counter.count(ids, line.length); p < line.length; p = counter.count(ids, line.length, p)) await counter.spill();
  }
}

function collect(into: Map<string, number>) {
  return (batch: CanonicalBatch) => {
    for (let r = 0; r < batch.length; r++) {
      const key = `${batch.lo[r]} ${batch.hi[r]}`;
      into.set(key, (into.get(key) ?? 0) + batch.x[r]);
    }
  };
}

/** Plain reference: Stanford's loop over in-vocabulary words of a line, both directions. */
function referenceCounts(lines: number[][], window: number): Map<string, number> {
  const x = new Map<string, number>();
  const add = (a: number, b: number, v: number) => x.set(`${a} ${b}`, (x.get(`${a} ${b}`) ?? 0) + v);
  for (const line of lines) {
    for (let j = 0; j < line.length; j++) {
      for (let k = j - 1; k >= Math.max(0, j - window); k--) {
        add(line[k], line[j], 1 / (j - k));
        add(line[j], line[k], 1 / (j - k));
      }
    }
  }
  return x;
}

function leeLines(vocabulary: Vocabulary): number[][] {
  return readFileSync(LEE, 'utf8')
    .split('\n')
    .map((line) => line.toLowerCase().split(/[^a-z0-9'-]+/).map((w) => vocabulary.id(w)).filter((id) => id >= 0));
}

function leeVocabulary(minCount: number): Vocabulary {
  const counts = new Map<string, number>();
  for (const w of readFileSync(LEE, 'utf8').toLowerCase().split(/[^a-z0-9'-]+/)) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1]);
  return new Vocabulary(kept.map(([w]) => w), Float64Array.from(kept, ([, c]) => c), 0);
}

function assertSameCounts(actual: Map<string, number>, expected: Map<string, number>, what: string): void {
  assert.equal(actual.size, expected.size, `${what}: number of distinct pairs`);
  for (const [key, value] of expected) {
    const got = actual.get(key);
    assert.ok(got !== undefined && Math.abs(got - value) <= 1e-9 * Math.max(1, value), `${what}: X(${key}) = ${got}, expected ${value}`);
  }
}

describe('GloVe co-occurrence counting', () => {
  it('weights pairs 1/distance, symmetrically, skipping out-of-vocabulary words and never crossing lines', async () => {
    // minCount 2 keeps a (5), b (3), c (2); x, y and z occur once and are dropped before distances
    // are measured, as cooccur.c does.
    const text = 'a b x c a\nb a y a\nc z b a\n';
    const parent = await tempParent();
    try {
      const trained = await trainGlove(new StringCorpus(text), { dim: 4, epochs: 1, minCount: 2, window: 2, tempDir: parent }, {});
      assert.deepEqual(trained.vocabulary.words, ['a', 'b', 'c']);
      assert.equal(trained.stats.corpusWords, 13);
      assert.equal(trained.stats.cooccurrenceEntries, 7);
      assert.equal(trained.stats.spilledRuns, 0);
      assert.deepEqual(await fs.readdir(parent), []);

      // In-vocabulary words per line, window 2:
      //   a b c a : {a,b} 1 + 1/2, {b,c} 1, {a,c} 1/2 + 1
      //   b a a   : {a,b} 1 + 1/2, {a,a} 1, counted in both directions of the one cell: 2
      //   c b a   : {b,c} 1, {a,b} 1, {a,c} 1/2
      const expected = new Map([['0 1', 4], ['1 0', 4], ['0 2', 2], ['2 0', 2], ['1 2', 2], ['2 1', 2], ['0 0', 2]]);
      const temp = new TempFolder(parent);
      const counter = await countCooccurrences(new StringCorpus(text), trained.vocabulary, {
        window: 2, lowercase: true, memoryBytes: 1 << 20, workDir: temp.path,
      });
      const records = await shuffleCounts(counter, 1 << 20, temp, 1, undefined, async () => undefined);
      assertSameCounts(await recordsToMap(records), expected, 'hand-made corpus');

      // Window 1 sees only neighbours.
      const narrow = await countCooccurrences(new StringCorpus(text), trained.vocabulary, {
        window: 1, lowercase: true, memoryBytes: 1 << 20, workDir: temp.path,
      });
      const narrowCounts = new Map<string, number>();
      await narrow.emitMemory(collect(narrowCounts));
      assertSameCounts(narrowCounts, new Map([['0 1', 3], ['1 2', 2], ['0 2', 1], ['0 0', 2]]), 'window 1');
      await temp.remove();
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('agrees with a plain reference count on real text, through the dense block and the hash', async () => {
    const vocabulary = leeVocabulary(3);
    const lines = leeLines(vocabulary);
    const parent = await tempParent();
    try {
      // 4 MiB: a dense block for the most frequent words, the rest in the hash, nothing spilled.
      const counter = new CooccurrenceCounter({ vocabularySize: vocabulary.size, window: 5, memoryBytes: 4 << 20, workDir: async () => parent });
      assert.ok(counter.productBound > 1 && counter.productBound < vocabulary.size * vocabulary.size, `product bound ${counter.productBound}`);
      const counted = new Map<string, number>();
      await countLines(counter, lines);
      assert.ok(counter.inMemory && counter.hashEntries > 0);
      await counter.emitMemory(collect(counted));
      const reference = referenceCounts(lines, 5);
      const canonical = new Map<string, number>();
      for (const [key, value] of reference) {
        const [a, b] = key.split(' ').map(Number);
        if (a <= b) canonical.set(key, value);
      }
      assertSameCounts(counted, canonical, 'Lee, window 5');
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('gives the same counts through spilled runs, merged in rounds, as in memory, and removes the files', async () => {
    const vocabulary = leeVocabulary(2);
    const lines = leeLines(vocabulary);
    const parent = await tempParent();
    try {
      const inMemory = new Map<string, number>();
      const big = new CooccurrenceCounter({ vocabularySize: vocabulary.size, window: 10, memoryBytes: 256 << 20, workDir: async () => parent });
      await countLines(big, lines);
      assert.ok(big.inMemory);
      await big.emitMemory(collect(inMemory));

      // A 40 KB budget: a hash of under a thousand entries, so hundreds of runs, far more than the
      // merge buffers the budget allows at once, which forces intermediate merge rounds.
      const temp = new TempFolder(parent);
      const budget = 40_000;
      const small = new CooccurrenceCounter({ vocabularySize: vocabulary.size, window: 10, memoryBytes: budget, workDir: temp.path });
      await countLines(small, lines);
      assert.ok(small.runs.length > 100, `${small.runs.length} runs`);
      const records = await shuffleCounts(small, budget, temp, 3, undefined, async () => undefined);
      assert.ok(records.chunkFiles > 1, `${records.chunkFiles} shuffle chunks`);
      const merged = await recordsToMap(records);
      const expected = new Map<string, number>();
      for (const [key, value] of inMemory) {
        const [lo, hi] = key.split(' ');
        expected.set(`${lo} ${hi}`, value);
        expected.set(`${hi} ${lo}`, value);
      }
      // Training records hold x in float32.
      assert.equal(merged.size, expected.size);
      for (const [key, value] of expected) {
        assert.ok(Math.abs(merged.get(key)! - value) <= 1e-6 * value, `X(${key}) = ${merged.get(key)}, expected ${value}`);
      }
      const folder = await temp.path();
      assert.ok((await fs.readdir(folder)).some((f) => f.startsWith('shuffle-')));
      assert.ok(!(await fs.readdir(folder)).some((f) => f.startsWith('run-')), 'merged runs are deleted');
      await temp.remove();
      assert.deepEqual(await fs.readdir(parent), []);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });
});

describe('GloVe training', () => {
  it('follows the gradient of the weighted least-squares loss (AdaGrad first step)', () => {
    const dim = 5;
    const config = { vocabularySize: 3, dim, eta: 0.01, xMax: 10, alpha: 0.75, gradClip: 100 };
    const model = new GloveModel(config, new Random(4));
    const i = 2;
    const j = 0;
    const x = 3;
    const loss = (m: GloveModel) => {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += m.w[i * dim + d] * m.c[j * dim + d];
      const diff = dot + m.bw[i] + m.bc[j] - Math.log(x);
      return 0.5 * Math.pow(x / 10, 0.75) * diff * diff;
    };
    // Numerical gradient of the loss with respect to every parameter the record touches.
    const h = 1e-3;
    const params: [Float32Array, number][] = [];
    for (let d = 0; d < dim; d++) params.push([model.w, i * dim + d], [model.c, j * dim + d]);
    params.push([model.bw, i], [model.bc, j]);
    const numeric = params.map(([array, k]) => {
      const saved = array[k];
      array[k] = saved + h;
      const up = loss(model);
      array[k] = saved - h;
      const down = loss(model);
      array[k] = saved;
      return (up - down) / (2 * h);
    });
    const before = params.map(([array, k]) => array[k]);
    const lossBefore = loss(model);
    const buffer = new ArrayBuffer(12);
    const block: RecordBlock = { ints: new Int32Array(buffer), floats: new Float32Array(buffer), length: 1 };
    block.ints[0] = i;
    block.ints[1] = j;
    block.floats[2] = x;
    model.train(block, 0, 1);
    // gradsq starts at 1, so the first step is exactly -eta times the gradient.
    params.forEach(([array, k], p) => {
      const step = array[k] - before[p];
      assert.ok(Math.abs(step + config.eta * numeric[p]) < 1e-6, `parameter ${p}: step ${step}, -eta * gradient ${-config.eta * numeric[p]}`);
    });
    assert.ok(Math.abs(model.lossSum - lossBefore) < 1e-9, 'reported loss is the loss before the step');
    assert.equal(model.records, 1);
    assert.ok(loss(model) < lossBefore);
  });

  it('rejects bad options with messages naming them', () => {
    assert.throws(() => resolveGloveOptions({ window: 0 }), /window must be an integer between 1 and 1000, got 0/);
    assert.throws(() => resolveGloveOptions({ xMax: -1 }), /xMax must be a positive number, got -1/);
    assert.throws(() => resolveGloveOptions({ memoryMB: 0 }), /memoryMB must be a number of megabytes between 0.01 and 1000000, got 0/);
    assert.throws(() => resolveGloveOptions({ eta: Number.NaN }), /eta must be a positive number, got NaN/);
    assert.throws(() => resolveGloveOptions({ tempDir: '' }), /tempDir must be a folder path/);
    assert.throws(() => resolveGloveOptions({ minCount: 1.5 }), /minCount must be a positive integer, got 1.5/);
    assert.deepEqual(resolveGloveOptions({ dim: 20, tempDir: undefined }), { ...GLOVE_DEFAULTS, dim: 20 });
  });

  it('explains a corpus with nothing to fit', async () => {
    await assert.rejects(trainGlove(new StringCorpus(''), {}, {}), /contains no words/);
    await assert.rejects(trainGlove(new StringCorpus('a\nb\na\nb\n'), { minCount: 1 }, {}), /No two vocabulary words occur within 15 words/);
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const options = { dim: 10, epochs: 2, minCount: 5, window: 5 };
    const a = await trainGlove(new FileCorpus([LEE]), { ...options, seed: 11 }, {});
    const b = await trainGlove(new FileCorpus([LEE]), { ...options, seed: 11 }, {});
    const c = await trainGlove(new FileCorpus([LEE]), { ...options, seed: 12 }, {});
    assert.deepEqual(a.vectors.data, b.vectors.data);
    assert.deepEqual(a.stats.epochLosses, b.stats.epochLosses);
    assert.notDeepEqual(a.vectors.data, c.vectors.data);
    // Through spilled runs and shuffle chunks on disk as well.
    const small = { ...options, seed: 11, memoryMB: 0.2 };
    const d = await trainGlove(new FileCorpus([LEE]), small, {});
    const e = await trainGlove(new FileCorpus([LEE]), small, {});
    assert.ok(d.stats.spilledRuns > 1 && d.stats.shuffleChunks > 1, JSON.stringify(d.stats));
    assert.equal(d.stats.cooccurrenceEntries, a.stats.cooccurrenceEntries);
    assert.deepEqual(d.vectors.data, e.vectors.data);
  });

  it('removes its temp folder when cancelled while counts are on disk', async () => {
    const parent = await tempParent();
    try {
      const controller = new AbortController();
      let sawFiles = false;
      const run = trainGlove(new FileCorpus([LEE]), { dim: 10, epochs: 50, minCount: 2, memoryMB: 0.05, tempDir: parent }, {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.phase !== 'training' || controller.signal.aborted) return;
          // Training from shuffle chunks on disk: the folder is there now.
          void fs.readdir(parent).then(async (entries) => {
            if (entries.length > 0 && (await fs.readdir(path.join(parent, entries[0]))).length > 0) sawFiles = true;
            controller.abort();
          });
        },
      });
      await assert.rejects(run, (error: Error) => error.name === 'AbortError' && /cancelled/.test(error.message));
      assert.ok(sawFiles, 'the run had files in its temp folder before the abort');
      assert.deepEqual(await fs.readdir(parent), []);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('removes its temp folder when cancelled while counting', async () => {
    const parent = await tempParent();
    try {
      const controller = new AbortController();
      const run = trainGlove(new FileCorpus([LEE]), { dim: 10, minCount: 2, memoryMB: 0.05, tempDir: parent }, {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.phase === 'vocabulary' && p.wordsTotal > 0 && p.wordsDone > 20_000) controller.abort();
        },
      });
      await assert.rejects(run, { name: 'AbortError' });
      assert.deepEqual(await fs.readdir(parent), []);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });
});

describe('GloVe on the first 800 k words of the Gutenberg corpus', () => {
  let trained: TrainedGlove;
  const reports: TrainingProgress[] = [];
  const EPOCHS = 5;

  before(async () => {
    const corpus = new PrefixCorpus(new FileCorpus([GUTENBERG], { maxFileBytes: Number.MAX_SAFE_INTEGER }), 800_000);
    // xMax 10, as Stanford's demo.sh uses for corpora this small: with 100 almost every count would
    // get a tiny weight and five epochs would not get far.
    trained = await trainGlove(corpus, { dim: 40, epochs: EPOCHS, minCount: 10, window: 10, xMax: 10, seed: 3 }, {
      onProgress: (p) => reports.push(p),
      progressIntervalMs: 100,
    });
  });

  it('puts clearly related words closer than unrelated ones', () => {
    const v = trained.vectors;
    const related = [['king', 'queen'], ['man', 'woman'], ['day', 'night'], ['father', 'mother'], ['brother', 'sister'], ['house', 'room'],
      ['eyes', 'face'], ['red', 'white'], ['morning', 'evening'], ['husband', 'wife'], ['hand', 'arm'], ['horse', 'carriage']];
    const unrelated = [['king', 'evening'], ['man', 'white'], ['day', 'sister'], ['father', 'red'], ['brother', 'room'], ['house', 'queen'],
      ['eyes', 'horse'], ['red', 'mother'], ['morning', 'arm'], ['husband', 'carriage'], ['hand', 'night'], ['horse', 'wife']];
    const relatedSimilarity = related.map(([a, b]) => v.similarity(a, b));
    const unrelatedSimilarity = unrelated.map(([a, b]) => v.similarity(a, b));
    const wins = relatedSimilarity.filter((s, k) => s > unrelatedSimilarity[k]).length;
    assert.ok(wins >= 10, `related pair closer in ${wins} of ${related.length} cases`);
    const mean = (values: number[]) => values.reduce((t, x) => t + x, 0) / values.length;
    const gap = mean(relatedSimilarity) - mean(unrelatedSimilarity);
    assert.ok(gap > 0.3, `related pairs are more similar than unrelated ones by ${gap.toFixed(3)} on average`);
  });

  it('lowers the loss every epoch and reports it as it goes', () => {
    const losses = trained.stats.epochLosses;
    const shown = losses.map((l) => l.toFixed(4)).join(', ');
    assert.equal(losses.length, EPOCHS);
    for (let e = 1; e < losses.length; e++) assert.ok(losses[e] < losses[e - 1], `epoch losses ${shown}`);
    assert.ok(losses[EPOCHS - 1] < losses[0] * 0.7, `epoch losses ${shown}`);
    const training = reports.filter((p) => p.phase === 'training');
    assert.ok(training.length >= EPOCHS);
    assert.ok(training.every((p) => Number.isFinite(p.loss) && p.loss > 0 && p.learningRate === 0.05));
    const last = training[training.length - 1];
    assert.equal(last.epoch, EPOCHS);
    assert.equal(last.wordsTotal, trained.vocabulary.totalWords * EPOCHS);
    assert.ok(Math.abs(last.wordsDone - last.wordsTotal) < 1e-6 * last.wordsTotal);
    assert.ok(reports.some((p) => p.phase === 'vocabulary' && p.wordsTotal === trained.stats.corpusWords), 'co-occurrence counting reports against the corpus size');
  });

  it('returns the vocabulary, the options used and consistent statistics', () => {
    const { vectors, vocabulary, options, stats } = trained;
    assert.deepEqual(options, { ...GLOVE_DEFAULTS, dim: 40, epochs: EPOCHS, minCount: 10, window: 10, xMax: 10, seed: 3 });
    assert.equal(vectors.size, vocabulary.size);
    assert.equal(vectors.dim, 40);
    assert.deepEqual(vectors.words, vocabulary.words);
    assert.equal(vectors.counts, vocabulary.counts);
    assert.equal(stats.corpusWords, vocabulary.corpusWords);
    assert.ok(stats.corpusWords >= 800_000 && stats.corpusWords < 900_000, `${stats.corpusWords} words`);
    assert.ok(stats.cooccurrenceEntries > 1_000_000, `${stats.cooccurrenceEntries} records`);
    assert.equal(stats.spilledRuns, 0);
    assert.equal(stats.shuffleChunks, 0);
    assert.equal(stats.epochs, EPOCHS);
    assert.ok(stats.trainingSeconds > 0 && stats.cooccurrenceSeconds > 0 && stats.vocabularySeconds > 0);
    assert.ok(Math.abs(stats.wordsPerSecond - (vocabulary.totalWords * EPOCHS) / stats.trainingSeconds) < 1e-6 * stats.wordsPerSecond);
  });
});
