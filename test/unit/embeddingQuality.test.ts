// Quality on real text: Word2Vec trained on the first ~6.5 M words of the shared Gutenberg corpus must
// answer analogies and rank word pairs far better than chance, on the standard test sets, with the
// threads the machine has (the default).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FileCorpus, type TextCorpus } from '../../src/core/corpus';
import { trainWord2Vec, type TrainedWord2Vec } from '../../src/core/word2vec';
import { evaluateAnalogies, evaluateSimilarity } from '../../src/core/evaluation';

const DATA = path.resolve(__dirname, '../../../shared/data');
const GUTENBERG = path.join(DATA, 'corpus/gutenberg-12m.txt.gz');
const QUESTIONS = path.join(DATA, 'word-eval/questions-words.txt');
const WORDSIM = path.join(DATA, 'word-eval/wordsim353.tsv');

/** The first `chars` characters of a corpus (whole chunks), as a corpus. */
class CorpusPrefix implements TextCorpus {
  constructor(
    private readonly inner: TextCorpus,
    private readonly chars: number,
  ) {}
  async *chunks(signal?: AbortSignal): AsyncGenerator<string> {
    let seen = 0;
    for await (const chunk of this.inner.chunks(signal)) {
      yield chunk;
      seen += chunk.length;
      if (seen >= this.chars) return;
    }
  }
}

describe('Word2Vec quality on a slice of the Gutenberg corpus', () => {
  let trained: TrainedWord2Vec;
  before(async () => {
    const corpus = new CorpusPrefix(new FileCorpus([GUTENBERG], { maxFileBytes: Number.MAX_SAFE_INTEGER }), 36e6);
    trained = await trainWord2Vec(corpus, { mode: 'sg', epochs: 2 });
  });

  it('answers analogy questions far above chance', async () => {
    const result = await evaluateAnalogies(trained.vectors, QUESTIONS);
    // Chance is about 1 in the 30,000 candidates.
    assert.ok(result.questions > 3000, `${result.questions} questions in vocabulary`);
    assert.ok(result.accuracy > 0.05, `analogy accuracy ${(100 * result.accuracy).toFixed(2)}%`);
    const capitals = result.sections.find((s) => s.name === 'capital-common-countries');
    assert.ok(capitals && capitals.accuracy > 0.1, `capital-common-countries ${capitals?.accuracy}`);
  });

  it('ranks WordSim-353 pairs in human order', async () => {
    const result = await evaluateSimilarity(trained.vectors, WORDSIM);
    assert.ok(result.spearman > 0.2, `Spearman ${result.spearman.toFixed(3)} on ${result.pairs} pairs`);
  });

  it('puts clear relatives among each other\'s neighbours', () => {
    const near = (word: string, k = 10) => trained.vectors.mostSimilar(word, { k }).map((n) => n.word);
    assert.ok(near('woman').includes('man') || near('woman').includes('girl'), near('woman').join(' '));
    assert.ok(['night', 'morning', 'evening'].some((w) => near('day').includes(w)), near('day').join(' '));
    assert.ok(['rode', 'ran', 'went', 'came', 'walking', 'strolled'].some((w) => near('walked').includes(w)), near('walked').join(' '));
  });
});
