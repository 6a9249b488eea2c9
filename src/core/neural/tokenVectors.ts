// The first stage of encoder pretraining: skip-gram vectors for the subword tokens, trained by our
// own word-vector kernels on the same id sequences the encoder then reads, become the encoder's token
// table. A few CPU-minutes of masked-LM or next-token training leave a fresh token table close to its
// random start, and the network's first steps then learn only unigram frequencies; skip-gram gives
// every subword a distributional vector in seconds (a million tokens a second), so the encoder starts
// from what word vectors know and its own training adds context on top.
import type { TextCorpus } from '../corpus';
import { trainWord2Vec } from '../word2vec';
import { Random, streamSeed } from '../random';
import { FIRST_ORDINARY_ID, PAD_ID, type EncoderConfig } from './config';

export interface TokenVectorOptions {
  /** Passes over the sequences. Default 5. */
  epochs?: number;
  /** Context tokens on each side. Default 5. */
  window?: number;
  /** The table's standard deviation after scaling (the encoder's random table has 0.05). Default 0.05. */
  scaleTo?: number;
  signal?: AbortSignal;
  onProgress?(info: { epoch: number; epochs: number; tokensPerSecond: number }): void;
}

export interface TokenVectorTable {
  /** vocabSize × width, PAD's row zero; tokens the text never showed keep small random rows. */
  table: Float32Array;
  /** Ordinary tokens that got a trained vector. */
  trainedRows: number;
  seconds: number;
  tokensPerSecond: number;
}

/**
 * Trains skip-gram vectors of the encoder's width on `sequences` (subword ids) and lays them out as
 * the encoder's token table. One worker thread, so the same sequences and seed give the same table.
 */
export async function trainTokenVectors(sequences: readonly ArrayLike<number>[], config: Pick<EncoderConfig, 'vocabSize' | 'width' | 'seed'>, options: TokenVectorOptions = {}): Promise<TokenVectorTable> {
  const epochs = options.epochs ?? 5;
  const scaleTo = options.scaleTo ?? 0.05;
  const trained = await trainWord2Vec(
    idCorpus(sequences),
    {
      algorithm: 'word2vec',
      mode: 'sg',
      dim: config.width,
      window: options.window ?? 5,
      negative: 5,
      epochs,
      // Every subword the tokeniser kept is worth a vector; the frequent pieces (the, punctuation,
      // word starts) are sampled down harder than words are, since there are fewer of them.
      minCount: 1,
      sample: 1e-4,
      seed: config.seed,
      lowercase: false,
      threads: 1,
    },
    {
      signal: options.signal,
      onProgress: (p) => {
        if (p.phase === 'training') options.onProgress?.({ epoch: p.epoch, epochs: p.epochs, tokensPerSecond: p.wordsPerSecond });
      },
    },
  );
  const { vectors } = trained;
  const table = new Float32Array(config.vocabSize * config.width);
  // Rows without a vector (specials, pieces the text never used) start as the encoder's own do.
  const random = new Random(streamSeed(config.seed, 5));
  const limit = scaleTo * Math.sqrt(3);
  for (let i = config.width; i < table.length; i++) table[i] = (random.float() * 2 - 1) * limit;

  let sumSquares = 0;
  let count = 0;
  const rows: [number, number][] = [];
  for (let w = 0; w < vectors.size; w++) {
    const id = Number(vectors.words[w].slice(1));
    if (!Number.isInteger(id) || id < FIRST_ORDINARY_ID || id >= config.vocabSize) continue;
    rows.push([id, w]);
    const row = vectors.data.subarray(w * vectors.dim, (w + 1) * vectors.dim);
    for (let d = 0; d < row.length; d++) sumSquares += row[d] * row[d];
    count += row.length;
  }
  // One factor for the whole table keeps the vectors' relative lengths (frequent and clear tokens
  // are longer) while matching the scale the network's initialisation expects.
  const factor = count > 0 && sumSquares > 0 ? scaleTo / Math.sqrt(sumSquares / count) : 1;
  for (const [id, w] of rows) {
    const row = vectors.data.subarray(w * vectors.dim, (w + 1) * vectors.dim);
    for (let d = 0; d < config.width; d++) table[id * config.width + d] = row[d] * factor;
  }
  table.fill(0, PAD_ID * config.width, (PAD_ID + 1) * config.width);
  return { table, trainedRows: rows.length, seconds: trained.stats.trainingSeconds + trained.stats.vocabularySeconds, tokensPerSecond: trained.stats.wordsPerSecond };
}

/** The id sequences as text the word-vector trainer reads: one line per sequence, token id 12 as "t12". */
function idCorpus(sequences: readonly ArrayLike<number>[]): TextCorpus {
  return {
    async *chunks(signal?: AbortSignal) {
      let chunk = '';
      for (const sequence of sequences) {
        if (signal?.aborted) return;
        let line = '';
        for (let i = 0; i < sequence.length; i++) if (sequence[i] >= FIRST_ORDINARY_ID) line += `t${sequence[i]} `;
        chunk += `${line}\n`;
        if (chunk.length >= 64 * 1024) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    },
  } as TextCorpus;
}
