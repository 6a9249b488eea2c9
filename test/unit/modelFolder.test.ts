import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import {
  listModels,
  loadModelVectors,
  readModelManifest,
  removeStaleTempFolders,
  sanitizeModelName,
  uniqueModelDir,
  writeModelFolder,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
} from '../../src/core/modelFolder';

function tinyModel(): { vectors: WordVectors; manifest: ModelManifest } {
  const words = ['alpha', 'beta', 'gamma'];
  const vectors = new WordVectors(words, 2, new Float32Array([1, 0, 0.9, 0.1, -1, 0.2]));
  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION,
    name: 'tiny',
    algorithm: 'word2vec',
    vectorsFile: 'vectors.bin',
    vectorsFormat: 'word2vec-binary',
    vocabularySize: 3,
    dim: 2,
    parameters: { dim: 2, lowercase: true },
    corpus: { root: '/x', files: [], filesRead: 0, bytesRead: 0, corpusWords: 0, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0 },
    timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: 0 },
    createdAt: new Date().toISOString(),
    createdBy: 'test',
  };
  return { vectors, manifest };
}

const tempRoot = () => mkdtempSync(path.join(os.tmpdir(), 'tl-models-'));

test('a written model folder loads back with the same vectors', async () => {
  const root = tempRoot();
  const { vectors, manifest } = tinyModel();
  const dir = path.join(root, 'tiny');
  await writeModelFolder(dir, vectors, manifest);
  assert.deepEqual(readdirSync(root), ['tiny']);
  const loaded = await loadModelVectors(dir);
  assert.deepEqual(loaded.vectors.words, vectors.words);
  assert.deepEqual(Array.from(loaded.vectors.data), Array.from(vectors.data));
  assert.equal(loaded.manifest.name, 'tiny');
});

test('writing over an existing model fails and leaves both the old model and no temp folder', async () => {
  const root = tempRoot();
  const { vectors, manifest } = tinyModel();
  const dir = path.join(root, 'tiny');
  await writeModelFolder(dir, vectors, manifest);
  const before = readFileSync(path.join(dir, 'vectors.bin'));
  const other = new WordVectors(['x'], 2, new Float32Array([5, 5]));
  await assert.rejects(writeModelFolder(dir, other, { ...manifest, vocabularySize: 1 }));
  assert.deepEqual(readdirSync(root), ['tiny']);
  assert.deepEqual(readFileSync(path.join(dir, 'vectors.bin')), before);
});

test('unique names never reuse an existing folder; names are made safe', async () => {
  const root = tempRoot();
  mkdirSync(path.join(root, 'run'));
  mkdirSync(path.join(root, 'run-2'));
  assert.equal(await uniqueModelDir(root, 'run'), path.join(root, 'run-3'));
  assert.equal(sanitizeModelName('../../etc/passwd'), 'etc-passwd');
  assert.equal(sanitizeModelName('Émile: notes 2024'), 'Émile-notes-2024');
  assert.equal(sanitizeModelName('...'), 'model');
});

test('a manifest may not point its vectors outside the model folder', async () => {
  const root = tempRoot();
  const dir = path.join(root, 'evil');
  mkdirSync(dir);
  const { manifest } = tinyModel();
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, vectorsFile: '../../secret.bin' }));
  await assert.rejects(readModelManifest(dir), /not a Transfer Lab model description/);
  writeFileSync(path.join(dir, 'model.json'), '{ not json');
  await assert.rejects(readModelManifest(dir), /not valid JSON/);
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ ...manifest, formatVersion: MODEL_FORMAT_VERSION + 1 }));
  await assert.rejects(readModelManifest(dir), /newer Transfer Lab/);
});

test('listing skips temp and damaged folders; stale temp folders of dead writers are removed', async () => {
  const root = tempRoot();
  const { vectors, manifest } = tinyModel();
  await writeModelFolder(path.join(root, 'good'), vectors, manifest);
  mkdirSync(path.join(root, 'damaged'));
  // A pid far above any real one stands for a writer that was killed.
  mkdirSync(path.join(root, '.tmp-lost-999999999-abcd'));
  mkdirSync(path.join(root, `.tmp-busy-${process.pid}-abcd`));
  const models = await listModels(root);
  assert.deepEqual(models.map((m) => path.basename(m.modelDir)), ['good']);
  assert.equal(await removeStaleTempFolders(root), 1);
  assert.deepEqual(readdirSync(root).sort(), [`.tmp-busy-${process.pid}-abcd`, 'damaged', 'good']);
});
