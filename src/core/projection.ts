// 2-D projections of a model's most frequent words for the embedding explorer's map: PCA (the top two
// principal components, by power iteration with deflation on the d×d covariance; deterministic) and
// UMAP (umap-js, seeded, cosine distance through unit-normalised rows and euclidean distance). Both
// return n × 2 coordinates, row-major, row i for vectors.words[i]. projectionCsv exports them, which
// the TensorFlow Embedding Projector cannot do.
import { UMAP } from 'umap-js';
import { formatFloat32 } from './formats/word2vecFormat';
import { Random } from './random';
import type { WordVectors } from './vectors';

/** UMAP points offered by default (the panel's largest choice). */
export const UMAP_DEFAULT_MAX_POINTS = 10_000;
/** The most points projectUmap accepts: its neighbour graph and layout grow too slow beyond. */
export const UMAP_MAX_POINTS = 20_000;

const POWER_ITERATIONS = 1000;
const POWER_TOLERANCE = 1e-12;

export interface UmapOptions {
  seed: number;
  nNeighbors?: number;
  minDist?: number;
  /** Layout epochs; umap-js picks 500 up to 2,500 points and 200 above when not given. */
  nEpochs?: number;
  /** Called with the fraction done, from 0 to 1. */
  onProgress?: (fraction: number) => void;
}

/** How many rows a projection of `n` points uses: n rounded down to an integer, at most the vocabulary. */
function pointCount(vectors: WordVectors, n: number): number {
  if (!Number.isFinite(n) || n < 1) throw new Error(`the number of points must be at least 1, got ${n}`);
  return Math.min(Math.floor(n), vectors.size);
}

/**
 * The first n rows (the n most frequent words), centred and projected on the covariance's top two
 * eigenvectors. Each axis's sign is fixed so that its largest component is positive, so the same
 * vectors always give the same picture.
 */
export function projectPca(vectors: WordVectors, n: number): Float32Array {
  const rows = pointCount(vectors, n);
  const { dim, data } = vectors;
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) mean[d] += data[r * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= rows;

  // Covariance (upper triangle accumulated, then mirrored).
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) centred[d] = data[r * dim + d] - mean[d];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      const rowOffset = i * dim;
      for (let j = i; j < dim; j++) cov[rowOffset + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j] / rows;
      cov[i * dim + j] = v;
      cov[j * dim + i] = v;
    }
  }

  const random = new Random(0x5eed);
  const axes: Float64Array[] = [];
  for (let component = 0; component < Math.min(2, dim); component++) {
    const { vector, value } = topEigenvector(cov, dim, random);
    axes.push(vector);
    // Deflate: C ← C − λ v vᵀ.
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) cov[i * dim + j] -= value * vector[i] * vector[j];
  }
  while (axes.length < 2) axes.push(new Float64Array(dim)); // a 1-d model: the second coordinate is 0

  const out = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    let x = 0;
    let y = 0;
    for (let d = 0; d < dim; d++) {
      const c = data[r * dim + d] - mean[d];
      x += c * axes[0][d];
      y += c * axes[1][d];
    }
    out[r * 2] = x;
    out[r * 2 + 1] = y;
  }
  return out;
}

/** Power iteration on a symmetric positive semi-definite matrix, from a seeded random start. */
function topEigenvector(matrix: Float64Array, dim: number, random: Random): { vector: Float64Array; value: number } {
  let v = new Float64Array(dim);
  for (let d = 0; d < dim; d++) v[d] = random.float() - 0.5;
  normalise(v);
  let next = new Float64Array(dim);
  let value = 0;
  for (let iteration = 0; iteration < POWER_ITERATIONS; iteration++) {
    for (let i = 0; i < dim; i++) {
      let s = 0;
      const offset = i * dim;
      for (let j = 0; j < dim; j++) s += matrix[offset + j] * v[j];
      next[i] = s;
    }
    const norm = normalise(next);
    value = norm;
    if (norm === 0) break; // nothing left: the rest of the variance is zero
    let change = 0;
    for (let d = 0; d < dim; d++) change += (next[d] - v[d]) ** 2;
    [v, next] = [next, v];
    if (change < POWER_TOLERANCE) break;
  }
  // Fix the sign: the largest component positive.
  let largest = 0;
  for (let d = 1; d < dim; d++) if (Math.abs(v[d]) > Math.abs(v[largest])) largest = d;
  if (v[largest] < 0) for (let d = 0; d < dim; d++) v[d] = -v[d];
  return { vector: v, value };
}

function normalise(v: Float64Array): number {
  let norm = 0;
  for (let d = 0; d < v.length; d++) norm += v[d] * v[d];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let d = 0; d < v.length; d++) v[d] /= norm;
  return norm;
}

/**
 * UMAP of the first n rows by cosine distance (euclidean distance between unit-normalised rows, which
 * ranks neighbours the same way). Seeded: the same vectors, n, seed and options give the same layout.
 * Throws above UMAP_MAX_POINTS points.
 */
export async function projectUmap(vectors: WordVectors, n: number, options: UmapOptions): Promise<Float32Array> {
  if (n > UMAP_MAX_POINTS) {
    throw new Error(`UMAP can map at most ${UMAP_MAX_POINTS.toLocaleString('en-US')} points; got ${Math.floor(n).toLocaleString('en-US')}. Use PCA for more.`);
  }
  const rows = pointCount(vectors, n);
  if (rows < 3) throw new Error(`UMAP needs at least 3 points, got ${rows}`);
  const { dim } = vectors;
  const unit = vectors.unitVectors();
  const X: number[][] = new Array(rows);
  for (let r = 0; r < rows; r++) X[r] = Array.from(unit.subarray(r * dim, (r + 1) * dim));

  const random = new Random(options.seed);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(options.nNeighbors ?? 15, rows - 1)),
    minDist: options.minDist ?? 0.1,
    nEpochs: options.nEpochs,
    random: () => random.float(),
  });
  const progress = options.onProgress;
  // The neighbour graph counts as the first 30% of the work, the layout epochs as the rest.
  const GRAPH_SHARE = 0.3;
  progress?.(0);
  const epochs = umap.initializeFit(X);
  progress?.(GRAPH_SHARE);
  let lastReport = Date.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    umap.step();
    const now = Date.now();
    if (progress && now - lastReport >= 100) {
      lastReport = now;
      progress(GRAPH_SHARE + (1 - GRAPH_SHARE) * ((epoch + 1) / epochs));
      await new Promise<void>((resolve) => setImmediate(resolve)); // let messages and terminate() through
    }
  }
  const embedding = umap.getEmbedding();
  const out = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    out[r * 2] = embedding[r][0];
    out[r * 2 + 1] = embedding[r][1];
  }
  progress?.(1);
  return out;
}

/** A CSV field, quoted (RFC 4180) when it holds a comma, quote, line break or surrounding space. */
function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** "word,x,y" with a header line, one line per point; coordinates as the shortest float32 decimals. */
export function projectionCsv(words: string[], coords: Float32Array | ArrayLike<number>): string {
  if (coords.length !== words.length * 2) throw new Error(`expected ${words.length * 2} coordinates for ${words.length} words, got ${coords.length}`);
  const lines = ['word,x,y'];
  for (let i = 0; i < words.length; i++) {
    lines.push(`${csvField(words[i])},${formatFloat32(Math.fround(coords[i * 2]))},${formatFloat32(Math.fround(coords[i * 2 + 1]))}`);
  }
  return lines.join('\n') + '\n';
}

/** Reads projectionCsv's output back (quoted fields included). */
export function parseProjectionCsv(text: string): { words: string[]; coords: Float32Array } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
    i++;
  }
  if (field !== '' || record.length) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (!header || header.join(',') !== 'word,x,y') throw new Error('not a projection CSV: the first line must be "word,x,y"');
  const words: string[] = [];
  const coords = new Float32Array(rows.length * 2);
  rows.forEach((row, r) => {
    if (row.length !== 3) throw new Error(`line ${r + 2}: expected 3 fields, got ${row.length}`);
    words.push(row[0]);
    coords[r * 2] = Number(row[1]);
    coords[r * 2 + 1] = Number(row[2]);
  });
  return { words, coords };
}
