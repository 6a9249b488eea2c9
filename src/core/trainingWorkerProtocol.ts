// Messages between the coordinating thread and its training workers (core-internal; the
// extension ↔ trainer protocol is src/shared/protocol.ts).

export type ToTrainingWorker =
  | { type: 'init'; module: WebAssembly.Module; memory: WebAssembly.Memory; record: number }
  | {
      type: 'job';
      /** Index of the job slot, echoed back so the coordinator can reuse it. */
      slot: number;
      /** Byte address of the job's tokens (vocabulary ids, -1 between sentences). */
      tokens: number;
      count: number;
      alphaStart: number;
      alphaEnd: number;
      seed: number;
    };

export type FromTrainingWorker =
  | { type: 'ready' }
  | { type: 'done'; slot: number; words: number; loss: number; examples: number; trainedWords: number }
  | { type: 'error'; message: string };
