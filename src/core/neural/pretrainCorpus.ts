// Pretraining on a text corpus, from text to a trained encoder and its tokeniser: what the CLI's
// `pretrain` and the extension's trainer both run. The tokeniser learns from one pass over the text,
// then the text is read again into subword ids (one sequence per line, up to maxTokens), cut into
// windows, and the encoder trains on them for the budget given.
import type { TextCorpus } from '../corpus';
import type { LoadedTensorflow } from '../classify/tfBackend';
import { trainBpe } from './bpe';
import { encoderConfig, type EncoderArch, type EncoderConfig, type EncoderObjective } from './config';
import type { Encoder, PretrainProgress, TrainingStats } from './encoder';
import { pretrainEncoder } from './pretrain';
import { loadEncoder, saveEncoder } from './encoderFolder';
import { BpeTokenizer } from './bpe';
import { sequenceWindows } from './windows';
import { trainTokenVectors, type TokenVectorTable } from './tokenVectors';

export interface CorpusPretrainOptions {
  arch: EncoderArch;
  /** Default: the architecture's own (masked-LM for a Transformer, next-token for an LSTM). */
  objective?: EncoderObjective;
  /** Subword vocabulary, special tokens included. Default 8000. */
  vocabSize?: number;
  /** Corpus tokens read at most. Default 5,000,000. */
  maxTokens?: number;
  minutes?: number;
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Network size; defaults per architecture (Transformer 128 wide, 2 layers; LSTM 256, 1). */
  config?: Partial<Pick<EncoderConfig, 'width' | 'layers' | 'heads' | 'maxLen' | 'seed'>>;
  /**
   * Start the token table from skip-gram vectors of the subwords (trainTokenVectors), trained first
   * on the same text: seconds of work the encoder's own objective would need far longer to match.
   * Default true; its time counts against `minutes`.
   */
  tokenVectors?: boolean;
  tensorflow: LoadedTensorflow;
  signal?: AbortSignal;
  /** The token vectors are trained (when asked for): before the encoder's own training starts. */
  onTokenVectors?(info: Omit<TokenVectorTable, 'table'>): void;
  /** The tokeniser is ready, and the text read as ids: before training starts. */
  onPrepared?(info: { vocabSize: number; tokens: number; windows: number; config: EncoderConfig }): void;
  onProgress?(progress: PretrainProgress): void;
  /**
   * Save the encoder (with its tokeniser) in `dir` every `everySteps` steps; with `resume`, go on from
   * the one saved there instead of starting over (the tokeniser comes back with it; the optimiser's
   * moments start again, so the run continues closely but not bit-identically).
   */
  checkpoint?: { dir: string; everySteps: number; resume: boolean };
  /**
   * An encoder folder to go on training on this text (its tokeniser, config and weights; `arch` must
   * be its architecture): adapting an encoder pretrained on general text to the text of a task.
   * The folder itself is only read.
   */
  continueFrom?: string;
}

export async function pretrainOnCorpus(corpus: TextCorpus, options: CorpusPretrainOptions): Promise<{ encoder: Encoder; tokenizer: BpeTokenizer; tokens: number }> {
  const saved = options.checkpoint?.resume ? await loadEncoder(options.checkpoint.dir, { tensorflow: options.tensorflow }).catch((error: Error) => {
    throw new Error(`Cannot resume from ${options.checkpoint!.dir}: ${error.message}`);
  }) : undefined;
  if (saved && !saved.tokenizerJson) {
    saved.encoder.dispose();
    throw new Error(`The checkpoint in ${options.checkpoint!.dir} has no tokenizer.json. Start the run again without resuming.`);
  }
  // A checkpoint of a continued run already holds the parent's weights, moved on.
  const parent = !saved && options.continueFrom ? await loadEncoder(options.continueFrom, { tensorflow: options.tensorflow }).catch((error: Error) => {
    throw new Error(`Cannot continue from ${options.continueFrom}: ${error.message}`);
  }) : undefined;
  const start = saved ?? parent;
  try {
    if (parent && !parent.tokenizerJson) throw new Error(`${options.continueFrom} has no tokenizer.json: it was not written by pretraining. Pretrain it again.`);
    if (parent && parent.encoder.config.arch !== options.arch) throw new Error(`${options.continueFrom} is a ${parent.encoder.config.arch}; it cannot continue as a ${options.arch}.`);
    return await pretrainFrom(corpus, options, start, saved !== undefined);
  } finally {
    // Copied into the new encoder by now, or training failed: either way the loaded weights go.
    start?.encoder.dispose();
  }
}

type LoadedEncoder = Awaited<ReturnType<typeof loadEncoder>>;

/** Pretraining from `start` (a checkpoint when `resuming`, else a parent to continue) or from nothing. */
async function pretrainFrom(corpus: TextCorpus, options: CorpusPretrainOptions, start: LoadedEncoder | undefined, resuming: boolean): Promise<{ encoder: Encoder; tokenizer: BpeTokenizer; tokens: number }> {
  const saved = resuming ? start : undefined;
  const tokenizer = start ? BpeTokenizer.fromJSON(start.tokenizerJson!) : await trainBpe(corpus.chunks(options.signal), { vocabSize: options.vocabSize ?? 8000, chunked: true }, undefined, options.signal);
  const sequences = await tokenizedLines(corpus, tokenizer, options.maxTokens ?? 5_000_000, options.signal);
  const tokens = sequences.reduce((n, s) => n + s.length, 0);
  if (tokens === 0) throw new Error('The text has no words to pretrain on: every file was empty or skipped.');
  const defaults = options.arch === 'lstm' ? { width: 256, layers: 1 } : { width: 128, layers: 2 };
  const config = start ? start.encoder.config : encoderConfig({ arch: options.arch, objective: options.objective, vocabSize: tokenizer.size, heads: 4, maxLen: 64, seed: 1, ...defaults, ...options.config });
  const windows = sequenceWindows(sequences, config.arch, config.maxLen, tokenizer.size);
  if (windows.count === 0) throw new Error(`The text is too short to pretrain on: ${tokens} tokens make no window of ${config.maxLen}. Add text, or lower the sequence length.`);
  options.onPrepared?.({ vocabSize: tokenizer.size, tokens, windows: windows.count, config });
  // A resumed or continued encoder has its table already.
  const tokenVectors = !start && options.tokenVectors !== false ? await trainTokenVectors(sequences, config, { signal: options.signal }) : undefined;
  if (tokenVectors) options.onTokenVectors?.({ trainedRows: tokenVectors.trainedRows, seconds: tokenVectors.seconds, tokensPerSecond: tokenVectors.tokensPerSecond });
  // What the checkpoint already did counts against the budget, and so does the token vectors' time.
  const doneSteps = saved?.encoder.stats?.steps ?? 0;
  const tokenVectorSeconds = saved ? saved.encoder.stats?.tokenVectorSeconds : tokenVectors?.seconds;
  const doneMinutes = ((saved?.encoder.stats?.elapsedMs ?? 0) + (tokenVectorSeconds ?? 0) * 1000) / 60_000;
  const withTokenVectorTime = (stats: TrainingStats): TrainingStats => (tokenVectorSeconds === undefined ? stats : { ...stats, tokenVectorSeconds });
  const minutes = options.minutes ?? (options.steps === undefined ? 20 : undefined);
  const { checkpoint } = options;
  const encoder = await pretrainEncoder(windows, config, {
    minutes: minutes === undefined ? undefined : Math.max(0.01, minutes - doneMinutes),
    steps: options.steps === undefined ? undefined : Math.max(1, options.steps - doneSteps),
    from: start?.encoder,
    tokenTable: tokenVectors?.table,
    ...(checkpoint && { checkpoint: { everySteps: checkpoint.everySteps, save: (live: Encoder) => {
          if (live.stats) live.stats = withTokenVectorTime(live.stats);
          return saveEncoder(checkpoint.dir, live, tokenizer.toJSON(), { replace: true });
        } } }),
    batchSize: options.batchSize ?? 32,
    learningRate: options.learningRate ?? 1e-3,
    signal: options.signal,
    tensorflow: options.tensorflow,
    onProgress: options.onProgress,
  });
  if (saved) {
    // One run's totals, the part before the checkpoint included.
    if (encoder.stats) encoder.stats = { ...encoder.stats, steps: encoder.stats.steps + doneSteps, elapsedMs: encoder.stats.elapsedMs + (saved.encoder.stats?.elapsedMs ?? 0) };
  }
  if (encoder.stats) encoder.stats = withTokenVectorTime(encoder.stats);
  return { encoder, tokenizer, tokens };
}

/** The corpus as subword ids, one sequence per non-empty line, up to `maxTokens` in all. */
async function tokenizedLines(corpus: TextCorpus, tokenizer: BpeTokenizer, maxTokens: number, signal?: AbortSignal): Promise<number[][]> {
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
