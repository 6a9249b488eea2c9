import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SentenceSplitter } from '../../src/core/tokenizer';
import { VocabularyBuilder } from '../../src/core/vocab';

const DATA = path.resolve(__dirname, '../../../shared/data');

describe('VocabularyBuilder and Vocabulary', () => {
  it('counts words, drops rare ones and sorts by count with ties in first-seen order', () => {
    const builder = new VocabularyBuilder();
    builder.add(['b', 'a', 'c', 'a']);
    builder.add(['d', 'c', 'a', 'e']);
    builder.add(['e', 'b', 'f']);
    assert.equal(builder.corpusWords, 11);
    const vocabulary = builder.build({ minCount: 2 });
    // a:3; then b, c, e with 2 each in the order they first appeared; d and f (1 each) dropped.
    assert.deepEqual(vocabulary.words, ['a', 'b', 'c', 'e']);
    assert.deepEqual(Array.from(vocabulary.counts), [3, 2, 2, 2]);
    assert.equal(vocabulary.size, 4);
    assert.equal(vocabulary.totalWords, 9);
    assert.equal(vocabulary.corpusWords, 11);
    assert.equal(vocabulary.id('c'), 2);
    assert.equal(vocabulary.id('d'), -1);
    assert.equal(vocabulary.id('zzz'), -1);
  });

  it('caps the final vocabulary at maxVocabSize most frequent words', () => {
    const builder = new VocabularyBuilder();
    builder.add(['x', 'y', 'y', 'z', 'z', 'z']);
    assert.deepEqual(builder.build({ minCount: 1, maxVocabSize: 2 }).words, ['z', 'y']);
  });

  it('keeps the number of distinct words bounded while counting when maxVocabSize is given', () => {
    const builder = new VocabularyBuilder({ maxVocabSize: 100 });
    for (let i = 0; i < 5000; i++) {
      builder.add(['common', 'frequent', `rare${i}`]);
      assert.ok(builder.distinctWords <= 100);
    }
    const vocabulary = builder.build({ minCount: 1 });
    assert.deepEqual(vocabulary.words.slice(0, 2), ['common', 'frequent']);
    assert.equal(builder.corpusWords, 15000);
    // Pruning only ever removes the rare words here, so the frequent counts stay exact.
    assert.equal(vocabulary.counts[0], 5000);
  });

  it('rejects a minCount below 1', () => {
    assert.throws(() => new VocabularyBuilder().build({ minCount: 0 }), /minCount must be a positive integer/);
  });

  it('matches a plain count of the Lee corpus', () => {
    const text = readFileSync(path.join(DATA, 'gensim/lee_background.cor'), 'utf8');
    const splitter = new SentenceSplitter({ lowercase: true });
    const builder = new VocabularyBuilder();
    for (const sentence of [...splitter.push(text), ...splitter.end()]) builder.add(sentence);
    const vocabulary = builder.build({ minCount: 5 });

    // Independent count: the corpus is ASCII, so words are runs of [a-z0-9] joined by ' or -.
    const plain = new Map<string, number>();
    let tokens = 0;
    for (const word of text.toLowerCase().match(/[a-z0-9]+(?:['-][a-z0-9]+)*/g) ?? []) {
      plain.set(word, (plain.get(word) ?? 0) + 1);
      tokens++;
    }
    assert.equal(vocabulary.corpusWords, tokens);
    const expected = [...plain].filter(([, n]) => n >= 5).sort((a, b) => b[1] - a[1]);
    assert.equal(vocabulary.size, expected.length);
    assert.deepEqual(Array.from(vocabulary.counts), expected.map(([, n]) => n));
    for (const [word, count] of expected) assert.equal(vocabulary.counts[vocabulary.id(word)], count, word);
    assert.equal(vocabulary.words[0], 'the');
    assert.equal(vocabulary.totalWords, expected.reduce((sum, [, n]) => sum + n, 0));
  });
});
