// `transfer-lab pretrain <corpus> --arch transformer|lstm --out <encoder>`: a subword tokeniser and a
// small neural encoder trained on raw text (src/core/neural/), printing loss as it goes. The encoder
// folder then feeds `transfer-lab classify train --encoder <encoder>`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileCorpus, listCorpusFiles } from '../core/corpus';
import { loadTensorflow } from '../core/classify/tfBackend';
import { trainBpe, type BpeTokenizer } from '../core/neural/bpe';
import { ENCODER_ARCHS, encoderConfig, type EncoderArch } from '../core/neural/config';
import { saveEncoder } from '../core/neural/encoderFolder';
import { pretrainEncoder } from '../core/neural/pretrain';
import { sequenceWindows } from '../core/neural/windows';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const PRETRAIN_USAGE = `  transfer-lab pretrain <file-or-folder> --arch transformer|lstm [--minutes N | --steps N] --out <encoder>`;

export const PRETRAIN_HELP = `pretrain: a byte-pair tokeniser and a small encoder trained on the text (TensorFlow.js; tfjs-node when it
loads, else WebAssembly, else plain JavaScript). The Transformer learns by masked-language modelling, the
LSTM by predicting the next token. Loss and perplexity are printed as it goes.
  --arch A          transformer | lstm                                   [transformer]
  --minutes N       training time budget                                 [20 unless --steps]
  --steps N         or a number of batches
  --vocab-size N    subword vocabulary, special tokens included           [8000]
  --width N --layers N --heads N --max-len N   network size  [transformer 128/2/4/64, lstm 256/1/-/64]
  --batch-size N --lr X --seed N                                         [32, 1e-3, 1]
  --max-tokens N    read at most this many tokens of the corpus          [5000000]
  --out DIR         the encoder folder to write (encoder.json, weights.bin, tokenizer.json)
`;

const PRETRAIN_FLAGS: Record<string, FlagSpec> = {
  arch: { kind: 'string' },
  minutes: { kind: 'number', min: 0.01, max: 100_000 },
  steps: { kind: 'int', min: 1, max: 1e9 },
  'vocab-size': { kind: 'int', min: 100, max: 200_000 },
  width: { kind: 'int', min: 8, max: 4096 },
  layers: { kind: 'int', min: 1, max: 48 },
  heads: { kind: 'int', min: 1, max: 64 },
  'max-len': { kind: 'int', min: 8, max: 4096 },
  'batch-size': { kind: 'int', min: 1, max: 4096 },
  lr: { kind: 'number', min: 1e-7, max: 1 },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  'max-tokens': { kind: 'int', min: 1000, max: 1e10 },
  out: { kind: 'string' },
  quiet: { kind: 'boolean' },
  json: { kind: 'boolean' },
};

export async function runPretrain(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, PRETRAIN_FLAGS);
  if (positional.length !== 1) throw new UsageError('pretrain takes one corpus (a text file or a folder). Example: transfer-lab pretrain notes/ --arch transformer --minutes 20 --out encoder');
  const out = flags.out as string | undefined;
  if (!out) throw new UsageError('pretrain needs --out <folder> for the encoder.');
  const outDir = path.resolve(out);
  if (await fs.stat(outDir).catch(() => undefined)) throw new UsageError(`${outDir} already exists: choose a new --out folder (an encoder is never overwritten).`);
  const arch = flags.arch ?? 'transformer';
  if (!ENCODER_ARCHS.includes(arch as EncoderArch)) throw new UsageError(`--arch must be one of ${ENCODER_ARCHS.join(', ')}, got "${String(arch)}".`);
  const quiet = flags.quiet === true || flags.json === true;
  const log = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const corpusPath = path.resolve(positional[0]);
  const stat = await fs.stat(corpusPath).catch(() => undefined);
  if (!stat) throw new UsageError(`${corpusPath} does not exist: give a text file or a folder of text files.`);
  const files = stat.isDirectory() ? await listCorpusFiles(corpusPath) : [corpusPath];
  if (files.length === 0) throw new UsageError(`${corpusPath} holds no text files (.txt, .md, …).`);
  const maxTokens = (flags['max-tokens'] as number | undefined) ?? 5_000_000;

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const started = Date.now();
    const corpus = new FileCorpus(files, { maxFileBytes: stat.isDirectory() ? 50 * 1024 * 1024 : Number.MAX_SAFE_INTEGER });
    const tokenizer = await trainBpe(corpus.chunks(abort.signal), { vocabSize: (flags['vocab-size'] as number | undefined) ?? 8000, chunked: true }, undefined, abort.signal);
    log(`tokeniser: ${tokenizer.size.toLocaleString('en-US')} subwords in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const sequences = await tokenizedLines(corpus, tokenizer, maxTokens, abort.signal);
    const tokens = sequences.reduce((n, s) => n + s.length, 0);
    const defaults = arch === 'lstm' ? { width: 256, layers: 1 } : { width: 128, layers: 2 };
    const config = encoderConfig({
      arch: arch as EncoderArch,
      vocabSize: tokenizer.size,
      width: (flags.width as number | undefined) ?? defaults.width,
      layers: (flags.layers as number | undefined) ?? defaults.layers,
      heads: (flags.heads as number | undefined) ?? 4,
      maxLen: (flags['max-len'] as number | undefined) ?? 64,
      seed: (flags.seed as number | undefined) ?? 1,
    });
    const windows = sequenceWindows(sequences, config.arch, config.maxLen, tokenizer.size);
    const tensorflow = await loadTensorflow();
    log(`${config.arch}: ${tokens.toLocaleString('en-US')} tokens in ${windows.count.toLocaleString('en-US')} windows of ${config.maxLen}; TensorFlow.js ${tensorflow.backend}: ${tensorflow.note}`);
    const minutes = flags.minutes as number | undefined;
    const steps = flags.steps as number | undefined;
    const encoder = await pretrainEncoder(windows, config, {
      minutes: minutes ?? (steps === undefined ? 20 : undefined),
      steps,
      batchSize: (flags['batch-size'] as number | undefined) ?? 32,
      learningRate: (flags.lr as number | undefined) ?? 1e-3,
      signal: abort.signal,
      tensorflow,
      onProgress: (p) => log(`step ${p.step}  loss ${p.loss.toFixed(4)}  perplexity ${p.perplexity.toFixed(1)}  ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s  ${(p.elapsedMs / 1000).toFixed(0)} s`),
    });
    await saveEncoder(outDir, encoder, tokenizer.toJSON());
    const s = encoder.stats;
    const result = { out: outDir, arch: config.arch, backend: tensorflow.backend, vocabSize: tokenizer.size, corpusTokens: tokens, steps: s?.steps, tokensPerSecond: s?.tokensPerSecond, finalLoss: s?.finalLoss };
    encoder.dispose();
    if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`wrote ${outDir}: ${config.arch}, ${s?.steps ?? 0} steps, final loss ${s?.finalLoss?.toFixed(4) ?? '?'} (perplexity ${s?.finalLoss !== undefined ? Math.exp(s.finalLoss).toFixed(1) : '?'}), ${Math.round(s?.tokensPerSecond ?? 0).toLocaleString('en-US')} tokens/s on ${tensorflow.backend}\n`);
    return 0;
  } catch (error) {
    if ((error as Error).name === 'AbortError' || abort.signal.aborted) {
      process.stderr.write('cancelled; no encoder was written\n');
      return 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** The corpus as subword ids, one sequence per non-empty line, up to `maxTokens` in all. */
async function tokenizedLines(corpus: FileCorpus, tokenizer: BpeTokenizer, maxTokens: number, signal: AbortSignal): Promise<number[][]> {
  const sequences: number[][] = [];
  let total = 0;
  let pending = '';
  const take = (line: string) => {
    if (total >= maxTokens) return;
    const ids = tokenizer.encode(line);
    if (ids.length === 0) return;
    sequences.push(ids);
    total += ids.length;
  };
  for await (const chunk of corpus.chunks(signal)) {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) take(line);
    if (total >= maxTokens) return sequences;
  }
  take(pending);
  return sequences;
}
