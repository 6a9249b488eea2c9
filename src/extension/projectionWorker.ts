// The map worker thread (dist/projectionWorker.js): loads a model and projects its most frequent words
// to 2-D (PCA or UMAP, src/core/projection.ts) off the extension host's main thread, where seconds of
// UMAP would freeze every extension. Posts progress, then the words and their coordinates. The host
// ends it with terminate() to cancel.
import { parentPort, workerData } from 'node:worker_threads';
import { loadModelVectors } from '../core/modelFolder';
import { projectPca, projectUmap } from '../core/projection';

export type ProjectionMethod = 'pca' | 'umap';

export interface ProjectionJob {
  modelDir: string;
  method: ProjectionMethod;
  /** How many of the most frequent words to map. */
  points: number;
  seed: number;
}

export type ProjectionWorkerMessage =
  | { type: 'progress'; fraction: number }
  /** coords: words.length × 2 numbers, row-major (x0, y0, x1, y1, …). */
  | { type: 'done'; words: string[]; coords: number[]; method: ProjectionMethod; elapsedMs: number }
  | { type: 'error'; message: string };

/** Progress messages are sent at most this often. */
const PROGRESS_INTERVAL_MS = 100;

async function run(job: ProjectionJob, post: (message: ProjectionWorkerMessage) => void): Promise<ProjectionWorkerMessage> {
  const started = Date.now();
  post({ type: 'progress', fraction: 0 });
  const { vectors } = await loadModelVectors(job.modelDir);
  let coords: Float32Array;
  if (job.method === 'pca') {
    coords = projectPca(vectors, job.points);
  } else if (job.method === 'umap') {
    let last = 0;
    coords = await projectUmap(vectors, job.points, {
      seed: job.seed,
      onProgress: (fraction) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL_MS && fraction < 1) return;
        last = now;
        post({ type: 'progress', fraction });
      },
    });
  } else {
    throw new Error(`unknown projection method: ${String(job.method)}`);
  }
  const n = coords.length / 2;
  return { type: 'done', words: vectors.words.slice(0, n), coords: Array.from(coords), method: job.method, elapsedMs: Date.now() - started };
}

if (parentPort) {
  const port = parentPort;
  const post = (message: ProjectionWorkerMessage) => port.postMessage(message);
  run(workerData as ProjectionJob, post).then(post, (error: Error) => post({ type: 'error', message: error?.message ?? String(error) }));
}
