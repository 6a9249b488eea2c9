// Pretrain Encoder in the trainer process: a BPE tokeniser and a Transformer or LSTM trained on the
// workspace's text for a time budget, reported to the panel's chart as the word-vector runs are
// (loss per step window, perplexity, tokens/s), written atomically as an encoder folder.
import * as path from 'node:path';
import { FileCorpus } from '../core/corpus';
import { loadTensorflow } from '../core/classify/tfBackend';
import { loadEncoder, saveEncoder } from '../core/neural/encoderFolder';
import { BpeTokenizer } from '../core/neural/bpe';
import { inspectWord } from '../core/neural/inspect';
import { pretrainOnCorpus } from '../core/neural/pretrainCorpus';
import type { EncoderJob, InspectEncoderJob, TrainerToHost } from '../shared/protocol';

export async function runEncoderJob(runId: string, job: EncoderJob, signal: AbortSignal, emit: (message: TrainerToHost) => void): Promise<void> {
  const tensorflow = await loadTensorflow();
  const files = new FileCorpus(job.files, { maxFileBytes: job.maxFileBytes });
  const started = Date.now();
  const budgetMs = job.minutes * 60_000;
  emit({ type: 'log', runId, level: 'info', message: `Pretraining a ${job.arch} on ${job.files.length} files for ${job.minutes} minutes; TensorFlow.js ${tensorflow.backend}: ${tensorflow.note}` });
  const { encoder, tokenizer, tokens } = await pretrainOnCorpus(files, {
    // The autoencoder is a Transformer with an objective of its own.
    arch: job.arch === 'autoencoder' ? 'transformer' : job.arch,
    objective: job.arch === 'autoencoder' ? 'autoencoder' : undefined,
    vocabSize: job.vocabSize,
    minutes: job.minutes,
    tensorflow,
    signal,
    onPrepared: ({ vocabSize, tokens: read, windows, config }) => {
      emit({ type: 'corpus', runId, report: { ...files.report, skipped: files.report.skipped.map((s) => ({ ...s, path: path.relative(job.corpusRoot, s.path) || s.path })) } });
      emit({ type: 'log', runId, level: 'info', message: `Tokeniser: ${vocabSize} subwords; ${read.toLocaleString('en-US')} tokens in ${windows.toLocaleString('en-US')} windows of ${config.maxLen}. Training skip-gram vectors for the subwords first (the starting token table)` });
    },
    onTokenVectors: ({ trainedRows, seconds }) => emit({ type: 'log', runId, level: 'info', message: `Token vectors: ${trainedRows} subwords in ${seconds.toFixed(1)} s; the ${job.arch} trains from them` }),
    onProgress: (p) => {
      // As a run's progress: the time budget is the "total", so the bar and the time left are right.
      const elapsed = Date.now() - started;
      emit({
        type: 'progress',
        runId,
        progress: {
          phase: 'training', epoch: 1, epochs: 1, wordsDone: Math.min(elapsed, budgetMs), wordsTotal: budgetMs,
          loss: p.loss, epochLoss: p.loss, wordsPerSecond: p.tokensPerSecond, learningRate: 0, elapsedMs: p.elapsedMs,
          unit: 'tokens', perplexity: p.perplexity,
        },
      });
    },
  });
  if (signal.aborted) throw Object.assign(new Error('Training cancelled'), { name: 'AbortError' });
  emit({ type: 'log', runId, level: 'info', message: `Writing the encoder to ${job.encoderDir}` });
  await saveEncoder(job.encoderDir, encoder, tokenizer.toJSON());
  const stats = encoder.stats;
  emit({
    type: 'encoderDone',
    runId,
    encoder: { name: job.name, encoderDir: job.encoderDir, arch: job.arch, steps: stats?.steps ?? 0, finalLoss: stats?.finalLoss ?? 0, tokensPerSecond: stats?.tokensPerSecond ?? 0, backend: tensorflow.backend, corpusTokens: tokens },
  });
  encoder.dispose();
}

/** Inspect: loads the encoder and its tokeniser, reads the texts, and reports the word in context. */
export async function runInspectJob(runId: string, job: InspectEncoderJob, emit: (message: TrainerToHost) => void): Promise<void> {
  const tensorflow = await loadTensorflow();
  const { encoder, tokenizerJson } = await loadEncoder(job.encoderDir, { tensorflow });
  try {
    if (!tokenizerJson) throw new Error(`${path.basename(job.encoderDir)} has no tokenizer.json: pretrain it again.`);
    emit({ type: 'inspection', runId, inspection: inspectWord(encoder, BpeTokenizer.fromJSON(tokenizerJson), job.texts, job.word, 8) });
  } finally {
    encoder.dispose();
  }
}
