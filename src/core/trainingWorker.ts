// A training thread. It first counts the words of the text jobs it is given, for the vocabulary;
// then it instantiates the WebAssembly kernel on the shared memory it is given, turns the text of
// each training job into vocabulary ids, and trains on them.
import { parentPort } from 'node:worker_threads';
import { instantiateKernel, readThreadTotals, resetThreadTotals, THREAD_RANDOM_OFFSET, type KernelExports } from './kernels/kernelMemory';
import { forEachToken, SentenceSplitter } from './tokenizer';
import { VocabularyBuilder } from './vocab';
import { POSITIONS_PER_JOB, type ToTrainingWorker, type FromTrainingWorker } from './trainingWorkerProtocol';

if (!parentPort) throw new Error('trainingWorker runs only as a worker thread');
const port = parentPort;

let text = { lowercase: true, maxSentenceLength: 10_000 };
let maxVocabSize: number | undefined;
let counter: VocabularyBuilder | undefined;

interface Trainer {
  kernel: KernelExports;
  memory: WebAssembly.Memory;
  record: number;
  capacity: number;
  ids: Map<string, number>;
}
let trainer: Trainer | undefined;

const post = (message: FromTrainingWorker) => port.postMessage(message);
const sentencesOf = (job: string) => {
  const splitter = new SentenceSplitter(text);
  return [...splitter.push(job), ...splitter.end()];
};

port.on('message', (message: ToTrainingWorker) => {
  try {
    switch (message.type) {
      case 'configure':
        text = { lowercase: message.lowercase, maxSentenceLength: message.maxSentenceLength };
        maxVocabSize = message.maxVocabSize;
        return;
      case 'count': {
        counter ??= new VocabularyBuilder({ maxVocabSize });
        const before = counter.corpusWords;
        let position = message.job * POSITIONS_PER_JOB;
        for (const sentence of sentencesOf(message.text)) {
          counter.add(sentence, position);
          position += sentence.length;
        }
        post({ type: 'counted', tokens: counter.corpusWords - before });
        return;
      }
      case 'collect':
        counter ??= new VocabularyBuilder({ maxVocabSize });
        post({ type: 'tallies', tallies: counter.tallies(), corpusWords: counter.corpusWords });
        counter = undefined;
        return;
      case 'init': {
        const ids = new Map<string, number>();
        message.words.forEach((word, id) => ids.set(word, id));
        trainer = {
          kernel: instantiateKernel(message.module, message.memory),
          memory: message.memory,
          record: message.record,
          capacity: message.capacity,
          ids,
        };
        post({ type: 'initialized' });
        return;
      }
      case 'job':
        train(message);
        return;
    }
  } catch (error) {
    post({ type: 'error', message: (error as Error)?.stack ?? String(error) });
  }
});

function train(job: Extract<ToTrainingWorker, { type: 'job' }>): void {
  if (!trainer) throw new Error('job before init');
  const { kernel, memory, record } = trainer;
  const count = writeIds(trainer, job.text, job.tokens);
  // The thread's tallies restart at zero for each job: a job's loss is then its own sum, not a
  // difference of two large running totals, so it does not depend on what the thread ran before
  // (a run resumed from a checkpoint reports exactly the losses of the run it continues).
  resetThreadTotals(memory, record);
  // Each job seeds its own random stream, so what a job samples does not depend on which thread
  // ran it or what ran before: with one thread the whole run is reproducible.
  new Uint32Array(memory.buffer, record + THREAD_RANDOM_OFFSET, 1)[0] = job.seed;
  const words = kernel.train_job(record, job.tokens, count, job.alphaStart, job.alphaEnd);
  const after = readThreadTotals(memory, record);
  post({
    type: 'done',
    slot: job.slot,
    words,
    loss: after.loss,
    examples: after.examples,
    trainedWords: after.trainedWords,
  });
}

/** Tokenizes the job's text into the slot: in-vocabulary ids, -1 after each sentence. */
function writeIds(t: Trainer, jobText: string, address: number): number {
  const tokens = new Int32Array(t.memory.buffer, address, t.capacity);
  const ids = t.ids;
  let count = 0;
  forEachToken(
    jobText,
    text,
    (word) => {
      const id = ids.get(word);
      if (id !== undefined) tokens[count++] = id;
    },
    () => {
      tokens[count++] = -1;
    },
  );
  // Typed arrays drop writes past their end without a word: a job larger than its slot must fail
  // loudly rather than let the kernel read the next slot's ids.
  if (count > t.capacity) throw new Error(`a job of ${jobText.length} characters made ${count} tokens, more than its slot holds (${t.capacity})`);
  return count;
}
port.postMessage({ type: 'ready' } satisfies FromTrainingWorker);
