// What moved between two sets of word vectors (a parent and its fine-tuned child, or any two models):
// over the most frequent shared words, the overlap of each word's top-k neighbours in each model's own
// space, and the cosine between its two vectors after an orthogonal Procrustes alignment of B onto A.
import { TopK, type Neighbour, type WordVectors } from './vectors';

export const DIFF_DEFAULT_VOCAB = 10_000;
export const DIFF_DEFAULT_K = 10;
export const DIFF_DEFAULT_TOP = 20;

export interface DiffOptions {
  /** Neighbours compared per word. Default 10. */
  k?: number;
  /** Compare only the N most frequent shared words (A's row order); neighbours are searched among them. Default 10,000. */
  vocab?: number;
  /**
   * Rotate B onto A (orthogonal Procrustes over the shared words) before taking cosines. Default true:
   * an orthogonal map changes no neighbourhood, and for two models already in one space it comes out
   * close to the identity, so it is always safe. Needs equal dims; ignored (no cosines) otherwise.
   */
  align?: boolean;
  /** How many of the most-moved words to list. Default 20. */
  top?: number;
  /** Words to report in full (both neighbour lists), whatever their rank. */
  words?: string[];
}

export interface WordDiff {
  word: string;
  /** |top-k(A) ∩ top-k(B)| / k, in [0, 1]. */
  overlap: number;
  /** Cosine between A's vector and B's (aligned) vector; undefined when the dims differ. */
  cosine?: number;
  neighboursA: Neighbour[];
  neighboursB: Neighbour[];
}

export interface ModelDiff {
  k: number;
  sharedWords: number;
  onlyInA: number;
  onlyInB: number;
  /** The shared words compared (the `vocab` most frequent). */
  comparedWords: number;
  aligned: boolean;
  meanOverlap: number;
  /** Mean cosine of the compared words (after alignment, when aligned). */
  meanCosine?: number;
  /** Lowest overlap first, ties by lower cosine. */
  moved: WordDiff[];
  /** The words asked for in `words`, in that order; unknown ones are listed in `missing`. */
  words: WordDiff[];
  missing: string[];
}

export function diffVectors(a: WordVectors, b: WordVectors, options: DiffOptions = {}): ModelDiff {
  const k = options.k ?? DIFF_DEFAULT_K;
  const vocab = options.vocab ?? DIFF_DEFAULT_VOCAB;
  const topN = options.top ?? DIFF_DEFAULT_TOP;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive whole number, got ${k}`);
  if (!Number.isInteger(vocab) || vocab < 2) throw new Error(`vocab must be a whole number of at least 2, got ${vocab}`);

  // Shared words in A's order (the most frequent first, for trained models and for GloVe's files).
  let shared = 0;
  const rowsA: number[] = [];
  const rowsB: number[] = [];
  for (let i = 0; i < a.size; i++) {
    const j = b.indexOf(a.words[i]);
    if (j < 0) continue;
    shared++;
    if (rowsA.length < vocab) {
      rowsA.push(i);
      rowsB.push(j);
    }
  }
  const n = rowsA.length;
  if (n < 2) throw new Error(`the two models share ${n} word${n === 1 ? '' : 's'}; nothing to compare`);
  const kk = Math.min(k, n - 1);
  const words = rowsA.map((row) => a.words[row]);
  const unitA = gatherUnitRows(a, rowsA);
  const unitB = gatherUnitRows(b, rowsB);
  const topA = allNeighbours(Float64Array.from(unitA), n, a.dim, kk);
  const topB = allNeighbours(Float64Array.from(unitB), n, b.dim, kk);

  const sameDim = a.dim === b.dim;
  const aligned = sameDim && options.align !== false;
  let cosines: Float64Array | undefined;
  if (sameDim) {
    const dim = a.dim;
    const mappedB = aligned ? multiply(unitB, n, dim, procrustes(unitA, unitB, n, dim)) : unitB;
    cosines = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let ab = 0;
      let bb = 0;
      let aa = 0;
      for (let d = 0; d < dim; d++) {
        const x = unitA[i * dim + d];
        const y = mappedB[i * dim + d];
        ab += x * y;
        aa += x * x;
        bb += y * y;
      }
      cosines[i] = aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
    }
  }

  const overlaps = new Float64Array(n);
  let overlapSum = 0;
  for (let i = 0; i < n; i++) {
    const inA = new Set(topA[i].map((x) => x.row));
    let common = 0;
    for (const x of topB[i]) if (inA.has(x.row)) common++;
    overlaps[i] = common / kk;
    overlapSum += overlaps[i];
  }
  const describe = (i: number): WordDiff => ({
    word: words[i],
    overlap: overlaps[i],
    cosine: cosines?.[i],
    neighboursA: topA[i].map(({ row, score }) => ({ word: words[row], similarity: score })),
    neighboursB: topB[i].map(({ row, score }) => ({ word: words[row], similarity: score })),
  });
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => overlaps[x] - overlaps[y] || (cosines ? cosines[x] - cosines[y] : 0) || x - y,
  );
  const index = new Map(words.map((w, i) => [w, i]));
  const requested = options.words ?? [];
  let cosineSum = 0;
  if (cosines) for (let i = 0; i < n; i++) cosineSum += cosines[i];
  return {
    k: kk,
    sharedWords: shared,
    onlyInA: a.size - shared,
    onlyInB: b.size - shared,
    comparedWords: n,
    aligned,
    meanOverlap: overlapSum / n,
    meanCosine: cosines ? cosineSum / n : undefined,
    moved: order.slice(0, topN).map(describe),
    words: requested.filter((w) => index.has(w)).map((w) => describe(index.get(w)!)),
    missing: requested.filter((w) => !index.has(w)),
  };
}

/** The given rows scaled to unit length (zero rows stay zero), packed row-major. */
function gatherUnitRows(vectors: WordVectors, rows: number[]): Float32Array {
  const { dim, data } = vectors;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += data[row * dim + d] ** 2;
    if (norm === 0) return;
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[i * dim + d] = data[row * dim + d] * scale;
  });
  return out;
}

/**
 * For every row, its k most similar other rows by dot product (cosine, for unit rows). Each pair's
 * dot product is computed once and offered to both rows.
 */
function allNeighbours(unit: Float64Array, n: number, dim: number, k: number): { row: number; score: number }[][] {
  const tops = Array.from({ length: n }, () => new TopK(k));
  const offer = (i: number, j: number, score: number) => {
    if (score >= tops[i].threshold) tops[i].offer(j, score);
    if (score >= tops[j].threshold) tops[j].offer(i, score);
  };
  const pair = (i: number, j: number) => {
    let s = 0;
    for (let d = 0, oi = i * dim, oj = j * dim; d < dim; d++) s += unit[oi + d] * unit[oj + d];
    offer(i, j, s);
  };
  // Four rows at a time against every later row: each later row is loaded once for four dot products.
  let b = 0;
  for (; b + 4 <= n; b += 4) {
    for (let i = b; i < b + 4; i++) for (let j = i + 1; j < b + 4; j++) pair(i, j);
    const o0 = b * dim;
    const o1 = o0 + dim;
    const o2 = o1 + dim;
    const o3 = o2 + dim;
    for (let j = b + 4; j < n; j++) {
      const oj = j * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = 0; d < dim; d++) {
        const y = unit[oj + d];
        s0 += unit[o0 + d] * y;
        s1 += unit[o1 + d] * y;
        s2 += unit[o2 + d] * y;
        s3 += unit[o3 + d] * y;
      }
      offer(b, j, s0);
      offer(b + 1, j, s1);
      offer(b + 2, j, s2);
      offer(b + 3, j, s3);
    }
  }
  for (let i = b; i < n; i++) for (let j = i + 1; j < n; j++) pair(i, j);
  return tops.map((top) => top.sorted());
}

/**
 * Orthogonal Procrustes: the dim×dim orthogonal W (row-major) minimising ||B W − A|| (Frobenius) over
 * n rows of A and B (row-major n×dim), W = U Vᵀ from the SVD U Σ Vᵀ of Bᵀ A (Schönemann 1966).
 */
export function procrustes(a: ArrayLike<number>, b: ArrayLike<number>, n: number, dim: number): Float64Array {
  const m = new Float64Array(dim * dim);
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    for (let i = 0; i < dim; i++) {
      const bi = b[o + i];
      if (bi === 0) continue;
      const mi = i * dim;
      for (let j = 0; j < dim; j++) m[mi + j] += bi * a[o + j];
    }
  }
  const { u, v } = svd(m, dim);
  const w = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += u[i * dim + c] * v[j * dim + c];
      w[i * dim + j] = s;
    }
  }
  return w;
}

/** X (n×dim, row-major) times W (dim×dim, row-major), as float32. */
export function multiply(x: ArrayLike<number>, n: number, dim: number, w: Float64Array): Float32Array {
  const out = new Float32Array(n * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    row.fill(0);
    for (let i = 0; i < dim; i++) {
      const xi = x[r * dim + i];
      if (xi === 0) continue;
      for (let j = 0; j < dim; j++) row[j] += xi * w[i * dim + j];
    }
    for (let j = 0; j < dim; j++) out[r * dim + j] = row[j];
  }
  return out;
}

/**
 * SVD of a square matrix M (size×size, row-major) by one-sided Jacobi (Hestenes): plane rotations
 * applied on the right make the columns of M V mutually orthogonal; their lengths are the singular
 * values and, normalised, the columns of U. Returns U and V row-major and Σ, so that M = U diag(s) Vᵀ.
 * Columns of U for (numerically) zero singular values are completed to an orthonormal basis.
 */
export function svd(matrix: ArrayLike<number>, size: number): { u: Float64Array; s: Float64Array; v: Float64Array } {
  // Column-major working copies: column c of A is a[c*size .. c*size+size).
  const a = new Float64Array(size * size);
  const v = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    v[i * size + i] = 1;
    for (let j = 0; j < size; j++) a[j * size + i] = matrix[i * size + j];
  }
  const eps = 1e-15;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < size - 1; p++) {
      const op = p * size;
      for (let q = p + 1; q < size; q++) {
        const oq = q * size;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < size; i++) {
          const x = a[op + i];
          const y = a[oq + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < size; i++) {
          const x = a[op + i];
          const y = a[oq + i];
          a[op + i] = c * x - s * y;
          a[oq + i] = s * x + c * y;
          const vx = v[op + i];
          const vy = v[oq + i];
          v[op + i] = c * vx - s * vy;
          v[oq + i] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(size);
  let largest = 0;
  for (let c = 0; c < size; c++) {
    let norm = 0;
    for (let i = 0; i < size; i++) norm += a[c * size + i] ** 2;
    sigma[c] = Math.sqrt(norm);
    largest = Math.max(largest, sigma[c]);
  }
  // U's columns (column-major in `a`): normalised, or, for a zero singular value, any unit vector
  // orthogonal to the columns already set (Gram–Schmidt on the standard basis).
  const tiny = largest * size * 1e-14;
  const done: number[] = [];
  for (let c = 0; c < size; c++) if (sigma[c] > tiny) {
    for (let i = 0; i < size; i++) a[c * size + i] /= sigma[c];
    done.push(c);
  }
  for (let c = 0; c < size; c++) {
    if (sigma[c] > tiny) continue;
    sigma[c] = 0;
    for (let e = 0; e < size; e++) {
      const col = new Float64Array(size);
      col[e] = 1;
      for (const d of done) {
        let proj = 0;
        for (let i = 0; i < size; i++) proj += col[i] * a[d * size + i];
        for (let i = 0; i < size; i++) col[i] -= proj * a[d * size + i];
      }
      let norm = 0;
      for (let i = 0; i < size; i++) norm += col[i] * col[i];
      if (norm < 1e-6) continue;
      norm = Math.sqrt(norm);
      for (let i = 0; i < size; i++) a[c * size + i] = col[i] / norm;
      done.push(c);
      break;
    }
  }
  // Back to row-major: U[i][c] = a[c*size + i], V[i][c] = v[c*size + i].
  const u = new Float64Array(size * size);
  const vr = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < size; c++) {
      u[i * size + c] = a[c * size + i];
      vr[i * size + c] = v[c * size + i];
    }
  }
  return { u, s: sigma, v: vr };
}
