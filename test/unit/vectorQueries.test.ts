// The panel's query language (word arithmetic) and how queries are answered, FastText's unseen words included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordVectors } from '../../src/core/vectors';
import { SubwordVectors, ngramBuckets } from '../../src/core/subwords';
import { answerQuery, completeWord, describeQuery, nearestToVector, parseNeighbourQuery, type QueryModel } from '../../src/extension/vectorQueries';

const terms = (text: string) => parseNeighbourQuery(text).terms.map((t) => `${t.sign > 0 ? '+' : '-'}${t.word}`);

test('a single word is one positive term', () => {
  assert.deepEqual(terms('king'), ['+king']);
  assert.deepEqual(terms('  king  '), ['+king']);
});

test('word arithmetic: spaced, glued and typographic operators all parse alike', () => {
  for (const text of ['king - man + woman', 'king -man +woman', 'king - man+woman', 'king−man+woman', 'king − man + woman']) {
    assert.deepEqual(terms(text), ['+king', '-man', '+woman'], text);
  }
  assert.deepEqual(terms('-man + king'), ['-man', '+king']);
  assert.deepEqual(terms('+ king'), ['+king']);
});

test('a hyphen inside a word is part of the word, not a minus', () => {
  assert.deepEqual(terms('well-known'), ['+well-known']);
  assert.deepEqual(terms('well-known - known'), ['+well-known', '-known']);
  assert.deepEqual(terms("o'neill + mother-in-law"), ["+o'neill", '+mother-in-law']);
});

test('malformed queries say what is wrong', () => {
  assert.throws(() => parseNeighbourQuery(''), /Type a word, or word arithmetic/);
  assert.throws(() => parseNeighbourQuery('   '), /Type a word/);
  assert.throws(() => parseNeighbourQuery('-'), /Type a word/);
  assert.throws(() => parseNeighbourQuery('king queen'), /Put \+ or - between "king" and "queen"/);
  assert.throws(() => parseNeighbourQuery('king +'), /after the final "\+"/);
  assert.throws(() => parseNeighbourQuery('king + - man'), /Expected a word after "\+", found "-"/);
  assert.throws(() => parseNeighbourQuery('- man - woman'), /at least one word with \+/);
});

test('describeQuery writes the query back with a true minus sign', () => {
  assert.equal(describeQuery(parseNeighbourQuery('king -man +woman')), 'king − man + woman');
  assert.equal(describeQuery(parseNeighbourQuery('-man + king')), '−man + king');
  assert.equal(describeQuery(parseNeighbourQuery('king')), 'king');
});

// Four directions: royal, male, female, fruit.
const WORDS = ['king', 'queen', 'man', 'woman', 'prince', 'apple'];
const DATA = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0.1, 0, 0, 1, 0.1, 0.9, 1, 0, 0.2, 0, 0, 0, 1];
const vectors = new WordVectors(WORDS, 4, new Float32Array(DATA));
const word2vec: QueryModel = { name: 'tiny', vectors, lowercase: true, minCount: 5 };

/** A FastText lookup in which every n-gram of `word` has the vector `row`, and no other n-gram was trained. */
function fastTextWith(word: string, row: number[]): QueryModel {
  const options = { minn: 3, maxn: 4, bucket: 1000 };
  const buckets = Int32Array.from(new Set(ngramBuckets(word, options))).sort();
  const rows = new Float32Array(buckets.length * 4);
  for (let i = 0; i < buckets.length; i++) rows.set(row, i * 4);
  return { name: 'tiny-ft', vectors, lowercase: true, subwords: new SubwordVectors(vectors, options, buckets, rows) };
}

test('vocabulary words: the answer is mostSimilar with positive and negative words (3CosAdd)', () => {
  const answer = answerQuery(word2vec, 'King - MAN + Woman', 3);
  assert.equal(answer.label, 'king − man + woman', 'lower-cased for a lower-cased model');
  assert.equal(answer.note, undefined);
  assert.deepEqual(answer.results, vectors.mostSimilar(['king', 'woman'], { negative: ['man'], k: 3 }));
  assert.equal(answer.results[0].word, 'queen');
  assert.deepEqual(answerQuery(word2vec, 'king', 2).results, vectors.mostSimilar('king', { k: 2 }));
});

test('a case-sensitive model is queried as typed', () => {
  assert.throws(() => answerQuery({ ...word2vec, lowercase: false }, 'King', 3), /"King" is not in the vocabulary/);
});

test('an unknown word is an error that names it', () => {
  assert.throws(() => answerQuery(word2vec, 'zebra', 3), /^Error: "zebra" is not in the vocabulary of tiny \(6 words; words rarer than min count 5 are left out\)\.$/);
  assert.throws(() => answerQuery(word2vec, 'king - man + zebra', 3), /"zebra" is not in the vocabulary/);
  assert.throws(() => answerQuery(fastTextWith('kings', [1, 1, 0, 0]), 'qqq', 3), /"qqq" is not in the vocabulary of tiny-ft \(6 words\), and none of its character n-grams was seen in training/);
});

test('FastText: an unseen word is answered from its n-grams, with a note', () => {
  const model = fastTextWith('kings', [1, 1, 0, 0]);
  const answer = answerQuery(model, 'kings', 3);
  assert.equal(answer.note, '"kings" is not in the vocabulary: built from its character n-grams.');
  assert.equal(answer.results[0].word, 'king', 'its n-grams carry the vector of king');
  assert.ok(Math.abs(answer.results[0].similarity - 1) < 1e-6, `${answer.results[0].similarity}`);

  const arithmetic = answerQuery(model, 'kings - man + woman', 2);
  assert.equal(arithmetic.label, 'kings − man + woman');
  assert.match(arithmetic.note ?? '', /^"kings" is not in the vocabulary/);
  assert.equal(arithmetic.results[0].word, 'queen');
  assert.ok(!arithmetic.results.some((r) => r.word === 'man' || r.word === 'woman'), 'vocabulary query words are left out');
});

test('nearestToVector ranks as mostSimilar does for a word’s own vector', () => {
  const row = vectors.indexOf('prince');
  const mine = nearestToVector(vectors, vectors.vector('prince')!, { k: 4, exclude: [row] });
  const gensimLike = vectors.mostSimilar('prince', { k: 4 });
  assert.deepEqual(mine.map((n) => n.word), gensimLike.map((n) => n.word));
  mine.forEach((n, i) => assert.ok(Math.abs(n.similarity - gensimLike[i].similarity) < 1e-6));
  assert.deepEqual(nearestToVector(vectors, [0, 0, 0, 0], { k: 3 }), [], 'a zero vector is near nothing');
  assert.throws(() => nearestToVector(vectors, [1, 2], { k: 3 }), /expected a vector of 4 numbers/);
});

test('the search box also takes an analogy "a : b :: c : ?" and a comma list for the odd one out (GloVe)', async () => {
  const path = await import('node:path');
  const { readWord2Vec } = await import('../../src/core/formats/word2vecFormat');
  const glove = await readWord2Vec(path.resolve(__dirname, '../../../shared/data/vectors/glove.6B.100d.top10k.txt'));
  const model: QueryModel = { name: 'glove', vectors: glove, lowercase: true };

  const analogy = answerQuery(model, 'Man : King :: Woman : ?', 5);
  assert.equal(analogy.label, 'man : king :: woman : ?');
  assert.equal(analogy.results[0].word, 'queen');
  assert.deepEqual(analogy.results, answerQuery(model, 'king - man + woman', 5).results, 'the same as the arithmetic');
  assert.match(analogy.note ?? '', /king − man \+ woman \(3CosAdd\)/);
  assert.equal(answerQuery(model, 'paris : france :: rome', 3).results[0].word, 'italy', 'the trailing ": ?" may be left out');

  const odd = answerQuery(model, 'breakfast, lunch, dinner, cat', 10);
  assert.equal(odd.label, 'odd one out: breakfast, lunch, dinner, cat');
  assert.deepEqual(odd.results.map((r) => r.word)[0], 'cat');
  assert.equal(odd.results.length, 4);
  assert.equal(glove.doesntMatch(['breakfast', 'lunch', 'dinner', 'cat']), 'cat', 'as gensim\'s doesnt_match');
  assert.match(odd.note ?? '', /"cat" fits least/);
  assert.throws(() => answerQuery(model, 'cat, dog', 5), /at least three words separated by commas/);
  assert.throws(() => answerQuery(model, 'cat, dog, zzqqxx', 5), /zzqqxx/);
});

test('completeWord: words starting with the prefix, in frequency order, at most the limit; capitals match a lower-cased model', () => {
  const byFrequency = ['the', 'king', 'kind', 'queen', 'kingdom', 'kings', 'kinds', 'kingston', 'akin', 'Kinshasa'];
  assert.deepEqual(completeWord(byFrequency, 'kin', 8, true), ['king', 'kind', 'kingdom', 'kings', 'kinds', 'kingston']);
  assert.deepEqual(completeWord(byFrequency, 'kin', 3, true), ['king', 'kind', 'kingdom']);
  assert.deepEqual(completeWord(byFrequency, 'KIN', 2, true), ['king', 'kind']);
  assert.deepEqual(completeWord(byFrequency, 'Kin', 5, false), ['Kinshasa'], 'a cased model completes as typed');
  assert.deepEqual(completeWord(byFrequency, 'zz', 5, true), []);
  assert.deepEqual(completeWord(byFrequency, '', 5, true), []);
});
