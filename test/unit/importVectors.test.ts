// Import of pretrained vectors as a model folder: every shared format, checked against a second,
// independent read path; damaged files fail clearly and leave no folder; --skip-bad-lines counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { importVectors } from '../../src/core/importVectors';
import { loadModelVectors, readModelManifest } from '../../src/core/modelFolder';
import { readWord2Vec, readWord2VecWithInfo, writeWord2Vec } from '../../src/core/formats/word2vecFormat';
import { WordVectors } from '../../src/core/vectors';

const root = path.resolve(__dirname, '..', '..');
const shared = path.resolve(__dirname, '../../../shared/data');
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'tl-import-'));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' });

/**
 * A second read path that shares no code with the word2vec reader: split the (gunzipped) text on
 * whitespace, or walk the binary records by hand.
 */
function independentRead(file: string): WordVectors {
  let bytes = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = require('node:zlib').gunzipSync(bytes);
  const headerEnd = bytes.indexOf(10);
  const header = bytes.subarray(0, headerEnd).toString('utf8').trim().split(/\s+/);
  const hasHeader = header.length === 2;
  const words: string[] = [];
  const values: number[] = [];
  if (hasHeader && bytes.subarray(headerEnd + 1, headerEnd + 200).some((b) => b < 9 || b > 126)) {
    const [count, dim] = header.map(Number);
    let pos = headerEnd + 1;
    for (let r = 0; r < count; r++) {
      while (bytes[pos] === 10) pos++;
      const space = bytes.indexOf(32, pos);
      words.push(bytes.subarray(pos, space).toString('utf8'));
      pos = space + 1;
      for (let d = 0; d < dim; d++, pos += 4) values.push(bytes.readFloatLE(pos));
    }
    return new WordVectors(words, dim, Float32Array.from(values));
  }
  const lines = bytes.toString('utf8').split('\n').slice(hasHeader ? 1 : 0).filter((l) => l.trim() !== '');
  let dim = 0;
  for (const line of lines) {
    const [word, ...numbers] = line.trim().split(/\s+/);
    dim = numbers.length;
    words.push(word);
    values.push(...numbers.map(Number));
  }
  return new WordVectors(words, dim, Float32Array.from(values));
}

function sameQueries(actual: WordVectors, expected: WordVectors, label: string): void {
  assert.equal(actual.size, expected.size, label);
  assert.equal(actual.dim, expected.dim, label);
  assert.deepEqual(actual.words, expected.words, label);
  const probes = [0, 1, Math.floor(expected.size / 2), expected.size - 1].map((i) => expected.words[i]);
  for (const word of probes) {
    const a = actual.mostSimilar(word, { k: 5 });
    const e = expected.mostSimilar(word, { k: 5 });
    assert.deepEqual(a.map((n) => n.word), e.map((n) => n.word), `${label}: neighbours of ${word}`);
    a.forEach((n, i) => assert.ok(Math.abs(n.similarity - e[i].similarity) < 1e-6, `${label}: ${word}`));
  }
}

const sources = [
  ['vectors/glove.6B.100d.top10k.txt', 'glove-text', false],
  ['vectors/glove.6B.100d.top40k.txt.gz', 'glove-text', true],
  ['gensim/test_glove.txt', 'glove-text', false],
  ['gensim/euclidean_vectors.bin', 'word2vec-binary', false],
  ['gensim/lee_fasttext.vec', 'word2vec-text', false],
  ['gensim/toy-model.vec', 'word2vec-text', false],
  ['gensim/high_precision.kv.txt', 'word2vec-text', false],
] as const;

for (const [relative, format, gzip] of sources) {
  test(`import ${relative}: a model folder whose queries equal an independent read of the file`, async () => {
    const source = path.join(shared, relative);
    const modelDir = path.join(tempDir(), 'model');
    const phases = new Set<string>();
    const result = await importVectors(source, modelDir, { onProgress: (p) => phases.add(p.phase) });
    assert.deepEqual([...phases].sort(), ['hashing', 'reading', 'writing']);
    const manifest = await readModelManifest(modelDir);
    assert.equal(manifest.algorithm, 'imported');
    assert.equal(manifest.name, 'model');
    const { vectors } = await loadModelVectors(modelDir);
    const expected = independentRead(source);
    assert.deepEqual(manifest.source, {
      path: source,
      format,
      gzip,
      bytes: statSync(source).size,
      sha256: createHash('sha256').update(readFileSync(source)).digest('hex'),
      words: expected.size,
      dim: expected.dim,
      skippedLines: 0,
    });
    assert.equal(result.vectors.size, expected.size);
    sameQueries(vectors, expected, relative);
  });
}

test('text and binary round trip of an imported model give the same queries', async () => {
  const dir = tempDir();
  const modelDir = path.join(dir, 'glove');
  await importVectors(path.join(shared, 'vectors/glove.6B.100d.top10k.txt'), modelDir, { name: 'GloVe 10k' });
  const { vectors, manifest } = await loadModelVectors(modelDir);
  assert.equal(manifest.name, 'GloVe 10k');
  assert.equal(manifest.parameters.lowercase, true);
  const text = path.join(dir, 'round.txt');
  await writeWord2Vec(vectors, text, { binary: false });
  const again = path.join(dir, 'again');
  await importVectors(text, again);
  sameQueries((await loadModelVectors(again)).vectors, vectors, 'binary -> text -> import');
});

test('a truncated or corrupt file is a clear error and creates no model folder', async () => {
  const dir = tempDir();
  const glove = readFileSync(path.join(shared, 'gensim/lee_fasttext.vec'));
  const cases: [string, Buffer, RegExp][] = [
    ['truncated.vec', glove.subarray(0, Math.floor(glove.length / 2)), /line \d+: expected 10 numbers|header says 1762 words/],
    ['corrupt.vec', Buffer.from(glove.toString('utf8').replace(/\nof -0\.4761 /, '\nof -0.4x761 ')), /line 4: number 1 after "of" is "-0\.4x761"/],
    ['truncated.bin', readFileSync(path.join(shared, 'gensim/euclidean_vectors.bin')).subarray(0, 5000), /header says .* (truncated|but the file has only)/],
    ['truncated.txt.gz', gzipSync(readFileSync(path.join(shared, 'gensim/test_glove.txt'))).subarray(0, 3000), /damaged gzip data|unexpected end/i],
    ['empty.txt', Buffer.alloc(0), /the file is empty/],
  ];
  for (const [name, bytes, message] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    const modelDir = path.join(dir, 'out', `${name}-model`);
    await assert.rejects(importVectors(file, modelDir), (error: Error) => {
      assert.match(error.message, message, name);
      assert.ok(error.message.includes(file), `${name}: the message names the file: ${error.message}`);
      return true;
    });
    assert.equal(existsSync(modelDir), false, name);
  }
  assert.deepEqual(existsSync(path.join(dir, 'out')) ? readdirSync(path.join(dir, 'out')) : [], [], 'no temporary folders left');
});

test('--skip-bad-lines leaves out malformed lines and counts them; by default the first one is an error', async () => {
  const dir = tempDir();
  const lines = readFileSync(path.join(shared, 'gensim/toy-model.vec'), 'utf8').split('\n');
  // Header "22 5": line 3 has a word too many numbers short, line 6 a non-number, line 10 an extra number.
  lines[2] = lines[2].split(' ').slice(0, 4).join(' ');
  lines[5] = lines[5].replace(/ [^ ]+ $/, ' NaN ');
  lines[9] = `${lines[9].trimEnd()} 0.5`;
  const file = path.join(dir, 'bad.vec');
  writeFileSync(file, lines.join('\n'));

  await assert.rejects(importVectors(file, path.join(dir, 'strict')), /bad\.vec line 3: expected 5 numbers after "of", found 3/);
  assert.equal(existsSync(path.join(dir, 'strict')), false);

  const result = await importVectors(file, path.join(dir, 'lenient'), { skipBadLines: true });
  assert.equal(result.manifest.source?.skippedLines, 3);
  assert.deepEqual(result.info.skippedLineNumbers, [3, 6, 10]);
  assert.equal(result.vectors.size, 19);
  assert.equal(result.vectors.has('of'), false);
  const expected = independentRead(path.join(shared, 'gensim/toy-model.vec'));
  for (const word of result.vectors.words) assert.deepEqual(result.vectors.vector(word), expected.vector(word), word);

  // Headerless (GloVe) files skip too; the reader's option alone, without import.
  const glove = readFileSync(path.join(shared, 'gensim/test_glove.txt'), 'utf8').split('\n');
  glove[4] = 'broken 1 2 3';
  writeFileSync(path.join(dir, 'bad-glove.txt'), glove.join('\n'));
  const { vectors, info } = await readWord2VecWithInfo(path.join(dir, 'bad-glove.txt'), { skipBadLines: true });
  assert.equal(info.skippedLines, 1);
  assert.deepEqual(info.skippedLineNumbers, [5]);
  assert.equal(vectors.has('broken'), false);
  await assert.rejects(readWord2Vec(path.join(dir, 'bad-glove.txt')), /bad-glove\.txt line 5: expected \d+ numbers after "broken", found 3/);
});

test('transfer-lab import: summary line, --skip-bad-lines, refusal to overwrite, usage errors', () => {
  const dir = tempDir();
  const out = path.join(dir, 'toy');
  const ok = cli('import', path.join(shared, 'gensim/toy-model.vec'), '--out', out, '--name', 'toy vectors');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^imported .*toy-model\.vec \(word2vec-text, 1,115 bytes\) into .*toy: 22 words x 5\n$/);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).name, 'toy vectors');

  const again = cli('import', path.join(shared, 'gensim/toy-model.vec'), '--out', out);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/);

  const lines = readFileSync(path.join(shared, 'gensim/toy-model.vec'), 'utf8').split('\n');
  lines[3] = 'and 1 2';
  writeFileSync(path.join(dir, 'bad.vec'), lines.join('\n'));
  const strict = cli('import', path.join(dir, 'bad.vec'), '--out', path.join(dir, 'strict'));
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, /bad\.vec line 4: expected 5 numbers after "and", found 2/);
  assert.equal(existsSync(path.join(dir, 'strict')), false);
  const lenient = cli('import', path.join(dir, 'bad.vec'), '--out', path.join(dir, 'lenient'), '--skip-bad-lines', '--json');
  assert.equal(lenient.status, 0, lenient.stderr);
  const report = JSON.parse(lenient.stdout);
  assert.equal(report.source.skippedLines, 1);
  assert.deepEqual(report.skippedLineNumbers, [4]);

  for (const [args, message] of [
    [['import'], /import takes one vectors file/],
    [['import', path.join(dir, 'bad.vec')], /--out/],
  ] as [string[], RegExp][]) {
    const result = cli(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
});
