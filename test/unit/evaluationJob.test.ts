// The evaluation the worker thread runs: a saved model scored on test sets recognised by content,
// with the same numbers as the core's evaluateAnalogies / evaluateSimilarity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { WordVectors } from '../../src/core/vectors';
import { writeModelFolder, MODEL_FORMAT_VERSION, type ModelManifest } from '../../src/core/modelFolder';
import { evaluateAnalogies, evaluateSimilarity } from '../../src/core/evaluation';
import { runEvaluationJob, summariseReport, testSetKind } from '../../src/extension/evaluationJob';
import { isEvaluationReport } from '../../src/shared/protocol';

const WORDS = ['the', 'king', 'queen', 'man', 'woman', 'paris', 'france', 'rome', 'italy', 'quick', 'quickly', 'slow', 'slowly', 'happy', 'happily', 'boy', 'girl'];
const DIM = 8;

/** Deterministic pseudo-random vectors: the scores are whatever the core computes, checked against it. */
function vectors(): WordVectors {
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return new WordVectors(WORDS, DIM, Float32Array.from({ length: WORDS.length * DIM }, next));
}

const ANALOGIES = `: capital-common-countries
paris france rome italy
rome italy paris france
paris france london england
: family
man woman king queen
boy girl man woman
: gram1-adjective-to-adverb
quick quickly slow slowly
slow slowly happy happily
`;

const SIMILARITY = `word1\tword2\tscore
king\tqueen\t8.5
man\twoman\t8.3
paris\tfrance\t7.0
quick\tslow\t2.1
boy\tzebra\t1.0
happy\thappily\t6.2
`;

async function setUp(): Promise<{ dir: string; modelDir: string; file: (name: string, text: string) => string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tl-evaljob-'));
  const modelDir = path.join(dir, 'models', 'tiny');
  const v = vectors();
  const manifest = {
    formatVersion: MODEL_FORMAT_VERSION,
    name: 'tiny',
    algorithm: 'fasttext',
    vectorsFile: 'vectors.bin',
    vectorsFormat: 'word2vec-binary',
    vocabularySize: v.size,
    dim: DIM,
    parameters: { mode: 'cbow', lowercase: true },
    corpus: { root: dir, files: [], filesRead: 0, bytesRead: 0, corpusWords: 0, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0 },
    timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: 0 },
    createdAt: new Date().toISOString(),
    createdBy: 'test',
  } satisfies ModelManifest;
  await writeModelFolder(modelDir, v, manifest);
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return { dir, modelDir, file };
}

test('test sets are told apart by their ": section" lines', () => {
  assert.equal(testSetKind(ANALOGIES), 'analogies');
  assert.equal(testSetKind('# comment\n: family\nman woman king queen\n'), 'analogies');
  assert.equal(testSetKind(SIMILARITY), 'similarity');
  assert.equal(testSetKind('a\tb\t1\n'), 'similarity');
  assert.equal(testSetKind('a : b\t1\n'), 'similarity', 'only a line that starts with ": " is a section');
});

test('a job scores every file with the core functions and reports in the panel’s shape', async () => {
  const { modelDir, file } = await setUp();
  const analogies = file('questions.txt', ANALOGIES);
  const similarity = file('pairs.tsv', SIMILARITY);
  const progress: string[] = [];
  const report = await runEvaluationJob({ modelDir, files: [analogies, similarity], restrictVocab: 30000, caseInsensitive: true }, (m) => progress.push(m));

  assert.ok(isEvaluationReport(report), 'the report passes the panel’s validator');
  assert.deepEqual(report.model, { name: 'tiny', algorithm: 'fasttext', mode: 'cbow', vocabularySize: WORDS.length, dim: DIM });
  assert.equal(report.restrictVocab, WORDS.length, 'the restriction in effect is capped at the vocabulary');
  assert.deepEqual(progress, ['Loading the model…', 'questions.txt (1 of 2)…', 'pairs.tsv (2 of 2)…']);

  const [a, s] = report.entries;
  assert.equal(a.kind, 'analogies');
  assert.equal(s.kind, 'similarity');
  if (a.kind !== 'analogies' || s.kind !== 'similarity') return;
  const expectedA = await evaluateAnalogies(vectors(), analogies, { restrictVocab: 30000, caseInsensitive: true });
  assert.equal(a.file, 'questions.txt');
  assert.equal(a.path, analogies);
  assert.deepEqual(a.sections, expectedA.sections);
  assert.deepEqual([a.total, a.semantic, a.syntactic], [expectedA.total, expectedA.semantic, expectedA.syntactic]);
  assert.equal(a.questions, 7);
  assert.equal(a.oovQuestions, 1, 'london/england are not in the vocabulary');
  assert.equal(a.total.total, 6);
  assert.equal(a.semantic.total + a.syntactic.total, a.total.total);

  const expectedS = await evaluateSimilarity(vectors(), similarity, { restrictVocab: 30000, caseInsensitive: true });
  assert.equal(s.pairs, 5);
  assert.equal(s.oovPairs, 1, 'zebra is not in the vocabulary');
  assert.equal(s.spearman, expectedS.spearman);
  assert.equal(s.pearson, expectedS.pearson);
  assert.ok(s.spearman !== null && s.spearman >= -1 && s.spearman <= 1);

  const line = summariseReport(report);
  assert.match(line, /^Evaluation of tiny \(\d+\.\d s\): questions\.txt \d+\.\d% \(\d\/6; semantic .*\) · pairs\.tsv Spearman -?\d\.\d{3} \(5 pairs, 16\.7% OOV\)$/);
});

test('a file that cannot be scored is reported and the others are still scored', async () => {
  const { dir, modelDir, file } = await setUp();
  const bad = file('broken.tsv', 'king\tqueen\t8.5\nman woman 8\n');
  const good = file('pairs.tsv', SIMILARITY);
  const binary = file('binary.txt', '\u0000\u0001\u0002');
  const missing = path.join(dir, 'nowhere.txt');
  const report = await runEvaluationJob({ modelDir, files: [bad, good, binary, missing], restrictVocab: 30000, caseInsensitive: true });
  assert.deepEqual(report.entries.map((e) => e.kind), ['error', 'similarity', 'error', 'error']);
  const messages = report.entries.map((e) => (e.kind === 'error' ? e.message : ''));
  assert.match(messages[0], /^broken\.tsv line 2: expected 3 tab-separated fields/);
  assert.match(messages[2], /binary\.txt: a binary file/);
  assert.match(messages[3], /nowhere\.txt: cannot read the file/);
  assert.ok(isEvaluationReport(report));
});

test('a model that cannot be loaded fails the whole job', async () => {
  const { dir, file } = await setUp();
  const pairs = file('pairs.tsv', SIMILARITY);
  await assert.rejects(runEvaluationJob({ modelDir: path.join(dir, 'no-model'), files: [pairs], restrictVocab: 10, caseInsensitive: true }), /cannot read the model description/);
});
