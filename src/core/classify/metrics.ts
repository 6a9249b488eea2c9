// Scores for a classifier's predictions, in the terms scikit-learn's classification_report uses, so
// numbers can be checked against it.

export interface ClassScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** How many examples truly have this label. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** Unweighted mean F1 over the labels that occur in the true or the predicted labels. */
  macroF1: number;
  /** One entry per label, in the order of `labels`. */
  perClass: ClassScore[];
  /** confusion[true][predicted]: how many examples of label `true` were predicted as `predicted`. */
  confusion: number[][];
}

/**
 * Accuracy, per-class precision/recall/F1, macro F1 and the confusion matrix, from label indices into
 * `labels`. A ratio with a zero denominator is 0, not NaN: precision of a class that is never
 * predicted, recall of a class with no examples, and F1 when precision and recall are both 0 (what
 * scikit-learn gives with zero_division=0). Macro F1 averages over the labels present in the true or
 * predicted labels, like scikit-learn's f1_score(average='macro') without a `labels` argument, so a
 * label absent from both does not pull it down.
 */
export function classificationReport(trueLabels: readonly number[], predicted: readonly number[], labels: readonly string[]): ClassificationReport {
  if (trueLabels.length !== predicted.length) {
    throw new Error(`trueLabels and predicted must be the same length, got ${trueLabels.length} and ${predicted.length}`);
  }
  if (trueLabels.length === 0) throw new Error('No predictions to score: trueLabels is empty');
  const k = labels.length;
  const checkIndex = (name: string, value: number, position: number) => {
    if (!Number.isInteger(value) || value < 0 || value >= k) {
      throw new Error(`${name}[${position}] is ${value}, not a label index from 0 to ${k - 1}`);
    }
  };
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    checkIndex('trueLabels', trueLabels[i], i);
    checkIndex('predicted', predicted[i], i);
    confusion[trueLabels[i]][predicted[i]]++;
    if (trueLabels[i] === predicted[i]) correct++;
  }
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);
  const perClass: ClassScore[] = labels.map((label, c) => {
    const truePositives = confusion[c][c];
    const support = confusion[c].reduce((sum, count) => sum + count, 0);
    const predictedCount = confusion.reduce((sum, row) => sum + row[c], 0);
    const precision = ratio(truePositives, predictedCount);
    const recall = ratio(truePositives, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const present = perClass.filter((score, c) => score.support > 0 || confusion.some((row) => row[c] > 0));
  return {
    accuracy: correct / trueLabels.length,
    macroF1: present.reduce((sum, score) => sum + score.f1, 0) / present.length,
    perClass,
    confusion,
  };
}
