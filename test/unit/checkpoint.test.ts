// Checkpoints and resume: a run stopped after a checkpoint and resumed from it (from disk) ends
// bit-identical to the same run never stopped (one thread, a fixed seed), for Word2Vec, FastText and
// a fine-tune with locked vectors; a damaged checkpoint or changed text is refused with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { reviews, SHARED_DATA } from './reviewsCorpus';
import type { TextCorpus } from '../../src/core/corpus';
import { trainWord2Vec, type TrainedWord2Vec, type Word2VecOptions } from '../../src/core/word2vec';
import { hasCheckpoint, loadCheckpoint, removeCheckpoint, saveCheckpoint, type TrainingCheckpoint } from '../../src/core/checkpoint';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';

/** The reviews in 10,000-character chunks, so that resuming skips across chunk boundaries. */
class Chunked implements TextCorpus {
  constructor(private readonly text: string) {}
  async *chunks(): AsyncGenerator<string> {
    for (let at = 0; at < this.text.length; at += 10_000) yield this.text.slice(at, at + 10_000);
  }
}
const reviewText = async () => {
  let text = '';
  for await (const chunk of reviews().chunks()) text += chunk;
  return text;
};

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Trains with a checkpoint every `everyWords`, "crashes" right after checkpoint number `stopAfter`
 * is on disk (an abort), then resumes from what is on disk. Returns the resumed model and where it resumed.
 */
async function stopAndResume(corpus: () => TextCorpus, options: Partial<Word2VecOptions>, everyWords: number, stopAfter: number, from?: Parameters<typeof trainWord2Vec>[3]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-ckpt-'));
  try {
    const controller = new AbortController();
    let saved = 0;
    await assert.rejects(
      trainWord2Vec(corpus(), options, {
        signal: controller.signal,
        checkpoint: {
          everyWords,
          save: async (checkpoint) => {
            await saveCheckpoint(dir, checkpoint);
            if (++saved === stopAfter) controller.abort();
          },
        },
      }, from),
      { name: 'AbortError' },
    );
    assert.equal(saved, stopAfter);
    assert.ok(await hasCheckpoint(dir));
    const checkpoint = (await loadCheckpoint(dir))!;
    const resumed = await trainWord2Vec(corpus(), {}, {}, undefined, checkpoint);
    return { resumed, position: checkpoint.position, dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertSameModel(resumed: TrainedWord2Vec, reference: TrainedWord2Vec) {
  assert.deepEqual(resumed.vectors.words, reference.vectors.words);
  assert.ok(bytes(resumed.vectors.data).equals(bytes(reference.vectors.data)), 'vectors are bit-identical');
  assert.deepEqual(resumed.stats.epochLosses, reference.stats.epochLosses, 'the same loss per epoch');
  assert.equal(resumed.stats.trainedWords, reference.stats.trainedWords);
  assert.deepEqual(Array.from(resumed.vectors.counts ?? []), Array.from(reference.vectors.counts ?? []));
}

test('Word2Vec stopped mid-epoch after a checkpoint and resumed from disk ends bit-identical to an uninterrupted run', async () => {
  const text = await reviewText();
  const options = { epochs: 3, minCount: 5, threads: 1, seed: 3, dim: 32 };
  const reference = await trainWord2Vec(new Chunked(text), options);
  const wordsPerEpoch = reference.vocabulary.counts.reduce((a, b) => a + b, 0);
  // Checkpoints every ~40% of an epoch: the third lands in the middle of epoch 2.
  const { resumed, position } = await stopAndResume(() => new Chunked(text), options, Math.round(wordsPerEpoch * 0.4), 3);
  assert.equal(position.epoch, 2, JSON.stringify(position));
  assert.ok(position.epochChars > 0 && position.epochChars < text.length, 'mid-epoch');
  assertSameModel(resumed, reference);
  assert.equal(resumed.stats.epochs, 3);
});

test('FastText resumes at an epoch boundary to the same model, n-gram rows included', async () => {
  const options = { algorithm: 'fasttext' as const, epochs: 2, minCount: 5, threads: 1, seed: 5, dim: 24, minn: 3, maxn: 5, bucket: 20_000 };
  const reference = await trainWord2Vec(reviews(), options);
  // One checkpoint per epoch's worth of words: the first falls at or near the end of epoch 1.
  const wordsPerEpoch = reference.vocabulary.counts.reduce((a, b) => a + b, 0);
  const { resumed } = await stopAndResume(reviews, options, wordsPerEpoch, 1);
  assertSameModel(resumed, reference);
  assert.ok(resumed.subwords && reference.subwords);
  assert.ok(bytes(resumed.subwords!.rows).equals(bytes(reference.subwords!.rows)), 'n-gram rows are bit-identical');
  assert.ok(resumed.subwords!.vectorFor('unfilmable'), 'and it still builds vectors for unseen words');
});

test('a fine-tune with locked vectors resumes with its lock: the parent rows stay bit-identical', async () => {
  const glove = await readWord2Vec(path.join(SHARED_DATA, 'vectors/glove.6B.100d.top10k.txt'));
  const options = { epochs: 2, minCount: 5, threads: 1, seed: 9 };
  const from = { vectors: glove, lock: 'old' as const };
  const reference = await trainWord2Vec(reviews(), options, {}, from);
  const wordsPerEpoch = reference.vocabulary.counts.reduce((a, b, i) => (i >= glove.size ? a + b : a), 0);
  const { resumed } = await stopAndResume(reviews, options, Math.max(1000, Math.round(wordsPerEpoch / 3)), 1, from);
  assertSameModel(resumed, reference);
  assert.ok(bytes(resumed.vectors.data.subarray(0, glove.data.length)).equals(bytes(glove.data)), 'locked rows unchanged');
});

test('a damaged checkpoint, or text that changed since, is refused with a message saying what to do', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-ckpt-bad-'));
  try {
    const options = { epochs: 2, minCount: 5, threads: 1, seed: 1, dim: 16 };
    let first: TrainingCheckpoint | undefined;
    const controller = new AbortController();
    await assert.rejects(
      trainWord2Vec(reviews(), options, {
        signal: controller.signal,
        checkpoint: { everyWords: 50_000, save: async (c) => { await saveCheckpoint(dir, c); first = c; controller.abort(); } },
      }),
      { name: 'AbortError' },
    );
    assert.ok(first);
    const checkpoint = (await loadCheckpoint(dir))!;
    const text = await reviewText();
    await assert.rejects(trainWord2Vec(new Chunked(text.slice(0, text.length - 5000)), {}, {}, undefined, checkpoint), /The text changed since the checkpoint was taken .*Start it again/);

    assert.deepEqual(readdirSync(dir), ['current'], 'one complete checkpoint, no temporary folders');
    truncateSync(path.join(dir, 'current', 'weights.bin'), 1000);
    await assert.rejects(loadCheckpoint(dir), /is damaged: weights\.bin has 1000 bytes, expected \d+\. Start the run again\./);
    await removeCheckpoint(dir);
    assert.equal(await hasCheckpoint(dir), false);
    assert.equal(await loadCheckpoint(dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
