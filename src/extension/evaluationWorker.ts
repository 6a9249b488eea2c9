// The evaluation worker thread (dist/evaluationWorker.js): scores a model off the extension host's
// main thread, where 3 s of analogy search would freeze every extension. The host ends it with
// terminate() to cancel, so it needs no cancellation logic of its own.
import { parentPort, workerData } from 'node:worker_threads';
import { parseEvaluationJob, type EvaluationWorkerToHost } from '../shared/protocol';
import { runEvaluationJob } from './evaluationJob';

const post = (message: EvaluationWorkerToHost) => parentPort?.postMessage(message);

const job = parseEvaluationJob(workerData);
if (!job) {
  post({ type: 'error', message: 'The evaluation worker was started without a valid job.' });
} else {
  runEvaluationJob(job, (message, done, total) => post({ type: 'progress', message, done, total })).then(
    (report) => post({ type: 'done', report }),
    (error: Error) => post({ type: 'error', message: error.message }),
  );
}
