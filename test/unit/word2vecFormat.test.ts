import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

    it('more records than the header says, counted', async () => {
      await expectError('more.txt', '2 2\ncat 1 2\ndog 3 4\n\nfox 5 6\nowl 7 8\n', /more\.txt line 5: header says 2 words, but the file has 4 \(is the header out of date\?\)/);
      const record = (word: string, values: number[]) => Buffer.concat([Buffer.from(`${word} `), Buffer.from(new Float32Array(values).buffer)]);
      const records = [record('cat', [1, 2]), record('dog', [3, 4]), record('fox', [5, 6])];
      await expectError('more.bin', Buffer.concat([Buffer.from('2 2\n'), ...records]), /more\.bin record 3: header says 2 words, but the file has 3/, { binary: true });
      await expectError('junk.bin', Buffer.concat([Buffer.from('2 2\n'), ...records.slice(0, 2), Buffer.from('xy')]), /junk\.bin record 3: header says 2 words, but after record 2 come bytes that do not form a complete record/, { binary: true });
      // Trailing line breaks (word2vec.c ends every record with one) are not records.
      writeFileSync(file('newlines.bin'), Buffer.concat([Buffer.from('2 2\n'), records[0], Buffer.from('\n'), records[1], Buffer.from('\n\n')]));
      assert.deepEqual((await readWord2Vec(file('newlines.bin'))).words, ['cat', 'dog']);
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

  describe("round trips of gensim's own fixture files", () => {
    /**
     * What gensim 4.2 reads from each fixture, computed once with /usr/bin/python3 when this test was
     * written: kv = KeyedVectors.load_word2vec_format(path, binary=…, no_header=…), then len(kv),
     * kv.vector_size, the first and last word, and float64 sums of kv.vectors and of its squares.
     */
    const FIXTURES = [
      { name: 'euclidean_vectors.bin', count: 2747, dim: 10, first: 'the', last: 'fly', sum: 2030.2751170008687, squares: 34392.50424296118 },
      { name: 'high_precision.kv.txt', count: 2, dim: 2, first: 'kangaroo.n.01', last: 'horse.n.01', sum: -0.0009048381252796389, squares: 1.8722845012712706e-6 },
      { name: 'lee_fasttext.vec', count: 1762, dim: 10, first: 'the', last: 'hundred', sum: -2523.5123581186454, squares: 6073.7709019005415 },
      { name: 'toy-model.vec', count: 22, dim: 5, first: 'the', last: 'by', sum: 3.5454020385222975, squares: 1.5470890040399627 },
      { name: 'test_glove.txt', count: 76, dim: 50, first: 'the', last: 'into', sum: 63.163756277717766, squares: 2150.8249170191934 },
    ];
    const checksum = (v: WordVectors) => {
      let sum = 0;
      let squares = 0;
      for (const x of v.data) {
        sum += x;
        squares += x * x;
      }
      return { sum, squares };
    };
    const matches = (v: WordVectors, f: (typeof FIXTURES)[number], label: string) => {
      assert.equal(v.size, f.count, label);
      assert.equal(v.dim, f.dim, label);
      assert.equal(v.words[0], f.first, label);
      assert.equal(v.words[v.size - 1], f.last, label);
      const { sum, squares } = checksum(v);
      // Summation order differs from numpy's pairwise sum; the values themselves are the same float32s.
      assert.ok(Math.abs(sum - f.sum) <= 1e-9 * Math.max(1, Math.abs(f.sum)), `${label}: sum ${sum}`);
      assert.ok(Math.abs(squares - f.squares) <= 1e-9 * Math.max(1, f.squares), `${label}: squares ${squares}`);
    };

    for (const f of FIXTURES) {
      it(`${f.name}: reads what gensim reads, and survives text, binary and gzip round trips`, async () => {
        const original = await readWord2Vec(path.join(GENSIM, f.name));
        matches(original, f, f.name);
        for (const [out, binary] of [['rt.txt', false], ['rt.bin', true], ['rt.txt.gz', false], ['rt.bin.gz', true]] as const) {
          const target = file(`${f.name}.${out}`);
          await writeWord2Vec(original, target, { binary });
          const back = await readWord2Vec(target);
          assert.deepEqual(back.words, original.words, out);
          assert.ok(sameFloats(back.data, original.data), `${f.name} → ${out}`);
        }
      });
    }

    // gensim itself reading what we wrote, when python3 with gensim is at hand (as on the bench machine).
    const python = '/usr/bin/python3';
    const hasGensim = spawnSync(python, ['-c', 'import gensim'], { encoding: 'utf8' }).status === 0;
    it('gensim loads the text and binary files we write back to the same vectors', { skip: hasGensim ? false : 'no python3 with gensim here' }, async () => {
      const jobs: { path: string; binary: boolean; fixture: (typeof FIXTURES)[number] }[] = [];
      for (const f of FIXTURES) {
        const vectors = await readWord2Vec(path.join(GENSIM, f.name));
        for (const binary of [false, true]) {
          const target = file(`${f.name}.for-gensim.${binary ? 'bin' : 'txt'}`);
          await writeWord2Vec(vectors, target, { binary });
          jobs.push({ path: target, binary, fixture: f });
        }
      }
      const script = [
        'import json, sys, logging',
        'import numpy as np',
        'from gensim.models import KeyedVectors',
        'logging.disable(logging.CRITICAL)',
        'for path, binary in json.loads(sys.argv[1]):',
        '    kv = KeyedVectors.load_word2vec_format(path, binary=binary)',
        '    v = kv.vectors.astype(np.float64)',
        '    print(json.dumps([len(kv), kv.vector_size, kv.index_to_key[0], kv.index_to_key[-1], float(v.sum()), float((v * v).sum())]))',
      ].join('\n');
      const result = spawnSync(python, ['-c', script, JSON.stringify(jobs.map((j) => [j.path, j.binary]))], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as [number, number, string, string, number, number]);
      assert.equal(lines.length, jobs.length);
      jobs.forEach((job, i) => {
        const [count, dim, first, last, sum, squares] = lines[i];
        assert.deepEqual([count, dim, first, last], [job.fixture.count, job.fixture.dim, job.fixture.first, job.fixture.last], job.path);
        // Same float32 values and the same numpy summation as the reference: equal to the last bit.
        assert.equal(sum, job.fixture.sum, job.path);
        assert.equal(squares, job.fixture.squares, job.path);
      });
    });
  });
});
