// Messages between the coordinating thread and its training workers (core-internal; the
// extension ↔ trainer protocol is src/shared/protocol.ts). A worker first counts words for the
// vocabulary, then, once the coordinator has laid out the kernel's memory, trains.
import type { WordTallies } from './vocab';

export type ToTrainingWorker =
  | {
      type: 'configure';
      /** How to tokenize: the worker turns its jobs' text into words itself. */
      lowercase: boolean;
      maxSentenceLength: number;
      /** Bound on distinct words while counting (gensim's max_vocab_size), per worker. */
      maxVocabSize?: number;
    }
  | {
      type: 'count';
      /** The job's number in the pass: its words' positions, for the vocabulary's order of ties. */
      job: number;
      text: string;
    }
  | { type: 'collect' }
  | {
      type: 'init';
      module: WebAssembly.Module;
      memory: WebAssembly.Memory;
      record: number;
      /** Token slots in each job slot. */
      capacity: number;
      /** The vocabulary in id order. */
      words: string[];
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
  | { type: 'counted'; tokens: number }
  | { type: 'tallies'; tallies: WordTallies; corpusWords: number }
  | { type: 'initialized' }
  | { type: 'done'; slot: number; words: number; loss: number; examples: number; trainedWords: number }
  | { type: 'error'; message: string };

/** Positions of a counting job's words start here: jobs are far smaller than this many tokens. */
export const POSITIONS_PER_JOB = 2 ** 21;
