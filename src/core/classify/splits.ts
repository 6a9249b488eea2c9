// Seeded, stratified splits of labelled examples: every part keeps the label proportions of the whole,
// so a rare class is neither missing from the test set nor over-represented in it. The same seed gives
// the same split on every machine (mulberry32 from ../random, and labels taken in sorted order).
import { Random } from '../random';
import { sortedLabels, type LabelledExample } from './labelledData';

export interface SplitFractions {
  /** Fraction of each class for validation, in [0, 1). Default 0.1. */
  validation?: number;
  /** Fraction of each class for testing, in [0, 1). Default 0.1. */
  test?: number;
  seed: number;
}

export interface DataSplit {
  train: LabelledExample[];
  validation: LabelledExample[];
  test: LabelledExample[];
}

export interface Fold {
  train: LabelledExample[];
  test: LabelledExample[];
}

function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.float() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The examples of each label, in sorted label order, each list shuffled by `random`. */
function shuffledByLabel(examples: readonly LabelledExample[], random: Random): { label: string; examples: LabelledExample[] }[] {
  const byLabel = new Map<string, LabelledExample[]>();
  for (const example of examples) {
    let list = byLabel.get(example.label);
    if (!list) byLabel.set(example.label, (list = []));
    list.push(example);
  }
  return sortedLabels(examples).map((label) => ({ label, examples: shuffleInPlace(byLabel.get(label)!, random) }));
}

function countsPerClass(groups: { label: string; examples: LabelledExample[] }[]): string {
  return groups.map((g) => `${g.label}: ${g.examples.length}`).join(', ');
}

function checkFraction(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value >= 1) throw new Error(`${name} must be a fraction in [0, 1), got ${value}`);
}

/**
 * Splits into train, validation and test, class by class: each part gets round(fraction × class size)
 * of a class (at least one when the fraction is not 0), so per-class counts are within one example of
 * the exact proportion. Every class needs at least one example per non-empty part; otherwise this
 * throws with the counts per class.
 */
export function stratifiedSplit(examples: readonly LabelledExample[], fractions: SplitFractions): DataSplit {
  const validationFraction = fractions.validation ?? 0.1;
  const testFraction = fractions.test ?? 0.1;
  checkFraction('validation', validationFraction);
  checkFraction('test', testFraction);
  if (validationFraction + testFraction >= 1) {
    throw new Error(`validation + test must leave some examples to train on, got ${validationFraction} + ${testFraction}`);
  }
  const random = new Random(fractions.seed);
  const groups = shuffledByLabel(examples, random);
  const needed = 1 + (validationFraction > 0 ? 1 : 0) + (testFraction > 0 ? 1 : 0);
  const tooSmall = groups.filter((g) => g.examples.length < needed);
  if (tooSmall.length > 0) {
    const parts = ['train', validationFraction > 0 ? 'validation' : '', testFraction > 0 ? 'test' : ''].filter(Boolean).join('/');
    throw new Error(
      `Too few examples to split into ${parts}: each class needs at least ${needed}, but ` +
        `${tooSmall.map((g) => `${g.label} has ${g.examples.length}`).join(', ')}. Examples per class: ${countsPerClass(groups)}. ` +
        'Add examples to those classes, remove or merge them, or use fewer parts.',
    );
  }
  const split: DataSplit = { train: [], validation: [], test: [] };
  for (const { examples: group } of groups) {
    const n = group.length;
    const partSize = (fraction: number) => (fraction > 0 ? Math.max(1, Math.round(n * fraction)) : 0);
    let testCount = partSize(testFraction);
    let validationCount = partSize(validationFraction);
    // Rounding up two parts of a small class could leave nothing to train on; take it back from the larger.
    while (testCount + validationCount > n - 1) {
      if (testCount >= validationCount) testCount--;
      else validationCount--;
    }
    split.test.push(...group.slice(0, testCount));
    split.validation.push(...group.slice(testCount, testCount + validationCount));
    split.train.push(...group.slice(testCount + validationCount));
  }
  // Mix the classes, so a consumer that reads the first examples does not see one class only.
  shuffleInPlace(split.train, random);
  shuffleInPlace(split.validation, random);
  shuffleInPlace(split.test, random);
  return split;
}

/**
 * k folds for cross-validation: every example is in exactly one test fold, and each class is dealt
 * round-robin over the folds, so each test fold holds its class's share to within one example. A class
 * with fewer than k examples is missing from some test folds (as in scikit-learn's StratifiedKFold).
 */
export function stratifiedFolds(examples: readonly LabelledExample[], k: number, seed: number): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k must be a whole number of at least 2, got ${k}`);
  if (k > examples.length) throw new Error(`k (${k}) cannot exceed the number of examples (${examples.length})`);
  const random = new Random(seed);
  const testFolds: LabelledExample[][] = Array.from({ length: k }, () => []);
  // Each class starts dealing where the previous one stopped, so fold sizes differ by at most one overall.
  let next = 0;
  for (const { examples: group } of shuffledByLabel(examples, random)) {
    for (const example of group) {
      testFolds[next].push(example);
      next = (next + 1) % k;
    }
  }
  return testFolds.map((test, index) => ({
    train: shuffleInPlace(testFolds.flatMap((fold, other) => (other === index ? [] : fold)), random),
    test: shuffleInPlace(test, random),
  }));
}

/**
 * A stratified subsample of n training examples, for learning curves. Subsets drawn with the same seed
 * are nested: the subset of 50 is the first 50 of the subset of 100, and so on. Each class is
 * shuffled and its i-th example ranked at i / (class size), so every prefix holds each class in
 * proportion (to within one example), and every class appears once n reaches the number of classes.
 */
export function sampleTrainingSubset(train: readonly LabelledExample[], n: number, seed: number): LabelledExample[] {
  if (!Number.isInteger(n) || n < 1 || n > train.length) {
    throw new Error(`subset size must be a whole number from 1 to ${train.length} (the training examples), got ${n}`);
  }
  const random = new Random(seed);
  const ranked: { example: LabelledExample; rank: number; tieBreak: number }[] = [];
  for (const { examples: group } of shuffledByLabel(train, random)) {
    group.forEach((example, i) => ranked.push({ example, rank: i / group.length, tieBreak: random.float() }));
  }
  ranked.sort((a, b) => a.rank - b.rank || a.tieBreak - b.tieBreak);
  return ranked.slice(0, n).map((r) => r.example);
}
