// The co-occurrence records GloVe trains on, in random order, within a memory budget. SGD over
// records sorted by word would train one row at a time and drift; Stanford's shuffle.c therefore
// shuffles chunks that fit in memory, writes them out, and interleaves the chunks by reading a slice
// of each into one array that is shuffled again. The same is done here, except that the interleaving
// happens while training reads the chunks, each epoch, so the shuffled whole is never written. When
// all records fit in the budget they stay in memory and no file is written.
//
// A training record is 12 bytes: int32 word, int32 context, float32 x (x is a count of at most a few
// million, for which float32's 24 bits are plenty once summed).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { abortError } from '../corpus';
import type { Random } from '../random';
import type { CanonicalBatch } from './cooccurrence';
import { writeFully } from './cooccurrence';

export const TRAINING_RECORD_BYTES = 12;
/** A slice read from a chunk file is never smaller than this, whatever the budget and chunk count. */
const MIN_SLICE_RECORDS = 1024;

/** Records [0, length) of a block: word ints[3r], context ints[3r + 1], x floats[3r + 2]. */
export interface RecordBlock {
  ints: Int32Array;
  floats: Float32Array;
  length: number;
}

export interface TrainingRecords {
  /** Every record: both (i, j) and (j, i) for i != j. */
  readonly total: number;
  /** Shuffled chunk files the records were written to; 0 when they are held in memory. */
  readonly chunkFiles: number;
  /** One pass over all records, in blocks. A block is only valid until the next one is requested. */
  blocks(random: Random, signal?: AbortSignal): AsyncGenerator<RecordBlock>;
}

/** Fisher–Yates over 12-byte records, swapping them as three int32 (x's bits move unchanged). */
export function shuffleRecords(ints: Int32Array, length: number, random: Random): void {
  for (let r = length - 1; r > 0; r--) {
    const s = Math.floor(random.float() * (r + 1));
    const a = 3 * r;
    const b = 3 * s;
    const i = ints[a];
    const j = ints[a + 1];
    const x = ints[a + 2];
    ints[a] = ints[b];
    ints[a + 1] = ints[b + 1];
    ints[a + 2] = ints[b + 2];
    ints[b] = i;
    ints[b + 1] = j;
    ints[b + 2] = x;
  }
}

/**
 * Takes co-occurrence entries (lo <= hi), expands each to both directions, and shuffles them into
 * memory or into chunk files.
 */
export class RecordShuffler {
  private readonly buffer: ArrayBuffer;
  private readonly ints: Int32Array;
  private readonly floats: Float32Array;
  private readonly capacity: number;
  private used = 0;
  private readonly files: { file: string; records: number }[] = [];
  private total = 0;

  /**
   * @param capacity records held at once: the in-memory store if everything fits, else the chunk size.
   */
  constructor(
    capacity: number,
    private readonly random: Random,
    private readonly workDir: () => Promise<string>,
    private readonly signal?: AbortSignal,
  ) {
    // A pair of records is added at once, so the buffer always has room for two.
    this.capacity = Math.max(2, capacity);
    this.buffer = new ArrayBuffer(this.capacity * TRAINING_RECORD_BYTES);
    this.ints = new Int32Array(this.buffer);
    this.floats = new Float32Array(this.buffer);
  }

  /** A BatchSink: adds X(lo, hi) as the records (lo, hi) and (hi, lo), once if lo == hi. */
  readonly add = async (batch: CanonicalBatch): Promise<void> => {
    const { ints, floats } = this;
    for (let r = 0; r < batch.length; r++) {
      if (this.used + 2 > this.capacity) await this.writeChunk();
      const lo = batch.lo[r];
      const hi = batch.hi[r];
      const x = batch.x[r];
      let k = 3 * this.used++;
      ints[k] = lo;
      ints[k + 1] = hi;
      floats[k + 2] = x;
      if (lo !== hi) {
        k = 3 * this.used++;
        ints[k] = hi;
        ints[k + 1] = lo;
        floats[k + 2] = x;
      }
    }
  };

  private async writeChunk(): Promise<void> {
    if (this.used === 0) return;
    if (this.signal?.aborted) throw abortError('Training cancelled');
    shuffleRecords(this.ints, this.used, this.random);
    const file = path.join(await this.workDir(), `shuffle-${String(this.files.length + 1).padStart(6, '0')}.bin`);
    const handle = await fs.open(file, 'w');
    try {
      await writeFully(handle, new Uint8Array(this.buffer, 0, this.used * TRAINING_RECORD_BYTES));
    } finally {
      await handle.close();
    }
    this.files.push({ file, records: this.used });
    this.total += this.used;
    this.used = 0;
  }

  /** Shuffles what is left; the shuffler must not be used afterwards. */
  async finish(): Promise<TrainingRecords> {
    if (this.files.length === 0) {
      shuffleRecords(this.ints, this.used, this.random);
      return new MemoryRecords({ ints: this.ints, floats: this.floats, length: this.used });
    }
    await this.writeChunk();
    return new ChunkFileRecords(this.files, this.total, this.capacity);
  }
}

/** All records in one array, shuffled once, replayed in the same order each epoch (as glove.c does). */
class MemoryRecords implements TrainingRecords {
  readonly chunkFiles = 0;
  constructor(private readonly block: RecordBlock) {}

  get total(): number {
    return this.block.length;
  }

  async *blocks(): AsyncGenerator<RecordBlock> {
    yield this.block;
  }
}

/**
 * Shuffled chunk files, read shuffle.c's way: a slice of every file into one block, the block
 * shuffled, and so on to the end of the files.
 */
class ChunkFileRecords implements TrainingRecords {
  readonly chunkFiles: number;

  constructor(
    private readonly files: readonly { file: string; records: number }[],
    readonly total: number,
    private readonly blockRecords: number,
  ) {
    this.chunkFiles = files.length;
  }

  async *blocks(random: Random, signal?: AbortSignal): AsyncGenerator<RecordBlock> {
    const slice = Math.max(MIN_SLICE_RECORDS, Math.floor(this.blockRecords / this.files.length));
    const capacity = slice * this.files.length;
    const buffer = new ArrayBuffer(capacity * TRAINING_RECORD_BYTES);
    const bytes = new Uint8Array(buffer);
    const block: RecordBlock = { ints: new Int32Array(buffer), floats: new Float32Array(buffer), length: 0 };
    const handles: fs.FileHandle[] = [];
    try {
      for (const { file } of this.files) handles.push(await fs.open(file, 'r'));
      const positions = this.files.map(() => 0);
      for (;;) {
        if (signal?.aborted) throw abortError('Training cancelled');
        let filled = 0;
        for (let f = 0; f < handles.length; f++) {
          const end = this.files[f].records * TRAINING_RECORD_BYTES;
          const want = Math.min(slice * TRAINING_RECORD_BYTES, end - positions[f]);
          let got = 0;
          while (got < want) {
            const { bytesRead } = await handles[f].read(bytes, filled + got, want - got, positions[f] + got);
            if (bytesRead === 0) throw new Error(`${this.files[f].file}: shorter than the ${end} bytes written`);
            got += bytesRead;
          }
          positions[f] += got;
          filled += got;
        }
        if (filled === 0) return;
        block.length = filled / TRAINING_RECORD_BYTES;
        shuffleRecords(block.ints, block.length, random);
        yield block;
      }
    } finally {
      for (const handle of handles) await handle.close().catch(() => undefined);
    }
  }
}
