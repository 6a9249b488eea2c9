// Per-word lock factors (gensim's vectors_lockf): parsing what users write, resolving it against a
// parent, and what a fine-tune of GloVe on movie reviews does with it.
import { before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { reviews } from './reviewsCorpus';
import { trainWord2Vec, type TrainedWord2Vec } from '../../src/core/word2vec';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import { WordVectors } from '../../src/core/vectors';
import { describeLock, parseLockSetting, parseLockWords, resolveLockFactors } from '../../src/core/lockFactors';

const DATA = path.resolve(__dirname, '../../../shared/data');
const GLOVE = path.join(DATA, 'vectors/glove.6B.100d.top10k.txt');

test('parseLockSetting takes none, old and factors from 0 to 1, and explains anything else', () => {
  assert.equal(parseLockSetting('none'), 'none');
  assert.equal(parseLockSetting(' old '), 'old');
  assert.equal(parseLockSetting('0.25'), 0.25);
  assert.equal(parseLockSetting('0'), 0);
  for (const bad of ['', '1.5', '-0.1', 'fixed', 'NaN']) assert.throws(() => parseLockSetting(bad), /none .* old .* factor from 0 \(fixed\) to 1 \(free\)/, bad);
});

test('parseLockWords reads "word" and "word factor" lines, skips comments, and names a bad line', () => {
  assert.deepEqual(parseLockWords('# domain terms\nfilm\n\nmovie 0.5\r\nplot\t1\n', 'terms.txt'), [
    { word: 'film', factor: 0 },
    { word: 'movie', factor: 0.5 },
    { word: 'plot', factor: 1 },
  ]);
  assert.throws(() => parseLockWords('film\nmovie 2\n', 'terms.txt'), /terms\.txt:2: the factor of "movie" must be a number from 0/);
  assert.throws(() => parseLockWords('film 0 extra\n', 'terms.txt'), /terms\.txt:1: expected "word" or "word factor", got 3 fields/);
});

test('resolveLockFactors fills the base factor, overrides listed words (case-insensitively as a fallback), and lists unknown ones', () => {
  const parent = new WordVectors(['the', 'film', 'movie'], 2, new Float32Array(6));
  assert.equal(resolveLockFactors(parent, 'old').factors, 'old');
  assert.deepEqual([...(resolveLockFactors(parent, 0.5).factors as Float32Array)], [0.5, 0.5, 0.5]);
  const resolved = resolveLockFactors(parent, 'none', parseLockWords('FILM\nmovie 0.5\nzeitgeist\n', 'x'), 'terms.txt');
  assert.deepEqual([...(resolved.factors as Float32Array)], [1, 0, 0.5]);
  assert.deepEqual(resolved.unknownWords, ['zeitgeist']);
  assert.equal(resolved.description, 'none + 2 words from terms.txt');
  assert.equal(describeLock(resolved.description), 'old vectors free to move, except 2 words from terms.txt');
  assert.equal(describeLock('0.25'), 'old vectors move at 0.25 of the rate');
  assert.equal(describeLock('old'), 'old vectors kept fixed');
});


/** Mean cosine between each parent row and the child's row of the same word (same row index). */
function meanCosineToParent(parent: WordVectors, child: WordVectors, rows: number[]): number {
  let sum = 0;
  for (const i of rows) {
    const a = parent.data.subarray(i * parent.dim, (i + 1) * parent.dim);
    const b = child.data.subarray(i * child.dim, (i + 1) * child.dim);
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < a.length; d++) {
      dot += a[d] * b[d];
      na += a[d] * a[d];
      nb += b[d] * b[d];
    }
    sum += dot / Math.sqrt(na * nb);
  }
  return sum / rows.length;
}

describe('fine-tuning GloVe on movie reviews with lock factors', () => {
  const locked = ['film', 'movie', 'story', 'funny', 'bad', 'good'];
  let glove: WordVectors;
  let perWord: TrainedWord2Vec;
  let slow: TrainedWord2Vec;
  let free: TrainedWord2Vec;
  before(async () => {
    glove = await readWord2Vec(GLOVE);
    const options = { epochs: 3, minCount: 5, threads: 1, seed: 11 };
    const words = resolveLockFactors(glove, 'none', locked.map((word) => ({ word, factor: 0 })));
    perWord = await trainWord2Vec(reviews(), options, {}, { vectors: glove, lock: words.factors });
    slow = await trainWord2Vec(reviews(), options, {}, { vectors: glove, lock: resolveLockFactors(glove, 0.1).factors });
    free = await trainWord2Vec(reviews(), options, {}, { vectors: glove, lock: 'none' });
  });

  it('keeps the listed words bit-identical while the other old words move', () => {
    for (const word of locked) {
      const id = glove.indexOf(word);
      assert.ok(id >= 0, word);
      assert.deepEqual(perWord.vectors.vector(word), glove.vector(word), `${word} stayed`);
    }
    const moved = ['great', 'plot', 'actors', 'script'].filter((w) => !glove.vector(w)!.every((x, d) => x === perWord.vectors.vector(w)![d]));
    assert.equal(moved.length, 4, 'unlisted words that occur in the reviews moved');
  });

  it('moves old vectors less with a factor of 0.1 than when free', () => {
    const frequent = locked.concat(['great', 'plot', 'actors', 'script', 'characters', 'comedy', 'director', 'time']).map((w) => glove.indexOf(w));
    const slowCos = meanCosineToParent(glove, slow.vectors, frequent);
    const freeCos = meanCosineToParent(glove, free.vectors, frequent);
    assert.ok(slowCos < 1, `the slow run moved them (${slowCos})`);
    assert.ok(slowCos > freeCos + 0.02, `slow ${slowCos.toFixed(3)} vs free ${freeCos.toFixed(3)}`);
  });
});
