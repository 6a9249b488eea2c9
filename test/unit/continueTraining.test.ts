// Continued training from pretrained vectors (issue 4's core): GloVe's vectors go on learning on
// movie reviews; locked vectors stay bit-identical, new words find sensible neighbours, and freed
// vectors keep most of their general knowledge.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { reviews } from './reviewsCorpus';
import { trainWord2Vec, type TrainedWord2Vec } from '../../src/core/word2vec';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import { evaluateAnalogies } from '../../src/core/evaluation';
import type { WordVectors } from '../../src/core/vectors';

const DATA = path.resolve(__dirname, '../../../shared/data');
const GLOVE = path.join(DATA, 'vectors/glove.6B.100d.top10k.txt');
const QUESTIONS = path.join(DATA, 'word-eval/questions-words.txt');


describe('continuing GloVe vectors on movie reviews', () => {
  let glove: WordVectors;
  let locked: TrainedWord2Vec;
  let free: TrainedWord2Vec;
  before(async () => {
    glove = await readWord2Vec(GLOVE);
    const options = { epochs: 5, minCount: 5, threads: 1, seed: 3 };
    locked = await trainWord2Vec(reviews(), options, {}, { vectors: glove, lock: 'old' });
    free = await trainWord2Vec(reviews(), options, {}, { vectors: glove, lock: 'none' });
  });

  it('keeps the parent\'s words first and in order, and appends words new to it', () => {
    const { words } = locked.vocabulary;
    assert.deepEqual(words.slice(0, glove.size), glove.words);
    assert.ok(words.length > glove.size + 100, `${words.length - glove.size} new words`);
    assert.equal(locked.vectors.dim, 100, 'the run takes the parent\'s dim');
  });

  it('leaves locked vectors bit-identical', () => {
    const parent = Buffer.from(glove.data.buffer, glove.data.byteOffset, glove.data.byteLength);
    const child = Buffer.from(locked.vectors.data.buffer, locked.vectors.data.byteOffset, glove.data.byteLength);
    assert.ok(child.equals(parent));
  });

  it('gives new words neighbours from their reviews', () => {
    // Review vocabulary that GloVe's top 10,000 lacks, and relatives any sensible model puts near.
    const expected: Record<string, string[]> = {
      "don't": ["didn't", "can't", "won't", "doesn't", "couldn't", "wouldn't"],
      dull: ['tedious', 'boring', 'bland', 'dreary', 'uneven', 'silly'],
      silly: ['dumb', 'boring', 'goofy', 'pretentious', 'dull', 'tedious'],
    };
    for (const [word, relatives] of Object.entries(expected)) {
      assert.ok(!glove.has(word) && locked.vectors.has(word), `${word} is new`);
      const near = locked.vectors.mostSimilar(word, { k: 10 }).map((n) => n.word);
      assert.ok(relatives.some((r) => near.includes(r)), `${word}: ${near.join(' ')}`);
    }
  });

  it('keeps most of the general analogy accuracy when the old vectors are free to move', async () => {
    const parent = await evaluateAnalogies(glove, QUESTIONS, { restrictVocab: 10_000 });
    // The child's first 10,000 rows are the parent's words, so the same questions are asked.
    const child = await evaluateAnalogies(free.vectors, QUESTIONS, { restrictVocab: 10_000 });
    assert.equal(child.questions, parent.questions);
    assert.ok(parent.accuracy > 0.6, `parent ${parent.accuracy}`);
    // Stated margin: a few epochs on 200k words of reviews may cost at most 15 points.
    assert.ok(child.accuracy > parent.accuracy - 0.15, `parent ${(100 * parent.accuracy).toFixed(1)}%, child ${(100 * child.accuracy).toFixed(1)}%`);
    assert.ok(!Buffer.from(free.vectors.data.buffer, 0, glove.data.byteLength).equals(Buffer.from(glove.data.buffer, glove.data.byteOffset, glove.data.byteLength)), 'free vectors moved');
  });

  it('refuses a dim that differs from the starting vectors', async () => {
    await assert.rejects(trainWord2Vec(reviews(), { dim: 50 }, {}, { vectors: glove, lock: 'none' }), /dim 50 differs from the starting vectors' dim 100/);
  });
});
