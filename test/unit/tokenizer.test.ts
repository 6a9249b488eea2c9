import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { forEachToken, SentenceSplitter, tokenize } from '../../src/core/tokenizer';

const DATA = path.resolve(__dirname, '../../../shared/data');

describe('tokenize', () => {
  it('splits English on punctuation and lower-cases by default', () => {
    assert.deepEqual(tokenize('Hello, World! The end.'), ['hello', 'world', 'the', 'end']);
    assert.deepEqual(tokenize('Hello, World!', { lowercase: false }), ['Hello', 'World']);
  });

  it('keeps inner apostrophes of both kinds and drops outer ones', () => {
    assert.deepEqual(tokenize("Don't say 'maybe', the dogs' bowls"), ["don't", 'say', 'maybe', 'the', 'dogs', 'bowls']);
    assert.deepEqual(tokenize('O’Neill’s ‘quoted’', { lowercase: false }), ['O’Neill’s', 'quoted']);
  });

  it('keeps inner hyphens and drops leading, trailing and doubled ones', () => {
    assert.deepEqual(tokenize('a well-known -dash trailing- x--y'), ['a', 'well-known', 'dash', 'trailing', 'x', 'y']);
    assert.deepEqual(tokenize('state-of-the-art COVID-19'), ['state-of-the-art', 'covid-19']);
  });

  it('keeps digits as tokens and splits numbers at . and ,', () => {
    assert.deepEqual(tokenize('In 2024 pi was 3.14 and 1,000 people'), ['in', '2024', 'pi', 'was', '3', '14', 'and', '1', '000', 'people']);
  });

  it('handles accented letters, composed or decomposed (NFD input is normalised to NFC)', () => {
    const composed = tokenize('Café über naïve Ærø');
    assert.deepEqual(composed, ['café', 'über', 'naïve', 'ærø']);
    const decomposed = tokenize('Cafe\u0301 u\u0308ber nai\u0308ve');
    assert.deepEqual(decomposed, ['caf\u00e9', '\u00fcber', 'na\u00efve']);
    assert.equal(decomposed[0].length, 4, 'the combining accent is merged into one code point');
  });

  it('lower-cases other scripts', () => {
    // toLowerCase is context-aware for Greek: a word-final capital sigma becomes final ς (U+03C2).
    assert.deepEqual(tokenize('Ελληνικά Русский ΣΟΦΟΣ'), ['ελληνικά', 'русский', '\u03c3\u03bf\u03c6\u03bf\u03c2']);
  });

  it('makes every Han ideograph its own token and keeps kana and hangul runs together', () => {
    assert.deepEqual(tokenize('我爱北京'), ['我', '爱', '北', '京']);
    assert.deepEqual(tokenize('東京タワーへ行く'), ['東', '京', 'タワーへ', '行', 'く']);
    assert.deepEqual(tokenize('한국어 문장입니다.'), ['한국어', '문장입니다']);
    assert.deepEqual(tokenize('abc中文def'), ['abc', '中', '文', 'def']);
  });

  it('drops symbols, emoji and punctuation', () => {
    assert.deepEqual(tokenize('→ ★ 🙂 ... (ok) — "yes" #tag @me'), ['ok', 'yes', 'tag', 'me']);
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize('  \t\n '), []);
  });
});

describe('SentenceSplitter', () => {
  const collect = (splitter: SentenceSplitter, chunks: string[]) => {
    const out: string[][] = [];
    for (const chunk of chunks) out.push(...splitter.push(chunk));
    out.push(...splitter.end());
    return out;
  };

  it('makes one sentence per line and joins a word split across chunks', () => {
    const splitter = new SentenceSplitter({ lowercase: true });
    assert.deepEqual(collect(splitter, ['The qu', 'ick bro', 'wn fox\nju', 'mps\n\n\nover']), [
      ['the', 'quick', 'brown', 'fox'],
      ['jumps'],
      ['over'],
    ]);
  });

  it('treats \\r\\n split between chunks, lone \\r and blank lines correctly', () => {
    const splitter = new SentenceSplitter({ lowercase: false });
    assert.deepEqual(collect(splitter, ['one two\r', '\nthree\rfour\r\n', '   \r\n', 'five']), [
      ['one', 'two'],
      ['three'],
      ['four'],
      ['five'],
    ]);
  });

  it('does not split a decomposed accent from its letter at a chunk boundary', () => {
    const splitter = new SentenceSplitter({ lowercase: true });
    assert.deepEqual(collect(splitter, ['cafe', '\u0301 ok\n']), [['caf\u00e9', 'ok']]);
  });

  it('cuts lines longer than maxSentenceLength into pieces', () => {
    const splitter = new SentenceSplitter({ lowercase: true, maxSentenceLength: 10 });
    const words = Array.from({ length: 25 }, (_, i) => `w${i}`);
    const sentences = collect(splitter, [words.join(' ') + '\nlast line\n']);
    assert.deepEqual(sentences.map((s) => s.length), [10, 10, 5, 2]);
    assert.deepEqual(sentences.slice(0, 3).flat(), words);
  });

  it('gives the same sentences as line-by-line tokenizing, whatever the chunk sizes (Lee corpus)', () => {
    const text = readFileSync(path.join(DATA, 'gensim/lee_background.cor'), 'utf8');
    const expected = text.split(/\r\n|[\n\r]/).map((line) => tokenize(line)).filter((tokens) => tokens.length > 0);
    let seed = 12345;
    const nextSize = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return 1 + (seed % 300);
    };
    const chunks: string[] = [];
    for (let i = 0; i < text.length; ) {
      const size = nextSize();
      chunks.push(text.slice(i, i + size));
      i += size;
    }
    const actual = collect(new SentenceSplitter({ lowercase: true }), chunks);
    assert.equal(actual.length, expected.length);
    assert.deepEqual(actual, expected);
  });

  it('keeps memory bounded on one enormous line and still tokenizes it exactly', () => {
    const splitter = new SentenceSplitter({ lowercase: true });
    const words: string[] = [];
    for (let i = 0; i < 400_000; i++) words.push(`word${i % 997}`);
    const line = words.join(' '); // about 3.5 MB, no newline
    const sentences: string[][] = [];
    let maxPending = 0;
    for (let i = 0; i < line.length; i += 65536) {
      sentences.push(...splitter.push(line.slice(i, i + 65536)));
      maxPending = Math.max(maxPending, (splitter as unknown as { pending: string }).pending.length);
    }
    sentences.push(...splitter.end());
    assert.ok(maxPending <= (1 << 20) + 65536, `pending partial line grew to ${maxPending} characters`);
    assert.ok(sentences.every((s) => s.length === 10000), 'every piece has maxSentenceLength tokens');
    assert.equal(sentences.length, 40);
    assert.deepEqual(sentences.flat(), words);
  });

  it('cuts a megabyte-long run without whitespace instead of buffering it', () => {
    const splitter = new SentenceSplitter({ lowercase: true });
    const run = 'a'.repeat(3 << 20);
    let maxPending = 0;
    const sentences: string[][] = [];
    for (let i = 0; i < run.length; i += 1 << 18) {
      sentences.push(...splitter.push(run.slice(i, i + (1 << 18))));
      maxPending = Math.max(maxPending, (splitter as unknown as { pending: string }).pending.length);
    }
    sentences.push(...splitter.end());
    assert.ok(maxPending <= (1 << 20) + (1 << 18));
    assert.equal(sentences.flat().join('').length, run.length);
  });

  it('rejects a maxSentenceLength that is not a positive integer', () => {
    assert.throws(() => new SentenceSplitter({ lowercase: true, maxSentenceLength: 0 }), /maxSentenceLength must be a positive integer/);
  });
});

describe('forEachToken', () => {
  const viaSplitter = (text: string, options: { lowercase: boolean; maxSentenceLength?: number }) => {
    const splitter = new SentenceSplitter(options);
    return [...splitter.push(text), ...splitter.end()];
  };
  const viaVisitor = (text: string, options: { lowercase: boolean; maxSentenceLength?: number }) => {
    const sentences: string[][] = [];
    let current: string[] = [];
    forEachToken(text, options, (word) => current.push(word), () => {
      sentences.push(current);
      current = [];
    });
    return sentences;
  };

  it('splits real text exactly as SentenceSplitter does, ASCII or not, any case setting', () => {
    const lee = readFileSync(path.resolve(__dirname, '../../../shared/data/gensim/lee_background.cor'), 'utf8');
    const mixed = 'Don\'t stop\r\nwell-known  O’Neill said 中文字\r\rÉcole\n\n--a- b\'\n';
    for (const text of [lee, mixed, lee.slice(0, 5000) + mixed]) {
      for (const lowercase of [true, false]) {
        assert.deepEqual(viaVisitor(text, { lowercase }), viaSplitter(text, { lowercase }));
      }
    }
  });

  it('cuts sentences at maxSentenceLength as SentenceSplitter does', () => {
    const text = `${'a b c d e f g '.repeat(3)}\nshort line\n${'x '.repeat(7)}`;
    assert.deepEqual(viaVisitor(text, { lowercase: true, maxSentenceLength: 5 }), viaSplitter(text, { lowercase: true, maxSentenceLength: 5 }));
    assert.deepEqual(viaVisitor(text, { lowercase: true, maxSentenceLength: 7 }).map((s) => s.length), [7, 7, 7, 2, 7]);
  });
});
