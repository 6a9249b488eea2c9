// The encoder's first pretraining stage (skip-gram vectors for its subwords as the starting token
// table) and continued pretraining of a saved encoder on new text, on real Gutenberg text.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTensorflow, type LoadedTensorflow } from '../../src/core/classify/tfBackend';
import type { TextCorpus } from '../../src/core/corpus';
import { BpeTokenizer, trainBpe } from '../../src/core/neural/bpe';
import { PAD_ID } from '../../src/core/neural/config';
import { ENCODER_WEIGHTS_FILE, loadEncoder, saveEncoder } from '../../src/core/neural/encoderFolder';
import { pretrainOnCorpus } from '../../src/core/neural/pretrainCorpus';
import { trainTokenVectors } from '../../src/core/neural/tokenVectors';
import { gutenbergSlice } from './gutenbergText';

const WIDTH = 64;

const textCorpus = (text: string): TextCorpus => ({
  async *chunks() {
    for (let at = 0; at < text.length; at += 64 * 1024) yield text.slice(at, at + 64 * 1024);
  },
});

/** Word pairs that share their contexts in English prose; each is one subword of the tokeniser. */
const PAIRS: [string, string][] = [
  ['he', 'she'],
  ['his', 'her'],
  ['man', 'woman'],
  ['father', 'mother'],
  ['day', 'night'],
  ['two', 'three'],
];

function cosine(table: Float32Array, a: number, b: number, width: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < width; d++) {
    const x = table[a * width + d];
    const y = table[b * width + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** Where b ranks among all ordinary tokens by cosine to a, as a share (0 = the nearest). */
function rankShare(table: Float32Array, a: number, b: number, vocabSize: number, width: number): number {
  const target = cosine(table, a, b, width);
  let closer = 0;
  for (let id = 5; id < vocabSize; id++) if (id !== a && id !== b && cosine(table, a, id, width) > target) closer++;
  return closer / (vocabSize - 6);
}

let tf: LoadedTensorflow;
let text: string;
let tokenizer: BpeTokenizer;
let sequences: number[][];
let pairIds: [number, number][];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'encoder-warm-start-'));

before(async () => {
  tf = await loadTensorflow();
  // About 500k words of prose from the first books.
  text = await gutenbergSlice(40_000, 3_000_000);
  const lines = text.split('\n').filter((line) => line.trim());
  tokenizer = await trainBpe(lines, { vocabSize: 4000 });
  sequences = lines.map((line) => tokenizer.encode(line));
  pairIds = PAIRS.map(([a, b]) => {
    const [ia, ib] = [tokenizer.encode(a), tokenizer.encode(b)];
    assert.equal(ia.length, 1, `"${a}" is one subword`);
    assert.equal(ib.length, 1, `"${b}" is one subword`);
    return [ia[0], ib[0]];
  });
});

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('skip-gram token vectors as the starting token table', () => {
  it('puts subwords used alike next to each other, at the scale of the random table, the same every run', async () => {
    const config = { vocabSize: tokenizer.size, width: WIDTH, seed: 3 };
    const first = await trainTokenVectors(sequences, config);
    assert.equal(first.table.length, tokenizer.size * WIDTH);
    assert.ok(first.trainedRows > 0.9 * (tokenizer.size - 5), `most subwords got a vector (${first.trainedRows} of ${tokenizer.size - 5})`);
    assert.ok(first.table.subarray(PAD_ID * WIDTH, (PAD_ID + 1) * WIDTH).every((x) => x === 0), "[PAD]'s row is zero");
    const ordinary = first.table.subarray(5 * WIDTH);
    const std = Math.sqrt(ordinary.reduce((s, x) => s + x * x, 0) / ordinary.length);
    assert.ok(Math.abs(std - 0.05) < 0.005, `scaled to the random table's spread 0.05 (got ${std})`);
    for (const [[a, b], [ia, ib]] of PAIRS.map((pair, i) => [pair, pairIds[i]] as const)) {
      const share = rankShare(first.table, ia, ib, tokenizer.size, WIDTH);
      assert.ok(share < 0.05, `"${b}" is among the 5% nearest subwords of "${a}" (rank share ${share.toFixed(3)})`);
    }
    const again = await trainTokenVectors(sequences, config);
    assert.deepEqual(again.table, first.table, 'one thread, one seed: the same table bit for bit');
  });

  it('gives a pretrained encoder that table (the random start has no such structure), and --no-token-vectors the random one', async () => {
    const corpus = textCorpus(text);
    const common = { arch: 'transformer' as const, vocabSize: 4000, steps: 1, config: { width: WIDTH, layers: 1, heads: 2, maxLen: 32 }, tensorflow: tf };
    const warm = await pretrainOnCorpus(corpus, common);
    const cold = await pretrainOnCorpus(corpus, { ...common, tokenVectors: false });
    try {
      assert.deepEqual(warm.tokenizer.toJSON(), cold.tokenizer.toJSON());
      assert.ok((warm.encoder.stats?.tokenVectorSeconds ?? 0) > 0, 'the token vectors’ time is recorded with the training stats');
      assert.equal(cold.encoder.stats?.tokenVectorSeconds, undefined);
      const ranks = (table: Float32Array) => pairIds.map(([a, b]) => rankShare(table, a, b, warm.tokenizer.size, WIDTH));
      const warmRanks = ranks(warm.encoder.table);
      const coldRanks = ranks(cold.encoder.table);
      assert.ok(Math.max(...warmRanks) < 0.05, `warm: every pair among the 5% nearest (${warmRanks.map((r) => r.toFixed(3)).join(', ')})`);
      const coldMean = coldRanks.reduce((a, b) => a + b, 0) / coldRanks.length;
      assert.ok(coldMean > 0.2, `random: the pairs rank anywhere (mean rank share ${coldMean.toFixed(3)})`);
    } finally {
      warm.encoder.dispose();
      cold.encoder.dispose();
    }
  });
});

describe('continued pretraining of a saved encoder on new text', () => {
  it('keeps the parent’s tokeniser and size, moves its weights, and leaves the parent folder as it was', async () => {
    const parentDir = path.join(tmp, 'parent');
    const config = { width: WIDTH, layers: 1, heads: 2, maxLen: 32 };
    const parent = await pretrainOnCorpus(textCorpus(text.slice(0, 1_000_000)), { arch: 'transformer', vocabSize: 2000, steps: 3, config, tensorflow: tf, tokenVectors: false });
    await saveEncoder(parentDir, parent.encoder, parent.tokenizer.toJSON());
    parent.encoder.dispose();
    const weightsHash = () => createHash('sha256').update(readFileSync(path.join(parentDir, ENCODER_WEIGHTS_FILE))).digest('hex');
    const before = weightsHash();

    // Later text (other books): the parent's tokeniser covers it, so no new tokeniser is trained.
    const child = await pretrainOnCorpus(textCorpus(text.slice(2_000_000)), { arch: 'transformer', steps: 4, vocabSize: 500, tensorflow: tf, continueFrom: parentDir });
    const loadedParent = await loadEncoder(parentDir, { tensorflow: tf });
    try {
      assert.deepEqual(child.tokenizer.toJSON(), loadedParent.tokenizerJson, 'the parent’s tokeniser, not a new one of 500');
      assert.deepEqual(child.encoder.config, loadedParent.encoder.config);
      assert.equal(child.encoder.stats?.steps, 4, 'its own steps, counted from the continuation');
      let moved = 0;
      for (let i = 0; i < child.encoder.table.length; i++) if (child.encoder.table[i] !== loadedParent.encoder.table[i]) moved++;
      assert.ok(moved > 0 && moved < child.encoder.table.length, `the rows the new text used moved (${moved} numbers), the others kept the parent's values`);
      assert.equal(weightsHash(), before, 'the parent folder is only read');
    } finally {
      child.encoder.dispose();
      loadedParent.encoder.dispose();
    }
  });

  it('refuses to continue an encoder as another architecture, or from a folder that is not an encoder, saying which', async () => {
    const parentDir = path.join(tmp, 'parent');
    await assert.rejects(pretrainOnCorpus(textCorpus(text.slice(0, 200_000)), { arch: 'lstm', steps: 1, tensorflow: tf, continueFrom: parentDir }), /is a transformer; it cannot continue as a lstm/);
    await assert.rejects(pretrainOnCorpus(textCorpus(text.slice(0, 200_000)), { arch: 'transformer', steps: 1, tensorflow: tf, continueFrom: tmp }), /Cannot continue from .*encoder-warm-start-/);
  });
});
