// The "what moved" worker thread (dist/whatMovedWorker.js): loads two models and compares their
// neighbourhoods off the extension host's main thread, where seconds of search would freeze every
// extension. The host ends it with terminate() to cancel.
import { parentPort, workerData } from 'node:worker_threads';
import { loadModelVectors } from '../core/modelFolder';
import { diffVectors, type ModelDiff } from '../core/modelDiff';
import { renderWhatMoved } from './whatMovedReport';

export interface WhatMovedJob {
  /** The earlier model (the parent) and the later one. */
  before: { modelDir: string; name: string };
  after: { modelDir: string; name: string };
}

export type WhatMovedResult = { type: 'done'; diff: ModelDiff; markdown: string } | { type: 'error'; message: string };

/** Words listed as most moved; the panel can ask for any other word's two neighbour lists. */
export const MOVED_WORDS = 50;

async function run(job: WhatMovedJob): Promise<WhatMovedResult> {
  const [a, b] = await Promise.all([loadModelVectors(job.before.modelDir), loadModelVectors(job.after.modelDir)]);
  const diff = diffVectors(a.vectors, b.vectors, { k: 10, vocab: 5000, top: MOVED_WORDS });
  return { type: 'done', diff, markdown: renderWhatMoved(diff, { a: job.before.name, b: job.after.name }) };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as WhatMovedJob).then(
    (result) => port.postMessage(result),
    (error: Error) => port.postMessage({ type: 'error', message: error.message } satisfies WhatMovedResult),
  );
}
