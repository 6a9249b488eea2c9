import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import { formatFloat32, readWord2Vec, readWord2VecWithInfo, writeWord2Vec } from '../../src/core/formats/word2vecFormat';

const GENSIM = path.resolve(__dirname, '../../../shared/data/gensim');

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Vectors with awkward values: signed zero, subnormals, extremes and ordinary random numbers. */
function awkwardVectors(): WordVectors {
  const words = ['the', 'café', '東京', "don't", 'x-ray', 'Zürich'];
  const dim = 7;
  const data = new Float32Array(words.length * dim);
  let state = 42;
  for (let i = 0; i < data.length; i++) {
    state = (state * 48271) % 2147483647;
    data[i] = (state / 2147483647 - 0.5) * 10 ** ((i % 9) - 4);
  }
  data.set([-0, 1e-45, -3.4028234663852886e38, 1.17549435e-38, 0.1, 1 / 3, 123456789], 0);
  return new WordVectors(words, dim, data);
}

describe('word2vec format', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-w2v-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips binary files bit for bit, in gensim\'s record layout', async () => {
    const original = awkwardVectors();
    await writeWord2Vec(original, file('v.bin'), { binary: true });
    const bytes = readFileSync(file('v.bin'));
    const header = Buffer.from(`${original.size} ${original.dim}\n`);
    const firstRecord = Buffer.concat([Buffer.from('the '), Buffer.from(original.data.slice(0, 7).buffer)]);
    assert.ok(bytes.subarray(0, header.length).equals(header));
    assert.ok(bytes.subarray(header.length, header.length + firstRecord.length).equals(firstRecord));
    assert.equal(bytes.length, header.length + original.words.reduce((n, w) => n + Buffer.byteLength(w) + 1 + 28, 0));

    const { vectors: read, info } = await readWord2VecWithInfo(file('v.bin'));
    assert.equal(info.binary, true);
    assert.deepEqual(read.words, original.words);
    assert.ok(sameFloats(read.data, original.data));
    assert.ok(Object.is(read.data[0], -0));
  });

  it('also reads word2vec.c\'s binary layout, which ends each record with a newline', async () => {
    const records = [['cat', [1.5, -2]], ['dog', [0.25, 8]]] as const;
    const bytes = Buffer.concat([
      Buffer.from('2 2\n'),
      ...records.flatMap(([word, values]) => [Buffer.from(`${word} `), Buffer.from(new Float32Array(values).buffer), Buffer.from('\n')]),
    ]);
    writeFileSync(file('c-style.bin'), bytes);
    const read = await readWord2Vec(file('c-style.bin'));
    assert.deepEqual(read.words, ['cat', 'dog']);
    assert.deepEqual(Array.from(read.data), [1.5, -2, 0.25, 8]);
  });

  it('round-trips text files exactly, with short numbers', async () => {
    const original = awkwardVectors();
    await writeWord2Vec(original, file('v.txt'), { binary: false });
    const lines = readFileSync(file('v.txt'), 'utf8').split('\n');
    assert.equal(lines[0], '6 7');
    // The shortest round-trip forms (as numpy's float32 repr prints them, exponent style aside).
    assert.deepEqual(lines[1].split(' '), ['the', '-0', '1e-45', '-3.4028235e+38', '1.1754944e-38', '0.1', '0.33333334', '1.2345679e+8']);
    const { vectors: read, info } = await readWord2VecWithInfo(file('v.txt'));
    assert.equal(info.binary, false);
    assert.deepEqual(read.words, original.words);
    assert.ok(sameFloats(read.data, original.data));
  });

  it('formats float32 values with the fewest digits that read back exactly', () => {
    for (const value of [0.1, 0.2, 1 / 3, 2 / 3, 1e-7, 123.456, -0.000123, 16777217, 3.4e38, 1e-45, 5e-40, -2.5e-39]) {
      const single = Math.fround(value);
      const text = formatFloat32(single);
      assert.equal(Math.fround(Number(text)), single, `${value} → ${text}`);
      const digits = text.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;
      if (digits > 1) {
        const shorter = Number(single.toPrecision(digits - 1));
        assert.notEqual(Math.fround(shorter), single, `${text} could be shorter`);
      }
    }
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(0), '0');
  });

  it('reads and writes .gz files', async () => {
    const original = awkwardVectors();
    await writeWord2Vec(original, file('v.txt.gz'), { binary: false });
    await writeWord2Vec(original, file('v.bin.gz'), { binary: true });
    assert.deepEqual([...readFileSync(file('v.txt.gz')).subarray(0, 2)], [0x1f, 0x8b]);
    for (const name of ['v.txt.gz', 'v.bin.gz']) {
      const read = await readWord2Vec(file(name));
      assert.deepEqual(read.words, original.words);
      assert.ok(sameFloats(read.data, original.data), name);
    }
  });

  it('reads gensim\'s binary euclidean_vectors.bin and survives binary → text → read', async () => {
    const source = path.join(GENSIM, 'euclidean_vectors.bin');
    const raw = readFileSync(source);
    const headerEnd = raw.indexOf(10);
    const [count, dim] = raw.subarray(0, headerEnd).toString().split(' ').map(Number);
    const vectors = await readWord2Vec(source);
    assert.equal(vectors.size, count);
    assert.equal(vectors.dim, dim);
    // The first record, decoded by hand: "the " then dim little-endian float32.
    const wordEnd = raw.indexOf(0x20, headerEnd + 1);
    assert.equal(raw.subarray(headerEnd + 1, wordEnd).toString(), vectors.words[0]);
    for (let d = 0; d < dim; d++) assert.equal(vectors.data[d], raw.readFloatLE(wordEnd + 1 + 4 * d));
    // So is the last: its dim floats end the file.
    for (let d = 0; d < dim; d++) {
      assert.equal(vectors.data[(count - 1) * dim + d], raw.readFloatLE(raw.length - 4 * dim + 4 * d));
    }

    await writeWord2Vec(vectors, file('euclidean.txt'), { binary: false });
    const viaText = await readWord2Vec(file('euclidean.txt'));
    assert.deepEqual(viaText.words, vectors.words);
    assert.ok(sameFloats(viaText.data, vectors.data));
    await writeWord2Vec(vectors, file('euclidean.bin'), { binary: true });
    assert.ok(readFileSync(file('euclidean.bin')).equals(raw), 'writing it back gives gensim\'s exact bytes');
  });

  it('reads fastText\'s lee_fasttext.vec, toy-model.vec and high_precision.kv.txt', async () => {
    for (const name of ['lee_fasttext.vec', 'toy-model.vec', 'high_precision.kv.txt']) {
      const lines = readFileSync(path.join(GENSIM, name), 'utf8').trimEnd().split('\n');
      const [count, dim] = lines[0].split(' ').map(Number);
      const vectors = await readWord2Vec(path.join(GENSIM, name));
      assert.equal(vectors.size, count, name);
      assert.equal(vectors.dim, dim, name);
      for (const lineNumber of [1, count]) {
        const [word, ...numbers] = lines[lineNumber].trim().split(' ');
        const row = vectors.indexOf(word);
        assert.equal(row, lineNumber - 1, `${name}: ${word}`);
        assert.deepEqual(Array.from(vectors.data.subarray(row * dim, (row + 1) * dim)), numbers.map((n) => Math.fround(Number(n))));
      }
    }
  });

  it('reads a headerless GloVe text file', async () => {
    const lines = readFileSync(path.join(GENSIM, 'test_glove.txt'), 'utf8').trimEnd().split('\n');
    const { vectors, info } = await readWord2VecWithInfo(path.join(GENSIM, 'test_glove.txt'));
    assert.equal(info.hasHeader, false);
    assert.equal(vectors.size, lines.length);
    assert.equal(vectors.dim, lines[0].split(' ').length - 1);
  });

  it('keeps the first of duplicate words and counts the rest', async () => {
    writeFileSync(file('dup.txt'), '3 2\ncat 1 2\ndog 3 4\ncat 5 6\n');
    const { vectors, info } = await readWord2VecWithInfo(file('dup.txt'));
    assert.deepEqual(vectors.words, ['cat', 'dog']);
    assert.deepEqual(Array.from(vectors.data), [1, 2, 3, 4]);
    assert.equal(info.duplicateWords, 1);
    assert.deepEqual(info.duplicateExamples, ['cat']);
  });

  describe('malformed files throw errors that name the file, the place and the problem', () => {
    const expectError = async (name: string, content: string | Buffer, pattern: RegExp, options = {}) => {
      writeFileSync(file(name), content);
      await assert.rejects(readWord2Vec(file(name), options), (error: Error) => {
        assert.ok(error.message.includes(file(name)), `message names the file: ${error.message}`);
        assert.match(error.message, pattern);
        return true;
      });
    };

    it('a truncated binary file', async () => {
      await writeWord2Vec(awkwardVectors(), file('whole.bin'), { binary: true });
      const bytes = readFileSync(file('whole.bin'));
      await expectError('cut.bin', bytes.subarray(0, bytes.length - 10), /record 6 \("Zürich"\): the file ends after 18 of the 28 bytes/);
      // Cut inside the record list: the header's count is then more than the file can hold.
      writeFileSync(file('cut2.bin'), bytes);
      truncateSync(file('cut2.bin'), 60);
      await assert.rejects(readWord2Vec(file('cut2.bin')), /header says 6 words of 7 dimensions, which need at least 180 bytes in binary format, but the file has only 60/);
    });

    it('a text row with the wrong number of values', async () => {
      await expectError('short.txt', '2 4\ncat 1 2 3 4\ndog 1 2 3\n', /short\.txt line 3: expected 4 numbers after "dog", found 3/);
      await expectError('long.txt', '1 2\ncat 1 2 3\n', /line 2: expected 2 numbers after "cat", found 3/);
    });

    it('NaN, infinity and garbage numbers', async () => {
      await expectError('nan.txt', '2 3\ncat 1 2 3\ndog 1 NaN 3\n', /line 3: number 2 after "dog" is "NaN", not a finite number/);
      await expectError('inf.txt', '1 2\ncat inf 1\n', /line 2: number 1 after "cat" is "inf"/);
      await expectError('junk.txt', '1 2\ncat 1 abc\n', /line 2: number 2 after "cat" is "abc"/);
      const nanBinary = Buffer.concat([Buffer.from('1 2\ncat '), Buffer.from(new Float32Array([1, NaN]).buffer)]);
      await expectError('nan.bin', nanBinary, /record 1 \("cat"\): component 2 is NaN, not a finite number/, { binary: true });
    });

    it('a header that promises far more than the file holds (checked before allocating)', async () => {
      await expectError('huge.txt', '1000000000 300\ncat 1 2 3\n', /line 1: header says 1000000000 words of 300 dimensions, which need at least 601000000000 bytes/);
      await expectError('huge.bin', Buffer.concat([Buffer.from('2000000000 300\ncat '), Buffer.alloc(1200)]), /header says 2000000000 words of 300 dimensions/, { binary: true });
      await expectError('wide.txt', '1 5000000\ncat 1\n', /5000000 dimensions, more than the supported 100000/);
    });

    it('fewer rows than the header says, a bad header, an empty file', async () => {
      await expectError('few.txt', Buffer.concat([Buffer.from('3 2\ncat 1 2\ndog 3 4\n'), Buffer.alloc(20, 0x20)]), /header says 3 words, but the file ends after 2/);
      await expectError('header.txt', 'hello world\ncat 1 2\n', /line 1: expected a header "<count> <dim>" \(two positive integers\), found "hello world"/);
      await expectError('zero.txt', '0 100\n', /line 1: expected a header/);
      await expectError('empty.txt', '', /the file is empty/);
    });
  });

  it('refuses to write words that would break the format, leaving no file behind', async () => {
    const bad = new WordVectors(['ok', 'two words'], 1, new Float32Array([1, 2]));
    await assert.rejects(writeWord2Vec(bad, file('bad.bin'), { binary: true }), /cannot store word "two words"/);
    assert.ok(!readdirSync(dir).some((name) => name.startsWith('bad.bin')));
  });

  it('writes large files without trouble (streamed in batches)', async () => {
    const words = Array.from({ length: 20000 }, (_, i) => `word${i}`);
    const data = Float32Array.from({ length: words.length * 50 }, (_, i) => Math.sin(i));
    const big = new WordVectors(words, 50, data);
    await writeWord2Vec(big, file('big.bin'), { binary: true });
    assert.equal(statSync(file('big.bin')).size, '20000 50\n'.length + words.reduce((n, w) => n + w.length + 1 + 200, 0));
    assert.ok(sameFloats((await readWord2Vec(file('big.bin'))).data, data));
  });
});
