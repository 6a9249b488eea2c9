// Messages between the coordinating thread and its training workers (core-internal; the
// extension ↔ trainer protocol is src/shared/protocol.ts).

export type ToTrainingWorker =
  | {
      type: 'init';
      module: WebAssembly.Module;
      memory: WebAssembly.Memory;
      record: number;
      /** Token slots in each job slot. */
      capacity: number;
      /** The vocabulary in id order, and how to tokenize: the worker turns its jobs' text into ids. */
      words: string[];
      lowercase: boolean;
      maxSentenceLength: number;
    }
  | {
      type: 'job';
      /** Index of the job slot, echoed back so the coordinator can reuse it. */
      slot: number;
      /** Byte address of the slot the worker writes the job's ids into (-1 between sentences). */
      tokens: number;
      /** Whole lines of the corpus (or a piece of one line longer than a job). */
      text: string;
      alphaStart: number;
      alphaEnd: number;
      seed: number;
    };

export type FromTrainingWorker =
  | { type: 'ready' }
  | { type: 'done'; slot: number; words: number; loss: number; examples: number; trainedWords: number }
  | { type: 'error'; message: string };
