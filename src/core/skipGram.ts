// The skip-gram negative-sampling update, word2vec.c / gensim style: flat Float32Array weights, a
// precomputed sigmoid table, a cumulative unigram^0.75 table for drawing negatives, and nothing
// allocated per sentence. Everything else about training lives in word2vec.ts.

export const EXP_TABLE_SIZE = 1000;
export const MAX_EXP = 6;
const TABLE_SCALE = EXP_TABLE_SIZE / MAX_EXP / 2;
/** Negatives are drawn in proportion to count^0.75 (Mikolov et al. 2013). */
export const NEGATIVE_SAMPLING_POWER = 0.75;
/** The cumulative table spans [0, 2^31): a draw is a 31-bit random integer, no modulo needed. */
const CUM_DOMAIN = 2 ** 31;

/**
 * σ(x) for x in [-MAX_EXP, MAX_EXP), sampled at EXP_TABLE_SIZE points (word2vec.c's expTable), plus
 * one spare entry so an index rounded up at the very edge of the range stays inside the table.
 */
export function sigmoidTable(): Float64Array {
  const table = new Float64Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i <= EXP_TABLE_SIZE; i++) {
    const e = Math.exp(((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP);
    table[i] = e / (e + 1);
  }
  return table;
}

/**
 * The loss on the same grid as the sigmoid table, so one index serves both: -log σ(x) for the true
 * pair and -log(1 - σ(x)) for a negative (gensim keeps a LOG_TABLE for the same purpose).
 */
export function lossTables(): { positive: Float64Array; negative: Float64Array } {
  const sigmoid = sigmoidTable();
  return { positive: sigmoid.map((s) => -Math.log(s)), negative: sigmoid.map((s) => -Math.log1p(-s)) };
}

/** -log σ(x), exact; used only outside the table's range. */
function softplusNeg(x: number): number {
  return Math.max(0, -x) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * mulberry32: a 32-bit generator with good statistical quality for its cost. Its state is one int32
 * advanced by a constant, so the hot loop keeps it in a local variable: `state = (state + STEP) | 0`
 * then `randomOutput(state)`.
 */
const RANDOM_STEP = 0x6d2b79f5;
export function nextRandomState(state: number): number {
  return (state + RANDOM_STEP) | 0;
}
export function randomOutput(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A seeded stream of uniform 32-bit integers and floats in [0, 1). */
export class Random {
  state: number;
  constructor(seed: number) {
    // Spread the seed (an arbitrary integer) over the 32-bit state.
    this.state = Math.imul((seed | 0) ^ Math.floor(seed / 2 ** 32), 0x9e3779b1) ^ 0x85ebca6b;
  }
  uint32(): number {
    this.state = nextRandomState(this.state);
    return randomOutput(this.state);
  }
  float(): number {
    return this.uint32() / 2 ** 32;
  }
}

export interface SkipGramConfig {
  dim: number;
  window: number;
  negative: number;
  /** Word counts in vocabulary order (id = index). */
  counts: Float64Array;
  /** gensim's `sample`; 0 disables down-sampling of frequent words. */
  sample: number;
  seed: number;
  maxSentenceLength: number;
}

export class SkipGramTrainer {
  readonly dim: number;
  readonly vocabularySize: number;
  /** Input (word) vectors: the result. */
  readonly syn0: Float32Array;
  /** Output (context) vectors for negative sampling. */
  readonly syn1neg: Float32Array;
  /**
   * Running totals since construction: the SGNS loss (natural log), the (centre, context) pairs it
   * covers, and the words left after down-sampling. Readers take differences, so the totals do not
   * depend on when anyone looked.
   */
  lossSum = 0;
  pairs = 0;
  effectiveWords = 0;

  private readonly window: number;
  private readonly negative: number;
  private readonly sigmoid = sigmoidTable();
  private readonly lossPositive: Float64Array;
  private readonly lossNegative: Float64Array;
  /** cumulative[i] = end of word i's share of [0, 2^31). */
  private readonly cumulative: Float64Array;
  /** guide[b] = first word whose share reaches into bucket b: a draw scans from there (usually 0–1 steps). */
  private readonly guide: Int32Array;
  private readonly guideShift: number;
  /** Keep word i if a uniform 32-bit draw is <= keepThreshold[i] (gensim's sample_int). */
  private readonly keepThreshold: Float64Array;
  private readonly sampling: boolean;
  private readonly ids: Int32Array;
  private readonly gradient: Float64Array;
  private randomState: number;

  constructor(config: SkipGramConfig) {
    const { dim, counts } = config;
    const loss = lossTables();
    this.lossPositive = loss.positive;
    this.lossNegative = loss.negative;
    const size = counts.length;
    this.dim = dim;
    this.vocabularySize = size;
    this.window = config.window;
    this.negative = config.negative;
    const random = new Random(config.seed);
    this.syn0 = new Float32Array(size * dim);
    // gensim: uniform in [-0.5/dim, 0.5/dim); output weights start at zero.
    for (let i = 0; i < this.syn0.length; i++) this.syn0[i] = (random.float() - 0.5) / dim;
    this.syn1neg = new Float32Array(size * dim);
    this.randomState = random.state;

    this.cumulative = new Float64Array(size);
    let powerTotal = 0;
    for (let i = 0; i < size; i++) powerTotal += counts[i] ** NEGATIVE_SAMPLING_POWER;
    let running = 0;
    for (let i = 0; i < size; i++) {
      running += counts[i] ** NEGATIVE_SAMPLING_POWER;
      this.cumulative[i] = Math.round((running / powerTotal) * CUM_DOMAIN);
    }
    this.cumulative[size - 1] = CUM_DOMAIN;
    const guideBits = Math.min(24, Math.max(10, Math.ceil(Math.log2(size)) + 2));
    this.guideShift = 31 - guideBits;
    this.guide = new Int32Array(1 << guideBits);
    for (let bucket = 0, word = 0; bucket < this.guide.length; bucket++) {
      const bucketStart = bucket * 2 ** this.guideShift;
      while (this.cumulative[word] <= bucketStart) word++;
      this.guide[bucket] = word;
    }

    this.keepThreshold = new Float64Array(size);
    let total = 0;
    for (let i = 0; i < size; i++) total += counts[i];
    this.sampling = config.sample > 0;
    const thresholdCount = config.sample * total;
    for (let i = 0; i < size; i++) {
      // gensim's formula: keep with probability (sqrt(f/t) + 1) * t/f, t = sample × total words.
      const probability = this.sampling
        ? Math.min(1, (Math.sqrt(counts[i] / thresholdCount) + 1) * (thresholdCount / counts[i]))
        : 1;
      this.keepThreshold[i] = Math.round(probability * 2 ** 32);
    }
    this.ids = new Int32Array(config.maxSentenceLength);
    this.gradient = new Float64Array(dim);
  }

  /**
   * Trains on one sentence given as vocabulary ids (-1 for out-of-vocabulary words, which are
   * dropped before windows are formed, as in gensim). Returns the number of in-vocabulary words.
   */
  trainSentence(wordIds: ArrayLike<number>, count: number, alpha: number): number {
    const ids = this.ids;
    if (count > ids.length) throw new Error(`sentence of ${count} words is longer than maxSentenceLength (${ids.length})`);
    const keep = this.keepThreshold;
    const sampling = this.sampling;
    let state = this.randomState;
    let length = 0;
    let inVocabulary = 0;
    for (let i = 0; i < count; i++) {
      const id = wordIds[i];
      if (id < 0) continue;
      inVocabulary++;
      if (sampling) {
        state = (state + RANDOM_STEP) | 0;
        if (keep[id] < randomOutput(state)) continue;
      }
      ids[length++] = id;
    }
    this.effectiveWords += length;
    this.randomState = state;
    if (length > 1) this.trainIds(length, alpha);
    return inVocabulary;
  }

  private trainIds(length: number, alpha: number): void {
    const ids = this.ids;
    const syn0 = this.syn0;
    const syn1 = this.syn1neg;
    const gradient = this.gradient;
    const sigmoid = this.sigmoid;
    const lossPositive = this.lossPositive;
    const lossNegative = this.lossNegative;
    const cumulative = this.cumulative;
    const guide = this.guide;
    const guideShift = this.guideShift;
    const dim = this.dim;
    const window = this.window;
    const negative = this.negative;
    const dimEnd4 = dim - (dim & 3);
    let state = this.randomState;
    let lossSum = 0;
    let pairs = 0;

    for (let i = 0; i < length; i++) {
      const centre = ids[i];
      state = (state + RANDOM_STEP) | 0;
      // Reduced window (word2vec.c's b): nearer words are used more often.
      const reduce = randomOutput(state) % window;
      const start = i - window + reduce > 0 ? i - window + reduce : 0;
      const end = i + window + 1 - reduce < length ? i + window + 1 - reduce : length;
      for (let j = start; j < end; j++) {
        if (j === i) continue;
        // gensim's train_sg_pair orientation: the context word's input vector is trained to predict
        // the centre word (and not the negatives) through the output vectors.
        const l1 = ids[j] * dim;
        pairs++;
        // Target 0 is the true (centre) word, the others are negatives. The true word's update
        // assigns the gradient buffer, which saves clearing it for every pair.
        for (let n = 0; n <= negative; n++) {
          let target = centre;
          if (n > 0) {
            state = (state + RANDOM_STEP) | 0;
            const draw = randomOutput(state) >>> 1;
            target = guide[draw >>> guideShift];
            while (cumulative[target] <= draw) target++;
            if (target === centre) continue;
          }
          const l2 = target * dim;

          let dot0 = 0;
          let dot1 = 0;
          let dot2 = 0;
          let dot3 = 0;
          let d = 0;
          for (; d < dimEnd4; d += 4) {
            dot0 += syn0[l1 + d] * syn1[l2 + d];
            dot1 += syn0[l1 + d + 1] * syn1[l2 + d + 1];
            dot2 += syn0[l1 + d + 2] * syn1[l2 + d + 2];
            dot3 += syn0[l1 + d + 3] * syn1[l2 + d + 3];
          }
          for (; d < dim; d++) dot0 += syn0[l1 + d] * syn1[l2 + d];
          const f = dot0 + dot1 + dot2 + dot3;

          // Loss of this example: -log σ(f) for the true pair, -log σ(-f) for a negative.
          const label = n === 0 ? 1 : 0;
          let g: number;
          if (f >= MAX_EXP) {
            g = (label - 1) * alpha;
            lossSum += softplusNeg(n === 0 ? f : -f);
          } else if (f <= -MAX_EXP) {
            g = label * alpha;
            lossSum += softplusNeg(n === 0 ? f : -f);
          } else {
            const index = ((f + MAX_EXP) * TABLE_SCALE) | 0;
            g = (label - sigmoid[index]) * alpha;
            lossSum += n === 0 ? lossPositive[index] : lossNegative[index];
          }

          if (n === 0) {
            for (d = 0; d < dimEnd4; d += 4) {
              gradient[d] = g * syn1[l2 + d];
              gradient[d + 1] = g * syn1[l2 + d + 1];
              gradient[d + 2] = g * syn1[l2 + d + 2];
              gradient[d + 3] = g * syn1[l2 + d + 3];
              syn1[l2 + d] += g * syn0[l1 + d];
              syn1[l2 + d + 1] += g * syn0[l1 + d + 1];
              syn1[l2 + d + 2] += g * syn0[l1 + d + 2];
              syn1[l2 + d + 3] += g * syn0[l1 + d + 3];
            }
            for (; d < dim; d++) {
              gradient[d] = g * syn1[l2 + d];
              syn1[l2 + d] += g * syn0[l1 + d];
            }
          } else if (g !== 0) {
            for (d = 0; d < dimEnd4; d += 4) {
              gradient[d] += g * syn1[l2 + d];
              gradient[d + 1] += g * syn1[l2 + d + 1];
              gradient[d + 2] += g * syn1[l2 + d + 2];
              gradient[d + 3] += g * syn1[l2 + d + 3];
              syn1[l2 + d] += g * syn0[l1 + d];
              syn1[l2 + d + 1] += g * syn0[l1 + d + 1];
              syn1[l2 + d + 2] += g * syn0[l1 + d + 2];
              syn1[l2 + d + 3] += g * syn0[l1 + d + 3];
            }
            for (; d < dim; d++) {
              gradient[d] += g * syn1[l2 + d];
              syn1[l2 + d] += g * syn0[l1 + d];
            }
          }
        }
        let d = 0;
        for (; d < dimEnd4; d += 4) {
          syn0[l1 + d] += gradient[d];
          syn0[l1 + d + 1] += gradient[d + 1];
          syn0[l1 + d + 2] += gradient[d + 2];
          syn0[l1 + d + 3] += gradient[d + 3];
        }
        for (; d < dim; d++) syn0[l1 + d] += gradient[d];
      }
    }
    this.randomState = state;
    this.lossSum += lossSum;
    this.pairs += pairs;
  }
}
