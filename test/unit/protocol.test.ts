import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseEvaluationJob,
  parseEvaluationWorkerToHost,
  parseHostToPanel,
  parseHostToTrainer,
  parsePanelToHost,
  parseTrainerToHost,
  type EvaluationReport,
} from '../../src/shared/protocol';

const parameters = {
  algorithm: 'word2vec', mode: 'sg', hs: false, cbowMean: true, dim: 10, window: 2, negative: 3, epochs: 1, minCount: 1, sample: 0,
  alpha: 0.025, minAlpha: 0.0001, seed: 1, lowercase: true, threads: 1, minn: 3, maxn: 6, bucket: 1000,
};

test('webview messages: the four known shapes pass, everything else is dropped', () => {
  assert.deepEqual(parsePanelToHost({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parsePanelToHost({ type: 'evaluate' }), { type: 'evaluate' });
  // The button asks for the command; it cannot choose the model or the files to read.
  assert.deepEqual(parsePanelToHost({ type: 'evaluate', modelDir: '/etc', files: ['/etc/shadow'] }), { type: 'evaluate' });
  assert.deepEqual(parsePanelToHost({ type: 'query', requestId: 4, word: 'king - man + woman', k: 10 }), { type: 'query', requestId: 4, word: 'king - man + woman', k: 10 });
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

test('webview comparison requests carry a word at most, never a model or a path', () => {
  for (const type of ['compare', 'evaluatePair', 'openComparisonReport'] as const) {
    assert.deepEqual(parsePanelToHost({ type, modelDir: '/etc', path: '/etc/passwd' }), { type });
  }
  assert.deepEqual(parsePanelToHost({ type: 'compareWord', requestId: 2, word: ' film ', modelDir: '/x' }), { type: 'compareWord', requestId: 2, word: 'film' });
  for (const bad of [
    { type: 'compareWord', requestId: 2, word: '   ' },
    { type: 'compareWord', requestId: 2, word: 'x'.repeat(201) },
    { type: 'compareWord', word: 'film' },
    { type: 'compareWord', requestId: 2, word: 5 },
  ]) {
    assert.equal(parsePanelToHost(bad), undefined, JSON.stringify(bad));
  }
});

test('comparisons reach the panel only in their exact shape', () => {
  const neighbours = [{ word: 'movie', similarity: 0.8 }];
  const comparison = {
    before: { name: 'glove', description: 'Imported · 10,000 words × 100' },
    after: { name: 'glove-reviews', description: 'Word2Vec skip-gram · 12,000 words × 100' },
    parentOf: true,
    k: 10, sharedWords: 10_000, onlyInBefore: 0, onlyInAfter: 2000, comparedWords: 5000, aligned: true, meanOverlap: 0.7, meanCosine: 0.9,
    moved: [{ word: 'film', overlap: 0.2, cosine: 0.5, before: neighbours, after: neighbours }],
    elapsedMs: 1200,
  };
  assert.ok(parseHostToPanel({ type: 'comparison', comparison }));
  const { meanCosine: _, ...noCosine } = comparison;
  assert.ok(parseHostToPanel({ type: 'comparison', comparison: noCosine }), 'different dims: no cosines');
  for (const bad of [
    { ...comparison, meanOverlap: 1.5 },
    { ...comparison, parentOf: 'yes' },
    { ...comparison, before: { name: 'glove' } },
    { ...comparison, moved: [{ word: 'film', overlap: 0.2, before: neighbours }] },
    { ...comparison, moved: [{ word: 'film', overlap: 0.2, before: [{ word: 'x', similarity: 'high' }], after: [] }] },
    { ...comparison, moved: new Array(1001).fill(comparison.moved[0]) },
  ]) {
    assert.equal(parseHostToPanel({ type: 'comparison', comparison: bad }), undefined);
  }
  assert.ok(parseHostToPanel({ type: 'comparedWord', requestId: 1, word: 'film', before: neighbours, after: [], overlap: 0 }));
  assert.ok(parseHostToPanel({ type: 'comparedWord', requestId: 1, word: 'zz', before: [], after: [], error: '"zz" is not in the vocabulary' }));
  assert.equal(parseHostToPanel({ type: 'comparedWord', requestId: 1, word: 'film', before: neighbours, after: [], overlap: 2 }), undefined);
  assert.ok(parseHostToPanel({ type: 'comparisonState', state: 'running', message: 'Comparing…' }));
  assert.equal(parseHostToPanel({ type: 'comparisonState', state: 'exploded', message: 'x' }), undefined);
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

test('trainer start message: a fine-tune names its parent model folder, a lock of none, old or a factor, and optionally a word list', () => {
  const job = { kind: 'word2vec', files: ['/a.txt'], corpusRoot: '/', maxFileBytes: 10, parameters, modelDir: '/m', modelName: 'm' };
  for (const lock of ['none', 'old', 0, 0.25, 1] as const) {
    const message = { type: 'start', runId: 'r', job: { ...job, init: { modelDir: '/models/parent', lock } } };
    assert.deepEqual(parseHostToTrainer(message), message);
  }
  const withWords = { type: 'start', runId: 'r', job: { ...job, init: { modelDir: '/models/parent', lock: 'none', lockWords: '/w/terms.txt' } } };
  assert.deepEqual(parseHostToTrainer(withWords), withWords);
  // Without init it is an ordinary run.
  assert.equal((parseHostToTrainer({ type: 'start', runId: 'r', job }) as { job: { init?: unknown } }).job.init, undefined);
  for (const init of [
    null,
    'parent',
    [],
    {},
    { modelDir: '/models/parent' },
    { lock: 'old' },
    { modelDir: '', lock: 'old' },
    { modelDir: 7, lock: 'old' },
    { modelDir: '/models/parent', lock: 'frozen' },
    { modelDir: '/models/parent', lock: 1.5 },
    { modelDir: '/models/parent', lock: -0.1 },
    { modelDir: '/models/parent', lock: Number.NaN },
    { modelDir: '/models/parent', lock: ['old'] },
    { modelDir: '/models/parent', lock: 'old', lockWords: '' },
    { modelDir: '/models/parent', lock: 'old', lockWords: 3 },
  ]) {
    assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: { ...job, init } }), undefined, JSON.stringify(init));
  }
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

function report(): EvaluationReport {
  return {
    model: { name: 'm', algorithm: 'fasttext', mode: 'sg', vocabularySize: 1000, dim: 32 },
    restrictVocab: 1000,
    caseInsensitive: true,
    entries: [
      {
        kind: 'analogies',
        file: 'q.txt',
        path: '/t/q.txt',
        sections: [
          { name: 'capital-common', correct: 1, total: 2, accuracy: 0.5 },
          { name: 'gram1-adjective-to-adverb', correct: 0, total: 0, accuracy: 0 },
        ],
        total: { correct: 1, total: 2, accuracy: 0.5 },
        semantic: { correct: 1, total: 2, accuracy: 0.5 },
        syntactic: { correct: 0, total: 0, accuracy: 0 },
        questions: 3,
        oovQuestions: 1,
        oovRatio: 100 / 3,
      },
      { kind: 'similarity', file: 's.tsv', path: '/t/s.tsv', spearman: 0.25, pearson: null, pairs: 4, oovPairs: 1, oovRatio: 20 },
      { kind: 'error', file: 'bad.txt', path: '/t/bad.txt', message: 'bad.txt line 3: expected 3 tab-separated fields' },
    ],
    elapsedMs: 12,
    finishedAt: 1_700_000_000_000,
  };
}

test('evaluation reports reach the panel only in their exact shape', () => {
  const good = report();
  assert.deepEqual(parseHostToPanel({ type: 'evaluation', report: good }), { type: 'evaluation', report: good });
  const broken: [string, (r: any) => void][] = [
    ['no model', (r) => delete r.model],
    ['mode not sg/cbow', (r) => (r.model.mode = 'skipgram')],
    ['entries not a list', (r) => (r.entries = {})],
    ['unknown entry kind', (r) => (r.entries[0].kind = 'html')],
    ['section name not a string', (r) => (r.entries[0].sections[0].name = { toString: 'x' })],
    ['more correct than answered', (r) => (r.entries[0].total.correct = 3)],
    ['accuracy above 1', (r) => (r.entries[0].semantic.accuracy = 1.5)],
    ['fractional count', (r) => (r.entries[0].questions = 2.5)],
    ['more OOV than questions', (r) => (r.entries[0].oovQuestions = 4)],
    ['Spearman above 1', (r) => (r.entries[1].spearman = 1.2)],
    ['Spearman NaN', (r) => (r.entries[1].spearman = Number.NaN)],
    ['OOV percentage above 100', (r) => (r.entries[1].oovRatio = 120)],
    ['error without message', (r) => delete r.entries[2].message],
    ['path not a string', (r) => (r.entries[1].path = 7)],
    ['huge label', (r) => (r.entries[2].message = 'x'.repeat(5000))],
    ['too many sections', (r) => (r.entries[0].sections = Array(1001).fill(r.entries[0].sections[0]))],
    ['elapsed not a number', (r) => (r.elapsedMs = '12')],
  ];
  for (const [what, spoil] of broken) {
    const r = report();
    spoil(r);
    assert.equal(parseHostToPanel({ type: 'evaluation', report: r }), undefined, what);
  }
});

test('evaluation states, and neighbours with a note, are checked too', () => {
  assert.ok(parseHostToPanel({ type: 'evaluationState', state: 'running', message: 'Evaluating m…' }));
  assert.ok(parseHostToPanel({ type: 'evaluationState', state: 'done', message: 'Scored both: see What moved.' }));
  assert.equal(parseHostToPanel({ type: 'evaluationState', state: 'finished', message: 'x' }), undefined);
  assert.equal(parseHostToPanel({ type: 'evaluationState', state: 'failed' }), undefined);
  const neighbours = { type: 'neighbours', requestId: 1, word: 'kings', results: [{ word: 'king', similarity: 0.9 }], note: 'built from n-grams' };
  assert.ok(parseHostToPanel(neighbours));
  assert.equal(parseHostToPanel({ ...neighbours, note: 5 }), undefined);
  assert.equal(parseHostToPanel({ ...neighbours, results: [{ word: 'king', similarity: 'high' }] }), undefined);
  assert.equal(parseHostToPanel({ ...neighbours, results: [{ word: 'king', similarity: 0.9 }, null] }), undefined);
});

test('evaluation worker messages and jobs', () => {
  assert.ok(parseEvaluationWorkerToHost({ type: 'done', report: report() }));
  assert.ok(parseEvaluationWorkerToHost({ type: 'progress', message: 'q.txt (1 of 2)…', done: 1, total: 3 }));
  assert.ok(parseEvaluationWorkerToHost({ type: 'error', message: 'cannot read' }));
  assert.equal(parseEvaluationWorkerToHost({ type: 'done', report: { ...report(), entries: null } }), undefined);
  assert.equal(parseEvaluationWorkerToHost({ type: 'progress', message: 'x' }), undefined);

  const job = { modelDir: '/m', files: ['/a.txt', '/b.tsv'], restrictVocab: 30000, caseInsensitive: true };
  assert.deepEqual(parseEvaluationJob(job), job);
  assert.equal(parseEvaluationJob({ ...job, files: [] }), undefined);
  assert.equal(parseEvaluationJob({ ...job, files: ['/a', 1] }), undefined);
  assert.equal(parseEvaluationJob({ ...job, restrictVocab: 0 }), undefined);
  assert.equal(parseEvaluationJob({ ...job, restrictVocab: 1.5 }), undefined);
  assert.equal(parseEvaluationJob({ ...job, caseInsensitive: 'yes' }), undefined);
});

test('trainer start message: an import job names the source file, the new model folder and name, and skipBadLines', () => {
  const job = { kind: 'import', sourcePath: '/data/glove.txt', modelDir: '/m/glove', modelName: 'glove', skipBadLines: false };
  assert.deepEqual(parseHostToTrainer({ type: 'start', runId: 'r', job }), { type: 'start', runId: 'r', job });
  // Extra fields are dropped, not passed on.
  assert.deepEqual(parseHostToTrainer({ type: 'start', runId: 'r', job: { ...job, skipBadLines: true, extra: 1 } }), { type: 'start', runId: 'r', job: { ...job, skipBadLines: true } });
  for (const bad of [
    { ...job, sourcePath: '' },
    { ...job, sourcePath: 3 },
    { ...job, modelDir: undefined },
    { ...job, modelDir: '' },
    { ...job, modelName: null },
    { ...job, skipBadLines: 'yes' },
    { ...job, skipBadLines: undefined },
    { ...job, kind: 'imports' },
  ]) {
    assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: bad }), undefined, JSON.stringify(bad));
  }
  assert.equal(parseHostToTrainer({ type: 'start', job }), undefined);
});

test('trainer import progress messages are checked', () => {
  const message = { type: 'importProgress', runId: 'r', phase: 'reading', bytesDone: 10, bytesTotal: 100 };
  assert.deepEqual(parseTrainerToHost(message), message);
  assert.equal(parseTrainerToHost({ ...message, phase: 'parsing' }), undefined);
  assert.equal(parseTrainerToHost({ ...message, bytesDone: 'x' }), undefined);
});

test('completion and side-by-side requests: a prefix and a model name, never a path', () => {
  assert.deepEqual(parsePanelToHost({ type: 'complete', requestId: 3, prefix: 'kin' }), { type: 'complete', requestId: 3, prefix: 'kin' });
  assert.equal(parsePanelToHost({ type: 'complete', requestId: 3, prefix: '' }), undefined);
  assert.equal(parsePanelToHost({ type: 'complete', requestId: 'x', prefix: 'kin' }), undefined);
  assert.equal(parsePanelToHost({ type: 'complete', requestId: 3, prefix: 'k'.repeat(201) }), undefined);
  assert.deepEqual(parsePanelToHost({ type: 'setSecondModel', name: 'glove-3k' }), { type: 'setSecondModel', name: 'glove-3k' });
  assert.deepEqual(parsePanelToHost({ type: 'setSecondModel', name: null }), { type: 'setSecondModel', name: null });
  for (const name of ['../other', '/etc/passwd', 'a\\b', '..', '.', '', 42, undefined]) {
    assert.equal(parsePanelToHost({ type: 'setSecondModel', name }), undefined, JSON.stringify(name));
  }
});

test('completions, model lists and side-by-side answers reach the panel only in their exact shape', () => {
  const ok = { type: 'neighbours', requestId: 1, word: 'king', results: [{ word: 'queen', similarity: 0.7 }], second: { model: 'b', results: [{ word: 'prince', similarity: 0.6 }] } };
  assert.deepEqual(parseHostToPanel(ok), ok);
  assert.equal(parseHostToPanel({ ...ok, second: { model: 'b', results: [{ word: 'prince' }] } }), undefined);
  assert.equal(parseHostToPanel({ ...ok, second: { results: [] } }), undefined);
  assert.ok(parseHostToPanel({ type: 'completions', requestId: 2, prefix: 'ki', words: ['king', 'kind'] }));
  assert.equal(parseHostToPanel({ type: 'completions', requestId: 2, prefix: 'ki', words: ['king', 3] }), undefined);
  assert.ok(parseHostToPanel({ type: 'modelList', names: ['a', 'b'], second: null }));
  assert.equal(parseHostToPanel({ type: 'modelList', names: ['a'], second: 4 }), undefined);
});

test('trainer start message: a classifier job on word vectors, or on a pretrained encoder (encoderDir and encoderTraining), never both', () => {
  const base = { kind: 'classify-train', dataPath: '/data/sms.tsv', data: {}, classifierDir: '/w/classifiers/sms-bag-scratch', name: 'sms-bag-scratch' };
  const onVectors = { ...base, vectorsDir: '/w/models/w2v', settings: { arch: 'bag', embeddings: 'tuned', epochs: 2, seed: 1 } };
  const fromScratch = { ...base, settings: { arch: 'cnn', embeddings: 'random', seed: 1 } };
  const onEncoder = { ...base, encoderDir: '/w/.transfer-lab/encoders/lstm-1', encoderTraining: 'frozen', settings: { epochs: 2, batchSize: 16, maxTokens: 32, patience: 2, learningRate: 0.01, seed: 1 } };
  for (const job of [onVectors, fromScratch, onEncoder, ...(['top', 'all', 'scratch'] as const).map((encoderTraining) => ({ ...onEncoder, encoderTraining })), { ...onEncoder, settings: { seed: 7 } }]) {
    assert.deepEqual(parseHostToTrainer({ type: 'start', runId: 'r', job }), { type: 'start', runId: 'r', job }, JSON.stringify(job));
  }
  for (const bad of [
    { ...onEncoder, encoderDir: '' },
    { ...onEncoder, encoderDir: 3 },
    { ...onEncoder, encoderDir: ['/w/enc'] },
    { ...onEncoder, encoderDir: undefined },
    { ...onEncoder, encoderTraining: undefined },
    { ...onEncoder, encoderTraining: 'tuned' },
    { ...onEncoder, encoderTraining: 'ALL' },
    { ...onEncoder, encoderTraining: 1 },
    // Two kinds of pretraining at once.
    { ...onEncoder, vectorsDir: '/w/models/w2v' },
    // Word-vector settings on an encoder: what they meant is unclear, so refused rather than half-read.
    { ...onEncoder, settings: { ...onEncoder.settings, arch: 'bag' } },
    { ...onEncoder, settings: { ...onEncoder.settings, embeddings: 'tuned' } },
    { ...onEncoder, settings: { ...onEncoder.settings, maxLen: 100 } },
    { ...onEncoder, settings: { ...onEncoder.settings, seed: 1.5 } },
    { ...onEncoder, settings: { ...onEncoder.settings, epochs: 0 } },
    { ...onEncoder, settings: { ...onEncoder.settings, maxTokens: -1 } },
    { ...onEncoder, settings: { ...onEncoder.settings, learningRate: 0 } },
    { ...onEncoder, settings: undefined },
    { ...onEncoder, classifierDir: '' },
    { ...onEncoder, name: undefined },
    { ...onEncoder, dataPath: '' },
    { ...onEncoder, data: null },
    // encoderTraining alone does not make a word-vector job.
    { ...onVectors, encoderTraining: 'all' },
    { ...fromScratch, settings: { ...fromScratch.settings, embeddings: 'tuned' } },
    { ...onVectors, settings: { ...onVectors.settings, arch: 'transformer' } },
  ]) {
    assert.equal(parseHostToTrainer({ type: 'start', runId: 'r', job: bad }), undefined, JSON.stringify(bad));
  }
});

test('a classifier result on an encoder names its architecture and training; the panel run too', () => {
  const report = { accuracy: 0.9, macroF1: 0.8, perClass: [{ label: 'ham', precision: 1, recall: 0.9, f1: 0.95, support: 10 }], confusion: [[9]] };
  const dataset = { path: '/data/sms.tsv', examples: 20, labels: ['ham'], counts: [20], train: 10, validation: 5, test: 5, givenSplit: false, skipped: [] };
  const result = { name: 'sms-lstm-frozen', classifierDir: '/w/c/sms-lstm-frozen', arch: 'lstm', embeddings: 'frozen', vectorsName: 'lstm-1', encoderTraining: 'frozen', backend: 'cpu', dataset, report, misclassified: [], bestEpoch: 1, history: [], trainSeconds: 1 };
  const done = { type: 'classifierDone', runId: 'r', result };
  assert.deepEqual(parseTrainerToHost(done), done);
  assert.deepEqual(parseHostToPanel({ type: 'classifierResult', result }), { type: 'classifierResult', result });
  assert.equal(parseTrainerToHost({ ...done, result: { ...result, encoderTraining: 'tuned' } }), undefined);
  assert.equal(parseTrainerToHost({ ...done, result: { ...result, arch: 'gru' } }), undefined);
  const run = { runId: 'r', kind: 'train', title: 'sms-transformer-all', dataPath: '/data/sms.tsv', arch: 'transformer', embeddings: 'tuned', vectorsName: 'enc', encoderTraining: 'all' };
  assert.deepEqual(parseHostToPanel({ type: 'classifierRunStarted', run }), { type: 'classifierRunStarted', run });
  assert.equal(parseHostToPanel({ type: 'classifierRunStarted', run: { ...run, encoderTraining: 'some' } }), undefined);
});
