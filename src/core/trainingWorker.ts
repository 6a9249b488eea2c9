// A training thread: instantiates the WebAssembly kernel on the shared memory it is given and runs
// the jobs the coordinating thread (embeddingTraining.ts) writes into its job slots.
import { parentPort } from 'node:worker_threads';
import { instantiateKernel, readThreadTotals, THREAD_RANDOM_OFFSET, type KernelExports } from './kernels/kernelMemory';
import type { ToTrainingWorker, FromTrainingWorker } from './trainingWorkerProtocol';

if (!parentPort) throw new Error('trainingWorker runs only as a worker thread');
const port = parentPort;

let kernel: KernelExports | undefined;
let memory: WebAssembly.Memory | undefined;
let record = 0;

const post = (message: FromTrainingWorker) => port.postMessage(message);

port.on('message', (message: ToTrainingWorker) => {
  try {
    if (message.type === 'init') {
      memory = message.memory;
      record = message.record;
      kernel = instantiateKernel(message.module, memory);
      post({ type: 'ready' });
      return;
    }
    if (!kernel || !memory) throw new Error('job before init');
    const before = readThreadTotals(memory, record);
    // Each job seeds its own random stream, so what a job samples does not depend on which thread
    // ran it or what ran before: with one thread the whole run is reproducible.
    new Uint32Array(memory.buffer, record + THREAD_RANDOM_OFFSET, 1)[0] = message.seed;
    const words = kernel.train_job(record, message.tokens, message.count, message.alphaStart, message.alphaEnd);
    const after = readThreadTotals(memory, record);
    post({
      type: 'done',
      slot: message.slot,
      words,
      loss: after.loss - before.loss,
      examples: after.examples - before.examples,
      trainedWords: after.trainedWords - before.trainedWords,
    });
  } catch (error) {
    post({ type: 'error', message: (error as Error)?.stack ?? String(error) });
  }
});
