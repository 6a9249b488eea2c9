// The Models view's family tree (src/extension/modelFamily.ts): fine-tuned models under their parents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildModelFamily, describeModel, exampleWords, modelTooltip, type FamilyMember, type FamilyNode } from '../../src/extension/modelFamily';
import { MODEL_FORMAT_VERSION, type ModelManifest } from '../../src/core/modelFolder';

const ROOT = path.resolve('/models');
const dir = (name: string) => path.join(ROOT, name);

function model(name: string, parent?: string, extra: Partial<ModelManifest> = {}): FamilyMember {
  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION,
    name,
    algorithm: 'word2vec',
    vectorsFile: 'vectors.bin',
    vectorsFormat: 'word2vec-binary',
    vocabularySize: 1234,
    dim: 32,
    parameters: { mode: 'sg' },
    corpus: { root: '/ws', files: ['a.txt', 'b.txt'], filesRead: 2, bytesRead: 100, corpusWords: 56789, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0 },
    timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: 0 },
    createdAt: '2026-05-01T12:00:00.000Z',
    createdBy: 'test',
    ...(parent !== undefined && { parent: { path: parent, name: path.basename(parent), lock: 'old' } }),
    ...extra,
  };
  return { modelDir: dir(name), manifest };
}

/** name(child, child(grandchild)) */
function shape(nodes: FamilyNode[]): string[] {
  return nodes.map((n) => (n.children.length ? `${n.manifest.name}(${shape(n.children).join(', ')})` : n.manifest.name));
}

test('children nest under their parents, in input order, and roots are models without a parent', () => {
  const tree = buildModelFamily([
    model('grandchild', dir('child-1')),
    model('child-2', dir('base')),
    model('child-1', dir('base')),
    model('other'),
    model('base'),
  ]);
  assert.deepEqual(shape(tree), ['other', 'base(child-2, child-1(grandchild))']);
});

test('parent paths are compared as folders: relative segments and trailing separators resolve', () => {
  const tree = buildModelFamily([model('child', `${ROOT}${path.sep}x${path.sep}..${path.sep}base${path.sep}`), model('base')]);
  assert.deepEqual(shape(tree), ['base(child)']);
});

test('a model whose parent is not listed is a root, and says where its parent was', () => {
  const tree = buildModelFamily([model('orphan', dir('deleted')), model('base')]);
  assert.deepEqual(shape(tree), ['orphan', 'base']);
  assert.equal(tree[0].missingParent, dir('deleted'));
  assert.match(modelTooltip(tree[0]), /no longer in the models folder/);
  assert.equal(tree[1].missingParent, undefined);
});

test('cycles of parents and self-parents cannot hang: every model is listed exactly once', () => {
  const tree = buildModelFamily([
    model('a', dir('b')),
    model('b', dir('c')),
    model('c', dir('a')),
    model('self', dir('self')),
    model('d', dir('c')),
  ]);
  // The cycle a -> b -> c -> a is cut at its first member in input order (a), which becomes a root.
  assert.deepEqual(shape(tree), ['a(c(b, d))', 'self']);
  const count = (nodes: FamilyNode[]): number => nodes.reduce((sum, n) => sum + 1 + count(n.children), 0);
  assert.equal(count(tree), 5);
});

test('a large chain and a large cycle are built in one pass', () => {
  const n = 5000;
  const chain = Array.from({ length: n }, (_, i) => model(`m${i}`, i === 0 ? undefined : dir(`m${i - 1}`)));
  let depth = 0;
  for (let nodes = buildModelFamily(chain); nodes.length; nodes = nodes[0].children) depth++;
  assert.equal(depth, n);
  const ring = Array.from({ length: n }, (_, i) => model(`r${i}`, dir(`r${(i + 1) % n}`)));
  const tree = buildModelFamily(ring);
  assert.equal(tree.length, 1);
  assert.equal(tree[0].manifest.name, 'r0');
});

test('the same folder listed twice appears once', () => {
  assert.deepEqual(shape(buildModelFamily([model('base'), model('base'), model('child', dir('base'))])), ['base(child)']);
});

test('folders differing only in case are one folder on Windows and macOS, two on Linux', () => {
  const models = [model('base'), model('child', dir('BASE'))];
  assert.deepEqual(shape(buildModelFamily(models, 'win32')), ['base(child)']);
  assert.deepEqual(shape(buildModelFamily(models, 'linux')), ['base', 'child']);
});

test('description: algorithm and mode, vocabulary size, date; tooltip: corpus, parent and lock, source', () => {
  const base = model('base');
  assert.match(describeModel(base.manifest), /^Word2Vec skip-gram · 1,234 words · \d{4}-\d\d-\d\d \d\d:\d\d$/);
  const tip = modelTooltip(base);
  assert.match(tip, /Corpus: 2 files, 56,789 words/);
  assert.ok(tip.includes(base.modelDir));
  assert.doesNotMatch(tip, /Fine-tuned/);

  const child = model('child', dir('base'), { algorithm: 'fasttext', parameters: { mode: 'cbow' } });
  assert.match(describeModel(child.manifest), /^FastText CBOW · /);
  assert.match(modelTooltip(child), /Fine-tuned from base \(old vectors kept fixed\)/);

  const glove = model('glove', undefined, { algorithm: 'glove' });
  assert.match(describeModel(glove.manifest), /^GloVe · /);

  const imported = model('imported', undefined, {
    algorithm: 'imported',
    source: { path: '/downloads/glove.6B.50d.txt.gz', format: 'glove-text', gzip: true, bytes: 10, sha256: 'ab', words: 400000, dim: 50, skippedLines: 0 },
  });
  assert.match(describeModel(imported.manifest), /^imported GloVe · 1,234 words/);
  assert.match(modelTooltip(imported), /Imported from \/downloads\/glove\.6B\.50d\.txt\.gz \(glove-text, gzip, 400,000 words\)/);
  assert.doesNotMatch(modelTooltip(imported), /Corpus:/);
});

test('example words skip the most frequent words and keep words of four letters or more', () => {
  const words = ['the', 'and', ...Array.from({ length: 300 }, (_, i) => (i % 2 ? `w${i}` : `word${String.fromCharCode(97 + (i % 26))}`))];
  const picked = exampleWords(words, 5);
  assert.equal(picked.length, 5);
  assert.ok(picked.every((w) => /^\p{L}{4,}$/u.test(w)));
  assert.ok(!picked.includes('the'));
});
