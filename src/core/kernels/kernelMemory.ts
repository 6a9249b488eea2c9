// Lays out everything the WebAssembly training kernel (embedding.c) reads and writes in one shared
// WebAssembly.Memory: lookup tables, the weight matrices, and each thread's record and scratch.
// The field order of the Model and Thread records here must match the structs in embedding.c.
import { EMBEDDING_WASM_BASE64 } from './embeddingWasm';

export const EXP_TABLE_SIZE = 1000;
export const MAX_EXP = 6;
/** wasm32 addresses 4 GiB; the kernel's matrices and scratch must fit in it. */
export const MAX_KERNEL_BYTES = 2 ** 32 - 2 ** 16;
const PAGE_BYTES = 65536;
/** The module's declared minimum memory (wasm-ld's default 2 pages), left to it. */
const KERNEL_RESERVED_BYTES = 2 * PAGE_BYTES;

/** Model record fields, each 4 bytes, in embedding.c's order. */
const MODEL_FIELDS = [
  'syn0', 'syn1neg', 'syn1', 'sigmoid', 'lossTrue', 'lossNoise', 'cumulative', 'guide', 'guideShift', 'keep',
  'codeStart', 'points', 'codes', 'rowStart', 'rows', 'dim', 'stride', 'window', 'negative', 'hs', 'cbow',
  'cbowMean', 'subwords', 'lockf',
] as const;
type ModelField = (typeof MODEL_FIELDS)[number];

/** Thread record: three doubles, then 4-byte fields, in embedding.c's order. */
const THREAD_DOUBLES = ['loss', 'examples', 'trainedWords'] as const;
const THREAD_FIELDS = [
  'model', 'random', 'sentence', 'maxSentence', 'ringInput', 'ringGrad', 'inputAt', 'gradAt', 'hidden', 'hiddenGrad',
  'outRows', 'outLabels', 'maxOutputs',
] as const;
type ThreadField = (typeof THREAD_FIELDS)[number];
const THREAD_RECORD_BYTES = THREAD_DOUBLES.length * 8 + THREAD_FIELDS.length * 4;

let compiled: WebAssembly.Module | undefined;
/** The compiled kernel; a WebAssembly.Module can be posted to worker threads as it is. */
export function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(EMBEDDING_WASM_BASE64, 'base64'));
  return compiled;
}

export interface KernelExports {
  train_job(thread: number, tokens: number, count: number, alphaStart: number, alphaEnd: number): number;
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

export interface KernelShape {
  /** Vocabulary words. */
  words: number;
  /** Input rows: words plus n-gram buckets (FastText) or just words. */
  inputRows: number;
  dim: number;
  window: number;
  negative: number;
  hs: boolean;
  cbow: boolean;
  cbowMean: boolean;
  /** Entries of the rows list (every word's input rows, concatenated). */
  rowEntries: number;
  /** Entries of the Huffman points/codes lists (0 without hs). */
  codeEntries: number;
  maxCodeLength: number;
  guideEntries: number;
  /** Whether words have lock factors (continued training); without, every word learns fully. */
  lockFactors: boolean;
  threads: number;
  maxSentence: number;
  jobCapacity: number;
  jobSlotsPerThread: number;
}

export interface ThreadLayout {
  record: number;
  jobSlots: number[];
}

export interface KernelLayout {
  bytes: number;
  stride: number;
  model: number;
  sigmoid: number;
  lossTrue: number;
  lossNoise: number;
  cumulative: number;
  guide: number;
  keep: number;
  codeStart: number;
  points: number;
  codes: number;
  rowStart: number;
  rows: number;
  syn0: number;
  syn1neg: number;
  syn1: number;
  lockf: number;
  threads: ThreadLayout[];
  maxOutputs: number;
}

/** Byte offsets of every table, matrix and scratch area; nothing is allocated yet. */
export function planKernelLayout(shape: KernelShape): KernelLayout {
  const stride = Math.ceil(shape.dim / 4) * 4;
  // The first pages are what the linker set aside for a C stack and static data; the kernel uses
  // neither, but keeping clear of them means a null pointer is never a valid table.
  let top = KERNEL_RESERVED_BYTES;
  const take = (bytes: number) => {
    const at = top;
    top += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const maxOutputs = (shape.hs ? shape.maxCodeLength : 0) + (shape.negative > 0 ? shape.negative + 1 : 0);
  const layout: KernelLayout = {
    bytes: 0,
    stride,
    maxOutputs,
    model: take(MODEL_FIELDS.length * 4),
    sigmoid: take((EXP_TABLE_SIZE + 1) * 4),
    lossTrue: take((EXP_TABLE_SIZE + 1) * 4),
    lossNoise: take((EXP_TABLE_SIZE + 1) * 4),
    cumulative: take(shape.words * 4),
    guide: take(shape.guideEntries * 4),
    keep: take(shape.words * 4),
    codeStart: take((shape.words + 1) * 4),
    points: take(Math.max(1, shape.codeEntries) * 4),
    codes: take(Math.max(1, shape.codeEntries)),
    rowStart: take((shape.words + 1) * 4),
    rows: take(shape.rowEntries * 4),
    syn0: take(shape.inputRows * stride * 4),
    syn1neg: take(shape.negative > 0 ? shape.words * stride * 4 : 0),
    syn1: take(shape.hs ? Math.max(1, shape.words - 1) * stride * 4 : 0),
    lockf: take(shape.lockFactors ? shape.words * 4 : 0),
    threads: [],
  };
  const ring = (2 * shape.window + 1) * stride * 4;
  const ringPointers = Math.ceil(((2 * shape.window + 1) * 4) / 16) * 16;
  for (let t = 0; t < shape.threads; t++) {
    const record = take(THREAD_RECORD_BYTES);
    take(shape.maxSentence * 4); // sentence
    take(ring * 2 + ringPointers * 2 + stride * 4 * 2 + maxOutputs * 8);
    const jobSlots: number[] = [];
    for (let s = 0; s < shape.jobSlotsPerThread; s++) jobSlots.push(take(shape.jobCapacity * 4));
    layout.threads.push({ record, jobSlots });
  }
  layout.bytes = top;
  return layout;
}

/** A shared memory sized for the layout, with the model record and the thread records filled in. */
export function createKernelMemory(shape: KernelShape, layout: KernelLayout): WebAssembly.Memory {
  if (layout.bytes > MAX_KERNEL_BYTES) {
    const gib = (layout.bytes / 2 ** 30).toFixed(1);
    throw new Error(
      `This model needs ${gib} GiB for its weights, more than the 4 GiB a WebAssembly training kernel can address. ` +
        'Lower dim, raise minCount or cap the vocabulary (maxFinalVocab; --max-final-vocab in the CLI); FastText: fewer buckets.',
    );
  }
  const pages = Math.ceil(layout.bytes / PAGE_BYTES);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const ints = new Int32Array(memory.buffer);
  const model: Record<ModelField, number> = {
    syn0: layout.syn0, syn1neg: shape.negative > 0 ? layout.syn1neg : 0, syn1: shape.hs ? layout.syn1 : 0,
    sigmoid: layout.sigmoid, lossTrue: layout.lossTrue, lossNoise: layout.lossNoise,
    cumulative: layout.cumulative, guide: layout.guide, guideShift: 0, keep: layout.keep,
    codeStart: layout.codeStart, points: layout.points, codes: layout.codes, rowStart: layout.rowStart, rows: layout.rows,
    dim: shape.dim, stride: layout.stride, window: shape.window, negative: shape.negative, hs: shape.hs ? 1 : 0,
    cbow: shape.cbow ? 1 : 0, cbowMean: shape.cbowMean ? 1 : 0,
    subwords: shape.rowEntries > shape.words ? 1 : 0,
    lockf: shape.lockFactors ? layout.lockf : 0,
  };
  MODEL_FIELDS.forEach((field, i) => (ints[layout.model / 4 + i] = model[field]));

  // The scratch areas follow each record in the order planKernelLayout took them.
  const ring = (2 * shape.window + 1) * layout.stride * 4;
  const ringPointers = Math.ceil(((2 * shape.window + 1) * 4) / 16) * 16;
  for (const thread of layout.threads) {
    let at = thread.record + Math.ceil(THREAD_RECORD_BYTES / 16) * 16;
    const next = (bytes: number) => {
      const here = at;
      at += bytes;
      return here;
    };
    const sentence = next(Math.ceil((shape.maxSentence * 4) / 16) * 16);
    const fields: Record<ThreadField, number> = {
      model: layout.model,
      random: 0,
      sentence,
      maxSentence: shape.maxSentence,
      ringInput: next(ring),
      ringGrad: next(ring),
      inputAt: next(ringPointers),
      gradAt: next(ringPointers),
      hidden: next(layout.stride * 4),
      hiddenGrad: next(layout.stride * 4),
      outRows: next(layout.maxOutputs * 4),
      outLabels: next(layout.maxOutputs * 4),
      maxOutputs: layout.maxOutputs,
    };
    const base = thread.record / 4 + THREAD_DOUBLES.length * 2;
    THREAD_FIELDS.forEach((field, i) => (ints[base + i] = fields[field]));
  }
  return memory;
}

/** Thread record accessors, for the worker that owns the record. */
export const THREAD_RANDOM_OFFSET = THREAD_DOUBLES.length * 8 + THREAD_FIELDS.indexOf('random') * 4;
export function readThreadTotals(memory: WebAssembly.Memory, record: number): { loss: number; examples: number; trainedWords: number } {
  const doubles = new Float64Array(memory.buffer, record, THREAD_DOUBLES.length);
  return { loss: doubles[0], examples: doubles[1], trainedWords: doubles[2] };
}

export function resetThreadTotals(memory: WebAssembly.Memory, record: number): void {
  new Float64Array(memory.buffer, record, THREAD_DOUBLES.length).fill(0);
}

export function setModelField(memory: WebAssembly.Memory, layout: KernelLayout, field: ModelField, value: number): void {
  new Int32Array(memory.buffer)[layout.model / 4 + MODEL_FIELDS.indexOf(field)] = value;
}
