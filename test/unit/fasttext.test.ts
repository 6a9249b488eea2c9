// FastText end to end: trained on real text, a word never seen gets a vector from its n-grams that
// lies near its seen relatives, and a model folder keeps that ability.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FileCorpus } from '../../src/core/corpus';
import { trainWord2Vec, type TrainedWord2Vec } from '../../src/core/word2vec';
import { ngramBuckets } from '../../src/core/subwords';
import { loadModelVectors, writeModelFolder, type ModelManifest } from '../../src/core/modelFolder';

const LEE = path.resolve(__dirname, '../../../shared/data/gensim/lee_background.cor');

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
};

describe('FastText on the Lee corpus', () => {
  let trained: TrainedWord2Vec;
  before(async () => {
    trained = await trainWord2Vec(new FileCorpus([LEE]), {
      algorithm: 'fasttext', dim: 50, epochs: 10, minCount: 3, bucket: 100_000, threads: 1, seed: 4,
    });
  });

  // Unseen inflections of seen words: each is checked to be out of the vocabulary below.
  const relatives: [string, string][] = [
    ['government', 'governments'], ['palestinian', 'palestinians'], ['military', 'militarys'], ['australian', 'australians'],
    ['security', 'securitys'], ['negotiations', 'negotiation'], ['afghanistan', 'afghanistans'], ['president', 'presidents'],
    ['international', 'internationally'], ['minister', 'ministers'], ['commission', 'commissions'], ['authorities', 'authority'],
  ];

  it('gives a word it never saw a vector close to its seen relative', () => {
    const { vectors, subwords } = trained;
    assert.ok(subwords, 'a FastText model has an n-gram lookup');
    const pairs = relatives.filter(([seen, unseen]) => vectors.has(seen) && !vectors.has(unseen));
    assert.ok(pairs.length >= 8, `${pairs.length} usable pairs`);
    const others = vectors.words.slice(200, 400);
    let wins = 0;
    const similarities: number[] = [];
    for (const [seen, unseen] of pairs) {
      const vector = subwords.vectorFor(unseen);
      assert.ok(vector, `${unseen} gets a vector`);
      const own = cosine(vector, vectors.vector(seen)!);
      similarities.push(own);
      // Closer to its relative than to most of 200 unrelated mid-frequency words.
      const beaten = others.filter((w) => w !== seen && cosine(vector, vectors.vector(w)!) >= own).length;
      if (beaten <= 2) wins++;
    }
    const mean = similarities.reduce((a, b) => a + b, 0) / similarities.length;
    assert.ok(mean > 0.6, `mean cosine to the seen relative ${mean.toFixed(3)}`);
    assert.ok(wins >= pairs.length - 1, `${wins} of ${pairs.length} unseen words are nearest their relative`);
  });

  it('has no vector for a word none of whose n-grams was trained', () => {
    const subwords = trained.subwords!;
    const trainedBuckets = new Set(subwords.buckets);
    // Three-letter nonsense words have five n-grams; find one whose buckets all stayed untrained.
    let untrained: string | undefined;
    for (let i = 0; i < 20_000 && !untrained; i++) {
      const word = `q${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}x`;
      if (!trained.vectors.has(word) && ngramBuckets(word, subwords.options).every((b) => !trainedBuckets.has(b))) untrained = word;
    }
    assert.ok(untrained, 'some nonsense word misses every trained bucket');
    assert.equal(subwords.vectorFor(untrained), undefined);
  });

  it('keeps unseen-word vectors through a model folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tl-fasttext-'));
    try {
      const modelDir = path.join(dir, 'model');
      const manifest = { formatVersion: 1, name: 'ft', algorithm: 'fasttext', vectorsFile: 'vectors.bin', vectorsFormat: 'word2vec-binary', dim: 50 } as ModelManifest;
      await writeModelFolder(modelDir, trained.vectors, manifest, trained.subwords);
      const loaded = await loadModelVectors(modelDir);
      assert.ok(loaded.subwords, 'the n-gram rows were read back');
      assert.equal(loaded.manifest.subwordsFile, 'subwords.bin');
      for (const word of ['governments', 'palestinians', 'government']) {
        assert.deepEqual(loaded.subwords.vectorFor(word), trained.subwords!.vectorFor(word), word);
      }
      // Only rows some vocabulary word trained are kept, far fewer than the 100,000 buckets.
      const bytes = statSync(path.join(modelDir, 'subwords.bin')).size;
      assert.ok(bytes < 100_000 * 50 * 4 * 0.8, `${bytes} bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('continues from itself: words and n-gram rows start where the parent left them', async () => {
    const LEE_TEST = path.resolve(__dirname, '../../../shared/data/gensim/lee.cor');
    // A learning rate of ~0 isolates the starting point: the child must equal the parent.
    const still = await trainWord2Vec(
      new FileCorpus([LEE_TEST]),
      { algorithm: 'fasttext', epochs: 1, minCount: 1, threads: 1, alpha: 1e-9, minAlpha: 0 },
      {},
      { vectors: trained.vectors, lock: 'none', subwords: trained.subwords },
    );
    assert.equal(still.options.bucket, 100_000, 'the parent\'s n-gram settings are kept');
    assert.ok(still.vocabulary.size > trained.vocabulary.size, 'words of the new text joined');
    let worst = 0;
    for (const word of trained.vectors.words.slice(0, 500)) {
      const a = trained.vectors.vector(word)!;
      const b = still.vectors.vector(word)!;
      for (let d = 0; d < a.length; d++) worst = Math.max(worst, Math.abs(a[d] - b[d]));
    }
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    const unseen = still.subwords!.vectorFor('governments')!;
    assert.ok(cosine(unseen, trained.subwords!.vectorFor('governments')!) > 0.999);

    await assert.rejects(
      trainWord2Vec(new FileCorpus([LEE_TEST]), { algorithm: 'word2vec', minCount: 1 }, {}, { vectors: trained.vectors, lock: 'none', subwords: trained.subwords }),
      /continue them with algorithm fasttext/,
    );
  });
});
