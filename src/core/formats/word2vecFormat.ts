// The word2vec file format (word2vec.c, gensim's save_word2vec_format / load_word2vec_format,
// fastText's .vec): a header line "<count> <dim>", then one record per word, either
//   binary: the word, a space, dim little-endian float32 (gensim writes no newline after them,
//           word2vec.c does; the reader takes both), or
//   text:   the word and dim decimal numbers separated by spaces, one line per word.
// Headerless text files (GloVe) are read too. Files ending in .gz are (de)compressed on the fly.
import { createReadStream, createWriteStream, promises as fs, type Stats } from 'node:fs';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { WordVectors } from '../vectors';
import { writeFileAtomic } from '../atomicWrite';

export interface WriteWord2VecOptions {
  binary: boolean;
}

export interface ReadWord2VecOptions {
  /** Binary or text; detected from the first record when not given. */
  binary?: boolean;
  /**
   * Text files: skip a malformed line (wrong number of fields, a field that is not a finite number)
   * instead of failing, and count it in `skippedLines`. The first line of a headerless file sets the
   * dim and is never skipped; a skipped line still counts towards the header's word count. A line
   * that is not valid UTF-8 is malformed too. Binary records are skipped only when their word is not
   * valid UTF-8 (counted with their record number); other damage loses the reader's place.
   */
  skipBadLines?: boolean;
  /** Called as the file's (compressed) bytes are read, for a progress display. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface Word2VecFileInfo {
  binary: boolean;
  /** False for a headerless (GloVe-style) text file. */
  hasHeader: boolean;
  /** Records whose word had already appeared; the first occurrence is kept (as gensim does). */
  duplicateWords: number;
  duplicateExamples: string[];
  /** With `skipBadLines`: the malformed lines (binary: records) left out, and the numbers of the first few (1-based). */
  skippedLines: number;
  skippedLineNumbers: number[];
}

/** How many line numbers of skipped lines Word2VecFileInfo keeps. */
export const SKIPPED_LINE_EXAMPLES = 10;

/** No real embedding has this many dimensions; a header that says so is damaged or not a header. */
export const MAX_DIM = 100_000;
/** A word longer than this (in bytes) means the reader has lost its place in a binary file. */
const MAX_WORD_BYTES = 1 << 16;
const WRITE_BATCH_BYTES = 1 << 20;

export async function writeWord2Vec(vectors: WordVectors, filePath: string, options: WriteWord2VecOptions): Promise<void> {
  for (let i = 0; i < vectors.size; i++) {
    const word = vectors.words[i];
    if (word.length === 0 || /\s/u.test(word)) {
      throw new Error(`${filePath}: cannot store word ${JSON.stringify(word)} in word2vec format: words must be non-empty and contain no whitespace`);
    }
  }
  const records = options.binary ? binaryRecords(vectors) : textRecords(vectors);
  await writeFileAtomic(filePath, async (tempPath) => {
    // pipeline() pulls from the generator only as fast as the file takes the bytes (backpressure).
    const source = Readable.from(records, { objectMode: false });
    if (filePath.toLowerCase().endsWith('.gz')) await pipeline(source, createGzip(), createWriteStream(tempPath));
    else await pipeline(source, createWriteStream(tempPath));
  });
}

async function* binaryRecords(vectors: WordVectors): AsyncGenerator<Buffer> {
  const { words, dim, data, size } = vectors;
  yield Buffer.from(`${size} ${dim}\n`, 'utf8');
  let batch = Buffer.allocUnsafe(WRITE_BATCH_BYTES);
  let used = 0;
  for (let row = 0; row < size; row++) {
    const word = Buffer.from(words[row] + ' ', 'utf8');
    const recordBytes = word.length + dim * 4;
    if (used + recordBytes > batch.length) {
      if (used > 0) yield batch.subarray(0, used);
      batch = Buffer.allocUnsafe(Math.max(WRITE_BATCH_BYTES, recordBytes));
      used = 0;
    }
    used += word.copy(batch, used);
    const offset = row * dim;
    for (let d = 0; d < dim; d++) {
      batch.writeFloatLE(data[offset + d], used);
      used += 4;
    }
  }
  if (used > 0) yield batch.subarray(0, used);
}

async function* textRecords(vectors: WordVectors): AsyncGenerator<string> {
  yield `${vectors.size} ${vectors.dim}\n`;
  yield* vectorTextLines(vectors, (row, numbers) => `${vectors.words[row]} ${numbers.join(' ')}\n`);
}

/**
 * Every row as a line of text (`line` lays out the row's shortest float32 decimals), yielded in
 * batches of about a megabyte so a large model streams to disk without one giant string.
 */
export async function* vectorTextLines(vectors: WordVectors, line: (row: number, numbers: string[]) => string): AsyncGenerator<string> {
  const { dim, data, size } = vectors;
  let batch: string[] = [];
  let batchChars = 0;
  const numbers = new Array<string>(dim);
  for (let row = 0; row < size; row++) {
    const offset = row * dim;
    for (let d = 0; d < dim; d++) numbers[d] = formatFloat32(data[offset + d]);
    const text = line(row, numbers);
    batch.push(text);
    batchChars += text.length;
    if (batchChars >= WRITE_BATCH_BYTES) {
      yield batch.join('');
      batch = [];
      batchChars = 0;
    }
  }
  if (batch.length > 0) yield batch.join('');
}

/**
 * The shortest decimal that reads back as the same float32, like numpy's repr of a float32 in
 * gensim's text output. For normal numbers the 6-digit rounding with trailing zeros removed is already
 * the shortest when anything up to 6 digits works, because float32 spacing is far finer than 6-digit
 * spacing; so only 6, 7, 8 and 9 digits need trying.
 */
export function formatFloat32(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (!Number.isFinite(value)) return String(value);
  // Subnormals have fewer significant bits, so they can need fewer than 6 digits.
  const first = Math.abs(value) < 1.1754943508222875e-38 ? 1 : 6;
  for (let precision = first; precision < 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === value) return trimZeros(text);
  }
  return trimZeros(value.toPrecision(9));
}

function trimZeros(text: string): string {
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? '' : text.slice(e);
  if (!mantissa.includes('.')) return text;
  return mantissa.replace(/\.?0+$/, '') + exponent;
}

export async function readWord2Vec(filePath: string, options: ReadWord2VecOptions = {}): Promise<WordVectors> {
  return (await readWord2VecWithInfo(filePath, options)).vectors;
}

/** The file's stat, or an error that names the file and says why it cannot be read. */
export async function requireFile(filePath: string): Promise<Stats> {
  let stat: Stats;
  try {
    stat = await fs.stat(filePath);
  } catch (error) {
    throw new Error(`${filePath}: cannot read the file (${(error as Error).message})`);
  }
  if (!stat.isFile()) throw new Error(`${filePath}: not a file`);
  return stat;
}

export async function readWord2VecWithInfo(
  filePath: string,
  options: ReadWord2VecOptions = {},
): Promise<{ vectors: WordVectors; info: Word2VecFileInfo }> {
  const stat = await requireFile(filePath);
  const gzip = await startsWithGzipMagic(filePath);
  const fileStream = createReadStream(filePath, { highWaterMark: 1 << 20 });
  const stream: Readable = gzip ? fileStream.pipe(createGunzip()) : fileStream;
  if (gzip) fileStream.on('error', (error) => stream.destroy(error));
  // Polled as chunks arrive rather than by a 'data' listener, which would change the stream's flow mode.
  const onProgress = options.onProgress;
  const reader = new ByteReader(stream, onProgress && (() => onProgress(fileStream.bytesRead, stat.size)));
  try {
    return await parse(reader, filePath, gzip ? undefined : stat.size, options);
  } catch (error) {
    if (gzip && (error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new Error(`${filePath}: damaged gzip data (${(error as Error).message})`);
    }
    throw error;
  } finally {
    stream.destroy();
    fileStream.destroy();
  }
}

/** Whether the file starts with gzip's magic bytes (its name may not say). */
export async function startsWithGzipMagic(filePath: string): Promise<boolean> {
  const handle = await fs.open(filePath, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

interface Header {
  count: number;
  dim: number;
}

async function parse(
  reader: ByteReader,
  name: string,
  fileBytes: number | undefined,
  options: ReadWord2VecOptions,
): Promise<{ vectors: WordVectors; info: Word2VecFileInfo }> {
  // A header is short and a headerless first row holds at most MAX_DIM numbers; anything longer is
  // refused before it is buffered or split.
  const maxFirstLine = MAX_WORD_BYTES + MAX_DIM * 64 + 64;
  const firstLine = await reader.readLine(maxFirstLine);
  if (firstLine === undefined) throw new Error(`${name}: the file is empty`);
  if (firstLine === 'too-long') {
    throw new Error(`${name} line 1: no line break within the first ${maxFirstLine} bytes; expected a header "<count> <dim>" or a word and at most ${MAX_DIM} numbers (not a word2vec, GloVe or fastText .vec file?)`);
  }
  const firstText = decodeLine(firstLine, name, 1).trim();
  const header = parseHeader(firstText, name);

  if (!header) {
    if (countFields(firstText) - 1 > MAX_DIM) {
      throw new Error(`${name} line 1: more than ${MAX_DIM} numbers after the first word, more than the supported ${MAX_DIM} dimensions`);
    }
    const fields = firstText.split(/[ \t]+/);
    const looksLikeRow = fields.length >= 3 && fields.slice(1).every((f) => f !== '' && Number.isFinite(Number(f)));
    if (!looksLikeRow || options.binary === true) {
      throw new Error(`${name} line 1: expected a header "<count> <dim>" (two positive integers), found ${preview(firstText)}`);
    }
    const dim = fields.length - 1;
    if (dim > MAX_DIM) throw new Error(`${name} line 1: ${dim} numbers per word is more than the supported ${MAX_DIM}`);
    const store = new RowStore(dim, Infinity, growthRows(dim), options.skipBadLines === true);
    storeTextRow(store, firstText, 1, name);
    await readTextRows(reader, store, name, Infinity, 2);
    return finish(store, { binary: false, hasHeader: false });
  }

  const { count, dim } = header;
  if (dim > MAX_DIM) throw new Error(`${name} line 1: header says ${dim} dimensions, more than the supported ${MAX_DIM}`);
  const binary = options.binary ?? (await looksBinary(reader, dim));
  if (fileBytes !== undefined) {
    // Every record needs at least this many bytes; checked before allocating count × dim floats so a
    // damaged header cannot ask for gigabytes.
    const minRecordBytes = binary ? dim * 4 + 2 : 2 * dim + 1;
    const needed = count * minRecordBytes;
    if (needed > fileBytes) {
      throw new Error(
        `${name} line 1: header says ${count} words of ${dim} dimensions, which need at least ${needed} bytes in ${binary ? 'binary' : 'text'} format, but the file has only ${fileBytes} bytes (truncated, or not this format?)`,
      );
    }
  }
  // Compressed files cannot be size-checked up front, so their rows are stored in a growing array.
  const store = new RowStore(dim, count, fileBytes === undefined ? Math.min(count, growthRows(dim)) : count, options.skipBadLines === true);
  if (binary) await readBinaryRecords(reader, store, name, count);
  else await readTextRows(reader, store, name, count, 2);
  if (store.records + store.skipped < count) {
    throw new Error(`${name}: header says ${count} words, but the file ends after ${store.records + store.skipped} (truncated?)`);
  }
  if (binary) await expectBinaryEnd(reader, name, count, dim);
  else await expectTextEnd(reader, name, count, dim, store.lastLine);
  return finish(store, { binary, hasHeader: true });
}

/**
 * Records after the count the header gives mean the header is stale or the file was concatenated;
 * reading only the first `count` would silently drop words, so count the rest and say so.
 */
async function expectTextEnd(reader: ByteReader, name: string, count: number, dim: number, lastLine: number): Promise<void> {
  let extra = 0;
  let firstExtraLine = 0;
  let lineNumber = lastLine;
  for (;;) {
    const line = await reader.readLine(MAX_WORD_BYTES + dim * 64 + 64);
    if (line === undefined) break;
    lineNumber++;
    if (line !== 'too-long' && line.toString('latin1').trim() === '') continue;
    extra++;
    firstExtraLine ||= lineNumber;
    if (line === 'too-long') break;
  }
  if (extra > 0) {
    throw new Error(`${name} line ${firstExtraLine}: header says ${count} words, but the file has ${reader.ended && reader.available === 0 ? '' : 'at least '}${count + extra} (is the header out of date?)`);
  }
}

async function expectBinaryEnd(reader: ByteReader, name: string, count: number, dim: number): Promise<void> {
  await reader.skipBytes(10, 13, 32);
  if (!(await reader.ensure(1))) return;
  // Count the whole records that follow, as far as they look like records.
  let extra = 0;
  for (;;) {
    await reader.skipBytes(10, 13);
    if (!(await reader.ensure(1))) break;
    const word = await reader.readUntil(0x20, MAX_WORD_BYTES);
    if (word === undefined || word === 'too-long' || word.length === 0 || !(await reader.ensure(dim * 4))) {
      throw new Error(`${name} record ${count + extra + 1}: header says ${count} words, but after record ${count + extra} come bytes that do not form a complete record (is the header out of date, or the file damaged?)`);
    }
    reader.consume(dim * 4);
    extra++;
  }
  throw new Error(`${name} record ${count + 1}: header says ${count} words, but the file has ${count + extra} (is the header out of date?)`);
}

function parseHeader(text: string, name: string): Header | undefined {
  const match = /^(\d+)[ \t]+(\d+)$/.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  const dim = Number(match[2]);
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(dim)) {
    throw new Error(`${name} line 1: header ${preview(text)} gives a ${Number.isSafeInteger(count) ? 'dim' : 'word count'} too large for any file (the header is damaged)`);
  }
  if (!(count > 0 && dim > 0)) return undefined;
  return { count, dim };
}

/** Fields separated by runs of spaces or tabs, counted without building them. */
function countFields(text: string): number {
  let fields = 0;
  let inField = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const separator = c === 32 || c === 9;
    if (!separator && !inField) fields++;
    inField = !separator;
  }
  return fields;
}

/**
 * A line's text; a line that is not valid UTF-8 is a bad line (skippable), not silently turned into
 * U+FFFD: two different damaged words could become one, and the word would not be the file's.
 */
function decodeLine(bytes: Buffer, name: string, lineNumber: number): string {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD')) {
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      throw new BadLineError(`${name} line ${lineNumber}: not valid UTF-8 (byte 0x${hex(bytes[bad])} at byte ${bad + 1} of the line); the file must be UTF-8 (skip such lines with the skip-bad-lines option)`);
    }
  }
  return text;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > n) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1];
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((c === 0xe0 && second < 0xa0) || (c === 0xed && second > 0x9f) || (c === 0xf0 && second < 0x90) || (c === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return -1;
}

/**
 * After the header: text if the rest of the first record's line (after its word) is printable ASCII
 * with at least one digit. The dim×4 bytes of a binary record almost never are: small positive floats
 * do have printable high bytes, but the other bytes are random and would have to stay printable
 * until a 0x0A happens to turn up.
 */
async function looksBinary(reader: ByteReader, dim: number): Promise<boolean> {
  const peek = await reader.peek(Math.min(MAX_WORD_BYTES + dim * 64 + 64, 8 << 20));
  let start = 0;
  while (start < peek.length && (peek[start] === 10 || peek[start] === 13)) start++;
  const space = peek.indexOf(0x20, start);
  if (space < 0) return false;
  let newline = peek.indexOf(10, space);
  if (newline < 0) {
    if (!reader.ended) return true;
    newline = peek.length;
  }
  let digits = 0;
  for (let i = space + 1; i < newline; i++) {
    const c = peek[i];
    if (c >= 0x30 && c <= 0x39) digits++;
    else if ((c < 0x20 && c !== 9 && c !== 13) || c >= 0x7f) return true;
  }
  return digits === 0;
}

async function readTextRows(reader: ByteReader, store: RowStore, name: string, count: number, firstLineNumber: number): Promise<void> {
  const maxLine = MAX_WORD_BYTES + store.dim * 64 + 64;
  let lineNumber = firstLineNumber - 1;
  while (store.records + store.skipped < count) {
    const line = await reader.readLine(maxLine);
    if (line === undefined) return;
    lineNumber++;
    store.lastLine = lineNumber;
    if (line === 'too-long') throw new Error(`${name} line ${lineNumber}: longer than ${maxLine} bytes; expected a word and ${store.dim} numbers`);
    if (!store.skipBadLines) {
      const text = decodeLine(line, name, lineNumber).trimEnd();
      if (text.length > 0) storeTextRow(store, text, lineNumber, name);
      continue;
    }
    try {
      const text = decodeLine(line, name, lineNumber).trimEnd();
      if (text.length > 0) storeTextRow(store, text, lineNumber, name);
    } catch (error) {
      if (!(error instanceof BadLineError)) throw error;
      store.skip(lineNumber);
    }
  }
}

/** A text line that is not a word followed by `dim` finite numbers (skippable with `skipBadLines`). */
class BadLineError extends Error {}

function storeTextRow(store: RowStore, text: string, lineNumber: number, name: string): void {
  const fields = text.split(' ');
  const word = fields[0];
  const dim = store.dim;
  if (word.length === 0) throw new BadLineError(`${name} line ${lineNumber}: the line starts with a space; expected a word`);
  if (fields.length - 1 !== dim) {
    throw new BadLineError(`${name} line ${lineNumber}: expected ${dim} numbers after "${word}", found ${fields.length - 1}`);
  }
  // Parsed in full before the word is stored, so a line that fails half-way leaves no trace.
  const values = store.scratch;
  for (let d = 0; d < dim; d++) {
    const field = fields[d + 1];
    const value = field.length === 0 ? NaN : Number(field);
    if (!Number.isFinite(value)) {
      throw new BadLineError(`${name} line ${lineNumber}: number ${d + 1} after "${word}" is ${preview(field)}, not a finite number`);
    }
    // Stored as float32: 1e39 is a finite double but would silently become Infinity.
    if (!Number.isFinite(Math.fround(value))) {
      throw new BadLineError(`${name} line ${lineNumber}: number ${d + 1} after "${word}" is ${preview(field)}, beyond the float32 range (±3.4e38)`);
    }
    values[d] = value;
  }
  store.begin(word)?.set(values);
}

async function readBinaryRecords(reader: ByteReader, store: RowStore, name: string, count: number): Promise<void> {
  const dim = store.dim;
  const vectorBytes = dim * 4;
  while (store.records + store.skipped < count) {
    const recordNumber = store.records + store.skipped + 1;
    // word2vec.c ends each record with '\n', gensim does not: skip it when present.
    await reader.skipBytes(10, 13);
    const wordBytes = await reader.readUntil(0x20, MAX_WORD_BYTES);
    if (wordBytes === undefined) {
      throw new Error(`${name} record ${recordNumber}: the file ends where a word was expected (header says ${count} words)`);
    }
    if (wordBytes === 'too-long') {
      throw new Error(`${name} record ${recordNumber}: no space after the word within ${MAX_WORD_BYTES} bytes; the file is damaged or not in binary format`);
    }
    const word = wordBytes.toString('utf8');
    if (word.length === 0) throw new Error(`${name} record ${recordNumber}: empty word`);
    // The word's end is known, so unlike other damage a word that is not UTF-8 can be skipped.
    const badByte = word.includes('\uFFFD') ? firstInvalidUtf8(wordBytes) : -1;
    if (badByte >= 0 && !store.skipBadLines) {
      throw new Error(`${name} record ${recordNumber}: the word is not valid UTF-8 (byte 0x${hex(wordBytes[badByte])} at byte ${badByte + 1} of the word); the file must be UTF-8 (skip such records with the skip-bad-lines option)`);
    }
    if (!(await reader.ensure(vectorBytes))) {
      throw new Error(`${name} record ${recordNumber} ("${word}"): the file ends after ${reader.available} of the ${vectorBytes} bytes of its vector (truncated?)`);
    }
    if (badByte >= 0) {
      store.skip(recordNumber);
      reader.consume(vectorBytes);
      continue;
    }
    const row = store.begin(word);
    const buffer = reader.buffer;
    const start = reader.position;
    for (let d = 0; d < dim; d++) {
      const value = buffer.readFloatLE(start + d * 4);
      if (!Number.isFinite(value)) {
        throw new Error(`${name} record ${recordNumber} ("${word}"): component ${d + 1} is ${value}, not a finite number`);
      }
      if (row) row[d] = value;
    }
    reader.consume(vectorBytes);
  }
}

function finish(store: RowStore, format: { binary: boolean; hasHeader: boolean }): { vectors: WordVectors; info: Word2VecFileInfo } {
  return {
    vectors: new WordVectors(store.words, store.dim, store.data()),
    info: {
      ...format,
      duplicateWords: store.duplicates,
      duplicateExamples: store.duplicateExamples,
      skippedLines: store.skipped,
      skippedLineNumbers: store.skippedLineNumbers,
    },
  };
}

/** Rows of a vectors file as they are read, growing when the final count is not known up front. */
class RowStore {
  readonly words: string[] = [];
  records = 0;
  /** The line of the last text record read, for messages about what follows it. */
  lastLine = 1;
  duplicates = 0;
  readonly duplicateExamples: string[] = [];
  /** Malformed text lines left out (only with skipBadLines). */
  skipped = 0;
  readonly skippedLineNumbers: number[] = [];
  /** One row of parsed numbers, checked before they are stored. */
  readonly scratch: Float32Array;
  private readonly seen = new Set<string>();
  private buffer: Float32Array;

  constructor(readonly dim: number, private readonly maxRows: number, initialRows: number, readonly skipBadLines = false) {
    this.buffer = allocate(initialRows * dim);
    this.scratch = new Float32Array(dim);
  }

  skip(lineNumber: number): void {
    this.skipped++;
    if (this.skippedLineNumbers.length < SKIPPED_LINE_EXAMPLES) this.skippedLineNumbers.push(lineNumber);
  }

  /** The row to fill for `word`, or undefined for a duplicate (whose numbers are still validated). */
  begin(word: string): Float32Array | undefined {
    this.records++;
    if (this.seen.has(word)) {
      this.duplicates++;
      if (this.duplicateExamples.length < 10) this.duplicateExamples.push(word);
      return undefined;
    }
    this.seen.add(word);
    const row = this.words.length;
    this.words.push(word);
    const end = (row + 1) * this.dim;
    if (end > this.buffer.length) {
      const rows = Math.min(this.maxRows, Math.max(row + 1, (this.buffer.length / this.dim) * 2, growthRows(this.dim)));
      const grown = allocate(rows * this.dim);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    return this.buffer.subarray(row * this.dim, end);
  }

  data(): Float32Array {
    const length = this.words.length * this.dim;
    return length === this.buffer.length ? this.buffer : this.buffer.slice(0, length);
  }
}

/**
 * Rows to allocate when the row count is not yet proven by the file's size: about a million numbers
 * (4 MB), so a wide first row or a damaged count cannot make the reader reserve gigabytes up front.
 */
function growthRows(dim: number): number {
  return Math.max(1, Math.floor((1 << 20) / dim));
}

function allocate(length: number): Float32Array {
  try {
    return new Float32Array(length);
  } catch (error) {
    throw new Error(`cannot allocate ${length} numbers for the vectors (${(error as Error).message})`);
  }
}

function preview(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(shown);
}

/**
 * Pull-style reading of a byte stream: lines, delimited fields and fixed-size blocks. A returned
 * Buffer is valid only until the next read: the memory behind it is reused.
 */
export class ByteReader {
  buffer: Buffer = Buffer.alloc(0);
  position = 0;
  ended = false;
  /** Backing memory that `buffer` lives in once bytes have to be kept across chunks. */
  private store: Buffer = Buffer.alloc(0);
  private inStore = false;
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(stream: Readable, private readonly onChunk?: () => void) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  get available(): number {
    return this.buffer.length - this.position;
  }

  /** Makes at least `n` bytes available; false if the stream ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.available < n && !this.ended) await this.pull();
    return this.available >= n;
  }

  consume(n: number): void {
    this.position += n;
  }

  /** Up to `n` bytes from the current position, without consuming them. */
  async peek(n: number): Promise<Buffer> {
    await this.ensure(n);
    return this.buffer.subarray(this.position, this.position + n);
  }

  async skipBytes(...values: number[]): Promise<void> {
    for (;;) {
      if (!(await this.ensure(1))) return;
      if (!values.includes(this.buffer[this.position])) return;
      this.position++;
    }
  }

  /** The bytes before the next `delimiter` (consumed together with it); at end of stream, the rest. */
  async readUntil(delimiter: number, maxBytes: number): Promise<Buffer | 'too-long' | undefined> {
    let scanned = 0;
    for (;;) {
      const found = this.buffer.indexOf(delimiter, this.position + scanned);
      if (found >= 0) {
        if (found - this.position > maxBytes) return 'too-long';
        const bytes = this.buffer.subarray(this.position, found);
        this.position = found + 1;
        return bytes;
      }
      scanned = this.available;
      if (scanned > maxBytes) return 'too-long';
      if (this.ended) {
        if (scanned === 0) return undefined;
        const rest = this.buffer.subarray(this.position);
        this.position = this.buffer.length;
        return rest;
      }
      await this.pull();
    }
  }

  readLine(maxBytes: number): Promise<Buffer | 'too-long' | undefined> {
    return this.readUntil(10, maxBytes);
  }

  private async pull(): Promise<void> {
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return;
    }
    const chunk = next.value as Buffer;
    this.onChunk?.();
    const live = this.available;
    if (live === 0) {
      this.buffer = chunk;
      this.position = 0;
      this.inStore = false;
      return;
    }
    // The pending bytes are kept in `store`, which has spare room at the end and is doubled when it
    // runs out: concatenating all pending bytes for every chunk made a long line cost its length
    // squared (gunzip yields 16 KiB chunks, so a 16 MiB line meant gigabytes of copying).
    const start = this.inStore ? this.buffer.byteOffset - this.store.byteOffset + this.position : 0;
    let end = this.inStore ? start + live : 0;
    if (!this.inStore || end + chunk.length > this.store.length) {
      const needed = live + chunk.length;
      const target = needed * 2 > this.store.length ? Buffer.allocUnsafe(Math.max(needed * 2, 1 << 16)) : this.store;
      // Buffer.copy moves overlapping ranges correctly (memmove).
      this.buffer.copy(target, 0, this.position, this.buffer.length);
      this.store = target;
      this.inStore = true;
      end = live;
    }
    chunk.copy(this.store, end);
    this.buffer = this.store.subarray(end - live, end + chunk.length);
    this.position = 0;
  }
}
