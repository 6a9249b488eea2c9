import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostToPanel, parseHostToTrainer, parsePanelToHost, parseTrainerToHost } from '../../src/shared/protocol';

const parameters = {
  algorithm: 'word2vec', mode: 'sg', hs: false, cbowMean: true, dim: 10, window: 2, negative: 3, epochs: 1, minCount: 1, sample: 0,
  alpha: 0.025, minAlpha: 0.0001, seed: 1, lowercase: true, threads: 1, minn: 3, maxn: 6, bucket: 1000,
};

test('webview messages: the three known shapes pass, everything else is dropped', () => {
  assert.deepEqual(parsePanelToHost({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parsePanelToHost({ type: 'cancel', extra: 'ignored' }), { type: 'cancel' });
  assert.deepEqual(parsePanelToHost({ type: 'query', requestId: 3, word: 'king', k: 5 }), { type: 'query', requestId: 3, word: 'king', k: 5 });
  for (const bad of [
    null,
    'query',
    [],
    { type: 'query', requestId: 1, word: '', k: 5 },
    { type: 'query', requestId: 1, word: 'x'.repeat(201), k: 5 },
    { type: 'query', requestId: '1', word: 'king', k: 5 },
    { type: 'query', requestId: 1, word: 'king', k: Number.NaN },
    { type: 'train', modelDir: '/etc' },
    { type: 'openModel', path: '../../secret' },
  ]) {
    assert.equal(parsePanelToHost(bad), undefined, JSON.stringify(bad));
  }
});

test('webview query k is clamped to a sane range', () => {
  assert.equal((parsePanelToHost({ type: 'query', requestId: 1, word: 'a', k: 1e9 }) as { k: number }).k, 1000);
  assert.equal((parsePanelToHost({ type: 'query', requestId: 1, word: 'a', k: -4 }) as { k: number }).k, 1);
});

test('trainer start message needs a complete job', () => {
  const job = { kind: 'word2vec', files: ['/a.txt'], corpusRoot: '/', maxFileBytes: 10, parameters, modelDir: '/m', modelName: 'm' };
  assert.ok(parseHostToTrainer({ type: 'start', runId: 'r', job }));
  assert.ok(parseHostToTrainer({ type: 'cancel', runId: 'r' }));
  assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: { ...job, files: [1] } }), undefined);
  assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: { ...job, parameters: { ...parameters, dim: 'big' } } }), undefined);
  assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: { ...job, parameters: { ...parameters, mode: 'skipgram' } } }), undefined);
  assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: { ...job, parameters: { ...parameters, hs: 'yes' } } }), undefined);
  assert.equal(parseHostToTrainer({ type: 'start', job }), undefined);
});

test('trainer reports are checked before the host acts on them', () => {
  const progress = { phase: 'training', epoch: 1, epochs: 2, wordsDone: 5, wordsTotal: 10, loss: 1.5, epochLoss: 1.6, wordsPerSecond: 100, learningRate: 0.02, elapsedMs: 50 };
  assert.ok(parseTrainerToHost({ type: 'progress', runId: 'r', progress }));
  assert.equal(parseTrainerToHost({ type: 'progress', runId: 'r', progress: { ...progress, loss: 'high' } }), undefined);
  assert.equal(parseTrainerToHost({ type: 'progress', runId: 'r', progress: { ...progress, phase: 'other' } }), undefined);
  assert.ok(parseTrainerToHost({ type: 'error', runId: 'r', message: 'boom' }));
  assert.equal(parseTrainerToHost({ type: 'done', runId: 'r', model: {} }), undefined);
  assert.equal(parseTrainerToHost({ type: 'log', level: 'debug', message: 'x' }), undefined);
  assert.equal(parseTrainerToHost('{"type":"ready"}'), undefined);
  assert.ok(parseHostToPanel({ type: 'progress', progress }));
  assert.equal(parseHostToPanel({ type: 'eval', code: 'alert(1)' }), undefined);
});
