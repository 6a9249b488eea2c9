import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTensorflow, type LoadedTensorflow } from '../../src/core/classify/tfBackend';
import { BpeTokenizer, trainBpe } from '../../src/core/neural/bpe';
import { CLS_ID, encoderConfig, FIRST_ORDINARY_ID, MASK_ID, PAD_ID, SEP_ID, type EncoderConfig } from '../../src/core/neural/config';
import { createEncoder, encoderInput, type Encoder, type PretrainProgress } from '../../src/core/neural/encoder';
import { ENCODER_WEIGHTS_FILE, loadEncoder, saveEncoder } from '../../src/core/neural/encoderFolder';
import { pretrainEncoder } from '../../src/core/neural/pretrain';
import { maskTokens, sequenceWindows } from '../../src/core/neural/windows';
import { Random } from '../../src/core/random';
import { gutenbergSlice } from './gutenbergText';

/** Past the first book's title pages, into running prose. */
const SKIP_BYTES = 40_000;
const SLICE_BYTES = 360_000;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

let tf: LoadedTensorflow;
let tokenizer: BpeTokenizer;
let sequences: number[][];
let transformer: Encoder | undefined;
let lstm: Encoder | undefined;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'neural-encoder-'));

before(async () => {
  tf = await loadTensorflow();
  const lines = (await gutenbergSlice(SKIP_BYTES, SLICE_BYTES)).split('\n').filter((line) => line.trim().length > 0);
  tokenizer = await trainBpe(lines, { vocabSize: 2000 });
  sequences = lines.map((line) => tokenizer.encode(line));
});

after(() => {
  transformer?.dispose();
  lstm?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('training windows and masking', () => {
  it('cuts Transformer windows as [CLS] … [SEP] and LSTM windows one token longer than maxLen', () => {
    const t = sequenceWindows(sequences, 'transformer', 32, tokenizer.size);
    assert.equal(t.length, 32);
    assert.ok(t.count > 1000, `only ${t.count} windows`);
    for (let w = 0; w < t.count; w++) {
      assert.equal(t.ids[w * 32], CLS_ID);
      assert.equal(t.ids[w * 32 + 31], SEP_ID);
    }
    const l = sequenceWindows([[5, 6, 7], [8, 9]], 'lstm', 2, 10);
    // Stream 5 6 7 SEP 8 9 SEP, windows of 3 overlapping by one token.
    assert.deepEqual(Array.from(l.ids), [5, 6, 7, 7, 3, 8, 8, 9, 3]);
    assert.throws(() => sequenceWindows([[5, 2000]], 'lstm', 1, 2000), /token id 2000 .*outside the vocabulary/);
    assert.throws(() => sequenceWindows([[5, 6]], 'transformer', 64, 100), /fewer than one training window/);
  });

  it('masks about 15% of ordinary tokens, 80/10/10, and never a special token', () => {
    const windows = sequenceWindows(sequences, 'transformer', 32, tokenizer.size);
    const ids = windows.ids.subarray(0, 32 * 400);
    const { inputs, positions, targets } = maskTokens(ids, tokenizer.size, new Random(7));
    let ordinary = 0;
    for (const id of ids) if (id >= FIRST_ORDINARY_ID) ordinary++;
    const share = positions.length / ordinary;
    assert.ok(share > 0.13 && share < 0.17, `masked share ${share}`);
    let masked = 0;
    let kept = 0;
    positions.forEach((p, i) => {
      assert.ok(ids[p] >= FIRST_ORDINARY_ID);
      assert.equal(targets[i], ids[p]);
      if (inputs[p] === MASK_ID) masked++;
      else if (inputs[p] === ids[p]) kept++;
    });
    assert.ok(Math.abs(masked / positions.length - 0.8) < 0.03, `[MASK] share ${masked / positions.length}`);
    assert.ok(Math.abs(kept / positions.length - 0.1) < 0.03, `kept share ${kept / positions.length}`);
    const chosen = new Set(positions);
    for (let i = 0; i < ids.length; i++) if (!chosen.has(i)) assert.equal(inputs[i], ids[i]);
  });
});

describe('pretraining on a Gutenberg slice', () => {
  const losses = (progress: PretrainProgress[]) => progress.map((p) => p.loss);

  it('lowers the Transformer masked-LM loss clearly', async (t) => {
    const config = encoderConfig({ arch: 'transformer', vocabSize: tokenizer.size, width: 64, layers: 2, heads: 4, maxLen: 32, dropout: 0.1, seed: 3 });
    const reports: PretrainProgress[] = [];
    // From ln(vocabSize): the loss falling is learning, the unigram distribution first.
    transformer = await pretrainEncoder(sequences, config, { steps: 100, batchSize: 16, learningRate: 2e-3, warmupSteps: 5, progressEvery: 1, onProgress: (p) => reports.push(p), tensorflow: tf, unigramStart: false });
    const first = mean(losses(reports).slice(0, 20));
    const last = mean(losses(reports).slice(-20));
    t.diagnostic(`MLM loss, mean of the first and last 20 steps: ${first.toFixed(3)} → ${last.toFixed(3)}`);
    assert.equal(reports.length, 100);
    assert.ok(first > 6.5, `the first steps should be near ln(2000) = 7.6, got ${first}`);
    assert.ok(last < first - 0.4, `loss went from ${first.toFixed(3)} to ${last.toFixed(3)}`);
    for (const r of reports) {
      assert.ok(Math.abs(r.perplexity - Math.exp(r.loss)) < 1e-9 * r.perplexity);
      assert.ok(r.tokensPerSecond > 0 && r.elapsedMs > 0);
    }
    const stats = transformer.stats!;
    assert.equal(stats.steps, 100);
    assert.equal(stats.tokens, 100 * 16 * 32);
    assert.equal(stats.stoppedBy, 'steps');
    assert.equal(stats.backend, tf.backend);
  });

  it('trains the sentence autoencoder: a text vector rebuilds its own window’s tokens, not another window’s', async (t) => {
    const config = encoderConfig({ arch: 'transformer', objective: 'autoencoder', vocabSize: tokenizer.size, width: 64, layers: 1, heads: 4, maxLen: 32, dropout: 0, seed: 4 });
    const windows = sequenceWindows(sequences, 'transformer', 32, tokenizer.size);
    const reports: PretrainProgress[] = [];
    const encoder = await pretrainEncoder(windows, config, { steps: 200, batchSize: 16, learningRate: 3e-3, warmupSteps: 5, progressEvery: 10, onProgress: (p) => reports.push(p), tensorflow: tf });
    try {
      // 200 windows, each scored against its own bag of tokens and against the next window's.
      const count = 200;
      const batch = Array.from({ length: count }, (_, w) => windows.ids.subarray(w * windows.length, (w + 1) * windows.length));
      const { hidden } = encoder.encode(batch);
      const pooled = new Float32Array(count * config.width);
      for (let w = 0; w < count; w++) for (let p = 0; p < windows.length; p++) for (let d = 0; d < config.width; d++) pooled[w * config.width + d] += hidden[(w * windows.length + p) * config.width + d] / windows.length;
      const logProbabilities = tf.tf.tidy(() => {
        const [logits] = encoder.network.logits([tf.tf.tensor2d(pooled, [count, config.width])]);
        return tf.tf.logSoftmax(logits).dataSync() as Float32Array;
      });
      const crossEntropy = (vectorOf: number, bagOf: number) => {
        const ids = Array.from(batch[bagOf]).filter((id) => id >= FIRST_ORDINARY_ID);
        return -ids.reduce((sum, id) => sum + logProbabilities[vectorOf * config.vocabSize + id], 0) / ids.length;
      };
      const own = mean(Array.from({ length: count }, (_, w) => crossEntropy(w, w)));
      const other = mean(Array.from({ length: count }, (_, w) => crossEntropy(w, (w + 1) % count)));
      t.diagnostic(`training loss ${reports[0].loss.toFixed(3)} → ${reports.at(-1)!.loss.toFixed(3)}; a vector against its own bag ${own.toFixed(3)}, against the next window's ${other.toFixed(3)}`);
      assert.ok(reports.at(-1)!.loss < reports[0].loss - 0.1, 'the training loss falls');
      assert.ok(own < other - 0.1, `each vector predicts its own window's tokens better (${own.toFixed(3)} vs ${other.toFixed(3)})`);
    } finally {
      encoder.dispose();
    }
  });

  it('pairs each architecture with its own objectives only', () => {
    assert.equal(encoderConfig({ arch: 'transformer', vocabSize: 100 }).objective, 'masked-lm');
    assert.equal(encoderConfig({ arch: 'lstm', vocabSize: 100 }).objective, 'next-token');
    assert.throws(() => encoderConfig({ arch: 'lstm', objective: 'autoencoder', vocabSize: 100 }), /a lstm pretrains by next-token, not "autoencoder"/);
  });

  it('lowers the LSTM next-token loss clearly', async (t) => {
    const config = encoderConfig({ arch: 'lstm', vocabSize: tokenizer.size, width: 64, layers: 1, maxLen: 24, dropout: 0, seed: 5 });
    const reports: PretrainProgress[] = [];
    lstm = await pretrainEncoder(sequences, config, { steps: 80, batchSize: 16, learningRate: 3e-3, warmupSteps: 5, progressEvery: 1, onProgress: (p) => reports.push(p), tensorflow: tf, unigramStart: false });
    const first = mean(losses(reports).slice(0, 20));
    const last = mean(losses(reports).slice(-20));
    t.diagnostic(`next-token loss, mean of the first and last 20 steps: ${first.toFixed(3)} → ${last.toFixed(3)}`);
    assert.ok(last < first - 0.5, `loss went from ${first.toFixed(3)} to ${last.toFixed(3)}`);
    assert.equal(lstm.stats!.tokens, 80 * 16 * 24);
  });

  it('starts a new encoder at the unigram loss of its text (by default), not at ln(vocabSize)', async (t) => {
    const config = encoderConfig({ arch: 'lstm', vocabSize: tokenizer.size, width: 32, layers: 1, maxLen: 24, dropout: 0, seed: 6 });
    // The cross-entropy of the text's own token frequencies: what predicting the unigram scores.
    const windows = sequenceWindows(sequences, 'lstm', 24, tokenizer.size);
    const counts = new Float64Array(tokenizer.size).fill(1);
    for (const id of windows.ids) counts[id]++;
    const total = counts.reduce((a, b) => a + b, 0);
    let entropy = 0;
    for (let w = 0; w < windows.count; w++) for (let i = 1; i < windows.length; i++) entropy -= Math.log(counts[windows.ids[w * windows.length + i]] / total);
    entropy /= windows.count * (windows.length - 1);
    const firstLoss = async (unigramStart: boolean) => {
      const reports: PretrainProgress[] = [];
      // A rate this small leaves the first step's loss to the starting weights.
      const encoder = await pretrainEncoder(windows, config, { steps: 1, batchSize: 64, learningRate: 1e-9, progressEvery: 1, onProgress: (p) => reports.push(p), tensorflow: tf, unigramStart });
      encoder.dispose();
      return reports[0].loss;
    };
    const unigram = await firstLoss(true);
    const uniform = await firstLoss(false);
    t.diagnostic(`first-step loss: ${unigram.toFixed(3)} from the unigram start, ${uniform.toFixed(3)} without; unigram cross-entropy ${entropy.toFixed(3)}, ln(vocab) ${Math.log(tokenizer.size).toFixed(3)}`);
    assert.ok(Math.abs(unigram - entropy) < 0.3, `starts near the unigram cross-entropy ${entropy.toFixed(3)}, got ${unigram.toFixed(3)}`);
    assert.ok(Math.abs(uniform - Math.log(tokenizer.size)) < 0.3, `without it, near ln(vocab), got ${uniform.toFixed(3)}`);
    assert.ok(unigram < uniform - 1, 'the unigram start is well below the uniform one');
  });

  it('makes the Transformer use context: masked tokens that their neighbours give away are learnt far below the unigram loss', async (t) => {
    // Each text repeats a random motif of 4 tokens, so a masked token is the one 4 places away;
    // without attention and positions nothing beats the unigram entropy ln(35) = 3.56.
    const random = new Random(11);
    const texts = Array.from({ length: 400 }, () => {
      const motif = Array.from({ length: 4 }, () => FIRST_ORDINARY_ID + Math.floor(random.float() * 35));
      return Array.from({ length: 30 }, (_, i) => motif[i % 4]);
    });
    const config = encoderConfig({ arch: 'transformer', vocabSize: FIRST_ORDINARY_ID + 35, width: 32, layers: 2, heads: 4, maxLen: 16, dropout: 0, seed: 2 });
    const reports: PretrainProgress[] = [];
    const encoder = await pretrainEncoder(texts, config, { steps: 400, batchSize: 16, learningRate: 3e-3, warmupSteps: 10, progressEvery: 10, onProgress: (p) => reports.push(p), tensorflow: tf });
    encoder.dispose();
    const last = mean(losses(reports).slice(-5));
    t.diagnostic(`motif MLM loss over the last 50 steps: ${last.toFixed(3)} (unigram: 3.56)`);
    assert.ok(last < 2, `loss ${last}`);
  });

  it('reports the loss as the float64 mean of each window of steps', async () => {
    const config = encoderConfig({ arch: 'transformer', vocabSize: tokenizer.size, width: 32, layers: 1, heads: 2, maxLen: 16, dropout: 0, seed: 9 });
    const run = async (progressEvery: number) => {
      const reports: PretrainProgress[] = [];
      const encoder = await pretrainEncoder(sequences, config, { steps: 6, batchSize: 4, progressEvery, onProgress: (p) => reports.push(p), tensorflow: tf });
      encoder.dispose();
      return reports;
    };
    const tensorsBefore = tf.tf.memory().numTensors;
    const single = await run(1);
    const windows = await run(4);
    assert.equal(tf.tf.memory().numTensors, tensorsBefore, 'training leaked tensors');
    // The same seed gives the same steps, so the windows are means of the single steps.
    assert.deepEqual(windows.map((r) => r.step), [4, 6]);
    assert.equal(windows[0].loss, mean(single.slice(0, 4).map((r) => r.loss)));
    assert.equal(windows[1].loss, mean(single.slice(4).map((r) => r.loss)));
  });

  it('stops with an AbortError when its signal fires, and at once when already aborted', async () => {
    const config = encoderConfig({ arch: 'lstm', vocabSize: tokenizer.size, width: 32, layers: 1, maxLen: 16, dropout: 0 });
    const controller = new AbortController();
    let steps = 0;
    await assert.rejects(
      pretrainEncoder(sequences, config, { steps: 1000, batchSize: 4, progressEvery: 1, signal: controller.signal, tensorflow: tf, onProgress: (p) => (steps = p.step) === 3 && controller.abort() }),
      { name: 'AbortError' },
    );
    assert.equal(steps, 3);
    await assert.rejects(pretrainEncoder(sequences, config, { steps: 5, signal: AbortSignal.abort(), tensorflow: tf }), { name: 'AbortError' });
    await assert.rejects(pretrainEncoder(sequences, config, { tensorflow: tf }), /give steps or minutes/);
    const timed = await pretrainEncoder(sequences, config, { minutes: 0.5 / 60, batchSize: 4, tensorflow: tf });
    assert.equal(timed.stats!.stoppedBy, 'minutes');
    assert.ok(timed.stats!.steps >= 1 && timed.stats!.elapsedMs >= 500, JSON.stringify(timed.stats));
    timed.dispose();
  });

  it('calls the checkpoint every N steps with the live encoder', async () => {
    const config = encoderConfig({ arch: 'transformer', vocabSize: tokenizer.size, width: 32, layers: 1, heads: 2, maxLen: 16, dropout: 0 });
    const saved: number[] = [];
    const dir = path.join(tmp, 'checkpoint');
    const encoder = await pretrainEncoder(sequences, config, {
      steps: 7,
      batchSize: 4,
      tensorflow: tf,
      checkpoint: { everySteps: 3, save: async (e, stats) => (saved.push(stats.steps), await saveEncoder(dir, e, undefined, { replace: true })) },
    });
    encoder.dispose();
    assert.deepEqual(saved, [3, 6]);
    const { encoder: loaded, manifest } = await loadEncoder(dir, { tensorflow: tf });
    assert.equal(manifest.training?.steps, 6);
    loaded.dispose();
  });
});

describe('encoding, saving and loading', () => {
  const sample = () => [
    encoderInput(transformer!.config, tokenizer.encode('It was a bright cold day in April, and the clocks were striking thirteen.')),
    encoderInput(transformer!.config, tokenizer.encode('Call me Ishmael.')),
  ];

  it('gives hidden states, attention maps that sum to 1 over the real tokens, and sentence vectors', () => {
    const batch = sample();
    const out = transformer!.encode(batch, { attention: true });
    const { width, heads, layers } = transformer!.config;
    assert.equal(out.length, batch[0].length);
    assert.equal(out.hidden.length, 2 * out.length * width);
    assert.equal(out.attention!.length, layers);
    const T = out.length;
    const short = batch[1].length;
    for (const map of out.attention!) {
      assert.equal(map.length, 2 * heads * T * T);
      // Second sequence, head 0, first query: its weights on padding keys are 0.
      const row = map.subarray((1 * heads + 0) * T * T, (1 * heads + 0) * T * T + T);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      for (let k = short; k < T; k++) assert.equal(row[k], 0);
    }
    // Padding does not change the states of the real tokens.
    const alone = transformer!.encode([batch[1]]);
    for (let i = 0; i < short * width; i++) assert.ok(Math.abs(alone.hidden[i] - out.hidden[T * width + i]) < 1e-4);
    const vector = transformer!.sentenceVector(batch[1]);
    assert.equal(vector.length, width);
    assert.ok(vector.every(Number.isFinite));
    assert.throws(() => transformer!.encode([new Array(40).fill(7)]), /at most 32/);
    assert.throws(() => transformer!.encode([[5, 99999]]), /outside this encoder's vocabulary/);
  });

  it('reproduces encode outputs bit for bit after save and load, for both architectures', async () => {
    for (const [name, encoder] of [['transformer', transformer!], ['lstm', lstm!]] as const) {
      const dir = path.join(tmp, name);
      await saveEncoder(dir, encoder, tokenizer.toJSON());
      const { encoder: loaded, manifest, tokenizerJson } = await loadEncoder(dir, { tensorflow: tf });
      try {
        assert.deepEqual(manifest.config, encoder.config);
        assert.equal(manifest.training?.steps, encoder.stats!.steps);
        const reread = BpeTokenizer.fromJSON(tokenizerJson);
        const batch = sample().map((ids) => (name === 'lstm' ? ids.slice(1, -1) : ids));
        assert.deepEqual(reread.encode('Call me Ishmael.'), tokenizer.encode('Call me Ishmael.'));
        const before = encoder.encode(batch, { attention: true });
        const after = loaded.encode(batch, { attention: true });
        assert.deepEqual(Buffer.from(after.hidden.buffer), Buffer.from(before.hidden.buffer));
        if (name === 'transformer') after.attention!.forEach((a, i) => assert.deepEqual(Buffer.from(a.buffer), Buffer.from(before.attention![i].buffer)));
        assert.deepEqual(loaded.sentenceVector(batch[0]), encoder.sentenceVector(batch[0]));
      } finally {
        loaded.dispose();
      }
      await assert.rejects(saveEncoder(dir, encoder), /already exists/);
    }
  });

  it('continues training from a loaded encoder, not from scratch', async () => {
    const { encoder: loaded } = await loadEncoder(path.join(tmp, 'transformer'), { tensorflow: tf });
    const reports: PretrainProgress[] = [];
    const continued = await pretrainEncoder(sequences, loaded.config, { from: loaded, steps: 3, batchSize: 16, progressEvery: 1, onProgress: (p) => reports.push(p), tensorflow: tf });
    try {
      // A fresh encoder starts near ln(2000) = 7.6; this one where the first run ended.
      assert.ok(reports[0].loss < transformer!.stats!.finalLoss + 0.4, `first loss ${reports[0].loss}, first run ended at ${transformer!.stats!.finalLoss}`);
      await assert.rejects(pretrainEncoder(sequences, { ...loaded.config, width: 32, heads: 4, ffn: 128 }, { from: loaded, steps: 1, tensorflow: tf }), /the encoder has width 64 but the config asks for 32/);
    } finally {
      continued.dispose();
      loaded.dispose();
    }
  });

  it('refuses a truncated weights.bin, a wrong shape and a missing folder with a clear message', async () => {
    const dir = path.join(tmp, 'damaged');
    await saveEncoder(dir, lstm!);
    const weights = path.join(dir, ENCODER_WEIGHTS_FILE);
    const size = readFileSync(weights).length;
    truncateSync(weights, size - 4);
    await assert.rejects(loadEncoder(dir, { tensorflow: tf }), /weights\.bin: \d+ bytes, but encoder\.json lists \d+ float32 values .*truncated/);
    const manifestPath = path.join(dir, 'encoder.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.config.width = 48;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await assert.rejects(loadEncoder(dir, { tensorflow: tf }), /tensor 1 is embeddings\/tokens \[2000×64\] but its config needs embeddings\/tokens \[2000×48\]/);
    await assert.rejects(loadEncoder(path.join(tmp, 'nothing-here'), { tensorflow: tf }), /cannot read the encoder description/);
  });

  it('starts from the same weights for the same seed', () => {
    const config: EncoderConfig = encoderConfig({ arch: 'transformer', vocabSize: 50, width: 16, layers: 1, heads: 2, maxLen: 8 });
    const a = createEncoder(tf.tf, config);
    const b = createEncoder(tf.tf, config);
    try {
      const ids = [[CLS_ID, 7, 8, 9, SEP_ID, PAD_ID]];
      assert.deepEqual(a.encode(ids).hidden, b.encode(ids).hidden);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

// Throughput at laptop sizes, printed, not asserted (the machine is shared): NEURAL_BENCH=1 to run.
describe('throughput', { skip: !process.env.NEURAL_BENCH }, () => {
  for (const [arch, partial] of [
    ['transformer', { width: 128, layers: 2, heads: 4, maxLen: 64 }],
    ['lstm', { width: 256, layers: 1, maxLen: 64 }],
  ] as const) {
    it(`${arch}: tokens per second`, async () => {
      const config = encoderConfig({ arch, vocabSize: tokenizer.size, dropout: 0.1, ...partial });
      const reports: PretrainProgress[] = [];
      const encoder = await pretrainEncoder(sequences, config, { steps: 12, batchSize: 32, progressEvery: 4, onProgress: (p) => reports.push(p), tensorflow: tf });
      encoder.dispose();
      // The first window includes tfjs's warm-up.
      const steady = reports.slice(1).map((r) => r.tokensPerSecond);
      console.log(`${arch} ${JSON.stringify(partial)} batch 32, vocab ${tokenizer.size}, ${tf.backend}: ${Math.round(mean(steady))} tokens/s (windows: ${reports.map((r) => Math.round(r.tokensPerSecond)).join(', ')})`);
    });
  }
});
