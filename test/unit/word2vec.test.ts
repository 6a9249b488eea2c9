import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FileCorpus, type TextCorpus } from '../../src/core/corpus';
import { trainWord2Vec, WORD2VEC_DEFAULTS, type TrainedWord2Vec, type TrainingProgress } from '../../src/core/word2vec';

const LEE = path.resolve(__dirname, '../../../shared/data/gensim/lee_background.cor');
// One thread: the deterministic mode, so the bit-identical test below holds.
const LEE_OPTIONS = { dim: 50, epochs: 15, minCount: 2, seed: 7, threads: 1 };

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

describe('counting words on several threads', () => {
  it('gives the vocabulary one thread gives: same words, counts and order', async () => {
    const one = await trainWord2Vec(new FileCorpus([LEE]), { dim: 8, epochs: 1, minCount: 1, threads: 1 });
    const three = await trainWord2Vec(new FileCorpus([LEE]), { dim: 8, epochs: 1, minCount: 1, threads: 3 });
    assert.ok(one.vocabulary.size > 5000, `${one.vocabulary.size} words`);
    assert.deepEqual(three.vocabulary.words, one.vocabulary.words);
    assert.deepEqual(three.vocabulary.counts, one.vocabulary.counts);
    assert.equal(three.vocabulary.corpusWords, one.vocabulary.corpusWords);
    assert.equal(three.stats.threads, 3);
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
      [{ negative: -1 }, 'negative must be an integer between 0 and 1000, got -1'],
      [{ negative: 0 }, 'negative is 0 and hs is off: nothing would be trained. Set negative > 0, or turn on hs (hierarchical softmax).'],
      [{ mode: 'skipgram' }, 'mode must be one of sg, cbow, got skipgram'],
      [{ algorithm: 'glove2' }, 'algorithm must be one of word2vec, fasttext, got glove2'],
      [{ threads: -1 }, 'threads must be an integer between 0 and 1024, got -1'],
      [{ minn: 4, maxn: 3 }, 'maxn (3) must be at least minn (4), or 0 for no character n-grams'],
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

