// Bad input for the vector-file readers: random bytes, real files cut at many places, hostile
// headers, non-finite and out-of-range numbers, mixed dimensions, words that are not UTF-8, a line
// of tens of megabytes, empty and header-only files. Every file must be rejected with an error that
// names the file and the problem (or, with skipBadLines, skipped and counted), never crash with a
// TypeError or RangeError, never hang, and never allocate for a size the file has not proved.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import { readWord2Vec, readWord2VecWithInfo, writeWord2Vec, type ReadWord2VecOptions } from '../../src/core/formats/word2vecFormat';
import { readProjectorTsv } from '../../src/core/formats/projectorTsv';
import { readSubwords } from '../../src/core/formats/subwordsFormat';
import { importVectors } from '../../src/core/importVectors';

const GLOVE = path.resolve(__dirname, '../../../shared/data/vectors/glove.6B.100d.top10k.txt');
/** No single bad file may take longer than this; a hang would otherwise stall the suite. */
const PER_FILE_MS = 20_000;
/** What an error must talk about to count as naming the problem. */
const NAMES_PROBLEM = /line \d+|record \d+|empty|header|bytes|gzip|UTF-8|number|label|vectors/;

const tally = { files: 0, rejected: 0, accepted: 0, skippedLines: 0 };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${label} took more than ${PER_FILE_MS} ms`)), PER_FILE_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type Outcome = { ok: true; vectors: WordVectors; skipped: number } | { ok: false; message: string };

/** Checks the error contract for one file and counts the outcome. */
async function attempt(file: string, read: () => Promise<{ vectors: WordVectors; skipped: number }>): Promise<Outcome> {
  tally.files++;
  try {
    const { vectors, skipped } = await withTimeout(read(), file);
    assert.equal(vectors.data.length, vectors.size * vectors.dim, `${file}: data length matches words × dim`);
    assert.ok(vectors.data.every(Number.isFinite), `${file}: accepted vectors are all finite`);
    assert.equal(new Set(vectors.words).size, vectors.size, `${file}: words are unique`);
    tally.accepted++;
    tally.skippedLines += skipped;
    return { ok: true, vectors, skipped };
  } catch (error) {
    const e = error as Error;
    assert.ok(e instanceof Error, `${file}: threw a non-Error ${String(error)}`);
    assert.ok(!e.message.startsWith('HANG'), e.message);
    assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError), `${file}: crashed with ${e.name}: ${e.message}\n${e.stack}`);
    assert.ok(e.message.includes(file), `${file}: message names the file: ${e.message}`);
    assert.match(e.message, NAMES_PROBLEM, `${file}: message names the problem`);
    tally.rejected++;
    return { ok: false, message: e.message };
  }
}

const viaWord2Vec = (file: string, options: ReadWord2VecOptions = {}) =>
  attempt(file, async () => {
    const { vectors, info } = await readWord2VecWithInfo(file, options);
    return { vectors, skipped: info.skippedLines };
  });

async function expectRejected(file: string, pattern: RegExp, options: ReadWord2VecOptions = {}): Promise<string> {
  const outcome = await viaWord2Vec(file, options);
  assert.equal(outcome.ok, false, `${file} should be rejected`);
  const message = (outcome as { message: string }).message;
  assert.match(message, pattern);
  return message;
}

/** Highest `arrayBuffers` (typed-array memory) seen while `run` is pending, above where it started. */
async function peakArrayBuffers<T>(run: () => Promise<T>): Promise<{ result: T | Error; peak: number }> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  };
  const timer = setInterval(sample, 1);
  try {
    return { result: await run(), peak };
  } catch (error) {
    return { result: error as Error, peak };
  } finally {
    clearInterval(timer);
    sample();
  }
}

describe('vector files: bad input', () => {
  let dir: string;
  let small: WordVectors;
  const file = (name: string) => path.join(dir, name);
  const bytesOf = (name: string) => readFileSync(file(name));

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tl-vecfuzz-'));
    const glove = await readWord2Vec(GLOVE);
    assert.equal(glove.dim, 100);
    const n = 200;
    small = new WordVectors(glove.words.slice(0, n), glove.dim, glove.data.slice(0, n * glove.dim));
    await writeWord2Vec(small, file('real.bin'), { binary: true });
    await writeWord2Vec(small, file('real.txt'), { binary: false });
    await writeWord2Vec(small, file('real.bin.gz'), { binary: true });
    // Headerless GloVe: the real file's own first lines.
    const lines = readFileSync(GLOVE, 'utf8').split('\n').slice(0, n);
    writeFileSync(file('real.glove.txt'), `${lines.join('\n')}\n`);
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `vector-file fuzz: ${tally.files} files, ${tally.rejected} rejected with a message, ${tally.accepted} accepted` +
        ` (${tally.skippedLines} bad lines skipped and counted)`,
    );
  });

  it('the real files read back whole (the baseline the cuts are taken from)', async () => {
    for (const name of ['real.bin', 'real.txt', 'real.bin.gz', 'real.glove.txt']) {
      const outcome = await viaWord2Vec(file(name));
      assert.ok(outcome.ok, name);
      assert.deepEqual(outcome.vectors.words, small.words);
    }
  });

  it('random bytes: 400 small seeded files, raw and shaped like a header plus rows', async () => {
    const random = mulberry32(20240601);
    const alphabets = [
      () => Math.floor(random() * 256),
      () => ' 0123456789.-e\n\tabc'.charCodeAt(Math.floor(random() * 19)),
      () => ' 0123456789\n'.charCodeAt(Math.floor(random() * 12)),
    ];
    for (let i = 0; i < 400; i++) {
      const size = Math.floor(random() ** 2 * 3000);
      const next = alphabets[i % alphabets.length];
      const body = Buffer.alloc(size);
      for (let b = 0; b < size; b++) body[b] = next();
      const prefix = i % 4 === 0 ? `${1 + Math.floor(random() * 5)} ${1 + Math.floor(random() * 4)}\n` : '';
      const name = file(`random-${i}${i % 5 === 0 ? '.gz' : ''}`);
      const content = Buffer.concat([Buffer.from(prefix), body]);
      writeFileSync(name, i % 5 === 0 ? gzipSync(content) : content);
      await viaWord2Vec(name, { skipBadLines: i % 3 === 0 });
      if (i % 4 === 1) await attempt(name, async () => ({ vectors: await readProjectorTsv(name), skipped: 0 }));
    }
  });

  it('real files truncated at 60 cut points each: header, word, vector, gzip stream', async () => {
    const cuts = (length: number, salt: number) => {
      const random = mulberry32(salt);
      const points = [0, 1, 3, 5, 8, 9, 10, 12, length - 1, length - 2, length - 4, length - 401];
      while (points.length < 60) points.push(Math.floor(random() * length));
      return [...new Set(points.filter((p) => p >= 0 && p < length))];
    };
    const acceptedCuts: string[] = [];
    for (const [name, salt] of [['real.bin', 1], ['real.txt', 2], ['real.bin.gz', 3], ['real.glove.txt', 4]] as const) {
      const whole = bytesOf(name);
      for (const cut of cuts(whole.length, salt)) {
        const cutName = file(`cut-${cut}-${name}`);
        writeFileSync(cutName, whole.subarray(0, cut));
        const outcome = await viaWord2Vec(cutName);
        if (outcome.ok) acceptedCuts.push(`${name}@${cut}`);
        rmSync(cutName);
      }
    }
    // Only a headerless file can lose whole rows unnoticed: nothing in it says how many to expect.
    // A text file cut inside its very last number ("0.1234" → "0.12") still holds a valid number
    // and the right count; the file need not end with a line break, so that cut cannot be seen.
    // Every other cut of a file with a header (and of any gzip stream) must be caught.
    const txt = bytesOf('real.txt');
    const lastNumberStart = txt.lastIndexOf(0x20) + 2;
    const undetectable = (c: string) => c.startsWith('real.glove.txt') || (c.startsWith('real.txt@') && Number(c.split('@')[1]) >= lastNumberStart);
    assert.deepEqual(acceptedCuts.filter((c) => !undetectable(c)), []);
    console.log(`truncation: ${acceptedCuts.length} cuts accepted (all in the last number or a headerless file): ${acceptedCuts.join(', ')}`);
  });

  it('hostile headers: huge or zero counts and dims, negative, non-numeric, promising more rows than there are', async () => {
    const cases: [string, string | Buffer, RegExp, ReadWord2VecOptions?][] = [
      ['count4e9.txt', '4000000000 100\ncat 1 2\n', /header says 4000000000 words of 100 dimensions, which need at least \d+ bytes .* only \d+ bytes/],
      ['count1e15.bin', Buffer.concat([Buffer.from('1000000000000000 300\ncat '), Buffer.alloc(1200)]), /header says 1000000000000000 words/, { binary: true }],
      ['count1e21.txt', '1000000000000000000000 300\ncat 1\n', /line 1: header .* word count too large/],
      ['dim1e21.txt', '3 1000000000000000000000\ncat 1\n', /line 1: header .* dim too large/],
      ['dimhuge.txt', '1 100000000\ncat 1\n', /100000000 dimensions, more than the supported 100000/],
      ['negative.txt', '-5 100\ncat 1\n', /line 1: expected a header/],
      ['negdim.txt', '5 -100\ncat 1\n', /line 1: expected a header/],
      ['zero.txt', '0 0\n', /line 1: expected a header/],
      ['words.txt', 'five hundred\ncat 1 2\n', /line 1: expected a header .* found "five hundred"/],
      ['float.txt', '2.5 3\ncat 1 2 3\n', /line 1: expected a header/],
      ['ten-has-three.txt', `10 2\ncat 1 2\ndog 3 4\nowl 5 6\n${' '.repeat(40)}`, /header says 10 words, but the file ends after 3/],
      ['ten-has-three.bin', Buffer.concat([Buffer.from('10 2\n'), ...['cat', 'dog', 'owl'].map((w) => Buffer.concat([Buffer.from(`${w} `), Buffer.from(new Float32Array([1, 2]).buffer)])), Buffer.alloc(40)]), /record 4|header says 10 words/, { binary: true }],
      ['dim-mismatch.txt', '2 3\ncat 1 2\ndog 3 4\n', /line 2: expected 3 numbers after "cat", found 2/],
      ['dim-mismatch.bin', Buffer.concat([Buffer.from('2 3\n'), Buffer.from('cat '), Buffer.from(new Float32Array([1, 2]).buffer), Buffer.from('dog '), Buffer.from(new Float32Array([3, 4]).buffer), Buffer.alloc(8)]), /record \d|header says/, { binary: true }],
    ];
    for (const [name, content, pattern, options] of cases) {
      writeFileSync(file(name), content);
      await expectRejected(file(name), pattern, options);
    }
  });

  it('a header claiming 1e9 × 300 in a gzip file (size unknown up front) allocates only as rows arrive', async () => {
    writeFileSync(file('liar.txt.gz'), gzipSync(Buffer.from(`1000000000 300\n${Array.from({ length: 50 }, (_, i) => `w${i} ${'0.5 '.repeat(300).trim()}`).join('\n')}\n`)));
    const started = Date.now();
    const { result, peak } = await peakArrayBuffers(() => expectRejected(file('liar.txt.gz'), /header says 1000000000 words, but the file ends after 50/));
    assert.ok(!(result instanceof Error), String(result));
    assert.ok(peak < 64 << 20, `peak typed-array memory ${peak} bytes`);
    assert.ok(Date.now() - started < 5000);
  });

  it('a headerless first row of 100000 numbers does not reserve a thousand such rows', async () => {
    const row = (w: string) => `${w} ${'0.25 '.repeat(100_000).trim()}\n`;
    writeFileSync(file('wide.glove.txt'), row('a') + row('b') + row('c'));
    const { result, peak } = await peakArrayBuffers(() => viaWord2Vec(file('wide.glove.txt')));
    assert.ok(!(result instanceof Error) && result.ok, 'three rows of 100000 read');
    // Before the fix: 1024 rows × 100000 floats = 400 MB reserved for the first row.
    assert.ok(peak < 100 << 20, `peak typed-array memory ${peak} bytes`);
    writeFileSync(file('too-wide.glove.txt'), `a ${'1 '.repeat(100_001).trim()}\n`);
    await expectRejected(file('too-wide.glove.txt'), /line 1: more than 100000 numbers/);
  });

  it('NaN, Infinity and numbers beyond float32, in text and binary', async () => {
    const cases: [string, string | Buffer, RegExp, ReadWord2VecOptions?][] = [
      ['nan.txt', '2 2\ncat 1 2\ndog NaN 4\n', /line 3: number 1 after "dog" is "NaN", not a finite number/],
      ['inf.txt', '1 2\ncat 1 Infinity\n', /line 2: number 2 after "cat" is "Infinity"/],
      ['neginf.glove.txt', 'cat 1 2\ndog -inf 2\n', /line 2: number 1 after "dog" is "-inf"/],
      ['overflow.txt', '1 2\ncat 1e39 1\n', /line 2: number 1 after "cat" is "1e39", beyond the float32 range/],
      ['overflow.glove.txt', 'cat 1 2\ndog 1 -4e38\n', /line 2: number 2 after "dog" is "-4e38", beyond the float32 range/],
      ['inf.bin', Buffer.concat([Buffer.from('1 2\ncat '), Buffer.from(new Float32Array([Infinity, 1]).buffer)]), /record 1 \("cat"\): component 1 is Infinity/, { binary: true }],
      ['nan.bin', Buffer.concat([Buffer.from('1 2\ncat '), Buffer.from(new Float32Array([1, NaN]).buffer)]), /record 1 \("cat"\): component 2 is NaN/, { binary: true }],
    ];
    for (const [name, content, pattern, options] of cases) {
      writeFileSync(file(name), content);
      await expectRejected(file(name), pattern, options);
    }
    // The lenient reader leaves the bad rows out and says which.
    writeFileSync(file('mixed-bad.txt'), '4 2\ncat 1 2\ndog NaN 4\nowl 1e39 1\nemu 5 6\n');
    const lenient = await viaWord2Vec(file('mixed-bad.txt'), { skipBadLines: true });
    assert.ok(lenient.ok);
    assert.deepEqual(lenient.vectors.words, ['cat', 'emu']);
    assert.equal(lenient.skipped, 2);
  });

  it('mixed dimensions across rows', async () => {
    writeFileSync(file('mixed.glove.txt'), 'cat 1 2 3\ndog 1 2\nowl 1 2 3 4\n');
    await expectRejected(file('mixed.glove.txt'), /line 2: expected 3 numbers after "dog", found 2/);
    const lenient = await viaWord2Vec(file('mixed.glove.txt'), { skipBadLines: true });
    assert.ok(lenient.ok);
    assert.deepEqual(lenient.vectors.words, ['cat']);
    assert.equal(lenient.skipped, 2);
    writeFileSync(file('mixed.vec'), '3 3\ncat 1 2 3\ndog 1 2 3 4 5\nowl 1 2 3\n');
    await expectRejected(file('mixed.vec'), /line 3: expected 3 numbers after "dog", found 5/);
  });

  it('words that are not valid UTF-8: rejected by line or record, or skipped and counted', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
    const overlong = Buffer.from([0xc0, 0xaf]);
    const text = Buffer.concat([Buffer.from('3 2\nok 1 2\n'), latin1, Buffer.from(' 3 4\n'), overlong, Buffer.from(' 5 6\n')]);
    writeFileSync(file('latin1.txt'), text);
    await expectRejected(file('latin1.txt'), /line 3: not valid UTF-8 \(byte 0xe9 at byte 4 of the line\)/);
    const lenient = await viaWord2Vec(file('latin1.txt'), { skipBadLines: true });
    assert.ok(lenient.ok);
    assert.deepEqual(lenient.vectors.words, ['ok']);
    assert.equal(lenient.skipped, 2);

    const record = (word: Buffer, values: number[]) => Buffer.concat([word, Buffer.from(' '), Buffer.from(new Float32Array(values).buffer)]);
    const binary = Buffer.concat([Buffer.from('3 2\n'), record(Buffer.from('ok'), [1, 2]), record(latin1, [3, 4]), record(Buffer.from('fin'), [5, 6])]);
    writeFileSync(file('latin1.bin'), binary);
    await expectRejected(file('latin1.bin'), /record 2: the word is not valid UTF-8 \(byte 0xe9 at byte 4 of the word\)/, { binary: true });
    const skipped = await viaWord2Vec(file('latin1.bin'), { skipBadLines: true });
    assert.ok(skipped.ok);
    assert.deepEqual(skipped.vectors.words, ['ok', 'fin']);
    assert.deepEqual(Array.from(skipped.vectors.data), [1, 2, 5, 6]);
    assert.equal(skipped.skipped, 1);
    // A real U+FFFD in a word is valid UTF-8 and stays.
    writeFileSync(file('fffd.txt'), '1 2\nx\ufffdy 1 2\n');
    assert.ok((await viaWord2Vec(file('fffd.txt'))).ok);
  });

  it('empty files, header only, blank lines only', async () => {
    const cases: [string, string, RegExp][] = [
      ['empty.txt', '', /the file is empty/],
      ['header-only.txt', '3 100\n', /header says 3 words of 100 dimensions, which need at least/],
      ['header-no-newline.txt', '3 100', /header says 3 words/],
      ['blank.txt', '\n\n\n', /line 1: expected a header/],
      ['one-number.txt', '7\n', /line 1: expected a header/],
    ];
    for (const [name, content, pattern] of cases) {
      writeFileSync(file(name), content);
      await expectRejected(file(name), pattern);
    }
    writeFileSync(file('empty.gz'), gzipSync(Buffer.alloc(0)));
    await expectRejected(file('empty.gz'), /the file is empty/);
    writeFileSync(file('header-only.gz'), gzipSync(Buffer.from('3 100\n')));
    await expectRejected(file('header-only.gz'), /header says 3 words, but the file ends after 0/);
  });

  it('one 96 MB line without a line break fails after a bounded read, plain and gzipped', async () => {
    const size = 96 << 20;
    const out = createWriteStream(file('oneline.txt'));
    const block = Buffer.alloc(1 << 20, '0.5 ');
    for (let written = 0; written < size; written += block.length) {
      if (!out.write(block)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    for (const name of ['oneline.txt', 'oneline.txt.gz']) {
      if (name.endsWith('.gz')) {
        // About 100 KB compressed: a decompression bomb in miniature.
        const parts: Buffer[] = [];
        for (let i = 0; i < size / block.length; i++) parts.push(block);
        writeFileSync(file(name), gzipSync(Buffer.concat(parts), { level: 1 }));
      }
      let bytesRead = 0;
      const started = Date.now();
      const rssBefore = process.memoryUsage().rss;
      const message = await expectRejected(file(name), /line 1: no line break within the first \d+ bytes/, {
        onProgress: (done) => {
          bytesRead = done;
        },
      });
      const seconds = (Date.now() - started) / 1000;
      assert.ok(message.includes('not a word2vec'), message);
      if (!name.endsWith('.gz')) assert.ok(bytesRead < 16 << 20, `read ${bytesRead} of ${size} bytes before giving up`);
      assert.ok(process.memoryUsage().rss - rssBefore < 200 << 20, 'memory stays bounded');
      assert.ok(seconds < 10, `${name}: gave up after ${seconds} s`);
    }
    // After a valid header the row limit (word + dim numbers) applies instead.
    writeFileSync(file('row-too-long.txt'), Buffer.concat([Buffer.from('1 3\ncat '), Buffer.alloc(4 << 20, '1 ')]));
    await expectRejected(file('row-too-long.txt'), /line 2: longer than \d+ bytes; expected a word and 3 numbers/, { binary: false });
    // Left to detect the format, no line break in sight reads as binary, and fails as binary.
    await expectRejected(file('row-too-long.txt'), /record \d+: header says 1 words/);
    // The projector reader used to gather such a line whole with readline.
    const tsv = await attempt(file('oneline.txt'), async () => ({ vectors: await readProjectorTsv(file('oneline.txt')), skipped: 0 }));
    assert.ok(!tsv.ok && /line 1: no line break within \d+ bytes/.test(tsv.message));
    rmSync(file('oneline.txt'));
    rmSync(file('oneline.txt.gz'));
  });

  it('projector TSV: non-finite values, mixed widths, label count mismatch', async () => {
    const cases: [string, string, RegExp][] = [
      ['nan.tsv', '1\t2\nNaN\t2\n', /line 2: value 1 is "NaN", not a finite number/],
      ['big.tsv', '1\t2\n1e39\t2\n', /line 2: value 1 is "1e39", beyond the float32 range/],
      ['ragged.tsv', '1\t2\n1\t2\t3\n', /line 2: expected 2 tab-separated numbers/],
      ['empty.tsv', '', /no vectors in the file/],
    ];
    for (const [name, content, pattern] of cases) {
      writeFileSync(file(name), content);
      const outcome = await attempt(file(name), async () => ({ vectors: await readProjectorTsv(file(name)), skipped: 0 }));
      assert.ok(!outcome.ok, name);
      assert.match(outcome.message, pattern);
    }
    writeFileSync(file('ok.tsv'), '1\t2\n3\t4\n');
    writeFileSync(file('labels.tsv'), 'one\n');
    await assert.rejects(readProjectorTsv(file('ok.tsv'), file('labels.tsv')), /1 labels, but .* has 2 vectors/);
  });

  it('n-gram (subword) files: random bytes and hostile headers', async () => {
    const vectors = new WordVectors(['a', 'b'], 2, new Float32Array([1, 2, 3, 4]));
    const random = mulberry32(7);
    const header = (dim: number, count: number, bucket = 100) => {
      const h = Buffer.alloc(32);
      h.write('TLSUBW01', 0, 'ascii');
      [dim, 3, 6, bucket, count].forEach((v, i) => h.writeUInt32LE(v >>> 0, 8 + 4 * i));
      return h;
    };
    const files: Buffer[] = [];
    for (let i = 0; i < 40; i++) files.push(Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256))));
    files.push(header(2, 4_000_000_000), header(2, 0xffffffff, 0xffffffff), header(100000, 1), header(2, 3));
    files.push(Buffer.concat([header(2, 2), Buffer.from(new Int32Array([5, 1]).buffer), Buffer.alloc(16)]));
    files.push(Buffer.concat([header(2, 1, 4), Buffer.from(new Int32Array([9]).buffer), Buffer.alloc(8)]));
    for (const [i, content] of files.entries()) {
      const name = file(`ngrams-${i}.bin`);
      writeFileSync(name, content);
      tally.files++;
      try {
        await withTimeout(readSubwords(name, vectors), name);
        tally.accepted++;
      } catch (error) {
        const e = error as Error;
        assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError), `${name}: ${e.name}: ${e.message}`);
        assert.ok(e.message.includes(name) && /n-gram file|bytes|bucket|dim/.test(e.message), e.message);
        tally.rejected++;
      }
    }
  });

  it('import: a rejected file leaves no model folder behind', async () => {
    for (const name of ['latin1.txt', 'count4e9.txt', 'mixed.vec', 'empty.txt']) {
      const target = file(`model-${name}`);
      tally.files++;
      await assert.rejects(withTimeout(importVectors(file(name), target), name), (error: Error) => {
        assert.ok(!(error instanceof TypeError) && !(error instanceof RangeError), error.message);
        assert.ok(error.message.includes(name));
        return true;
      });
      tally.rejected++;
      assert.equal(existsSync(target), false);
    }
  });
});
