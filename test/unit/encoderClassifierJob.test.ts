// The trainer's classifier job on a pretrained encoder (Train Classifier… with an encoder picked):
// on a small slice of SMS spam with a tiny, briefly pretrained Transformer, runClassifyTrainJob reads
// and splits the data as for word vectors, streams one classifierEpoch per epoch, ends with a
// classifierDone the protocol accepts (test accuracy, macro-F1, per-label metrics, misclassified
// examples), and writes a classifier folder loadAnyClassifier opens; a cancelled job writes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTensorflow } from '../../src/core/classify/tfBackend';
import { trainBpe } from '../../src/core/neural/bpe';
import { encoderConfig } from '../../src/core/neural/config';
import { saveEncoder } from '../../src/core/neural/encoderFolder';
import { loadAnyClassifier } from '../../src/core/neural/encoderClassifierFolder';
import { pretrainEncoder } from '../../src/core/neural/pretrain';
import { sequenceWindows } from '../../src/core/neural/windows';
import type { ClassifyTrainOnEncoderJob } from '../../src/shared/classifierProtocol';
import { parseTrainerToHost, type TrainerToHost } from '../../src/shared/protocol';
import { runClassifyTrainJob } from '../../src/trainer/classifierJob';
import { repoRoot } from './builtDist';

const SMS = path.resolve(repoRoot, '..', 'shared', 'data', 'classification', 'sms-spam', 'SMSSpamCollection.tsv');

describe("the trainer's classifier job on a pretrained encoder", () => {
  const rows = readFileSync(SMS, 'utf8').split('\n').filter((l) => l.includes('\t'));
  // A fixed interleaving so the slice has both classes in their natural share.
  const slice = rows.filter((_, i) => i % 7 !== 3).slice(0, 300);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-enc-clf-job-'));
  const encoderDir = path.join(dir, 'encoders', 'tiny-transformer');
  const dataPath = path.join(dir, 'sms.tsv');

  const jobFor = (name: string, encoderTraining: ClassifyTrainOnEncoderJob['encoderTraining']): ClassifyTrainOnEncoderJob => ({
    kind: 'classify-train',
    dataPath,
    data: {},
    encoderDir,
    encoderTraining,
    settings: { epochs: 2, patience: 2, batchSize: 16, maxTokens: 24, seed: 1 },
    classifierDir: path.join(dir, 'classifiers', name),
    name,
  });

  before(async () => {
    const tensorflow = await loadTensorflow();
    const texts = rows.slice(0, 1500).map((r) => r.slice(r.indexOf('\t') + 1));
    const tokenizer = await trainBpe(texts, { vocabSize: 500 });
    const config = encoderConfig({ arch: 'transformer', vocabSize: tokenizer.size, width: 32, layers: 1, heads: 2, maxLen: 32, seed: 3 });
    const windows = sequenceWindows(texts.map((t) => tokenizer.encode(t)), 'transformer', config.maxLen, tokenizer.size);
    const encoder = await pretrainEncoder(windows, config, { steps: 20, batchSize: 16, learningRate: 2e-3, tensorflow });
    await saveEncoder(encoderDir, encoder, tokenizer.toJSON());
    encoder.dispose();
    await fs.mkdir(path.join(dir, 'classifiers'));
    await fs.writeFile(dataPath, slice.join('\n') + '\n');
  });

  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('frozen: epochs as they end, then the test results, and a classifier folder that loads', async () => {
    const job = jobFor('sms-transformer-frozen', 'frozen');
    const messages: TrainerToHost[] = [];
    await runClassifyTrainJob('clf-1', job, new AbortController().signal, (m) => messages.push(m));
    // Every message is one the host accepts, exactly as sent.
    for (const m of messages) assert.deepEqual(parseTrainerToHost(JSON.parse(JSON.stringify(m))), m, m.type);

    const dataset = messages.find((m) => m.type === 'classifierDataset');
    assert.ok(dataset && dataset.type === 'classifierDataset');
    assert.deepEqual(dataset.dataset.labels, ['ham', 'spam']);
    assert.equal(dataset.dataset.examples, 300);
    assert.equal(dataset.dataset.train + dataset.dataset.validation + dataset.dataset.test, 300);

    const epochs = messages.filter((m) => m.type === 'classifierEpoch');
    assert.ok(epochs.length >= 1 && epochs.length <= 2, `${epochs.length} epochs`);
    const done = messages[messages.length - 1];
    assert.ok(done.type === 'classifierDone', done.type);
    const result = done.result;
    assert.equal(result.name, job.name);
    assert.equal(result.classifierDir, job.classifierDir);
    assert.equal(result.arch, 'transformer');
    assert.equal(result.encoderTraining, 'frozen');
    assert.equal(result.embeddings, 'frozen');
    assert.equal(result.vectorsName, 'tiny-transformer');
    assert.equal(result.history.length, epochs.length);
    assert.equal(result.report.perClass.length, 2);
    assert.equal(result.report.perClass.reduce((n, c) => n + c.support, 0), dataset.dataset.test);
    assert.ok(result.report.accuracy >= 0 && result.report.accuracy <= 1);
    // A mistake is listed for every wrong test prediction (capped), most confident first.
    const wrong = result.report.confusion.reduce((n, row, i) => n + row.reduce((s, c, j) => s + (i === j ? 0 : c), 0), 0);
    assert.equal(result.misclassified.length, wrong);
    for (let i = 1; i < result.misclassified.length; i++) assert.ok(result.misclassified[i - 1].confidence >= result.misclassified[i].confidence);

    const manifest = JSON.parse(await fs.readFile(path.join(job.classifierDir, 'classifier.json'), 'utf8'));
    assert.equal(manifest.training, 'frozen');
    assert.equal(manifest.encoderSource, encoderDir);
    // Classify File's list reads the test accuracy from here.
    assert.equal(manifest.metrics.accuracy, result.report.accuracy);
    const classifier = await loadAnyClassifier(job.classifierDir);
    try {
      assert.deepEqual([...classifier.labels], ['ham', 'spam']);
      const [prediction] = classifier.predict(['WINNER!! Claim your free prize now, call 09061701461']);
      assert.ok(['ham', 'spam'].includes(prediction.label));
    } finally {
      classifier.dispose();
    }
  });

  it('cancelled: it stops with an AbortError and writes no classifier', async () => {
    const job = jobFor('sms-transformer-all', 'all');
    const controller = new AbortController();
    const epochs: number[] = [];
    await assert.rejects(
      runClassifyTrainJob('clf-2', job, controller.signal, (m) => {
        if (m.type === 'classifierDataset') controller.abort();
        if (m.type === 'classifierEpoch') epochs.push(m.epoch.epoch);
      }),
      (error: Error) => error.name === 'AbortError',
    );
    assert.deepEqual(epochs, []);
    assert.equal(existsSync(job.classifierDir), false);
  });

  it('refuses a classifier folder that exists, before reading anything', async () => {
    const job = jobFor('sms-transformer-frozen', 'frozen');
    await assert.rejects(runClassifyTrainJob('clf-3', job, new AbortController().signal, () => undefined), /already exists/);
  });
});
