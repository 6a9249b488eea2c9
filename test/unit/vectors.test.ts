import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';

const DATA = path.resolve(__dirname, '../../../shared/data');

function vectors(rows: Record<string, number[]>): WordVectors {
  const words = Object.keys(rows);
  const dim = rows[words[0]].length;
  return new WordVectors(words, dim, Float32Array.from(words.flatMap((w) => rows[w])));
}

/** A seeded Park–Miller generator, so the random cases are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 - 0.5;
  };
}

describe('WordVectors', () => {
  it('computes cosine similarity', () => {
    const v = vectors({ a: [1, 0], b: [1, 1], c: [-2, 0], z: [0, 0] });
    assert.ok(Math.abs(v.similarity('a', 'b') - Math.SQRT1_2) < 1e-7);
    assert.ok(Math.abs(v.similarity('a', 'c') + 1) < 1e-7);
    assert.ok(Math.abs(v.similarity('a', 'a') - 1) < 1e-7);
    assert.equal(v.similarity('a', 'z'), 0, 'a zero vector has similarity 0, not NaN');
  });

  it('looks words up and returns a copy of a row', () => {
    const v = vectors({ a: [1, 2, 3], b: [4, 5, 6] });
    assert.equal(v.size, 2);
    assert.equal(v.indexOf('b'), 1);
    assert.equal(v.indexOf('x'), -1);
    assert.ok(v.has('a') && !v.has('x'));
    const row = v.vector('b')!;
    assert.deepEqual(Array.from(row), [4, 5, 6]);
    row[0] = 99;
    assert.equal(v.data[3], 4, 'changing the returned row does not change the vectors');
    assert.equal(v.vector('x'), undefined);
  });

  it('throws a clear error for unknown words', () => {
    const v = vectors({ a: [1, 0] });
    assert.throws(() => v.similarity('a', 'ghost'), { message: 'word "ghost" is not in the vocabulary' });
    assert.throws(() => v.mostSimilar('ghost'), /word "ghost" is not in the vocabulary/);
    assert.throws(() => v.mostSimilar('a', { negative: ['ghost'] }), /ghost/);
  });

  it('validates its shape', () => {
    assert.throws(() => new WordVectors(['a', 'b'], 3, new Float32Array(5)), /expected 2 × 3 = 6 numbers, got 5/);
    assert.throws(() => new WordVectors(['a'], 0, new Float32Array(0)), /dim must be a positive integer/);
  });

  it('finds nearest neighbours, leaves out the query words, and honours k and restrictVocab', () => {
    const v = vectors({ x: [1, 0], near: [0.9, 0.1], mid: [0.5, 0.5], far: [-1, 0], side: [0, 1] });
    const result = v.mostSimilar('x', { k: 3 });
    assert.deepEqual(result.map((n) => n.word), ['near', 'mid', 'side']);
    assert.ok(Math.abs(result[0].similarity - 0.9 / Math.hypot(0.9, 0.1)) < 1e-6);
    assert.deepEqual(v.mostSimilar('x', { k: 10 }).map((n) => n.word), ['near', 'mid', 'side', 'far']);
    assert.deepEqual(v.mostSimilar('x', { k: 10, restrictVocab: 3 }).map((n) => n.word), ['near', 'mid']);
    assert.deepEqual(v.mostSimilar('x', { k: 0 }), []);
  });

  it('solves a constructed analogy with 3CosAdd', () => {
    // Dimensions: royalty, maleness, femaleness, noise.
    const v = vectors({
      king: [1, 1, 0, 0.1],
      queen: [1, 0, 1, 0.1],
      man: [0, 1, 0, 0],
      woman: [0, 0, 1, 0],
      apple: [0, 0, 0, 1],
    });
    assert.equal(v.mostSimilar(['king', 'woman'], { negative: ['man'], k: 1 })[0].word, 'queen');
  });

  it('returns the same top k as sorting every similarity (random vectors)', () => {
    const random = seeded(7);
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const dim = 16;
    const v = new WordVectors(words, dim, Float32Array.from({ length: words.length * dim }, random));
    for (const query of ['w0', 'w17', 'w1999']) {
      const all = words.filter((w) => w !== query).map((w) => ({ word: w, similarity: v.similarity(query, w) }));
      all.sort((a, b) => b.similarity - a.similarity);
      const top = v.mostSimilar(query, { k: 25 });
      assert.deepEqual(top.map((n) => n.word), all.slice(0, 25).map((n) => n.word));
      for (let i = 0; i < 25; i++) assert.ok(Math.abs(top[i].similarity - all[i].similarity) < 1e-6);
    }
  });

  it('gives sensible neighbours on real GloVe vectors', async () => {
    const glove = await readWord2Vec(path.join(DATA, 'vectors/glove.6B.100d.top10k.txt'));
    assert.equal(glove.size, 10000);
    assert.equal(glove.dim, 100);
    assert.ok(glove.mostSimilar('king', { k: 5 }).some((n) => n.word === 'queen'));
    assert.equal(glove.mostSimilar(['king', 'woman'], { negative: ['man'], k: 1 })[0].word, 'queen');
    assert.ok(glove.similarity('cat', 'dog') > glove.similarity('cat', 'economy') + 0.3);
  });
});
