// Co-occurrence counting for GloVe with Stanford's cooccur.c semantics: a symmetric window over the
// in-vocabulary words of a line (out-of-vocabulary words are dropped before distances are measured),
// each pair at distance d adding 1/d. X is symmetric, so only the upper triangle (lo <= hi) is held;
// a pair of equal words gets 2/d, as cooccur.c's two symmetric increments of the same cell give.
//
// Memory is bounded. As in cooccur.c, pairs of frequent words (ranks with (lo+1)(hi+1) <= P) go to a
// dense array: Zipf's law puts most increments there, and an array index is far cheaper than a hash
// probe. The rest go to an open-addressing hash in typed arrays; when it reaches its budget its
// entries are sorted and written to a run file, and the runs are later k-way merged, summing equal
// keys. Run records are 16 bytes: int32 lo, int32 hi, float64 x (float64, so that adding up partial
// counts from several runs loses no more precision than counting in memory does).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { abortError } from '../corpus';

/** Bytes of one run record: int32 lo, int32 hi, float64 x. */
export const RUN_RECORD_BYTES = 16;
/**
 * The dense block's share of the counting budget: it covers the frequent-by-frequent pairs where most
 * increments land; the long tail of distinct pairs needs the larger share, in the hash.
 */
const DENSE_SHARE = 0.25;
/** Not every Node build allows typed arrays above 2 GiB, so no single table grows past that. */
const MAX_DENSE_CELLS = 2 ** 28;
const MAX_HASH_SLOTS = 2 ** 27;
const MIN_HASH_SLOTS = 64;
/** Load factor at which the hash grows or, at its largest, spills. */
const MAX_LOAD = 0.7;
/**
 * Budget bytes per hash slot at the largest size: the 16-byte slot, plus the old table during the
 * last doubling (8), which is more than the two int32 sort permutations a spill needs (2 x 4 x 0.7).
 */
const HASH_BYTES_PER_SLOT = 24;
const WRITE_BUFFER_RECORDS = 1 << 16;

export interface CanonicalBatch {
  lo: Int32Array;
  hi: Int32Array;
  x: Float64Array;
  length: number;
}

/** Receives entries (lo <= hi) in batches; the arrays are reused after the promise resolves. */
export type BatchSink = (batch: CanonicalBatch) => void | Promise<void>;

export function newBatch(capacity: number): CanonicalBatch {
  return { lo: new Int32Array(capacity), hi: new Int32Array(capacity), x: new Float64Array(capacity), length: 0 };
}

/**
 * Number of dense cells for product bound P over a vocabulary of `size`: row lo holds hi in
 * [lo, min(size, floor(P / (lo + 1)))).
 */
function denseCells(product: number, size: number): number {
  let cells = 0;
  for (let lo = 0; lo < size; lo++) {
    const limit = Math.min(size, Math.floor(product / (lo + 1)));
    if (limit <= lo) break;
    cells += limit - lo;
  }
  return cells;
}

/** The largest product bound whose dense block fits in `maxCells` (cooccur.c solves the same for its max_product). */
export function denseProductBound(size: number, maxCells: number): number {
  const full = size * size;
  if ((size * (size + 1)) / 2 <= maxCells) return full;
  let low = 0;
  let high = full;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (denseCells(mid, size) <= maxCells) low = mid;
    else high = mid;
  }
  return low;
}

export interface CooccurrenceCounterOptions {
  vocabularySize: number;
  window: number;
  /** Bytes for the dense block and the hash together. */
  memoryBytes: number;
  /** Creates (once) and returns the folder for run files. */
  workDir: () => Promise<string>;
  signal?: AbortSignal;
  /** Called between write batches so long spills still let the host breathe. */
  onWriteProgress?: () => Promise<void> | void;
}

export class CooccurrenceCounter {
  readonly vocabularySize: number;
  readonly window: number;
  /** Pairs with (lo+1)(hi+1) <= productBound live in the dense block. */
  readonly productBound: number;
  /** Sorted run files written so far. */
  readonly runs: string[] = [];
  /** Entries written to runs so far (with duplicates across runs). */
  runEntries = 0;

  private dense: Float64Array;
  /** dense[rowBase[lo] + hi] is X(lo, hi). */
  private readonly rowBase: Int32Array;
  private readonly inverseDistance: Float64Array;
  private readonly maxSlots: number;
  // Slot s: keys[4s] = lo + 1 (0 marks an empty slot, so a fresh buffer needs no fill), keys[4s + 1] = hi,
  // values[2s + 1] = x. One 16-byte slot per probe keeps a lookup to one cache line.
  private slots: ArrayBuffer;
  private keys: Int32Array;
  private values: Float64Array;
  private capacity: number;
  private entries = 0;
  private growAt: number;
  private readonly options: CooccurrenceCounterOptions;

  constructor(options: CooccurrenceCounterOptions) {
    this.options = options;
    const { vocabularySize: size, window } = options;
    this.vocabularySize = size;
    this.window = window;
    const denseBudgetCells = Math.min(MAX_DENSE_CELLS, Math.floor((options.memoryBytes * DENSE_SHARE) / 8));
    this.productBound = denseProductBound(size, denseBudgetCells);
    this.rowBase = new Int32Array(size);
    let offset = 0;
    for (let lo = 0; lo < size; lo++) {
      const limit = Math.min(size, Math.floor(this.productBound / (lo + 1)));
      this.rowBase[lo] = offset - lo;
      if (limit > lo) offset += limit - lo;
    }
    this.dense = new Float64Array(offset);
    const hashBytes = options.memoryBytes - offset * 8;
    // Even an empty hash at its largest must take one position's pairs, or counting could not proceed.
    const minSlots = Math.max(MIN_HASH_SLOTS, Math.ceil((window + 1) / MAX_LOAD) + 1);
    this.maxSlots = Math.max(minSlots, Math.min(MAX_HASH_SLOTS, Math.floor(hashBytes / HASH_BYTES_PER_SLOT)));
    this.capacity = Math.min(this.maxSlots, 1 << 16);
    this.slots = new ArrayBuffer(this.capacity * RUN_RECORD_BYTES);
    this.keys = new Int32Array(this.slots);
    this.values = new Float64Array(this.slots);
    this.growAt = Math.floor(this.capacity * MAX_LOAD);
    this.inverseDistance = new Float64Array(window + 1);
    for (let d = 1; d <= window; d++) this.inverseDistance[d] = 1 / d;
  }

  get denseBytes(): number {
    return this.dense.length * 8;
  }

  get hashBytes(): number {
    return this.slots.byteLength;
  }

  /** Distinct pairs held in the hash now. */
  get hashEntries(): number {
    return this.entries;
  }

  /**
   * Counts the pairs whose right word is at positions start..length-1 of `ids` (vocabulary ids, no
   * -1s). Returns where it stopped: `length` when done, earlier when the hash is full and must be
   * spilled (await spill(), then call again from the returned position).
   */
  count(ids: Int32Array, length: number, start = 0): number {
    const window = this.window;
    const product = this.productBound;
    const dense = this.dense;
    const rowBase = this.rowBase;
    const inverse = this.inverseDistance;
    for (let p = start; p < length; p++) {
      // A position adds at most `window` new hash entries.
      if (this.entries + window > this.growAt && !this.makeRoom()) return p;
      const b = ids[p];
      const from = p > window ? p - window : 0;
      for (let q = p - 1; q >= from; q--) {
        const a = ids[q];
        let weight = inverse[p - q];
        let lo = a;
        let hi = b;
        if (a > b) {
          lo = b;
          hi = a;
        } else if (a === b) {
          weight += weight;
        }
        if ((lo + 1) * (hi + 1) <= product) dense[rowBase[lo] + hi] += weight;
        else this.hashAdd(lo, hi, weight);
      }
    }
    return length;
  }

  private hashAdd(lo: number, hi: number, weight: number): void {
    const keys = this.keys;
    const capacity = this.capacity;
    const tag = lo + 1;
    let s = slotOf(lo, hi, capacity);
    for (;;) {
      const k = keys[4 * s];
      if (k === tag && keys[4 * s + 1] === hi) {
        this.values[2 * s + 1] += weight;
        return;
      }
      if (k === 0) {
        keys[4 * s] = tag;
        keys[4 * s + 1] = hi;
        this.values[2 * s + 1] = weight;
        this.entries++;
        return;
      }
      if (++s === capacity) s = 0;
    }
  }

  /** Grows the hash until a position's worth of new entries fits; false when it is at its largest. */
  private makeRoom(): boolean {
    while (this.entries + this.window > this.growAt) {
      if (this.capacity >= this.maxSlots) return false;
      this.grow();
    }
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldCapacity = this.capacity;
    this.capacity = Math.min(this.maxSlots, oldCapacity * 2);
    this.slots = new ArrayBuffer(this.capacity * RUN_RECORD_BYTES);
    this.keys = new Int32Array(this.slots);
    this.values = new Float64Array(this.slots);
    this.growAt = Math.floor(this.capacity * MAX_LOAD);
    const keys = this.keys;
    const capacity = this.capacity;
    for (let old = 0; old < oldCapacity; old++) {
      const tag = oldKeys[4 * old];
      if (tag === 0) continue;
      const hi = oldKeys[4 * old + 1];
      let s = slotOf(tag - 1, hi, capacity);
      while (keys[4 * s] !== 0) if (++s === capacity) s = 0;
      keys[4 * s] = tag;
      keys[4 * s + 1] = hi;
      this.values[2 * s + 1] = oldValues[2 * old + 1];
    }
  }

  /** Sorts the hash entries by (lo, hi), writes them as a run file and empties the hash. */
  async spill(): Promise<void> {
    if (this.entries === 0) return;
    const order = this.sortedSlots();
    const file = path.join(await this.options.workDir(), `run-${String(this.runs.length + 1).padStart(6, '0')}.bin`);
    const writer = await RunWriter.create(file);
    try {
      const keys = this.keys;
      const values = this.values;
      for (let r = 0; r < order.length; r++) {
        const s = order[r];
        if (writer.add(keys[4 * s] - 1, keys[4 * s + 1], values[2 * s + 1])) await this.afterWrite(writer);
      }
      await writer.close();
    } catch (error) {
      await writer.abandon();
      throw error;
    }
    this.runs.push(file);
    this.runEntries += this.entries;
    this.keys.fill(0);
    this.entries = 0;
  }

  private async afterWrite(writer: RunWriter): Promise<void> {
    await writer.flush();
    if (this.options.signal?.aborted) throw abortError('Training cancelled');
    await this.options.onWriteProgress?.();
  }

  /** Occupied slot numbers ordered by (lo, hi): a counting sort by hi, then a stable one by lo. */
  private sortedSlots(): Int32Array {
    const size = this.vocabularySize;
    const keys = this.keys;
    const capacity = this.capacity;
    const n = this.entries;
    const bucket = new Int32Array(size + 1);
    for (let s = 0; s < capacity; s++) if (keys[4 * s] !== 0) bucket[keys[4 * s + 1] + 1]++;
    for (let v = 0; v < size; v++) bucket[v + 1] += bucket[v];
    const byHi = new Int32Array(n);
    for (let s = 0; s < capacity; s++) if (keys[4 * s] !== 0) byHi[bucket[keys[4 * s + 1]]++] = s;
    bucket.fill(0);
    for (let r = 0; r < n; r++) bucket[keys[4 * byHi[r]]]++; // tag = lo + 1, so this counts into bucket[lo + 1]
    for (let v = 0; v < size; v++) bucket[v + 1] += bucket[v];
    const order = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const s = byHi[r];
      order[bucket[keys[4 * s] - 1]++] = s;
    }
    return order;
  }

  /**
   * True if nothing was spilled, so all counts are still in memory and can be emitted without disk.
   */
  get inMemory(): boolean {
    return this.runs.length === 0;
  }

  /** Non-zero entries held in memory (dense block and hash); counts the dense block, O(cells). */
  memoryEntries(): number {
    let n = this.entries;
    const dense = this.dense;
    for (let c = 0; c < dense.length; c++) if (dense[c] !== 0) n++;
    return n;
  }

  /**
   * Emits every in-memory entry: the dense block in (lo, hi) order, then the hash in slot order
   * (unsorted; after spill() the hash is empty, so what comes out is sorted).
   */
  async emitMemory(sink: BatchSink, batchSize = WRITE_BUFFER_RECORDS): Promise<number> {
    const batch = newBatch(batchSize);
    const cursor = { lo: 0, hi: 0, slot: 0 };
    let emitted = 0;
    for (;;) {
      this.fillBatch(batch, cursor);
      if (batch.length === 0) return emitted;
      emitted += batch.length;
      await sink(batch);
      if (this.options.signal?.aborted) throw abortError('Training cancelled');
    }
  }

  /** Fills `batch` with the next entries after `cursor` and moves the cursor on. */
  private fillBatch(batch: CanonicalBatch, cursor: { lo: number; hi: number; slot: number }): void {
    const size = this.vocabularySize;
    const dense = this.dense;
    const capacity = batch.lo.length;
    let n = 0;
    let lo = cursor.lo;
    let hi = cursor.hi;
    while (lo < size && n < capacity) {
      const limit = Math.min(size, Math.floor(this.productBound / (lo + 1)));
      if (limit <= lo) {
        lo = size;
        break;
      }
      if (hi < lo) hi = lo;
      const base = this.rowBase[lo];
      for (; hi < limit && n < capacity; hi++) {
        const x = dense[base + hi];
        if (x !== 0) {
          batch.lo[n] = lo;
          batch.hi[n] = hi;
          batch.x[n] = x;
          n++;
        }
      }
      if (hi >= limit) {
        lo++;
        hi = lo;
      }
    }
    cursor.lo = lo;
    cursor.hi = hi;
    const keys = this.keys;
    const values = this.values;
    let s = cursor.slot;
    if (lo >= size) {
      for (; s < this.capacity && n < capacity; s++) {
        if (keys[4 * s] === 0) continue;
        batch.lo[n] = keys[4 * s] - 1;
        batch.hi[n] = keys[4 * s + 1];
        batch.x[n] = values[2 * s + 1];
        n++;
      }
    }
    cursor.slot = s;
    batch.length = n;
  }

  /**
   * Moves everything still in memory to disk: the hash as one more sorted run, then the dense block
   * (already in (lo, hi) order) as another. Afterwards the tables are released and `runs` holds all
   * the counts.
   */
  async spillAll(): Promise<void> {
    await this.spill();
    const file = path.join(await this.options.workDir(), `run-${String(this.runs.length + 1).padStart(6, '0')}.bin`);
    const writer = await RunWriter.create(file);
    let written = 0;
    try {
      written = await this.emitMemory(async (batch) => {
        for (let r = 0; r < batch.length; r++) {
          if (writer.add(batch.lo[r], batch.hi[r], batch.x[r])) await this.afterWrite(writer);
        }
      });
      await writer.close();
    } catch (error) {
      await writer.abandon();
      throw error;
    }
    if (written > 0) {
      this.runs.push(file);
      this.runEntries += written;
    } else {
      await fs.rm(file, { force: true });
    }
    this.release();
  }

  /** Drops the tables so their memory can go to the next phase. */
  release(): void {
    this.dense = new Float64Array(0);
    this.capacity = MIN_HASH_SLOTS;
    this.slots = new ArrayBuffer(this.capacity * RUN_RECORD_BYTES);
    this.keys = new Int32Array(this.slots);
    this.values = new Float64Array(this.slots);
    this.entries = 0;
    this.growAt = Math.floor(this.capacity * MAX_LOAD);
  }
}

/** murmur3's finalizer over both ids, mapped onto [0, capacity) by multiply-shift (no power of two needed). */
function slotOf(lo: number, hi: number, capacity: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ hi;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.floor(((h >>> 0) * capacity) / 4294967296);
}

/** Buffered writer of run records. */
export class RunWriter {
  private readonly buffer: ArrayBuffer;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private used = 0;

  private constructor(readonly file: string, private readonly handle: fs.FileHandle, capacity: number) {
    this.buffer = new ArrayBuffer(capacity * RUN_RECORD_BYTES);
    this.ints = new Int32Array(this.buffer);
    this.floats = new Float64Array(this.buffer);
  }

  static async create(file: string, capacity = WRITE_BUFFER_RECORDS): Promise<RunWriter> {
    return new RunWriter(file, await fs.open(file, 'w'), capacity);
  }

  /** Buffers one record; true when the buffer is full and flush() must be awaited before the next add. */
  add(lo: number, hi: number, x: number): boolean {
    const r = this.used++;
    this.ints[4 * r] = lo;
    this.ints[4 * r + 1] = hi;
    this.floats[2 * r + 1] = x;
    return this.used * RUN_RECORD_BYTES === this.buffer.byteLength;
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await writeFully(this.handle, new Uint8Array(this.buffer, 0, this.used * RUN_RECORD_BYTES));
    this.used = 0;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes after a failure; the caller's temp folder removal takes the file away. */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

export async function writeFully(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/** Sequential reader of a run file, refilled a buffer at a time. */
class RunReader {
  lo = 0;
  hi = 0;
  x = 0;
  private readonly bytes: Uint8Array;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private position = 0;
  private count = 0;
  private next = 0;

  private constructor(private readonly handle: fs.FileHandle, capacity: number) {
    const buffer = new ArrayBuffer(capacity * RUN_RECORD_BYTES);
    this.bytes = new Uint8Array(buffer);
    this.ints = new Int32Array(buffer);
    this.floats = new Float64Array(buffer);
  }

  static async open(file: string, capacity: number): Promise<RunReader> {
    return new RunReader(await fs.open(file, 'r'), capacity);
  }

  /** Moves to the next record within the buffer; false when the buffer is used up (call refill). */
  advance(): boolean {
    if (this.next >= this.count) return false;
    const r = this.next++;
    this.lo = this.ints[4 * r];
    this.hi = this.ints[4 * r + 1];
    this.x = this.floats[2 * r + 1];
    return true;
  }

  /** Reads the next buffer and moves to its first record; false at the end of the file. */
  async refill(): Promise<boolean> {
    let filled = 0;
    while (filled < this.bytes.length) {
      const { bytesRead } = await this.handle.read(this.bytes, filled, this.bytes.length - filled, this.position);
      if (bytesRead === 0) break;
      filled += bytesRead;
      this.position += bytesRead;
    }
    if (filled % RUN_RECORD_BYTES !== 0) throw new Error(`run file ends inside a record (${this.position} bytes)`);
    this.count = filled / RUN_RECORD_BYTES;
    this.next = 0;
    return this.advance();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

export interface MergeOptions {
  /** Records buffered per input run. */
  bufferRecords: number;
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * k-way merge of sorted run files into one sorted stream of entries, equal (lo, hi) keys summed.
 * Readers advance within their buffers synchronously; the loop awaits only to refill or to hand over
 * a full batch.
 */
export async function mergeRuns(files: readonly string[], sink: BatchSink, options: MergeOptions): Promise<number> {
  const batchSize = options.batchSize ?? WRITE_BUFFER_RECORDS;
  const batch = newBatch(batchSize);
  const readers: RunReader[] = [];
  let emitted = 0;
  try {
    for (const file of files) readers.push(await RunReader.open(file, options.bufferRecords));
    const heap: RunReader[] = [];
    for (const reader of readers) if (await reader.refill()) heap.push(reader);
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    let curLo = -1;
    let curHi = -1;
    let curX = 0;
    while (heap.length > 0) {
      const top = heap[0];
      if (top.lo === curLo && top.hi === curHi) {
        curX += top.x;
      } else {
        if (curLo >= 0) {
          batch.lo[batch.length] = curLo;
          batch.hi[batch.length] = curHi;
          batch.x[batch.length] = curX;
          emitted++;
          if (++batch.length === batchSize) {
            await sink(batch);
            batch.length = 0;
            if (options.signal?.aborted) throw abortError('Training cancelled');
          }
        }
        curLo = top.lo;
        curHi = top.hi;
        curX = top.x;
      }
      if (!top.advance() && !(await top.refill())) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown(heap, 0);
    }
    if (curLo >= 0) {
      batch.lo[batch.length] = curLo;
      batch.hi[batch.length] = curHi;
      batch.x[batch.length] = curX;
      batch.length++;
      emitted++;
    }
    if (batch.length > 0) await sink(batch);
    return emitted;
  } finally {
    for (const reader of readers) await reader.close().catch(() => undefined);
  }
}

function before(a: RunReader, b: RunReader): boolean {
  return a.lo < b.lo || (a.lo === b.lo && a.hi < b.hi);
}

function siftDown(heap: RunReader[], i: number): void {
  const n = heap.length;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let least = i;
    if (left < n && before(heap[left], heap[least])) least = left;
    if (right < n && before(heap[right], heap[least])) least = right;
    if (least === i) return;
    const t = heap[i];
    heap[i] = heap[least];
    heap[least] = t;
    i = least;
  }
}

/**
 * Merges runs in rounds of at most `fanIn` until `fanIn` or fewer are left, so that the final merge
 * needs one buffer per run within the budget however many runs a small budget produced. Inputs of a
 * round are deleted as soon as it is done, so disk use stays about one copy of the counts.
 */
export async function reduceRuns(
  files: readonly string[],
  fanIn: number,
  bufferRecords: number,
  workDir: () => Promise<string>,
  signal?: AbortSignal,
): Promise<string[]> {
  let current = [...files];
  let round = 0;
  while (current.length > fanIn) {
    round++;
    const next: string[] = [];
    for (let g = 0; g < current.length; g += fanIn) {
      const group = current.slice(g, g + fanIn);
      if (group.length === 1) {
        next.push(group[0]);
        continue;
      }
      const file = path.join(await workDir(), `merge-${round}-${String(next.length + 1).padStart(6, '0')}.bin`);
      const writer = await RunWriter.create(file);
      try {
        await mergeRuns(group, async (batch) => {
          for (let r = 0; r < batch.length; r++) {
            if (writer.add(batch.lo[r], batch.hi[r], batch.x[r])) await writer.flush();
          }
        }, { bufferRecords, signal });
        await writer.close();
      } catch (error) {
        await writer.abandon();
        throw error;
      }
      for (const input of group) await fs.rm(input, { force: true });
      next.push(file);
    }
    current = next;
  }
  return current;
}
