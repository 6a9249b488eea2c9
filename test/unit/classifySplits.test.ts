import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadLabelledData, type LabelledExample } from '../../src/core/classify/labelledData';
import { stratifiedSplit, stratifiedFolds, sampleTrainingSubset } from '../../src/core/classify/splits';

const DATA = path.resolve(__dirname, '../../../shared/data/classification');

function countLabels(examples: readonly LabelledExample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return counts;
}

function sources(examples: readonly LabelledExample[]): string[] {
  return examples.map((e) => e.source!);
}

function synthetic(counts: Record<string, number>): LabelledExample[] {
  return Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ text: `${label} ${i}`, label, source: `${label}:${i}` })));
}

test('stratified split of SMS spam keeps each class within one example of its share', async () => {
  const { examples } = await loadLabelledData(path.join(DATA, 'sms-spam/SMSSpamCollection.tsv'));
  const split = stratifiedSplit(examples, { validation: 0.1, test: 0.2, seed: 7 });
  const all = countLabels(examples);
  for (const [part, fraction] of [['validation', 0.1], ['test', 0.2], ['train', 0.7]] as const) {
    const counts = countLabels(split[part]);
    for (const [label, n] of all) {
      const got = counts.get(label) ?? 0;
      assert.ok(Math.abs(got - n * fraction) <= 1, `${part} ${label}: ${got} vs ${n * fraction}`);
    }
  }
  // A partition: every example once.
  const together = [...split.train, ...split.validation, ...split.test];
  assert.equal(together.length, examples.length);
  assert.deepEqual(new Set(sources(together)), new Set(sources(examples)));
  // Classes are mixed, not one block per class.
  assert.notEqual(new Set(split.test.slice(0, 50).map((e) => e.label)).size, 1);
});

test('same seed, same split; another seed, another split', async () => {
  const { examples } = await loadLabelledData(path.join(DATA, 'trec/train.jsonl'));
  const a = stratifiedSplit(examples, { seed: 3 });
  const b = stratifiedSplit(examples, { seed: 3 });
  const c = stratifiedSplit(examples, { seed: 4 });
  assert.deepEqual(sources(a.test), sources(b.test));
  assert.deepEqual(sources(a.train), sources(b.train));
  assert.notDeepEqual(new Set(sources(a.test)), new Set(sources(c.test)));
  // Default fractions are 0.1 and 0.1; ABBR (86 examples) still gets round(8.6) = 9 in test.
  assert.equal(countLabels(a.test).get('ABBR'), 9);
  assert.equal(countLabels(a.validation).get('ABBR'), 9);
});

test('a class of 3 gets one example in each part; a class of 2 is an error listing counts per class', () => {
  const split = stratifiedSplit(synthetic({ big: 100, tiny: 3 }), { validation: 0.1, test: 0.1, seed: 1 });
  assert.equal(countLabels(split.train).get('tiny'), 1);
  assert.equal(countLabels(split.validation).get('tiny'), 1);
  assert.equal(countLabels(split.test).get('tiny'), 1);
  assert.throws(
    () => stratifiedSplit(synthetic({ big: 100, rare: 2, odd: 1 }), { validation: 0.1, test: 0.1, seed: 1 }),
    (error: Error) =>
      error.message.includes('each class needs at least 3, but odd has 1, rare has 2') && error.message.includes('Examples per class: big: 100, odd: 1, rare: 2'),
  );
  // Without a validation part, two examples per class are enough.
  const noValidation = stratifiedSplit(synthetic({ big: 100, rare: 2 }), { validation: 0, test: 0.1, seed: 1 });
  assert.equal(noValidation.validation.length, 0);
  assert.equal(countLabels(noValidation.test).get('rare'), 1);
  assert.throws(() => stratifiedSplit(synthetic({ a: 10, b: 10 }), { validation: 0.5, test: 0.5, seed: 1 }), /must leave some examples to train on/);
});

test('folds partition the data and each test fold is stratified', async () => {
  const { examples } = await loadLabelledData(path.join(DATA, 'sms-spam/SMSSpamCollection.tsv'));
  const folds = stratifiedFolds(examples, 5, 11);
  assert.equal(folds.length, 5);
  const seen = new Map<string, number>();
  for (const fold of folds) {
    assert.equal(fold.train.length + fold.test.length, examples.length);
    const trainSources = new Set(sources(fold.train));
    for (const s of sources(fold.test)) {
      assert.ok(!trainSources.has(s), 'a test example is also in its fold’s training set');
      seen.set(s, (seen.get(s) ?? 0) + 1);
    }
    const counts = countLabels(fold.test);
    assert.ok(Math.abs(counts.get('spam')! - 747 / 5) <= 1, `spam ${counts.get('spam')}`);
    assert.ok(Math.abs(counts.get('ham')! - 4827 / 5) <= 1, `ham ${counts.get('ham')}`);
  }
  assert.equal(seen.size, examples.length);
  assert.ok([...seen.values()].every((n) => n === 1));
  assert.deepEqual(folds.map((f) => sources(f.test)), stratifiedFolds(examples, 5, 11).map((f) => sources(f.test)));
  assert.throws(() => stratifiedFolds(examples, 1, 0), /k must be a whole number of at least 2/);
});

test('training subsets are stratified and nested', async () => {
  const { examples } = await loadLabelledData(path.join(DATA, 'trec/train.jsonl'));
  const sizes = [6, 50, 100, 500, 2000, examples.length];
  const subsets = sizes.map((n) => sampleTrainingSubset(examples, n, 5));
  const all = countLabels(examples);
  subsets.forEach((subset, i) => {
    assert.equal(subset.length, sizes[i]);
    assert.equal(new Set(sources(subset)).size, sizes[i]);
    const counts = countLabels(subset);
    // Six classes, so even the subset of 6 holds one of each.
    assert.equal(counts.size, 6, `subset of ${sizes[i]}`);
    for (const [label, n] of all) {
      const expected = (sizes[i] * n) / examples.length;
      assert.ok(Math.abs((counts.get(label) ?? 0) - expected) <= 1, `${label} in ${sizes[i]}: ${counts.get(label)} vs ${expected}`);
    }
    if (i > 0) {
      const larger = new Set(sources(subset));
      assert.ok(sources(subsets[i - 1]).every((s) => larger.has(s)), `subset of ${sizes[i - 1]} not inside subset of ${sizes[i]}`);
    }
  });
  assert.deepEqual(sources(sampleTrainingSubset(examples, 100, 5)), sources(subsets[2]));
  assert.notDeepEqual(new Set(sources(sampleTrainingSubset(examples, 100, 6))), new Set(sources(subsets[2])));
  assert.throws(() => sampleTrainingSubset(examples, examples.length + 1, 5), /subset size must be a whole number from 1 to 5452/);
});
