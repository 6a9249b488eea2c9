// Classifiers on a pretrained neural encoder (from `transfer-lab pretrain` or Pretrain Encoder on
// Workspace): frozen, top layer, all weights, or the same network from scratch, trained on a split's
// train part, scored on its test part like the word-vector classifiers (classifyRuns.ts) and, given a
// folder, saved (encoderClassifierFolder.ts). Shared by `transfer-lab classify train --encoder` and the
// trainer's classifier job, so it lives in the core: the trainer never imports the CLI.
import { classificationReport, type ClassificationReport } from '../classify/metrics';
import type { Misclassified } from '../classify/classifyRuns';
import type { DataSplit } from '../classify/splits';
import type { EpochReport } from '../classify/trainClassifier';
import { BpeTokenizer } from './bpe';
import type { EncoderArch } from './config';
import { saveEncoderClassifier } from './encoderClassifierFolder';
import { loadEncoder } from './encoderFolder';
import { trainEncoderClassifier, type EncoderClassifier, type EncoderTraining } from './fineTune';

export interface EncoderRunSettings {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  maxTokens?: number;
  patience?: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?(report: EpochReport): void;
}

export interface EncoderTestResult {
  /** The encoder's architecture, as its encoder.json says. */
  arch: EncoderArch;
  training: EncoderTraining;
  report: ClassificationReport;
  /** Wrong predictions on the test split, most confident first. */
  misclassified: Misclassified[];
  bestEpoch: number;
  history: EpochReport[];
  trainSeconds: number;
}

/** Where to save the trained classifier (saveEncoderClassifier), and what to record of its test. */
export interface EncoderClassifierSave {
  dir: string;
  metrics?(result: EncoderTestResult): unknown;
}

/**
 * Loads the encoder afresh (top/all change it), trains on `train`, scores on `test`, and with `save`
 * writes the classifier (before its weights are freed).
 */
export async function trainAndTestOnEncoder(
  encoderDir: string,
  split: Pick<DataSplit, 'train' | 'validation' | 'test'>,
  labels: readonly string[],
  training: EncoderTraining,
  settings: EncoderRunSettings,
  save?: EncoderClassifierSave,
): Promise<EncoderTestResult> {
  const { encoder, tokenizerJson } = await loadEncoder(encoderDir);
  let classifier: EncoderClassifier | undefined;
  try {
    if (!tokenizerJson) throw new Error(`${encoderDir} has no tokenizer.json: it was not written by transfer-lab pretrain. Pretrain the encoder again.`);
    const tokenizer = BpeTokenizer.fromJSON(tokenizerJson);
    const started = performance.now();
    classifier = await trainEncoderClassifier({
      encoder,
      tokenizer,
      train: split.train,
      validation: split.validation,
      labels,
      training,
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      maxTokens: settings.maxTokens,
      patience: settings.patience,
      seed: settings.seed,
      signal: settings.signal,
      onEpoch: settings.onEpoch,
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const probabilities = classifier.predict(split.test.map((e) => e.text));
    const index = new Map(labels.map((l, i) => [l, i]));
    const predicted = probabilities.map((p) => p.indexOf(Math.max(...p)));
    const report = classificationReport(split.test.map((e) => index.get(e.label) ?? -1), predicted, labels);
    const misclassified: Misclassified[] = [];
    split.test.forEach((example, i) => {
      if (labels[predicted[i]] === example.label) return;
      misclassified.push({ text: example.text, label: example.label, predicted: labels[predicted[i]], confidence: probabilities[i][predicted[i]], ...(example.source && { source: example.source }) });
    });
    misclassified.sort((a, b) => b.confidence - a.confidence);
    const result: EncoderTestResult = { arch: encoder.config.arch, training, report, misclassified, bestEpoch: classifier.bestEpoch, history: classifier.epochs, trainSeconds };
    if (save) await saveEncoderClassifier(save.dir, classifier, tokenizerJson, { metrics: save.metrics?.(result), encoderSource: encoderDir });
    return result;
  } finally {
    classifier?.dispose();
    encoder.dispose();
  }
}
