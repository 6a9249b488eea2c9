import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import { escapeProjectorLabel, readProjectorTsv, unescapeProjectorLabel, writeProjectorTsv } from '../../src/core/formats/projectorTsv';

const GENSIM = path.resolve(__dirname, '../../../shared/data/gensim');

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('Embedding Projector TSV', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-tsv-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes tab-separated vectors and one label per line, no headers', async () => {
    const v = new WordVectors(['cat', 'dog'], 3, Float32Array.from([0.1, -2, 0, 1 / 3, 5e-8, -0]));
    await writeProjectorTsv(v, file('v.tsv'), file('m.tsv'));
    assert.equal(readFileSync(file('v.tsv'), 'utf8'), '0.1\t-2\t0\n0.33333334\t5e-8\t-0\n');
    assert.equal(readFileSync(file('m.tsv'), 'utf8'), 'cat\ndog\n');
    assert.deepEqual(readdirSync(dir).sort(), ['m.tsv', 'v.tsv'], 'no temporary files left');
  });

  it('escapes tabs, line breaks and backslashes in words, and round-trips them exactly', async () => {
    const words = ['plain', 'tab\there', 'two\nlines', 'cr\rlf', 'back\\slash', '\\t literally', '', 'café 東京'];
    const data = Float32Array.from({ length: words.length * 4 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const v = new WordVectors(words, 4, data);
    await writeProjectorTsv(v, file('w.tsv'), file('w.meta.tsv'));
    const labels = readFileSync(file('w.meta.tsv'), 'utf8').split('\n');
    assert.equal(labels.length, words.length + 1, 'one line per word, then the final newline');
    assert.deepEqual(labels.slice(0, 6), ['plain', 'tab\\there', 'two\\nlines', 'cr\\rlf', 'back\\\\slash', '\\\\t literally']);
    const back = await readProjectorTsv(file('w.tsv'), file('w.meta.tsv'));
    assert.deepEqual(back.words, words);
    assert.ok(sameFloats(back.data, data));
    for (const w of words) assert.equal(unescapeProjectorLabel(escapeProjectorLabel(w)), w);
  });

  it("round-trips gensim's fixtures: word2vec binary and GloVe text → TSV → the same vectors", async () => {
    for (const name of ['euclidean_vectors.bin', 'test_glove.txt', 'lee_fasttext.vec']) {
      const original = await readWord2Vec(path.join(GENSIM, name));
      await writeProjectorTsv(original, file(`${name}.tsv`), file(`${name}.metadata.tsv`));
      const back = await readProjectorTsv(file(`${name}.tsv`), file(`${name}.metadata.tsv`));
      assert.deepEqual(back.words, original.words, name);
      assert.equal(back.dim, original.dim, name);
      assert.ok(sameFloats(back.data, original.data), name);
    }
  });

  it('reads without metadata (rows are labelled by number) and with multi-column metadata', async () => {
    writeFileSync(file('plain.tsv'), '1\t2\r\n3\t4\r\n\n');
    const numbered = await readProjectorTsv(file('plain.tsv'));
    assert.deepEqual(numbered.words, ['0', '1']);
    assert.deepEqual(Array.from(numbered.data), [1, 2, 3, 4]);
    writeFileSync(file('multi.tsv'), 'word\tcount\ncat\t10\ndog\t7\n');
    assert.deepEqual((await readProjectorTsv(file('plain.tsv'), file('multi.tsv'))).words, ['cat', 'dog']);
  });

  it('malformed files: errors name the file, the line and the problem', async () => {
    const cases: [string, string, RegExp][] = [
      ['ragged.tsv', '1\t2\n3\n', /ragged\.tsv line 2: expected 2 tab-separated numbers \(as on line 1\), found 1/],
      ['nan.tsv', '1\t2\n3\tx\n', /nan\.tsv line 2: value 2 is "x", not a finite number/],
      ['gap.tsv', '1\t2\n\n3\t4\n', /gap\.tsv line 2: empty line between vectors/],
      ['none.tsv', '\n', /none\.tsv: no vectors in the file/],
    ];
    for (const [name, content, pattern] of cases) {
      writeFileSync(file(name), content);
      await assert.rejects(readProjectorTsv(file(name)), pattern, name);
    }
    writeFileSync(file('two.tsv'), '1\t2\n3\t4\n');
    writeFileSync(file('three.meta.tsv'), 'a\nb\nc\n');
    await assert.rejects(readProjectorTsv(file('two.tsv'), file('three.meta.tsv')), /three\.meta\.tsv: 3 labels, but .*two\.tsv has 2 vectors/);
    await assert.rejects(readProjectorTsv(file('missing.tsv')), /missing\.tsv: cannot read the file/);
  });
});
