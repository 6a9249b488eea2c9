import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationReport } from '../../src/core/classify/metrics';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

test('three classes, checked by hand', () => {
  // true:      a a a b b c
  // predicted: a a b b c c
  const report = classificationReport([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);
  assert.deepEqual(report.confusion, [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  close(report.accuracy, 4 / 6, 'accuracy');
  // a: P 2/2, R 2/3, F1 0.8.  b: P 1/2, R 1/2, F1 0.5.  c: P 1/2, R 1/1, F1 2/3.
  const expected = [
    { label: 'a', precision: 1, recall: 2 / 3, f1: 0.8, support: 3 },
    { label: 'b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
    { label: 'c', precision: 0.5, recall: 1, f1: 2 / 3, support: 1 },
  ];
  report.perClass.forEach((score, i) => {
    assert.equal(score.label, expected[i].label);
    assert.equal(score.support, expected[i].support);
    close(score.precision, expected[i].precision, `${score.label} precision`);
    close(score.recall, expected[i].recall, `${score.label} recall`);
    close(score.f1, expected[i].f1, `${score.label} f1`);
  });
  close(report.macroF1, (0.8 + 0.5 + 2 / 3) / 3, 'macro F1');
});

test('a class never predicted scores 0, not NaN (zero_division=0)', () => {
  // Everything predicted as ham: spam has precision 0/0 -> 0, recall 0, F1 0.
  const report = classificationReport([0, 0, 0, 1], [0, 0, 0, 0], ['ham', 'spam']);
  const spam = report.perClass[1];
  assert.deepEqual(spam, { label: 'spam', precision: 0, recall: 0, f1: 0, support: 1 });
  close(report.perClass[0].precision, 0.75, 'ham precision');
  close(report.perClass[0].f1, (2 * 0.75) / 1.75, 'ham f1');
  close(report.macroF1, (2 * 0.75) / 1.75 / 2, 'macro F1');
  close(report.accuracy, 0.75, 'accuracy');
});

test('a label absent from both true and predicted labels is listed but not averaged', () => {
  const report = classificationReport([0, 1], [0, 1], ['a', 'b', 'unused']);
  assert.deepEqual(report.perClass[2], { label: 'unused', precision: 0, recall: 0, f1: 0, support: 0 });
  assert.equal(report.macroF1, 1);
  assert.deepEqual(report.confusion, [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
});

test('mismatched lengths, bad indices and empty input are errors', () => {
  assert.throws(() => classificationReport([0, 1], [0], ['a', 'b']), /same length, got 2 and 1/);
  assert.throws(() => classificationReport([0, 2], [0, 1], ['a', 'b']), /trueLabels\[1\] is 2, not a label index from 0 to 1/);
  assert.throws(() => classificationReport([], [], ['a', 'b']), /No predictions to score/);
});
