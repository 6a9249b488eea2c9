// `classify train|curve --encoder <encoder>`: the curve of classifiers on a pretrained neural encoder
// (from `transfer-lab pretrain`), frozen, top layer, all weights, or the same network from scratch,
// against the number of labelled examples. One classifier's training, test and save is
// trainAndTestOnEncoder (src/core/neural/encoderClassifierRuns.ts), shared with the editor's trainer.
import { sampleTrainingSubset, type DataSplit } from '../core/classify/splits';
import { scheduleFor } from '../core/classify/classifyRuns';
import type { LabelledDataset } from '../core/classify/labelledData';
import { trainAndTestOnEncoder, type EncoderRunSettings } from '../core/neural/encoderClassifierRuns';
import type { EncoderTraining } from '../core/neural/fineTune';

/** Optimiser steps every point of an encoder curve gets at least. */
export const ENCODER_MIN_STEPS = 150;

export interface EncoderCurvePoint {
  size: number;
  training: EncoderTraining;
  accuracy: number;
  macroF1: number;
  trainSeconds: number;
}

/** Test accuracy against the number of labelled examples, for each way of training. */
export async function encoderCurve(
  encoderDir: string,
  dataset: LabelledDataset,
  split: DataSplit,
  sizes: number[],
  trainings: EncoderTraining[],
  settings: EncoderRunSettings,
  onPoint?: (point: EncoderCurvePoint) => void,
): Promise<EncoderCurvePoint[]> {
  const points: EncoderCurvePoint[] = [];
  // Unlike the word-vector curve the whole training set is added only when a size asks for it: fine-tuning
  // an encoder on thousands of examples takes an hour on one core.
  const all = [...new Set(sizes.map((n) => Math.min(n, split.train.length)))].sort((a, b) => a - b);
  for (const size of all) {
    const train = size === split.train.length ? split.train : sampleTrainingSubset(split.train, size, settings.seed ?? 1);
    // Trained to convergence at every size, as the word-vector curve's points are (scheduleFor), with
    // fewer steps at least: an encoder step costs tens of times a bag-of-vectors one.
    const scheduled = scheduleFor(train.length, { ...settings, batchSize: settings.batchSize ?? 32 }, ENCODER_MIN_STEPS);
    for (const training of trainings) {
      const result = await trainAndTestOnEncoder(encoderDir, { train, validation: split.validation, test: split.test }, dataset.labels, training, scheduled);
      const point = { size, training, accuracy: result.report.accuracy, macroF1: result.report.macroF1, trainSeconds: result.trainSeconds };
      points.push(point);
      onPoint?.(point);
    }
  }
  return points;
}

/** The curve as a table: one row per size, a column per way of training, and pretraining's gain. */
export function formatEncoderCurve(points: EncoderCurvePoint[]): string {
  const trainings = [...new Set(points.map((p) => p.training))];
  const sizes = [...new Set(points.map((p) => p.size))];
  const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);
  const head = ['examples', ...trainings, 'gain (best pretrained − scratch)'];
  const rows = sizes.map((size) => {
    const at = (t: EncoderTraining) => points.find((p) => p.size === size && p.training === t)?.accuracy;
    const pretrained = trainings.filter((t) => t !== 'scratch').map(at).filter((x): x is number => x !== undefined);
    const scratch = at('scratch');
    const gain = scratch !== undefined && pretrained.length ? `${(100 * (Math.max(...pretrained) - scratch)).toFixed(1)} pts` : '–';
    return [size.toLocaleString('en-US'), ...trainings.map((t) => pct(at(t))), gain];
  });
  return [head, ...rows].map((r) => r.join('\t')).join('\n');
}
