import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FileCorpus, type TextCorpus } from '../../src/core/corpus';
import { trainWord2Vec, WORD2VEC_DEFAULTS, type TrainedWord2Vec, type TrainingProgress } from '../../src/core/word2vec';
import { SkipGramTrainer } from '../../src/core/skipGram';

const LEE = path.resolve(__dirname, '../../../shared/data/gensim/lee_background.cor');
const LEE_OPTIONS = { dim: 50, epochs: 15, minCount: 2, seed: 7 };

class StringCorpus implements TextCorpus {
  constructor(private readonly text: string) {}
  async *chunks(): AsyncGenerator<string> {
    yield this.text;
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, x, i) => sum + x * b[i], 0);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('trainWord2Vec on the Lee corpus', () => {
  let trained: TrainedWord2Vec;
  const reports: TrainingProgress[] = [];
  const vocabularyEvents: { vocabularySize: number; corpusWords: number; report?: unknown }[] = [];

  before(async () => {
    trained = await trainWord2Vec(new FileCorpus([LEE]), LEE_OPTIONS, {
      onProgress: (p) => reports.push(p),
      onVocabulary: (v) => vocabularyEvents.push(v),
      progressIntervalMs: 20,
    });
  });

  it('puts words of the same story closer together than words of different stories', () => {
    const v = trained.vectors;
    // Pairs from the same news story (bushfires, the Qantas dispute, Afghanistan, the Middle East,
    // a cricket test) against pairs across stories.
    const related = [['fire', 'service'], ['fire', 'crews'], ['qantas', 'unions'], ['taliban', 'fighting'], ['afghanistan', 'taliban'],
      ['israeli', 'army'], ['palestinian', "arafat's"], ['cricket', 'test'], ['sydney', 'hobart'], ['police', 'officers']];
    const unrelated = [['fire', 'palestinian'], ['fire', 'cricket'], ['qantas', 'taliban'], ['taliban', 'cricket'], ['afghanistan', 'qantas'],
      ['israeli', 'cricket'], ['palestinian', 'qantas'], ['cricket', 'israeli'], ['sydney', 'taliban'], ['police', 'cricket']];
    const relatedSimilarity = related.map(([a, b]) => v.similarity(a, b));
    const unrelatedSimilarity = unrelated.map(([a, b]) => v.similarity(a, b));
    const wins = relatedSimilarity.filter((s, i) => s > unrelatedSimilarity[i]).length;
    assert.ok(wins >= 9, `related pair closer in ${wins} of 10 cases`);
    const gap = mean(relatedSimilarity) - mean(unrelatedSimilarity);
    assert.ok(gap > 0.35, `mean similarity of related pairs exceeds unrelated ones by ${gap.toFixed(3)}`);
  });

  it('reduces the loss from the first epoch to the last', () => {
    const losses = trained.stats.epochLosses;
    assert.equal(losses.length, 15);
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[14] < losses[0] * 0.85, `epoch losses ${losses.map((l) => l.toFixed(3)).join(', ')}`);
  });

  it('returns the vocabulary, the options used and consistent statistics', () => {
    const { vectors, vocabulary, options, stats } = trained;
    assert.deepEqual(options, { ...WORD2VEC_DEFAULTS, ...LEE_OPTIONS });
    assert.equal(vectors.dim, 50);
    assert.deepEqual(vectors.words, vocabulary.words);
    assert.deepEqual(vectors.counts, vocabulary.counts);
    assert.ok(vocabulary.counts.every((c) => c >= 2));
    assert.equal(stats.corpusWords, vocabulary.corpusWords);
    assert.ok(stats.trainedWords > 0 && stats.trainedWords < vocabulary.totalWords * 15, 'frequent words were down-sampled');
    assert.ok(stats.wordsPerSecond > 0 && stats.trainingSeconds > 0);
  });

  it('reports the vocabulary once and progress that adds up', () => {
    assert.equal(vocabularyEvents.length, 1);
    assert.equal(vocabularyEvents[0].vocabularySize, trained.vocabulary.size);
    assert.equal(vocabularyEvents[0].corpusWords, trained.vocabulary.corpusWords);
    assert.ok(vocabularyEvents[0].report, 'the FileCorpus report is passed along');

    const training = reports.filter((r) => r.phase === 'training');
    for (let epoch = 1; epoch <= 15; epoch++) assert.ok(training.some((r) => r.epoch === epoch), `a report for epoch ${epoch}`);
    for (let i = 1; i < training.length; i++) {
      assert.ok(training[i].wordsDone >= training[i - 1].wordsDone);
      assert.ok(training[i].learningRate <= training[i - 1].learningRate);
      assert.ok(training[i].epoch >= training[i - 1].epoch);
    }
    const last = training[training.length - 1];
    assert.equal(last.wordsTotal, trained.vocabulary.totalWords * 15);
    assert.equal(last.wordsDone, last.wordsTotal);
    assert.ok(Math.abs(last.learningRate - WORD2VEC_DEFAULTS.minAlpha) < 1e-12);
    assert.ok(training.every((r) => Number.isFinite(r.loss) && r.loss >= 0 && r.epochLoss > 0));
  });

  it('gives bit-identical vectors for the same seed, and different ones for another seed', async () => {
    const again = await trainWord2Vec(new FileCorpus([LEE]), LEE_OPTIONS);
    assert.ok(Buffer.from(again.vectors.data.buffer).equals(Buffer.from(trained.vectors.data.buffer)));
    assert.deepEqual(again.stats.epochLosses, trained.stats.epochLosses);
    const other = await trainWord2Vec(new FileCorpus([LEE]), { ...LEE_OPTIONS, seed: 8, epochs: 1 });
    const once = await trainWord2Vec(new FileCorpus([LEE]), { ...LEE_OPTIONS, epochs: 1 });
    assert.ok(!Buffer.from(other.vectors.data.buffer).equals(Buffer.from(once.vectors.data.buffer)));
  });
});

describe('trainWord2Vec cancellation and errors', () => {
  it('stops with an AbortError soon after the signal is aborted', async () => {
    const controller = new AbortController();
    let reportsAfterAbort = 0;
    const run = trainWord2Vec(new FileCorpus([LEE]), { dim: 20, epochs: 50, minCount: 2 }, {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (controller.signal.aborted) reportsAfterAbort++;
        if (p.phase === 'training') controller.abort();
      },
    });
    await assert.rejects(run, { name: 'AbortError', message: 'Training cancelled' });
    assert.ok(reportsAfterAbort <= 1, `${reportsAfterAbort} progress reports after the abort`);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await assert.rejects(trainWord2Vec(new StringCorpus('a b c\n'), { minCount: 1 }, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('validates options with messages that say what is allowed', async () => {
    const corpus = new StringCorpus('a b c\n');
    const cases: [Record<string, unknown>, string][] = [
      [{ dim: 0 }, 'dim must be an integer between 1 and 10000, got 0'],
      [{ dim: 2.5 }, 'dim must be an integer between 1 and 10000, got 2.5'],
      [{ window: 0 }, 'window must be an integer between 1 and 1000, got 0'],
      [{ negative: -1 }, 'negative must be an integer between 1 and 1000, got -1'],
      [{ epochs: NaN }, 'epochs must be an integer between 1 and 10000, got NaN'],
      [{ minCount: 0 }, 'minCount must be a positive integer, got 0'],
      [{ sample: 2 }, 'sample must be between 0 and 1 (0 turns down-sampling off), got 2'],
      [{ alpha: 0 }, 'alpha must be a positive number, got 0'],
      [{ minAlpha: 0.5 }, 'minAlpha must be between 0 and alpha (0.025), got 0.5'],
      [{ seed: 1.5 }, 'seed must be an integer, got 1.5'],
      [{ lowercase: 'yes' }, 'lowercase must be true or false, got yes'],
      [{ maxVocabSize: 0 }, 'maxVocabSize must be a positive integer, got 0'],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(trainWord2Vec(corpus, options as never), { message }, JSON.stringify(options));
    }
  });

  it('explains an empty vocabulary', async () => {
    await assert.rejects(
      trainWord2Vec(new StringCorpus('one two three two\n'), { minCount: 5 }),
      /No word occurs at least 5 times \(minCount\): the corpus has 3 distinct words in 4 tokens\. Use a lower minCount/,
    );
    await assert.rejects(trainWord2Vec(new StringCorpus('... !!!\n'), { minCount: 1 }), /The corpus contains no words/);
  });

  it('keeps case when lowercase is false', async () => {
    const result = await trainWord2Vec(new StringCorpus('The the THE the\n'), { minCount: 1, dim: 4, epochs: 1, lowercase: false });
    assert.deepEqual(result.vocabulary.words, ['the', 'The', 'THE']);
  });
});

describe('the skip-gram negative-sampling update', () => {
  // Word 2 is so frequent that it is (with probability 1 - 2e-9) the negative drawn every time, and
  // a window of 1 with down-sampling off makes the pairs fixed: (centre 0, context 1), (centre 1, context 0).
  const setUp = () => {
    const trainer = new SkipGramTrainer({ dim: 3, window: 1, negative: 1, counts: new Float64Array([1, 1, 1e12]), sample: 0, seed: 3, maxSentenceLength: 10 });
    trainer.syn0.set([0.5, -0.3, 0.8, -0.2, 0.7, 0.4, 0.1, 0.1, 0.1]);
    trainer.syn1neg.set([0.3, 0.6, -0.5, 0.9, -0.4, 0.2, -0.7, 0.2, 0.5]);
    return trainer;
  };
  const row = (m: Float32Array, i: number) => Array.from(m.subarray(i * 3, i * 3 + 3));

  it('moves the context word\'s input vector and the output vectors along the SGNS gradient', () => {
    const trainer = setUp();
    const alpha = 0.5;
    const syn0 = [row(trainer.syn0, 0), row(trainer.syn0, 1), row(trainer.syn0, 2)];
    const syn1 = [row(trainer.syn1neg, 0), row(trainer.syn1neg, 1), row(trainer.syn1neg, 2)];
    let expectedLoss = 0;
    // The gradient of -log σ(x·c) - log σ(-x·n), applied with step alpha, for each pair in turn.
    for (const [centre, context] of [[0, 1], [1, 0]]) {
      const x = syn0[context];
      const c = syn1[centre];
      const n = syn1[2];
      const gPositive = (1 - sigmoid(dot(x, c))) * alpha;
      const gNegative = -sigmoid(dot(x, n)) * alpha;
      expectedLoss += -Math.log(sigmoid(dot(x, c))) - Math.log(sigmoid(-dot(x, n)));
      syn0[context] = x.map((xi, d) => xi + gPositive * c[d] + gNegative * n[d]);
      syn1[centre] = c.map((ci, d) => ci + gPositive * x[d]);
      syn1[2] = n.map((ni, d) => ni + gNegative * x[d]);
    }

    trainer.trainSentence([0, 1], 2, alpha);

    // The sigmoid comes from a 1000-entry table over [-6, 6], so agreement is to about 0.003·alpha.
    const close = (actual: number[], expected: number[], what: string) =>
      actual.forEach((a, d) => assert.ok(Math.abs(a - expected[d]) < 0.005, `${what}[${d}]: ${a} vs ${expected[d]}`));
    for (let i = 0; i < 3; i++) {
      close(row(trainer.syn0, i), syn0[i], `syn0 row ${i}`);
      close(row(trainer.syn1neg, i), syn1[i], `syn1neg row ${i}`);
    }
    assert.deepEqual(row(trainer.syn0, 2), [0.1, 0.1, 0.1].map(Math.fround), 'a word that was never a context is untouched');
    assert.equal(trainer.pairs, 2);
    assert.ok(Math.abs(trainer.lossSum - expectedLoss) < 0.05, `loss ${trainer.lossSum} vs ${expectedLoss}`);
  });

  it('drives the true pair\'s probability up and the negative\'s down when repeated', () => {
    const trainer = setUp();
    const before = sigmoid(dot(row(trainer.syn0, 1), row(trainer.syn1neg, 0)));
    for (let i = 0; i < 300; i++) trainer.trainSentence([0, 1], 2, 0.1);
    const positive = sigmoid(dot(row(trainer.syn0, 1), row(trainer.syn1neg, 0)));
    const negative = sigmoid(dot(row(trainer.syn0, 1), row(trainer.syn1neg, 2)));
    assert.ok(before < 0.6 && positive > 0.95, `σ(true pair) went from ${before} to ${positive}`);
    assert.ok(negative < 0.05, `σ(negative pair) is ${negative}`);
  });

  it('drops out-of-vocabulary ids before forming windows', () => {
    const trainer = setUp();
    assert.equal(trainer.trainSentence([0, -1, -1, 1], 4, 0.5), 2);
    assert.equal(trainer.pairs, 2, 'words 0 and 1 become neighbours once the gaps are removed');
  });
});
