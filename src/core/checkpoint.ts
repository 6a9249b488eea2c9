// Checkpoints of a Word2Vec/FastText run, so that a run killed mid-way (a crash, the window closed, the
// machine rebooted) resumes where it was instead of starting over. A checkpoint is taken at a job
// boundary with every worker idle: the weights, the vocabulary and the position in the text stream.
// Because a job's seed and learning rate follow from its position alone, a resumed run with one
// thread trains exactly the jobs the uninterrupted run would have, and ends bit-identical to it.
//
// On disk: a folder holding checkpoint.json (everything but the weights) and weights.bin (the raw
// float32 rows, in the order the JSON lists). A new checkpoint is written whole under a temporary
// name and swapped in by two renames; a reader finds either the new or the previous one, never half.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Word2VecOptions } from './word2vec';

export const CHECKPOINT_VERSION = 1;
const CURRENT = 'current';
const PREVIOUS = 'previous';
const STATE_FILE = 'checkpoint.json';
const WEIGHTS_FILE = 'weights.bin';

/** Where in the run a checkpoint was taken: jobs before it are done, none after it started. */
export interface CheckpointPosition {
  /** 1-based epoch being trained. */
  epoch: number;
  /** Characters of this epoch's text already handed to the workers. */
  epochChars: number;
  /** Jobs dispatched since the run began (each job's seed derives from its index). */
  jobIndex: number;
  /** Characters dispatched since the run began (the learning rate follows from it). */
  charsDispatched: number;
}

export interface CheckpointTotals {
  words: number;
  loss: number;
  examples: number;
  trainedWords: number;
}

/** The named float32 arrays of the kernel that make up the model's state. */
export type CheckpointWeights = Record<'syn0' | 'syn1neg' | 'syn1' | 'lockf', Float32Array>;

export interface TrainingCheckpoint {
  version: number;
  options: Word2VecOptions;
  words: string[];
  /** The model's counts (for a fine-tune, the parent's plus this corpus's). */
  counts: number[];
  /** This corpus's counts, which sampling follows. */
  trainingCounts: number[];
  corpusWords: number;
  /** One epoch's characters: a corpus that changed since is refused on resume. */
  charsPerEpoch: number;
  position: CheckpointPosition;
  totals: CheckpointTotals;
  /** Totals when the current epoch began, for its mean loss. */
  epochStart: { loss: number; examples: number };
  epochLosses: number[];
  trainingSeconds: number;
  vocabularySeconds: number;
  threads: number;
  /** When it was written (ISO 8601). */
  savedAt: string;
  weights: CheckpointWeights;
}

/** Writes `checkpoint` as the newest in `dir`, replacing the previous one only once it is complete. */
export async function saveCheckpoint(dir: string, checkpoint: TrainingCheckpoint): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(temp);
  try {
    const { weights, ...state } = checkpoint;
    const order = Object.keys(weights) as (keyof CheckpointWeights)[];
    const file = await fs.open(path.join(temp, WEIGHTS_FILE), 'w');
    try {
      for (const name of order) {
        const array = weights[name];
        // Written straight from the kernel's memory in slices: no copy of the whole model.
        const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
        for (let at = 0; at < bytes.length; at += 64 << 20) await file.write(bytes, at, Math.min(64 << 20, bytes.length - at));
      }
      await file.sync();
    } finally {
      await file.close();
    }
    const lengths = Object.fromEntries(order.map((name) => [name, weights[name].length]));
    await fs.writeFile(path.join(temp, STATE_FILE), JSON.stringify({ ...state, weightLengths: lengths }));
    const current = path.join(dir, CURRENT);
    const previous = path.join(dir, PREVIOUS);
    await fs.rm(previous, { recursive: true, force: true });
    await fs.rename(current, previous).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await fs.rename(temp, current);
    await fs.rm(previous, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The newest complete checkpoint in `dir`, or undefined when there is none. Throws if it is damaged. */
export async function loadCheckpoint(dir: string): Promise<TrainingCheckpoint | undefined> {
  for (const name of [CURRENT, PREVIOUS]) {
    const folder = path.join(dir, name);
    let json: string;
    try {
      json = await fs.readFile(path.join(folder, STATE_FILE), 'utf8');
    } catch {
      continue;
    }
    const state = JSON.parse(json) as Omit<TrainingCheckpoint, 'weights'> & { weightLengths: Record<string, number> };
    if (state.version !== CHECKPOINT_VERSION) throw new Error(`The checkpoint in ${folder} has version ${state.version}; this version of Transfer Lab reads version ${CHECKPOINT_VERSION}. Start the run again.`);
    const bytes = await fs.readFile(path.join(folder, WEIGHTS_FILE));
    const expected = Object.values(state.weightLengths).reduce((sum, n) => sum + n * 4, 0);
    if (bytes.length !== expected) throw new Error(`The checkpoint in ${folder} is damaged: weights.bin has ${bytes.length} bytes, expected ${expected}. Start the run again.`);
    const weights = {} as CheckpointWeights;
    let at = 0;
    for (const [weightName, length] of Object.entries(state.weightLengths)) {
      // A copy into an aligned buffer: Buffer slices may start at any byte.
      weights[weightName as keyof CheckpointWeights] = new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + length * 4));
      at += length * 4;
    }
    const { weightLengths: _lengths, ...rest } = state;
    return { ...rest, weights };
  }
  return undefined;
}

/** Whether `dir` holds a checkpoint to resume from (without reading its weights). */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  for (const name of [CURRENT, PREVIOUS]) {
    try {
      await fs.access(path.join(dir, name, STATE_FILE));
      return true;
    } catch {
      // try the next
    }
  }
  return false;
}

/** The extension keeps each run's checkpoint in `<models folder>/.checkpoints/<model name>`. */
export const CHECKPOINTS_FOLDER = '.checkpoints';

/** Removes a run's checkpoint folder, and the extension's folder of checkpoints too once it is empty. */
export async function removeCheckpoint(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  // Only our own folder: a CLI user's --checkpoint may sit in a folder of theirs.
  if (path.basename(path.dirname(dir)) === CHECKPOINTS_FOLDER) await fs.rmdir(path.dirname(dir)).catch(() => undefined);
}
