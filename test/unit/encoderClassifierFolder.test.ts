// Classifiers on a pretrained encoder, saved and loaded (encoderClassifierFolder.ts): on a small slice
// of SMS spam with a tiny, briefly pretrained Transformer, a classifier loaded from its folder gives
// the same probabilities bit for bit as the one in memory, for every way of training ('frozen' must
// keep its standardiser, 'top' and 'all' their fine-tuned encoder, 'scratch' the network it trained
// from random weights); the trainer's predict job reads it; an existing folder is never replaced; a
// truncated file is named; and the CLI trains, saves and predicts with one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTensorflow, type LoadedTensorflow } from '../../src/core/classify/tfBackend';
import type { LabelledText } from '../../src/core/classify/trainClassifier';
import { trainBpe, type BpeTokenizer } from '../../src/core/neural/bpe';
import { encoderConfig, type EncoderConfig } from '../../src/core/neural/config';
import { createEncoder, type Encoder } from '../../src/core/neural/encoder';
import { saveEncoder } from '../../src/core/neural/encoderFolder';
import { loadAnyClassifier, loadEncoderClassifier, saveEncoderClassifier } from '../../src/core/neural/encoderClassifierFolder';
import { pretrainEncoder } from '../../src/core/neural/pretrain';
import { sequenceWindows } from '../../src/core/neural/windows';
import { trainEncoderClassifier, type EncoderClassifier, type EncoderTraining } from '../../src/core/neural/fineTune';
import type { TrainerToHost } from '../../src/shared/protocol';
import { runClassifyPredictJob } from '../../src/trainer/classifierJob';
import { builtFile, repoRoot } from './builtDist';

const SMS = path.resolve(repoRoot, '..', 'shared', 'data', 'classification', 'sms-spam', 'SMSSpamCollection.tsv');
const FOLDER_FILES = ['classifier.json', 'encoder.json', 'head.bin', 'tokenizer.json', 'weights.bin'];

function smsRows(): string[] {
  const rows = readFileSync(SMS, 'utf8').split('\n').filter((l) => l.includes('\t'));
  // A fixed interleaving so every slice has both classes in their natural share.
  return rows.filter((_, i) => i % 7 !== 3).concat(rows.filter((_, i) => i % 7 === 3));
}

const asText = (row: string): LabelledText => ({ label: row.slice(0, row.indexOf('\t')), text: row.slice(row.indexOf('\t') + 1) });

/** Bytes of every probability vector, for a bit-for-bit comparison. */
const bytesOf = (probabilities: Float32Array[]) => Buffer.concat(probabilities.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));

describe('a classifier on a pretrained encoder, saved as a folder', () => {
  const rows = smsRows();
  const sms = rows.map(asText);
  const train = sms.slice(0, 240);
  const validation = sms.slice(240, 340);
  const probe = sms.slice(3000, 3120).map((t) => t.text);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-enc-clf-'));
  let tensorflow: LoadedTensorflow;
  let tokenizer: BpeTokenizer;
  let config: EncoderConfig;
  let pretrainedTensors: Float32Array[];
  const encoderDir = path.join(dir, 'encoder');
  // Folders the later tests break copies of.
  const saved: Partial<Record<EncoderTraining, string>> = {};

  /** A fresh copy of the pretrained encoder: 'all' changes the one it is given. */
  const pretrained = (): Encoder => {
    const copy = createEncoder(tensorflow.tf, config);
    copy.table.set(pretrainedTensors[0]);
    tensorflow.tf.tidy(() => copy.network.weights.forEach((w, i) => w.variable.assign(tensorflow.tf.tensor(pretrainedTensors[i + 1], w.variable.shape))));
    return copy;
  };

  const trainOn = (encoder: Encoder, training: EncoderTraining): Promise<EncoderClassifier> =>
    trainEncoderClassifier({ encoder, tokenizer, train, validation, labels: ['ham', 'spam'], training, epochs: 2, patience: 2, batchSize: 16, maxTokens: 24, seed: 1 });

  before(async () => {
    tensorflow = await loadTensorflow();
    const texts = sms.slice(0, 2000).map((t) => t.text);
    tokenizer = await trainBpe(texts, { vocabSize: 600 });
    config = encoderConfig({ arch: 'transformer', vocabSize: tokenizer.size, width: 32, layers: 2, heads: 2, maxLen: 32, seed: 3 });
    const windows = sequenceWindows(texts.map((t) => tokenizer.encode(t)), 'transformer', config.maxLen, tokenizer.size);
    const encoder = await pretrainEncoder(windows, config, { steps: 30, batchSize: 16, learningRate: 2e-3, tensorflow });
    pretrainedTensors = encoder.tensors().map((t) => Float32Array.from(t.values));
    await saveEncoder(encoderDir, encoder, tokenizer.toJSON());
    encoder.dispose();
  });

  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const training of ['frozen', 'top', 'all', 'scratch'] as EncoderTraining[]) {
    it(`${training}: the loaded classifier's probabilities equal the trained one's bit for bit`, async () => {
      const encoder = pretrained();
      const classifier = await trainOn(encoder, training);
      const inMemory = classifier.predict(probe);
      const target = path.join(dir, `clf-${training}`);
      await saveEncoderClassifier(target, classifier, tokenizer.toJSON(), { metrics: { accuracy: 0.5 }, encoderSource: encoderDir });
      classifier.dispose();
      encoder.dispose();
      saved[training] = target;

      assert.deepEqual(readdirSync(target).sort(), FOLDER_FILES);
      assert.ok(!readdirSync(dir).some((name) => name.startsWith('.tmp-')), 'no temporary folder left');
      const manifest = JSON.parse(readFileSync(path.join(target, 'classifier.json'), 'utf8'));
      assert.equal(manifest.format, 'transfer-lab-encoder-classifier');
      assert.equal(manifest.training, training);
      assert.deepEqual(manifest.labels, ['ham', 'spam']);
      assert.equal(manifest.maxTokens, 24);
      assert.deepEqual(manifest.metrics, { accuracy: 0.5 });
      if (training === 'frozen') assert.equal(manifest.standardiser.mean.length, config.width);
      else assert.equal(manifest.standardiser, null);

      const loaded = await loadAnyClassifier(target, { tensorflow });
      const predictions = loaded.predict(probe);
      loaded.dispose();
      assert.deepEqual(loaded.labels, ['ham', 'spam']);
      // Differing probabilities across texts, or the equality below would say little.
      assert.ok(new Set(inMemory.map((p) => p[0])).size > 10, 'the classifier tells the texts apart');
      assert.ok(bytesOf(predictions.map((p) => p.probabilities)).equals(bytesOf(inMemory)), 'the same probabilities, bit for bit');
      predictions.forEach((p, i) => assert.equal(p.label, inMemory[i][0] >= inMemory[i][1] ? 'ham' : 'spam'));
    });
  }

  it("all: the folder holds the fine-tuned encoder, not the pretrained one it started from", async () => {
    assert.ok(saved.all, 'the "all" test saved a classifier');
    const values = new Float32Array(readFileSync(path.join(saved.all!, 'weights.bin')).buffer.slice(0));
    const pretrainedValues = new Float32Array(pretrainedTensors.reduce((n, t) => n + t.length, 0));
    let at = 0;
    for (const t of pretrainedTensors) {
      pretrainedValues.set(t, at);
      at += t.length;
    }
    assert.equal(values.length, pretrainedValues.length);
    assert.ok(!Buffer.from(values.buffer).equals(Buffer.from(pretrainedValues.buffer)), 'training moved the encoder\'s weights, and those were saved');
  });

  it("the trainer's predict job (Classify File, Classify Selection) reads it: files and texts, ranked labels", async () => {
    assert.ok(saved.all, 'the "all" test saved a classifier');
    const file = path.join(dir, 'message.txt');
    await fs.writeFile(file, probe[0]);
    const messages: TrainerToHost[] = [];
    await runClassifyPredictJob('predict-1', { kind: 'classify-predict', classifierDir: saved.all!, files: [file], texts: [{ id: 'selection', text: probe[1] }] }, new AbortController().signal, (m) => messages.push(m));
    const done = messages.find((m) => m.type === 'predictions');
    assert.ok(done && done.type === 'predictions', JSON.stringify(messages));
    const loaded = await loadAnyClassifier(saved.all!, { tensorflow });
    // The job classifies the given texts first, then the files.
    const expected = loaded.predict([probe[1], probe[0]]);
    loaded.dispose();
    assert.deepEqual(done.predictions.map((p) => p.id), ['selection', file]);
    done.predictions.forEach((p, i) => {
      assert.equal(p.label, expected[i].label);
      assert.equal(p.confidence, Math.max(...expected[i].probabilities));
      assert.deepEqual(p.ranked.map((r) => r.label).sort(), ['ham', 'spam']);
      assert.equal(p.ranked[0].label, p.label);
    });
  });

  it('refuses to save over an existing folder (even an empty one), leaving it as it was', async () => {
    const encoder = pretrained();
    const classifier = await trainEncoderClassifier({ encoder, tokenizer, train: train.slice(0, 60), validation: validation.slice(0, 30), labels: ['ham', 'spam'], training: 'frozen', epochs: 1, maxTokens: 24 });
    try {
      const occupied = path.join(dir, 'occupied');
      await fs.mkdir(occupied);
      await fs.writeFile(path.join(occupied, 'notes.txt'), 'mine');
      await assert.rejects(saveEncoderClassifier(occupied, classifier, tokenizer.toJSON()), /Could not save the classifier as .*occupied: a file or folder of that name already exists, and a classifier is never replaced/);
      assert.deepEqual(readdirSync(occupied), ['notes.txt']);
      assert.equal(readFileSync(path.join(occupied, 'notes.txt'), 'utf8'), 'mine');
      const empty = path.join(dir, 'empty');
      await fs.mkdir(empty);
      await assert.rejects(saveEncoderClassifier(empty, classifier, tokenizer.toJSON()), /already exists/);
      assert.deepEqual(readdirSync(empty), []);
      assert.ok(!readdirSync(dir).some((name) => name.startsWith('.tmp-')), 'no temporary folder left');
    } finally {
      classifier.dispose();
      encoder.dispose();
    }
  });

  it('a truncated or inconsistent file is named, with what to do', async () => {
    assert.ok(saved.frozen, 'the "frozen" test saved a classifier');
    const broken = async (name: string, breakIt: (folder: string) => Promise<void>) => {
      const folder = path.join(dir, name);
      await fs.cp(saved.frozen!, folder, { recursive: true });
      await breakIt(folder);
      return folder;
    };
    const shorten = (file: string) => async (folder: string) => fs.truncate(path.join(folder, file), (await fs.stat(path.join(folder, file))).size - 4);

    const weights = await broken('short-weights', shorten('weights.bin'));
    await assert.rejects(loadAnyClassifier(weights, { tensorflow }), /short-weights\/weights\.bin: \d+ bytes, but encoder\.json describes \d+: the file is truncated.*train it again/);
    const head = await broken('short-head', shorten('head.bin'));
    await assert.rejects(loadEncoderClassifier(head, { tensorflow }), /short-head\/head\.bin: \d+ bytes, but classifier\.json describes \d+: the file is truncated.*train it again/);

    const edit = (change: (manifest: Record<string, unknown>) => void) => async (folder: string) => {
      const file = path.join(folder, 'classifier.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      change(manifest);
      await fs.writeFile(file, JSON.stringify(manifest));
    };
    const labels = await broken('three-labels', edit((m) => (m.labels = ['ham', 'spam', 'eggs'])));
    await assert.rejects(loadAnyClassifier(labels, { tensorflow }), /tensor "classifier\/kernel" is 32×2, but the encoder's width 32 and the 3 labels need 32×3/);
    const noStandardiser = await broken('no-standardiser', edit((m) => (m.standardiser = null)));
    await assert.rejects(loadAnyClassifier(noStandardiser, { tensorflow }), /a frozen classifier needs "standardiser" with 32 finite numbers/);
    const unknown = await broken('unknown-format', edit((m) => (m.format = 'someone-elses-classifier')));
    await assert.rejects(loadAnyClassifier(unknown, { tensorflow }), /format "someone-elses-classifier" is not a classifier this version of Transfer Lab reads/);
    await assert.rejects(loadAnyClassifier(encoderDir, { tensorflow }), /not a classifier folder \(cannot read classifier\.json/);
  });

  it('the CLI: classify train --encoder … --out writes the classifier, and classify predict labels files with it', async () => {
    const cliPath = builtFile('cli.js', ['src']);
    const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, encoding: 'utf8' });
    const data = path.join(dir, 'sms.tsv');
    await fs.writeFile(data, rows.slice(0, 400).join('\n') + '\n');
    const out = path.join(dir, 'cli-clf');
    const trained = cli('classify', 'train', data, '--encoder', encoderDir, '--encoder-training', 'frozen', '--epochs', '2', '--max-tokens', '24', '--out', out, '--json');
    assert.equal(trained.status, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout.trim());
    assert.equal(summary.out, out);
    assert.deepEqual(readdirSync(out).sort(), FOLDER_FILES);
    const manifest = JSON.parse(readFileSync(path.join(out, 'classifier.json'), 'utf8'));
    assert.equal(manifest.training, 'frozen');
    assert.equal(manifest.encoderSource, encoderDir);
    assert.equal(manifest.metrics.accuracy, summary.accuracy, 'the test results are kept with the classifier');

    const again = cli('classify', 'train', data, '--encoder', encoderDir, '--out', out);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists: choose a new --out folder/);

    const files = path.join(dir, 'messages');
    await fs.mkdir(files);
    const texts = sms.slice(3200, 3206);
    await Promise.all(texts.map((t, i) => fs.writeFile(path.join(files, `message${i}.txt`), t.text)));
    const predicted = cli('classify', 'predict', out, files, '--json');
    assert.equal(predicted.status, 0, predicted.stderr);
    const results = JSON.parse(predicted.stdout.trim()) as { file: string; label: string; confidence: number }[];
    assert.equal(results.length, texts.length);
    // The same labels as the classifier gives in this process, for the same files in the same order.
    const loaded = await loadAnyClassifier(out, { tensorflow });
    const expected = loaded.predict(await Promise.all(results.map((r) => fs.readFile(path.join(files, r.file), 'utf8'))));
    loaded.dispose();
    results.forEach((r, i) => {
      assert.equal(r.label, expected[i].label, r.file);
      assert.ok(Math.abs(r.confidence - Math.max(...expected[i].probabilities)) < 1e-6, `${r.file}: ${r.confidence}`);
    });
    assert.ok(existsSync(path.join(files, results[0].file)));
  });
});
