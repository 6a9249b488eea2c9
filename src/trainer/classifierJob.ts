// Classifier jobs in the trainer process: train a classifier (on word vectors or on a pretrained
// encoder) and score it on the test split, draw the transfer-gain curve, or classify files and texts
// with a saved classifier. TensorFlow.js runs here, never in the extension host.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { saveClassifier } from '../core/classify/classifierFormat';
import { splitDataset, trainAndTest, transferGainCurve, type TestResult } from '../core/classify/classifyRuns';
import { loadLabelledData, type LabelledDataset } from '../core/classify/labelledData';
import { loadTensorflow } from '../core/classify/tfBackend';
import type { DataSplit } from '../core/classify/splits';
import { loadModelVectors } from '../core/modelFolder';
import { loadAnyClassifier } from '../core/neural/encoderClassifierFolder';
import { trainAndTestOnEncoder } from '../core/neural/encoderClassifierRuns';
import {
  ENCODER_TRAINING_EMBEDDINGS,
  MAX_MISCLASSIFIED,
  type ClassifyCurveJob,
  type ClassifyPredictJob,
  type ClassifyTrainJob,
  type ClassifyTrainOnEncoderJob,
  type DatasetSummary,
  type Prediction,
} from '../shared/classifierProtocol';
import type { TrainerToHost } from '../shared/protocol';

type Emit = (message: TrainerToHost) => void;

async function tensorflow(runId: string, emit: Emit) {
  const loaded = await loadTensorflow();
  emit({ type: 'log', runId, level: 'info', message: `TensorFlow.js backend: ${loaded.note}` });
  return loaded;
}

function summarise(dataset: LabelledDataset, split: DataSplit & { given: boolean }): DatasetSummary {
  return {
    path: dataset.path,
    examples: dataset.examples.length,
    labels: dataset.labels,
    counts: dataset.labels.map((label) => dataset.examples.filter((e) => e.label === label).length),
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
    givenSplit: split.given,
    skipped: dataset.skipped.map(({ reason, count }) => ({ reason, count })),
  };
}

async function vectorsOf(dir: string) {
  const { manifest, vectors } = await loadModelVectors(dir);
  return { vectors, name: manifest.name || path.basename(dir) };
}

export async function runClassifyTrainJob(runId: string, job: ClassifyTrainJob, signal: AbortSignal, emit: Emit): Promise<void> {
  if (await fs.stat(job.classifierDir).catch(() => undefined)) throw new Error(`${job.classifierDir} already exists; a classifier is never overwritten.`);
  if (job.encoderDir !== undefined) return runClassifyTrainOnEncoder(runId, job, signal, emit);
  const [dataset, pretrained, loaded] = await Promise.all([
    loadLabelledData(job.dataPath, job.data),
    job.vectorsDir ? vectorsOf(job.vectorsDir) : Promise.resolve(undefined),
    tensorflow(runId, emit),
  ]);
  const split = splitDataset(dataset, job.settings.seed);
  const summary = summarise(dataset, split);
  emit({ type: 'classifierDataset', runId, dataset: summary, backend: loaded.backend });
  const { classifier, result } = await trainAndTest(
    split,
    dataset.labels,
    { ...job.settings, vectorsSource: pretrained?.name },
    pretrained?.vectors,
    { signal, tensorflow: loaded, onEpoch: (epoch) => emit({ type: 'classifierEpoch', runId, epoch }) },
  );
  const coverage = classifier.settings.coverage;
  await saveClassifier(classifier, job.classifierDir, { metrics: metricsOf(result, summary) });
  classifier.dispose();
  emit({
    type: 'classifierDone',
    runId,
    result: {
      name: job.name,
      classifierDir: job.classifierDir,
      arch: job.settings.arch,
      embeddings: job.settings.embeddings,
      ...(pretrained && { vectorsName: pretrained.name }),
      ...(coverage && { coverage }),
      backend: loaded.backend,
      dataset: summary,
      ...testOutcome(result),
    },
  });
}

/**
 * A classifier on a pretrained encoder: the data read and split exactly as for word vectors, then
 * trainAndTestOnEncoder, which saves the folder (loadAnyClassifier opens it) before freeing the
 * weights. The same messages as a word-vector run, so the panel and the Runs view show it alike.
 */
async function runClassifyTrainOnEncoder(runId: string, job: ClassifyTrainOnEncoderJob, signal: AbortSignal, emit: Emit): Promise<void> {
  const [dataset, loaded] = await Promise.all([loadLabelledData(job.dataPath, job.data), tensorflow(runId, emit)]);
  const split = splitDataset(dataset, job.settings.seed);
  const summary = summarise(dataset, split);
  emit({ type: 'classifierDataset', runId, dataset: summary, backend: loaded.backend });
  const { seed, epochs, batchSize, learningRate, maxTokens, patience } = job.settings;
  const result = await trainAndTestOnEncoder(
    job.encoderDir,
    split,
    dataset.labels,
    job.encoderTraining,
    { seed, epochs, batchSize, learningRate, maxTokens, patience, signal, onEpoch: (epoch) => emit({ type: 'classifierEpoch', runId, epoch }) },
    { dir: job.classifierDir, metrics: (r) => metricsOf(r, summary) },
  );
  emit({
    type: 'classifierDone',
    runId,
    result: {
      name: job.name,
      classifierDir: job.classifierDir,
      arch: result.arch,
      embeddings: ENCODER_TRAINING_EMBEDDINGS[job.encoderTraining],
      vectorsName: path.basename(job.encoderDir),
      encoderTraining: job.encoderTraining,
      backend: loaded.backend,
      dataset: summary,
      ...testOutcome(result),
    },
  });
}

/** The part of a "classifierDone" result that a word-vector and an encoder run report alike. */
function testOutcome(result: Pick<TestResult, 'report' | 'bestEpoch' | 'history' | 'trainSeconds' | 'misclassified'>) {
  return { report: result.report, misclassified: result.misclassified.slice(0, MAX_MISCLASSIFIED), bestEpoch: result.bestEpoch, history: result.history, trainSeconds: result.trainSeconds };
}

/** What classifier.json keeps of the test, so the results can be shown again without the data. */
function metricsOf(result: Pick<TestResult, 'report' | 'bestEpoch' | 'trainSeconds' | 'misclassified'>, dataset: DatasetSummary) {
  return {
    dataset,
    accuracy: result.report.accuracy,
    macroF1: result.report.macroF1,
    perClass: result.report.perClass,
    confusion: result.report.confusion,
    bestEpoch: result.bestEpoch,
    trainSeconds: result.trainSeconds,
    misclassified: result.misclassified.slice(0, MAX_MISCLASSIFIED),
  };
}

export async function runClassifyCurveJob(runId: string, job: ClassifyCurveJob, signal: AbortSignal, emit: Emit): Promise<void> {
  const [dataset, pretrained, loaded] = await Promise.all([loadLabelledData(job.dataPath, job.data), vectorsOf(job.vectorsDir), tensorflow(runId, emit)]);
  const split = splitDataset(dataset, job.settings.seed);
  const summary = summarise(dataset, split);
  emit({ type: 'classifierDataset', runId, dataset: summary, backend: loaded.backend });
  const points = await transferGainCurve(split, dataset.labels, job.settings, pretrained.vectors, {
    sizes: job.sizes,
    seed: job.settings.seed,
    hooks: { signal, tensorflow: loaded },
    onPoint: (point) => emit({ type: 'curvePoint', runId, point }),
  });
  emit({ type: 'curveDone', runId, curve: { arch: job.settings.arch, vectorsName: pretrained.name, backend: loaded.backend, dataset: summary, points } });
}

/** Files larger than this are classified on their first part: a classifier reads at most maxLen tokens anyway. */
const MAX_READ_BYTES = 1 << 20;

export async function runClassifyPredictJob(runId: string, job: ClassifyPredictJob, signal: AbortSignal, emit: Emit): Promise<void> {
  const loaded = await tensorflow(runId, emit);
  // Either kind: on word vectors, or on an encoder (`transfer-lab classify train --encoder … --out …`).
  const classifier = await loadAnyClassifier(job.classifierDir, { tensorflow: loaded });
  try {
    const items: { id: string; text: string }[] = [...job.texts];
    for (const file of job.files) {
      if (signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      items.push({ id: file, text: await readStart(file) });
    }
    const predictions: Prediction[] = [];
    const BATCH = 256;
    for (let i = 0; i < items.length; i += BATCH) {
      if (signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const batch = items.slice(i, i + BATCH);
      classifier.predict(batch.map((b) => b.text)).forEach((p, j) => {
        const ranked = classifier.labels.map((label, c) => ({ label, probability: p.probabilities[c] })).sort((a, b) => b.probability - a.probability);
        predictions.push({ id: batch[j].id, label: p.label, confidence: ranked[0].probability, ranked });
      });
    }
    emit({ type: 'predictions', runId, predictions });
  } finally {
    classifier.dispose();
  }
}

async function readStart(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(MAX_READ_BYTES, (await handle.stat()).size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
