// The lookup tables the training kernel draws on, computed once per run from the vocabulary:
// sigmoid and loss on a grid, the noise distribution for negative sampling, down-sampling
// thresholds, and the Huffman tree for hierarchical softmax.
import { EXP_TABLE_SIZE, MAX_EXP } from './kernels/kernelMemory';

/** Negatives are drawn in proportion to count^0.75 (Mikolov et al. 2013; gensim's ns_exponent). */
export const NEGATIVE_SAMPLING_POWER = 0.75;
/** The cumulative table spans [0, 2^31): a draw is a 31-bit random integer, no modulo needed. */
const CUM_DOMAIN = 2 ** 31;

/** σ(x) for x in [-MAX_EXP, MAX_EXP] at EXP_TABLE_SIZE+1 points (word2vec.c's expTable plus one spare). */
export function sigmoidTable(): Float32Array {
  const table = new Float32Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i <= EXP_TABLE_SIZE; i++) {
    const e = Math.exp(((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP);
    table[i] = e / (e + 1);
  }
  return table;
}

/** -log σ(x) and -log(1 - σ(x)) on the sigmoid grid, so one index serves both (gensim's LOG_TABLE). */
export function lossTables(): { truth: Float32Array; noise: Float32Array } {
  const truth = new Float32Array(EXP_TABLE_SIZE + 1);
  const noise = new Float32Array(EXP_TABLE_SIZE + 1);
  for (let i = 0; i <= EXP_TABLE_SIZE; i++) {
    const x = ((i / EXP_TABLE_SIZE) * 2 - 1) * MAX_EXP;
    truth[i] = Math.log1p(Math.exp(-x));
    noise[i] = Math.log1p(Math.exp(x));
  }
  return { truth, noise };
}

export interface NoiseDistribution {
  /** cumulative[i] = end of word i's share of [0, 2^31). */
  cumulative: Uint32Array;
  /** guide[b] = first word whose share reaches into bucket b of the draw's top bits. */
  guide: Int32Array;
  guideShift: number;
}

/**
 * The unigram^0.75 distribution as a cumulative table (gensim's cum_table) plus a guide table, so a
 * draw starts its scan at the right word and takes 0–1 steps on average instead of a binary search.
 */
export function noiseDistribution(counts: ArrayLike<number>): NoiseDistribution {
  const size = counts.length;
  const cumulative = new Uint32Array(size);
  let powerTotal = 0;
  for (let i = 0; i < size; i++) powerTotal += counts[i] ** NEGATIVE_SAMPLING_POWER;
  let running = 0;
  for (let i = 0; i < size; i++) {
    running += counts[i] ** NEGATIVE_SAMPLING_POWER;
    cumulative[i] = Math.round((running / powerTotal) * CUM_DOMAIN);
  }
  cumulative[size - 1] = CUM_DOMAIN;
  const guideBits = Math.min(24, Math.max(10, Math.ceil(Math.log2(Math.max(2, size))) + 2));
  const guideShift = 31 - guideBits;
  const guide = new Int32Array(1 << guideBits);
  for (let bucket = 0, word = 0; bucket < guide.length; bucket++) {
    const bucketStart = bucket * 2 ** guideShift;
    while (cumulative[word] <= bucketStart) word++;
    guide[bucket] = word;
  }
  return { cumulative, guide, guideShift };
}

/**
 * Keep word i when a uniform 32-bit draw is <= keep[i]: gensim's down-sampling, which keeps a word
 * with probability (sqrt(f/t) + 1) t/f where t = sample × total words. sample 0 keeps everything.
 */
export function keepThresholds(counts: ArrayLike<number>, sample: number): Uint32Array {
  const keep = new Uint32Array(counts.length);
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const threshold = sample * total;
  for (let i = 0; i < counts.length; i++) {
    const probability = sample > 0 ? Math.min(1, (Math.sqrt(counts[i] / threshold) + 1) * (threshold / counts[i])) : 1;
    keep[i] = Math.min(0xffffffff, Math.round(probability * 2 ** 32));
  }
  return keep;
}

export interface HuffmanTree {
  /** Path of word i: codeStart[i] .. codeStart[i+1] in points and codes. */
  codeStart: Int32Array;
  /** Inner nodes from the root down, as row numbers of the output matrix (0 .. words-2). */
  points: Int32Array;
  /** Branch taken at each of those nodes (0 or 1). */
  codes: Uint8Array;
  maxCodeLength: number;
}

/**
 * word2vec.c's CreateBinaryTree: a Huffman tree over counts sorted in descending order, built in
 * linear time by merging from the two ends. Frequent words get short paths.
 */
export function huffmanTree(counts: ArrayLike<number>): HuffmanTree {
  const size = counts.length;
  let sorted = true;
  for (let i = 1; i < size && sorted; i++) sorted = counts[i] <= counts[i - 1];
  if (!sorted) return huffmanTreeUnsorted(counts);
  const count = new Float64Array(2 * size);
  const parent = new Int32Array(2 * size);
  const branch = new Uint8Array(2 * size);
  for (let i = 0; i < size; i++) count[i] = counts[i];
  for (let i = size; i < 2 * size; i++) count[i] = Infinity;
  let leaf = size - 1;
  let inner = size;
  const takeSmallest = () => {
    if (leaf >= 0 && count[leaf] < count[inner]) return leaf--;
    return inner++;
  };
  for (let a = 0; a < size - 1; a++) {
    const first = takeSmallest();
    const second = takeSmallest();
    count[size + a] = count[first] + count[second];
    parent[first] = size + a;
    parent[second] = size + a;
    branch[second] = 1;
  }
  const root = 2 * size - 2;
  const lengths = new Int32Array(size);
  let total = 0;
  let maxCodeLength = 0;
  for (let w = 0; w < size; w++) {
    let length = 0;
    for (let node = w; node !== root && size > 1; node = parent[node]) length++;
    lengths[w] = length;
    total += length;
    if (length > maxCodeLength) maxCodeLength = length;
  }
  const codeStart = new Int32Array(size + 1);
  const points = new Int32Array(total);
  const codes = new Uint8Array(total);
  for (let w = 0, at = 0; w < size; w++) {
    codeStart[w] = at;
    const length = lengths[w];
    // Walk up from the leaf, filling the path from its end: the root comes first.
    let node = w;
    for (let k = length - 1; k >= 0; k--) {
      codes[at + k] = branch[node];
      node = parent[node];
      points[at + k] = node - size;
    }
    at += length;
  }
  codeStart[size] = total;
  return { codeStart, points, codes, maxCodeLength };
}

/**
 * A continued model keeps its old words first and appends new ones, so its counts are not in
 * order: build the tree on the sorted counts and hand each word its path.
 */
function huffmanTreeUnsorted(counts: ArrayLike<number>): HuffmanTree {
  const order = Array.from({ length: counts.length }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const tree = huffmanTree(order.map((i) => counts[i]));
  const codeStart = new Int32Array(counts.length + 1);
  const points = new Int32Array(tree.points.length);
  const codes = new Uint8Array(tree.codes.length);
  const rankOf = new Int32Array(counts.length);
  order.forEach((word, rank) => (rankOf[word] = rank));
  for (let word = 0, at = 0; word < counts.length; word++) {
    const rank = rankOf[word];
    const from = tree.codeStart[rank];
    const length = tree.codeStart[rank + 1] - from;
    codeStart[word] = at;
    points.set(tree.points.subarray(from, from + length), at);
    codes.set(tree.codes.subarray(from, from + length), at);
    at += length;
  }
  codeStart[counts.length] = points.length;
  return { codeStart, points, codes, maxCodeLength: tree.maxCodeLength };
}
