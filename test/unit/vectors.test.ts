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

  it('finds analogies with positive and negative lists, leaving out every query word', () => {
    const v = vectors({
      a: [1, 0, 0],
      b: [0, 1, 0],
      c: [0, 0, 1],
      ab: [1, 1, 0],
      abc: [1, 1, 1],
      minusC: [0.5, 0.5, -1],
    });
    // a + b - c points at [1, 1, -1] / √3: minusC is nearest, then ab; a and b are left out.
    const result = v.mostSimilar(['a', 'b'], { negative: ['c'], k: 3 });
    assert.deepEqual(result.map((n) => n.word), ['minusC', 'ab', 'abc']);
    const query = [1, 1, -1].map((x) => x / Math.sqrt(3));
    const expected = [0.5, 0.5, -1].map((x) => x / Math.hypot(0.5, 0.5, 1)).reduce((s, x, i) => s + x * query[i], 0);
    assert.ok(Math.abs(result[0].similarity - expected) < 1e-6);
    assert.deepEqual(v.mostSimilar([], { negative: ['c'], k: 2 }).map((n) => n.word), ['minusC', 'a']);
    assert.throws(() => v.mostSimilar([]), /at least one word/);
  });

  it('scores 3CosMul as gensim\'s formula, computed here the slow way', () => {
    const random = seeded(11);
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const dim = 8;
    const v = new WordVectors(words, dim, Float32Array.from({ length: words.length * dim }, random));
    const shifted = (x: string, y: string) => (1 + v.similarity(x, y)) / 2;
    const positive = ['w1', 'w2'];
    const negative = ['w3'];
    const all = words
      .filter((w) => ![...positive, ...negative].includes(w))
      .map((w) => ({ word: w, similarity: (shifted(w, 'w1') * shifted(w, 'w2')) / (shifted(w, 'w3') + 1e-6) }))
      .sort((x, y) => y.similarity - x.similarity);
    const top = v.mostSimilarCosmul(positive, { negative, k: 10 });
    assert.deepEqual(top.map((n) => n.word), all.slice(0, 10).map((n) => n.word));
    for (let i = 0; i < 10; i++) assert.ok(Math.abs(top[i].similarity - all[i].similarity) < 1e-9);
    // No negatives: the empty product is 1, and the ranking is mostSimilar's.
    const alone = v.mostSimilarCosmul('w5', { k: 5 });
    assert.deepEqual(alone.map((n) => n.word), v.mostSimilar('w5', { k: 5 }).map((n) => n.word));
    assert.ok(Math.abs(alone[0].similarity - shifted(alone[0].word, 'w5') / (1 + 1e-6)) < 1e-12);
    assert.deepEqual(v.mostSimilarCosmul('w5', { k: 5, restrictVocab: 20 }).map((n) => n.word), v.mostSimilar('w5', { k: 5, restrictVocab: 20 }).map((n) => n.word));
    assert.throws(() => v.mostSimilarCosmul([], { negative: ['w1'] }), /at least one positive word/);
  });

  it('picks the word that does not match', () => {
    const v = vectors({ red: [1, 0.1], green: [0.9, 0.2], blue: [1, -0.1], car: [-0.2, 1] });
    assert.equal(v.doesntMatch(['red', 'green', 'car', 'blue']), 'car');
    assert.equal(v.doesntMatch(['red']), 'red');
    assert.throws(() => v.doesntMatch(['red', 'boat']), /word "boat" is not in the vocabulary/);
    assert.throws(() => v.doesntMatch([]), /at least one word/);
  });

  it('nSimilarity compares the means of the raw vectors, as gensim', () => {
    // Unit-vector means would give a·c = 0.5·(1 + 0) for {x, y} vs {x}; raw means weigh the long y.
    const v = vectors({ x: [1, 0], y: [0, 10], z: [1, 1] });
    const mean = [0.5, 5];
    assert.ok(Math.abs(v.nSimilarity(['x', 'y'], ['x']) - mean[0] / Math.hypot(...mean)) < 1e-9);
    assert.ok(Math.abs(v.nSimilarity(['x'], ['z']) - v.similarity('x', 'z')) < 1e-7);
    assert.throws(() => v.nSimilarity(['x'], []), /at least one word in each list/);
    assert.throws(() => v.nSimilarity(['x'], ['nope']), /word "nope" is not in the vocabulary/);
  });

  it('restrictVocab gives the first n rows, sharing their numbers', () => {
    const v = vectors({ a: [1, 0], b: [0, 1], c: [1, 1], d: [-1, 0] });
    v.unitVectors();
    const top2 = v.restrictVocab(2);
    assert.deepEqual(top2.words, ['a', 'b']);
    assert.equal(top2.size, 2);
    assert.equal(top2.data.buffer, v.data.buffer, 'a view, not a copy');
    assert.deepEqual(Array.from(top2.unitVectors()), [1, 0, 0, 1]);
    assert.equal(top2.has('c'), false);
    assert.deepEqual(v.restrictVocab(3).mostSimilar('a', { k: 5 }).map((n) => n.word), v.mostSimilar('a', { k: 5, restrictVocab: 3 }).map((n) => n.word));
    assert.equal(v.restrictVocab(99).size, 4);
    assert.throws(() => v.restrictVocab(-1), /non-negative whole number/);
  });

  it('computes unit rows once and keeps them', () => {
    const v = vectors({ a: [3, 4], z: [0, 0] });
    const unit = v.unitVectors();
    assert.equal(v.unitVectors(), unit);
    assert.deepEqual(Array.from(unit), [Math.fround(0.6), Math.fround(0.8), 0, 0]);
    v.mostSimilar('a');
    assert.equal(v.unitVectors(), unit, 'queries reuse the cache');
  });

  it('names the unknown word in every query', () => {
    const v = vectors({ a: [1, 0], b: [0, 1] });
    const message = /word "ghost" is not in the vocabulary/;
    assert.throws(() => v.mostSimilarCosmul(['a'], { negative: ['ghost'] }), message);
    assert.throws(() => v.mostSimilarCosmul('ghost'), message);
    assert.throws(() => v.nSimilarity(['ghost'], ['a']), message);
    assert.throws(() => v.doesntMatch(['a', 'ghost']), message);
    assert.throws(() => v.requireIndex('ghost'), message);
  });

  it('agrees with gensim on real GloVe vectors', async () => {
    // Reference values from gensim 4.2 (/usr/bin/python3), computed once when this test was written:
    //   kv = KeyedVectors.load_word2vec_format(<glove.6B.100d.top10k.txt with a "10000 100" header line>)
    //   kv.most_similar(positive=['king', 'woman'], negative=['man'], topn=5), and so on below.
    // gensim computes in float32, hence the tolerance.
    const glove = await readWord2Vec(path.join(DATA, 'vectors/glove.6B.100d.top10k.txt'));
    const close = (actual: { word: string; similarity: number }[], expected: [string, number][]) => {
      assert.deepEqual(actual.map((n) => n.word), expected.map(([w]) => w));
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i].similarity - expected[i][1]) < 1e-6, `${expected[i][0]}: ${actual[i].similarity}`);
    };
    close(glove.mostSimilar(['king', 'woman'], { negative: ['man'], k: 5 }), [
      ['queen', 0.7698540687561035], ['monarch', 0.6843381524085999], ['throne', 0.6755736470222473],
      ['daughter', 0.6594556570053101], ['princess', 0.6520534157752991],
    ]);
    // restrict_vocab=2000: "berlin" (row 2368) is out of reach.
    close(glove.mostSimilar(['paris', 'germany'], { negative: ['france'], k: 3, restrictVocab: 2000 }), [
      ['tokyo', 0.660261869430542], ['german', 0.6584828495979309], ['london', 0.6543471813201904],
    ]);
    close(glove.mostSimilar('computer', { k: 3 }), [['computers', 0.8751984238624573], ['software', 0.8373122215270996], ['technology', 0.7642159461975098]]);
    close(glove.mostSimilarCosmul(['king', 'woman'], { negative: ['man'], k: 5 }), [
      ['queen', 0.8964556455612183], ['monarch', 0.8495979309082031], ['throne', 0.8447030782699585],
      ['princess', 0.8371668457984924], ['elizabeth', 0.835679292678833],
    ]);
    close(glove.mostSimilarCosmul(['baghdad', 'greece'], { negative: ['athens'], k: 3 }), [
      ['iraq', 0.9721606969833374], ['afghanistan', 0.9234899282455444], ['arabia', 0.9053172469139099],
    ]);
    assert.equal(glove.doesntMatch(['breakfast', 'dinner', 'lunch', 'car']), 'car');
    assert.equal(glove.doesntMatch(['france', 'germany', 'italy', 'apple']), 'apple');
    assert.ok(Math.abs(glove.nSimilarity(['japanese', 'food', 'shop'], ['chinese', 'restaurant']) - 0.8125265) < 1e-6);
    assert.ok(Math.abs(glove.similarity('cat', 'dog') - 0.8798075) < 1e-6);
  });
});
