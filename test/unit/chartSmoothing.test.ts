// The training chart's smoothing, as TensorBoard's: a debiased exponential moving average.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smooth } from '../../webview/panel/chart';

test('smooth: weight 0 is the identity; a constant series stays constant from its first point (debiased)', () => {
  assert.deepEqual(smooth([3, 1, 4, 1, 5], 0), [3, 1, 4, 1, 5]);
  for (const v of smooth([2, 2, 2, 2], 0.9)) assert.ok(Math.abs(v - 2) < 1e-12, String(v));
});

test('smooth: follows the debiased EMA formula, lags a step, and skips non-finite points', () => {
  const w = 0.6;
  const out = smooth([0, 10, 10, 10], w);
  // By hand: ema = w*ema + (1-w)*v; debiased by 1 - w^n.
  const ema = [0, 4, 6.4, 7.84];
  ema.forEach((e, i) => assert.ok(Math.abs(out[i] - e / (1 - w ** (i + 1))) < 1e-12, `${i}: ${out[i]}`));
  assert.ok(out[1] < 10 && out[3] < 10 && out[3] > out[1], 'a step is approached, not jumped');
  const withGap = smooth([1, NaN, 1], 0.5);
  assert.ok(Number.isNaN(withGap[1]));
  assert.ok(Math.abs(withGap[2] - 1) < 1e-12);
});
