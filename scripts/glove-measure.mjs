#!/usr/bin/env node
// Trains GloVe on one corpus file and writes the vectors as word2vec text, for measuring time, peak RSS
// (run it under /usr/bin/time -v) and quality (../shared/bench/evaluate.py OUT).
//
// Usage: node --import tsx scripts/glove-measure.mjs CORPUS OUT.txt [--dim N] [--epochs N] [--window N]
//          [--min-count N] [--memory-mb N] [--x-max N] [--eta N] [--seed N] [--temp-dir DIR]
// Prints one JSON line with the options used and TrainedGlove.stats; progress goes to stderr.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FileCorpus } from '../src/core/corpus.ts';
import { trainGlove } from '../src/core/glove/glove.ts';
import { writeWord2Vec } from '../src/core/formats/word2vecFormat.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dim: { type: 'string' },
    epochs: { type: 'string' },
    window: { type: 'string' },
    'min-count': { type: 'string' },
    'memory-mb': { type: 'string' },
    'x-max': { type: 'string' },
    eta: { type: 'string' },
    seed: { type: 'string' },
    'temp-dir': { type: 'string' },
  },
});
if (positionals.length !== 2) {
  console.error('usage: node --import tsx scripts/glove-measure.mjs CORPUS OUT.txt [options]');
  process.exit(2);
}
const [corpusPath, outPath] = positionals;
const number = (name) => (values[name] === undefined ? undefined : Number(values[name]));
const options = {
  dim: number('dim'),
  epochs: number('epochs'),
  window: number('window'),
  minCount: number('min-count'),
  memoryMB: number('memory-mb'),
  xMax: number('x-max'),
  eta: number('eta'),
  seed: number('seed'),
  tempDir: values['temp-dir'],
};

// The bench corpus is larger than FileCorpus's default per-file limit, which guards editor workspaces.
const corpus = new FileCorpus([path.resolve(corpusPath)], { maxFileBytes: Number.MAX_SAFE_INTEGER });
let lastLine = 0;
const started = performance.now();
const trained = await trainGlove(corpus, options, {
  progressIntervalMs: 1000,
  onVocabulary: (v) => console.error(`vocabulary: ${v.vocabularySize} words from ${v.corpusWords} tokens`),
  onProgress: (p) => {
    const now = performance.now();
    if (now - lastLine < 10_000) return;
    lastLine = now;
    const what = p.phase === 'vocabulary'
      ? `counting ${p.wordsDone}${p.wordsTotal ? ` / ${p.wordsTotal}` : ''} tokens`
      : `epoch ${p.epoch}/${p.epochs} ${((100 * p.wordsDone) / p.wordsTotal).toFixed(1)}% loss ${p.loss.toFixed(5)}`;
    console.error(`${((now - started) / 1000).toFixed(0)}s ${what}`);
  },
});
await writeWord2Vec(trained.vectors, path.resolve(outPath), { binary: false });
console.log(JSON.stringify({ corpus: corpusPath, options: trained.options, stats: trained.stats, wallSeconds: (performance.now() - started) / 1000 }));
