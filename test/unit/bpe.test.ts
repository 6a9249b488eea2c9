import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import {
  BpeTokenizer,
  CLS_ID,
  MASK_ID,
  PAD_ID,
  SEP_ID,
  SPECIAL_TOKENS,
  UNK_ID,
  trainBpe,
  type BpeTrainProgress,
} from '../../src/core/neural/bpe';
import { tokenize } from '../../src/core/tokenizer';

const DATA = path.resolve(__dirname, '../../../shared/data');
const GUTENBERG = path.join(DATA, 'corpus/gutenberg-12m.txt.gz');
const LEE_TRAIN = path.join(DATA, 'gensim/lee_background.cor');
const LEE_TEST = path.join(DATA, 'gensim/lee.cor');

/** The first `chars` characters of the unpacked Gutenberg corpus, cut at a line end. */
async function gutenbergPrefix(chars: number): Promise<string> {
  const stream = createReadStream(GUTENBERG).pipe(createGunzip());
  stream.setEncoding('utf8');
  let text = '';
  for await (const chunk of stream) {
    text += chunk as string;
    if (text.length >= chars) break;
  }
  stream.destroy();
  return text.slice(0, text.lastIndexOf('\n', chars) + 1);
}

interface Coverage {
  words: number;
  pieces: number;
  wordsWithUnk: number;
}

function coverage(tokenizer: BpeTokenizer, text: string): Coverage {
  const result: Coverage = { words: 0, pieces: 0, wordsWithUnk: 0 };
  for (const word of tokenize(text, { lowercase: tokenizer.lowercase })) {
    const ids = tokenizer.encodeWord(word);
    result.words++;
    result.pieces += ids.length;
    if (ids.includes(UNK_ID)) result.wordsWithUnk++;
  }
  return result;
}

/** Lines of `text` in fixed-size chunks, as a corpus reader would cut them (mid-word included). */
function* cutEvery(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/**
 * Textbook BPE that recounts every pair after every merge: slow, but plainly right, so it checks
 * the incremental bookkeeping of trainBpe.
 */
function referenceBpe(text: string, vocabSize: number, minFrequency: number): { vocab: string[]; merges: [string, string][] } {
  const counts = new Map<string, number>();
  for (const word of tokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const forms = new Set<string>();
  for (const word of counts.keys()) for (const char of word) forms.add(char).add('##' + char);
  const vocab: string[] = [...SPECIAL_TOKENS, ...[...forms].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))];
  const words = [...counts].map(([word, count]) => ({ pieces: [...word].map((char, i) => (i === 0 ? char : '##' + char)), count }));
  const merges: [string, string][] = [];
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, { left: string; right: string; count: number }>();
    for (const { pieces, count } of words) {
      for (let i = 0; i + 1 < pieces.length; i++) {
        const key = pieces[i] + '\u0000' + pieces[i + 1];
        const entry = pairs.get(key) ?? { left: pieces[i], right: pieces[i + 1], count: 0 };
        entry.count += count;
        pairs.set(key, entry);
      }
    }
    let best: { left: string; right: string; count: number } | undefined;
    for (const entry of pairs.values()) {
      if (
        !best ||
        entry.count > best.count ||
        (entry.count === best.count && (entry.left < best.left || (entry.left === best.left && entry.right < best.right)))
      ) {
        best = entry;
      }
    }
    if (!best || best.count < minFrequency) break;
    const { left, right } = best;
    const merged = left + right.slice(2);
    if (!vocab.includes(merged)) vocab.push(merged);
    merges.push([left, right]);
    for (const word of words) {
      const out: string[] = [];
      for (let i = 0; i < word.pieces.length; i++) {
        if (i + 1 < word.pieces.length && word.pieces[i] === left && word.pieces[i + 1] === right) {
          out.push(merged);
          i++;
        } else {
          out.push(word.pieces[i]);
        }
      }
      word.pieces = out;
    }
  }
  return { vocab, merges };
}

describe('BPE on Project Gutenberg text', () => {
  const TRAIN_CHARS = 3_000_000;
  const HELD_OUT_CHARS = 1_000_000;
  let train = '';
  let heldOut = '';
  let tokenizer: BpeTokenizer;
  const progress: BpeTrainProgress[] = [];

  before(async () => {
    const text = await gutenbergPrefix(TRAIN_CHARS + HELD_OUT_CHARS);
    const cut = text.lastIndexOf('\n', TRAIN_CHARS) + 1;
    train = text.slice(0, cut);
    heldOut = text.slice(cut);
    tokenizer = await trainBpe(train.split('\n'), { vocabSize: 8000 }, (p) => progress.push(p));
  });

  it('reaches exactly the requested vocabulary size, with the specials first and no duplicates', () => {
    assert.equal(tokenizer.size, 8000);
    assert.equal(tokenizer.vocab.length, 8000);
    assert.deepEqual(tokenizer.vocab.slice(0, 5), [...SPECIAL_TOKENS]);
    assert.deepEqual([PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID], [0, 1, 2, 3, 4]);
    assert.equal(new Set(tokenizer.vocab).size, tokenizer.vocab.length);
    assert.ok(tokenizer.merges.length >= 8000 - 5 - 200, 'most of the vocabulary comes from merges');
  });

  it('round-trips held-out text to its word tokens', () => {
    // Lines holding a character never seen in training cannot round-trip ([UNK] replaces it).
    const lines = heldOut.split('\n');
    const clean = lines.filter((line) => !tokenizer.encode(line).includes(UNK_ID));
    assert.ok(clean.length >= lines.length * 0.999, `${lines.length - clean.length} of ${lines.length} lines have [UNK]`);
    const text = clean.join('\n');
    assert.equal(tokenizer.decode(tokenizer.encode(text)), tokenize(text).join(' '));
    const sample = 'The Well-known  author didn\'t say: "Extraordinarily unbelievable!"';
    assert.equal(tokenizer.decode(tokenizer.encode(sample)), "the well-known author didn't say extraordinarily unbelievable");
  });

  it('covers held-out words with almost no [UNK] and few pieces per word', (t) => {
    const c = coverage(tokenizer, heldOut);
    const known = 1 - c.wordsWithUnk / c.words;
    const piecesPerWord = c.pieces / c.words;
    t.diagnostic(`held-out words ${c.words}, without [UNK] ${(known * 100).toFixed(3)}%, pieces/word ${piecesPerWord.toFixed(3)}`);
    assert.ok(c.words > 150_000);
    assert.ok(known >= 0.999, `share of words without [UNK] ${known}`);
    assert.ok(piecesPerWord >= 1.0 && piecesPerWord <= 2.0, `pieces per word ${piecesPerWord}`);
  });

  it('keeps frequent words whole and marks continuation pieces', () => {
    for (const word of ['the', 'and', 'of', 'to', 'was']) assert.deepEqual(tokenizer.tokens(word), [word]);
    assert.deepEqual(tokenizer.tokens('The AND'), ['the', 'and']);
    const pieces = tokenizer.tokens('unfathomableness');
    assert.ok(pieces.length > 1);
    assert.ok(!pieces[0].startsWith('##'));
    assert.ok(pieces.slice(1).every((piece) => piece.startsWith('##')), pieces.join(' '));
    assert.equal(pieces.map((piece, i) => (i === 0 ? piece : piece.slice(2))).join(''), 'unfathomableness');
  });

  it('decode drops specials other than [UNK]', () => {
    const ids = tokenizer.encode('the old house');
    assert.equal(tokenizer.decode([CLS_ID, ...ids, SEP_ID, MASK_ID, PAD_ID, PAD_ID]), 'the old house');
    assert.equal(tokenizer.decode([UNK_ID, ...ids]), '[UNK] the old house');
    assert.throws(() => tokenizer.decode([8000]), /id 8000 is not a token id; ids run from 0 to 7999/);
  });

  it('toJSON/fromJSON round trip gives identical encodings', () => {
    const json = JSON.parse(JSON.stringify(tokenizer.toJSON())) as unknown;
    const copy = BpeTokenizer.fromJSON(json);
    assert.deepEqual(copy.vocab, tokenizer.vocab);
    assert.deepEqual(copy.toJSON(), tokenizer.toJSON());
    const sample = heldOut.slice(0, 200_000);
    assert.deepEqual(copy.encode(sample), tokenizer.encode(sample));
  });

  it('reports progress with growing merge counts', () => {
    assert.ok(progress.length > 0);
    const last = progress[progress.length - 1];
    assert.equal(last.phase, 'merging');
    assert.equal(last.vocabSize, 8000);
    assert.equal(last.merges, tokenizer.merges.length);
    assert.ok(last.wordsCounted > 400_000);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].merges >= progress[i - 1].merges);
  });

  it('is deterministic, and chunked input cut mid-word learns the same vocabulary', async () => {
    const slice = train.slice(0, 600_000);
    const a = await trainBpe([slice], { vocabSize: 2000 });
    const b = await trainBpe(slice.split('\n'), { vocabSize: 2000 });
    const c = await trainBpe(cutEvery(slice, 4093), { vocabSize: 2000, chunked: true });
    assert.deepEqual(b.toJSON(), a.toJSON());
    assert.deepEqual(c.toJSON(), a.toJSON());
  });

  it('still trains when maxWords forces rare words out', async () => {
    const slice = train.slice(0, 600_000);
    const pruned = await trainBpe([slice], { vocabSize: 2000, maxWords: 2000 });
    const again = await trainBpe([slice], { vocabSize: 2000, maxWords: 2000 });
    assert.deepEqual(pruned.toJSON(), again.toJSON());
    assert.equal(pruned.size, 2000);
    assert.deepEqual(pruned.tokens('the'), ['the']);
    assert.equal(pruned.decode(pruned.encode(heldOut.slice(0, 20_000))), tokenize(heldOut.slice(0, 20_000)).join(' '));
  });

  it('cancels: an aborted signal rejects with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(trainBpe([train], { vocabSize: 8000 }, undefined, controller.signal), { name: 'AbortError' });

    const fromProgress = new AbortController();
    await assert.rejects(
      trainBpe(train.split('\n'), { vocabSize: 8000 }, () => fromProgress.abort(), fromProgress.signal),
      { name: 'AbortError' },
    );

    // A timer can fire while training runs because training yields to the event loop.
    const fromTimer = new AbortController();
    setTimeout(() => fromTimer.abort(), 50);
    const started = Date.now();
    await assert.rejects(trainBpe(train.split('\n'), { vocabSize: 8000 }, undefined, fromTimer.signal), { name: 'AbortError' });
    assert.ok(Date.now() - started < 5000);
  });
});

describe('BPE on the Lee news corpus', () => {
  it('trains on lee_background and covers lee.cor', async (t) => {
    const tokenizer = await trainBpe(readFileSync(LEE_TRAIN, 'utf8').split('\n'), { vocabSize: 3000 });
    assert.equal(tokenizer.size, 3000);
    const test = readFileSync(LEE_TEST, 'utf8');
    const c = coverage(tokenizer, test);
    const known = 1 - c.wordsWithUnk / c.words;
    const piecesPerWord = c.pieces / c.words;
    t.diagnostic(`lee.cor words ${c.words}, without [UNK] ${(known * 100).toFixed(3)}%, pieces/word ${piecesPerWord.toFixed(3)}`);
    assert.ok(known >= 0.999, `share of words without [UNK] ${known}`);
    assert.ok(piecesPerWord >= 1.0 && piecesPerWord <= 2.0, `pieces per word ${piecesPerWord}`);
    assert.equal(tokenizer.decode(tokenizer.encode(test)), tokenize(test).join(' '));
    for (const word of ['the', 'and']) assert.deepEqual(tokenizer.tokens(word), [word]);
  });
});

describe('BPE details', () => {
  it('turns only an unseen character into [UNK]', async () => {
    const tokenizer = await trainBpe(['hello hello help yellow low lower'], { vocabSize: 100 });
    const tokens = tokenizer.tokens('hezlo');
    assert.ok(tokens.includes('[UNK]'), tokens.join(' '));
    assert.equal(tokens.filter((token) => token === '[UNK]').length, 1);
    assert.ok(tokens.length >= 3, 'the known characters around it are still encoded');
    assert.deepEqual(tokenizer.tokens('hello'), ['hello']);
  });

  it('stops when no pair reaches minFrequency, below the requested size', async () => {
    const tokenizer = await trainBpe(['abc abc xyz'], { vocabSize: 1000, minFrequency: 2 });
    // Alphabet: both forms of a b c x y z. (a, ##b) and (##b, ##c) both occur twice; the tie goes to
    // "##b" < "a". Then a + ##bc. The pairs of "xyz" occur once.
    assert.deepEqual(tokenizer.vocab.slice(5), ['##a', '##b', '##c', '##x', '##y', '##z', 'a', 'b', 'c', 'x', 'y', 'z', '##bc', 'abc']);
    assert.deepEqual(tokenizer.tokens('abc xyz'), ['abc', 'x', '##y', '##z']);
    const once = await trainBpe(['abc abc xyz'], { vocabSize: 1000, minFrequency: 1 });
    assert.deepEqual(once.tokens('xyz'), ['xyz']);
  });

  it('breaks ties between equally frequent pairs lexicographically', async () => {
    const a = await trainBpe(['ba ab'], { vocabSize: 10, minFrequency: 1 });
    const b = await trainBpe(['ab ba'], { vocabSize: 10, minFrequency: 1 });
    // Pairs (a, ##b) and (b, ##a) once each; 'a' < 'b'. Alphabet is a b ##a ##b (4) + 5 specials.
    assert.deepEqual(a.merges, [['a', '##b']]);
    assert.deepEqual(b.toJSON(), a.toJSON());
  });

  it('matches a plain recount-every-merge BPE, overlapping runs included', async () => {
    const texts = ['aaaa aaaa aaa aa ab-ab abab abab aaaa', (await gutenbergPrefix(120_000)).slice(60_000)];
    for (const text of texts) {
      const fast = await trainBpe([text], { vocabSize: 700 });
      const slow = referenceBpe(text, 700, 2);
      assert.deepEqual(fast.merges, slow.merges);
      assert.deepEqual(fast.vocab, slow.vocab);
    }
    assert.equal((await trainBpe([texts[1]], { vocabSize: 700 })).size, 700, 'the real-text case learns hundreds of merges');
  });

  it('keeps case when lowercase is false', async () => {
    const tokenizer = await trainBpe(['The the The the'], { vocabSize: 50, lowercase: false });
    assert.equal(tokenizer.lowercase, false);
    assert.deepEqual(tokenizer.tokens('The the'), ['The', 'the']);
    assert.equal(BpeTokenizer.fromJSON(tokenizer.toJSON()).lowercase, false);
  });

  it('handles non-ASCII letters as whole characters', async () => {
    const tokenizer = await trainBpe(['café café naïve 𝒳𝒳 𝒳𝒳'], { vocabSize: 60 });
    assert.deepEqual(tokenizer.tokens('café'), ['café']);
    assert.deepEqual(tokenizer.tokens('𝒳𝒳'), ['𝒳𝒳']);
    assert.equal(tokenizer.decode(tokenizer.encode('Café naïve')), 'café naïve');
  });

  it('rejects bad options with a clear message', async () => {
    await assert.rejects(trainBpe([], { vocabSize: 5 }), /vocabSize must be a whole number from 6/);
    await assert.rejects(trainBpe([], { vocabSize: 100, minFrequency: 0 }), /minFrequency must be a whole number of at least 1, got 0/);
    await assert.rejects(trainBpe([], { vocabSize: 100, maxWords: 1.5 }), /maxWords must be a whole number/);
  });

  it('an empty corpus gives just the specials', async () => {
    const tokenizer = await trainBpe([], { vocabSize: 100 });
    assert.deepEqual(tokenizer.vocab, [...SPECIAL_TOKENS]);
    assert.deepEqual(tokenizer.tokens('hi'), ['[UNK]', '[UNK]']);
  });

  it('fromJSON rejects malformed input with a message saying what is wrong', async () => {
    const good = (await trainBpe(['abc abc abd abd'], { vocabSize: 20 })).toJSON();
    const cases: [unknown, RegExp][] = [
      [null, /expected an object, got null/],
      [[], /expected an object, got an array/],
      [{ ...good, type: 'wordpiece' }, /"type" must be "bpe", got "wordpiece"/],
      [{ ...good, version: 2 }, /"version" must be 1, got 2/],
      [{ ...good, lowercase: 'yes' }, /"lowercase" must be true or false/],
      [{ ...good, vocab: 'abc' }, /"vocab" must be an array/],
      [{ ...good, merges: {} }, /"merges" must be an array/],
      [{ ...good, vocab: [...good.vocab, 7] }, /vocab\[\d+\] must be a string, got 7/],
      [{ ...good, vocab: good.vocab.slice(1) }, /vocab\[0\] must be the special token \[PAD\]/],
      [{ ...good, vocab: [...good.vocab, 'a'] }, /vocab has "a" twice/],
      [{ ...good, vocab: [...good.vocab, ''] }, /must be a non-empty token string/],
      [{ ...good, merges: [['a', '##q']] }, /merges\[0\] .* uses "##q", which is not in vocab/],
      [{ ...good, merges: [['a']] }, /merges\[0\] must be a pair of token strings/],
      [{ ...good, merges: [['a', 'ab']] }, /right side "ab" must be a continuation piece/],
      [{ ...good, merges: [...good.merges, good.merges[0]] }, /repeats merges\[0\]/],
      [{ ...good, vocab: good.vocab.filter((token) => token !== 'abc') }, /produces "abc", which is not in vocab/],
    ];
    for (const [json, message] of cases) {
      assert.throws(() => BpeTokenizer.fromJSON(json), (error: Error) => {
        assert.match(error.message, /^Not a valid BPE tokenizer: /);
        assert.match(error.message, message);
        return true;
      });
    }
  });
});
