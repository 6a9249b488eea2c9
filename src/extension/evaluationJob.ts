// One evaluation: a saved model scored on a list of test sets, each recognised by its content.
// Pure Node (no `vscode`), so that it runs in a worker thread and in unit tests alike.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { evaluateAnalogies, evaluateSimilarity } from '../core/evaluation';
import { readWord2Vec } from '../core/formats/word2vecFormat';
import { readModelManifest } from '../core/modelFolder';
import type { AnalogyEvaluation, EvaluationEntry, EvaluationJob, EvaluationReport, SimilarityEvaluation } from '../shared/protocol';
import { manifestAlgorithm } from '../shared/modelInfo';

/** questions-words.txt is 600 KB and SimLex-999 20 KB: anything far bigger was picked by mistake. */
export const MAX_TEST_SET_BYTES = 64 * 1024 * 1024;

export type TestSetKind = 'analogies' | 'similarity';

/**
 * Analogy sets (questions-words.txt and its translations) group questions under ": section" lines;
 * similarity sets (WordSim-353, SimLex-999, MEN) never have such a line.
 */
export function testSetKind(text: string): TestSetKind {
  return /^: /m.test(text) ? 'analogies' : 'similarity';
}

/**
 * Loads the model's vectors (not a FastText model's n-gram rows: test sets are scored on the
 * vocabulary only, as gensim does) and scores every file. A file that cannot be scored becomes an
 * error entry; the others are still scored. Only a model that cannot be loaded fails the whole job.
 */
export async function runEvaluationJob(
  job: EvaluationJob,
  onProgress: (message: string, done: number, total: number) => void = () => {},
): Promise<EvaluationReport> {
  const started = Date.now();
  const total = job.files.length + 1;
  onProgress('Loading the model…', 0, total);
  const manifest = await readModelManifest(job.modelDir);
  const vectors = await readWord2Vec(path.join(job.modelDir, manifest.vectorsFile), { binary: true });
  if (vectors.dim !== manifest.dim) {
    throw new Error(`${job.modelDir}: model.json says dim ${manifest.dim} but ${manifest.vectorsFile} has dim ${vectors.dim}.`);
  }
  const options = { restrictVocab: job.restrictVocab, caseInsensitive: job.caseInsensitive };

  const entries: EvaluationEntry[] = [];
  for (const [i, file] of job.files.entries()) {
    const name = path.basename(file);
    onProgress(`${name} (${i + 1} of ${job.files.length})…`, i + 1, total);
    try {
      const text = await readTestSet(file);
      if (testSetKind(text) === 'analogies') {
        const r = await evaluateAnalogies(vectors, { text, name }, options);
        const entry: AnalogyEvaluation = {
          kind: 'analogies',
          file: name,
          path: file,
          sections: r.sections.map(({ name: section, correct, total: answered, accuracy }) => ({ name: section, correct, total: answered, accuracy })),
          total: r.total,
          semantic: r.semantic,
          syntactic: r.syntactic,
          questions: r.questions,
          oovQuestions: r.oovQuestions,
          oovRatio: r.oovRatio,
        };
        entries.push(entry);
      } else {
        const r = await evaluateSimilarity(vectors, { text, name }, options);
        const entry: SimilarityEvaluation = {
          kind: 'similarity',
          file: name,
          path: file,
          spearman: finiteOrNull(r.spearman),
          pearson: finiteOrNull(r.pearson),
          pairs: r.pairs,
          oovPairs: r.oovPairs,
          oovRatio: r.oovRatio,
        };
        entries.push(entry);
      }
    } catch (error) {
      entries.push({ kind: 'error', file: name, path: file, message: (error as Error).message });
    }
  }

  return {
    model: { name: manifest.name, ...manifestAlgorithm(manifest), vocabularySize: vectors.size, dim: vectors.dim },
    restrictVocab: Math.min(job.restrictVocab, vectors.size),
    caseInsensitive: job.caseInsensitive,
    entries,
    elapsedMs: Date.now() - started,
    finishedAt: Date.now(),
  };
}

/** One line for the output channel: every test set's headline number. */
export function summariseReport(report: EvaluationReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = report.entries.map((e) => {
    switch (e.kind) {
      case 'analogies':
        return (
          `${e.file} ${pct(e.total.accuracy)} (${n(e.total.correct)}/${n(e.total.total)}; ` +
          `semantic ${pct(e.semantic.accuracy)}, syntactic ${pct(e.syntactic.accuracy)}; ${e.oovRatio.toFixed(1)}% OOV)`
        );
      case 'similarity':
        return `${e.file} Spearman ${e.spearman === null ? 'n/a' : e.spearman.toFixed(3)} (${n(e.pairs)} pairs, ${e.oovRatio.toFixed(1)}% OOV)`;
      case 'error':
        return `${e.file} not scored`;
    }
  });
  return `Evaluation of ${report.model.name} (${(report.elapsedMs / 1000).toFixed(1)} s): ${parts.join(' · ')}`;
}

async function readTestSet(file: string): Promise<string> {
  const stat = await fs.stat(file).catch((error: Error) => {
    throw new Error(`${path.basename(file)}: cannot read the file (${error.message})`);
  });
  if (!stat.isFile()) throw new Error(`${path.basename(file)}: not a file`);
  if (stat.size > MAX_TEST_SET_BYTES) {
    throw new Error(`${path.basename(file)}: ${(stat.size / 1e6).toFixed(0)} MB is too large for a test set (at most ${MAX_TEST_SET_BYTES / 1024 / 1024} MB)`);
  }
  const bytes = await fs.readFile(file);
  if (bytes.subarray(0, 8192).includes(0)) throw new Error(`${path.basename(file)}: a binary file, not a test set`);
  return bytes.toString('utf8');
}

/** JSON has no NaN: a correlation that is undefined (constant scores) travels as null. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
