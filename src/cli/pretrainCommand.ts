// `transfer-lab pretrain <corpus> --arch transformer|lstm --out <encoder>`: a subword tokeniser and a
// small neural encoder trained on raw text (src/core/neural/), printing loss as it goes. The encoder
// folder then feeds `transfer-lab classify train --encoder <encoder>`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileCorpus, listCorpusFiles } from '../core/corpus';
import { loadTensorflow } from '../core/classify/tfBackend';
import { ENCODER_ARCHS, type EncoderArch, type EncoderObjective } from '../core/neural/config';
import { saveEncoder } from '../core/neural/encoderFolder';
import { pretrainOnCorpus } from '../core/neural/pretrainCorpus';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const PRETRAIN_USAGE = `  transfer-lab pretrain <file-or-folder> --arch transformer|lstm|autoencoder [--minutes N | --steps N] --out <encoder>`;

export const PRETRAIN_HELP = `pretrain: a byte-pair tokeniser and a small encoder trained on the text (TensorFlow.js; tfjs-node when it
loads, else WebAssembly, else plain JavaScript). The Transformer learns by masked-language modelling, the
LSTM by predicting the next token, the autoencoder (a Transformer) by rebuilding the bag of each window's
tokens from its mean-pooled vector, read with some tokens masked. Loss and perplexity are printed as it goes.
  --arch A          transformer | lstm | autoencoder                     [transformer]
  --minutes N       training time budget                                 [20 unless --steps]
  --steps N         or a number of batches
  --vocab-size N    subword vocabulary, special tokens included           [8000]
  --width N --layers N --heads N --max-len N   network size  [transformer 128/2/4/64, lstm 256/1/-/64]
  --batch-size N --lr X --seed N                                         [32, 1e-3, 1]
  --max-tokens N    read at most this many tokens of the corpus          [5000000]
  --no-token-vectors  start the token table at random instead of from skip-gram vectors of the
                    subwords (trained first, in seconds, on the same text; their time counts in --minutes)
  --out DIR         the encoder folder to write (encoder.json, weights.bin, tokenizer.json)
  --from E          go on training encoder E (its tokeniser, size and weights) on this text, e.g. one
                    pretrained on general text adapted to a task's own unlabelled text; E is only read
  --checkpoint D    save the encoder in folder D every --checkpoint-steps N steps [100]; --resume goes
                    on from it after a crash (the time or steps already done count; removed when done)
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
  'no-token-vectors': { kind: 'boolean' },
  out: { kind: 'string' },
  checkpoint: { kind: 'string' },
  from: { kind: 'string' },
  'checkpoint-steps': { kind: 'int', min: 1, max: 1e9 },
  resume: { kind: 'boolean' },
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
  const from = flags.from === undefined ? undefined : path.resolve(flags.from as string);
  const parentArch = from ? await encoderArchOf(from) : undefined;
  const arch = flags.arch ?? parentArch ?? 'transformer';
  if (!PRETRAIN_ARCHS.includes(arch as string)) throw new UsageError(`--arch must be one of ${PRETRAIN_ARCHS.join(', ')}, got "${String(arch)}".`);
  if (parentArch && arch !== parentArch) throw new UsageError(`--from ${from} is a ${parentArch}: leave --arch out, or give --arch ${parentArch}.`);
  const { arch: network, objective } = networkAndObjective(arch as string);
  if (from) {
    for (const flag of ['vocab-size', 'width', 'layers', 'heads', 'max-len']) {
      if (flags[flag] !== undefined) throw new UsageError(`--${flag} cannot change with --from: the encoder keeps its own tokeniser and size.`);
    }
  }
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

  const checkpointDir = flags.checkpoint === undefined ? undefined : path.resolve(flags.checkpoint as string);
  if (!checkpointDir && (flags.resume === true || flags['checkpoint-steps'] !== undefined)) throw new UsageError('--resume and --checkpoint-steps need --checkpoint <folder>.');
  if (flags.resume === true && !(await fs.stat(path.join(checkpointDir!, 'encoder.json')).catch(() => undefined))) {
    throw new UsageError(`--resume: there is no saved encoder in ${checkpointDir}. Run without --resume to start from the beginning.`);
  }

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const tensorflow = await loadTensorflow();
    const { encoder, tokenizer, tokens } = await pretrainOnCorpus(new FileCorpus(files, { maxFileBytes: stat.isDirectory() ? 50 * 1024 * 1024 : Number.MAX_SAFE_INTEGER }), {
      arch: network,
      objective,
      vocabSize: flags['vocab-size'] as number | undefined,
      maxTokens,
      minutes: flags.minutes as number | undefined,
      steps: flags.steps as number | undefined,
      batchSize: flags['batch-size'] as number | undefined,
      learningRate: flags.lr as number | undefined,
      tokenVectors: flags['no-token-vectors'] !== true,
      continueFrom: from,
      config: {
        ...(flags.width !== undefined && { width: flags.width as number }),
        ...(flags.layers !== undefined && { layers: flags.layers as number }),
        ...(flags.heads !== undefined && { heads: flags.heads as number }),
        ...(flags['max-len'] !== undefined && { maxLen: flags['max-len'] as number }),
        ...(flags.seed !== undefined && { seed: flags.seed as number }),
      },
      tensorflow,
      signal: abort.signal,
      ...(checkpointDir && { checkpoint: { dir: checkpointDir, everySteps: (flags['checkpoint-steps'] as number | undefined) ?? 100, resume: flags.resume === true } }),
      onPrepared: ({ vocabSize, tokens: read, windows, config }) =>
        log(`tokeniser: ${vocabSize.toLocaleString('en-US')} subwords; ${String(arch)}: ${read.toLocaleString('en-US')} tokens in ${windows.toLocaleString('en-US')} windows of ${config.maxLen}; TensorFlow.js ${tensorflow.backend}: ${tensorflow.note}`),
      onTokenVectors: ({ trainedRows, seconds, tokensPerSecond }) =>
        log(`token vectors: skip-gram for ${trainedRows.toLocaleString('en-US')} subwords in ${seconds.toFixed(1)} s (${Math.round(tokensPerSecond).toLocaleString('en-US')} tokens/s)`),
      onProgress: (p) => log(`step ${p.step}  loss ${p.loss.toFixed(4)}  perplexity ${p.perplexity.toFixed(1)}  ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s  ${(p.elapsedMs / 1000).toFixed(0)} s`),
    });
    await saveEncoder(outDir, encoder, tokenizer.toJSON());
    // Written: the checkpoint has served.
    if (checkpointDir) await fs.rm(checkpointDir, { recursive: true, force: true });
    const s = encoder.stats;
    const result = { out: outDir, arch: String(arch), backend: tensorflow.backend, vocabSize: tokenizer.size, corpusTokens: tokens, steps: s?.steps, tokensPerSecond: s?.tokensPerSecond, finalLoss: s?.finalLoss, tokenVectorSeconds: s?.tokenVectorSeconds };
    encoder.dispose();
    if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`wrote ${outDir}: ${String(arch)}, ${s?.steps ?? 0} steps, final loss ${s?.finalLoss?.toFixed(4) ?? '?'} (perplexity ${s?.finalLoss !== undefined ? Math.exp(s.finalLoss).toFixed(1) : '?'}), ${Math.round(s?.tokensPerSecond ?? 0).toLocaleString('en-US')} tokens/s on ${tensorflow.backend}\n`);
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

/** What --arch offers: the two networks, and the autoencoder (a Transformer with its own objective). */
const PRETRAIN_ARCHS: readonly string[] = [...ENCODER_ARCHS, 'autoencoder'];

function networkAndObjective(arch: string): { arch: EncoderArch; objective?: EncoderObjective } {
  return arch === 'autoencoder' ? { arch: 'transformer', objective: 'autoencoder' } : { arch: arch as EncoderArch };
}

/** The --arch an encoder folder was pretrained as (from its encoder.json), or a usage error saying what is wrong. */
async function encoderArchOf(dir: string): Promise<string> {
  const text = await fs.readFile(path.join(dir, 'encoder.json'), 'utf8').catch(() => {
    throw new UsageError(`--from ${dir}: there is no encoder.json there; give a folder written by transfer-lab pretrain.`);
  });
  let config: { arch?: unknown; objective?: unknown } | undefined;
  try {
    config = (JSON.parse(text) as { config?: { arch?: unknown; objective?: unknown } }).config;
  } catch {
    throw new UsageError(`--from ${dir}: encoder.json is not valid JSON; pretrain that encoder again.`);
  }
  if (typeof config?.arch !== 'string') throw new UsageError(`--from ${dir}: encoder.json names no architecture; pretrain that encoder again.`);
  return config.objective === 'autoencoder' ? 'autoencoder' : config.arch;
}
