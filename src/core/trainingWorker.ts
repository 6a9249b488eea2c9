// A training thread: instantiates the WebAssembly kernel on the shared memory it is given, turns
// the text of each job into vocabulary ids, and trains on them.
import { parentPort } from 'node:worker_threads';
import { instantiateKernel, readThreadTotals, THREAD_RANDOM_OFFSET, type KernelExports } from './kernels/kernelMemory';
import { SentenceSplitter } from './tokenizer';
import type { ToTrainingWorker, FromTrainingWorker } from './trainingWorkerProtocol';

if (!parentPort) throw new Error('trainingWorker runs only as a worker thread');
const port = parentPort;

interface WorkerState {
  kernel: KernelExports;
  memory: WebAssembly.Memory;
  record: number;
  capacity: number;
  ids: Map<string, number>;
  lowercase: boolean;
  maxSentenceLength: number;
}
let state: WorkerState | undefined;

const post = (message: FromTrainingWorker) => port.postMessage(message);

port.on('message', (message: ToTrainingWorker) => {
  try {
    if (message.type === 'init') {
      const ids = new Map<string, number>();
      message.words.forEach((word, id) => ids.set(word, id));
      state = {
        kernel: instantiateKernel(message.module, message.memory),
        memory: message.memory,
        record: message.record,
        capacity: message.capacity,
        ids,
        lowercase: message.lowercase,
        maxSentenceLength: message.maxSentenceLength,
      };
      post({ type: 'ready' });
      return;
    }
    if (!state) throw new Error('job before init');
    const { kernel, memory, record } = state;
    const count = writeIds(state, message.text, message.tokens);
    const before = readThreadTotals(memory, record);
    // Each job seeds its own random stream, so what a job samples does not depend on which thread
    // ran it or what ran before: with one thread the whole run is reproducible.
    new Uint32Array(memory.buffer, record + THREAD_RANDOM_OFFSET, 1)[0] = message.seed;
    const words = kernel.train_job(record, message.tokens, count, message.alphaStart, message.alphaEnd);
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

/** Tokenizes the job's text into the slot: in-vocabulary ids, -1 after each sentence. */
function writeIds(s: WorkerState, text: string, address: number): number {
  const tokens = new Int32Array(s.memory.buffer, address, s.capacity);
  const splitter = new SentenceSplitter({ lowercase: s.lowercase, maxSentenceLength: s.maxSentenceLength });
  let count = 0;
  const add = (sentences: string[][]) => {
    for (const sentence of sentences) {
      for (let i = 0; i < sentence.length; i++) {
        const id = s.ids.get(sentence[i]);
        if (id !== undefined) tokens[count++] = id;
      }
      tokens[count++] = -1;
    }
  };
  add(splitter.push(text));
  add(splitter.end());
  return count;
}
