// Text corpora for training: a list of files read as a stream of text chunks, pass after pass.
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface TextCorpus {
  /** Starts a fresh pass over the whole corpus; each file's text is followed by '\n'. */
  chunks(signal?: AbortSignal): AsyncIterable<string>;
}

export type SkipReason = 'binary' | 'too-large' | 'unreadable' | 'not-a-file';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  detail: string;
}

export interface CorpusScanReport {
  filesRead: number;
  bytesRead: number;
  skipped: SkippedFile[];
  /** U+FFFD characters produced by decoding invalid UTF-8 (literal U+FFFD in the text not counted). */
  replacedCharacters: number;
}

export interface FileCorpusOptions {
  /** Files larger than this (decompressed, for .gz) are skipped as too-large. Default 50 MiB. */
  maxFileBytes?: number;
  /** Read size. Default 64 KiB. */
  chunkBytes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Same rule as git and grep: a NUL byte near the start means the file is not text. */
const BINARY_SNIFF_BYTES = 8192;

export const DEFAULT_CORPUS_EXTENSIONS: readonly string[] = (() => {
  const plain = ['.txt', '.md', '.rst', '.tex', '.csv', '.tsv', '.jsonl', '.text', '.org', '.adoc'];
  return [...plain, ...plain.map((ext) => `${ext}.gz`)];
})();

export function abortError(message: string): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError('Reading cancelled');
}

function isGzipPath(filePath: string): boolean {
  return filePath.toLowerCase().endsWith('.gz');
}

/** Why a file was left out; thrown inside a pass and turned into a report entry. */
class SkipFile extends Error {
  constructor(readonly reason: SkipReason, detail: string) {
    super(detail);
  }
}

/**
 * Files read as UTF-8 text, one stream at a time, never a whole file in memory. Files that cannot be
 * used (binary, too large, unreadable) are skipped and listed in `report`, never thrown.
 */
export class FileCorpus implements TextCorpus {
  private readonly paths: string[];
  private readonly maxFileBytes: number;
  private readonly chunkBytes: number;
  private currentReport: CorpusScanReport = emptyReport();
  private reportComplete = false;

  constructor(paths: string[], options: FileCorpusOptions = {}) {
    this.paths = [...paths];
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!(this.maxFileBytes > 0)) throw new Error(`maxFileBytes must be positive, got ${this.maxFileBytes}`);
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1) {
      throw new Error(`chunkBytes must be a positive integer, got ${this.chunkBytes}`);
    }
  }

  /**
   * Filled during the first complete pass; stable afterwards. bytesRead counts decompressed bytes for
   * .gz files. A .gz file found too large only while streaming has had its first part read already.
   */
  get report(): CorpusScanReport {
    return this.currentReport;
  }

  async *chunks(signal?: AbortSignal): AsyncGenerator<string> {
    // Until one pass has finished, each pass rebuilds the report, so an aborted first pass does not
    // leave a half report behind for good.
    const recording = !this.reportComplete;
    const report = recording ? emptyReport() : undefined;
    if (report) this.currentReport = report;
    const skippedBefore = new Set(this.currentReport.skipped.map((s) => s.path));
    for (const filePath of this.paths) {
      throwIfAborted(signal);
      // A file skipped in the first pass stays out, so every pass sees the same text.
      if (!recording && skippedBefore.has(filePath)) continue;
      let bytes = 0;
      let replaced = 0;
      let yieldedText = false;
      try {
        for await (const piece of this.readFile(filePath, signal)) {
          bytes = piece.bytes;
          replaced = piece.replaced;
          if (piece.text.length > 0) {
            yieldedText = true;
            yield piece.text;
          }
        }
      } catch (error) {
        // A file that fails half-way (damaged gzip, a read error) must not glue its last partial
        // line to the next file's first one.
        if (yieldedText && (error as Error).name !== 'AbortError') yield '\n';
        if (error instanceof SkipFile) {
          report?.skipped.push({ path: filePath, reason: error.reason, detail: error.message });
          continue;
        }
        if ((error as Error).name === 'AbortError') throw error;
        report?.skipped.push({ path: filePath, reason: 'unreadable', detail: (error as Error).message });
        continue;
      }
      yield '\n';
      if (report) {
        report.filesRead++;
        report.bytesRead += bytes;
        report.replacedCharacters += replaced;
      }
    }
    if (recording) this.reportComplete = true;
  }

  /** Yields decoded text with running byte and replacement counts for one file. */
  private async *readFile(
    filePath: string,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<{ text: string; bytes: number; replaced: number }> {
    let stat;
    try {
      stat = await fs.stat(filePath);
    } catch (error) {
      throw new SkipFile('unreadable', (error as Error).message);
    }
    if (!stat.isFile()) {
      throw new SkipFile('not-a-file', stat.isDirectory() ? 'is a folder' : 'is not a regular file');
    }
    const gzip = isGzipPath(filePath);
    if (!gzip && stat.size > this.maxFileBytes) {
      throw new SkipFile('too-large', `${stat.size} bytes, more than the limit of ${this.maxFileBytes}`);
    }
    if (gzip) {
      // The gzip trailer records the decompressed size, but only modulo 4 GiB and only if the file is
      // intact, so a large value is confirmed by decompressing (and counting) before the file is
      // skipped. Checking up front keeps an oversized archive from contributing half its text.
      const declared = await gzipDeclaredSize(filePath, stat.size);
      if (declared !== undefined && declared > this.maxFileBytes && (await gzipExceeds(filePath, this.maxFileBytes, signal))) {
        throw new SkipFile('too-large', `more than ${this.maxFileBytes} bytes when decompressed (the limit)`);
      }
    }

    const fileStream = createReadStream(filePath, { highWaterMark: this.chunkBytes });
    const stream: Readable = gzip ? fileStream.pipe(createGunzip({ chunkSize: this.chunkBytes })) : fileStream;
    if (gzip) fileStream.on('error', (error) => stream.destroy(error));
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const literalReplacements = new ReplacementByteCounter();
    let bytes = 0;
    let replacementChars = 0;
    let sniffed = false;
    let head: Buffer[] = [];
    let headBytes = 0;

    const decode = (buffer: Buffer, final: boolean) => {
      literalReplacements.add(buffer);
      const text = decoder.decode(buffer, { stream: !final });
      replacementChars += countReplacementChars(text);
      return { text, bytes, replaced: replacementChars - literalReplacements.count };
    };

    try {
      for await (const raw of stream) {
        throwIfAborted(signal);
        const buffer = raw as Buffer;
        bytes += buffer.length;
        if (bytes > this.maxFileBytes) {
          throw new SkipFile(
            'too-large',
            `more than the limit of ${this.maxFileBytes} bytes when decompressed; ${bytes - buffer.length} bytes were read before it was skipped`,
          );
        }
        if (!sniffed) {
          head.push(buffer);
          headBytes += buffer.length;
          if (headBytes < BINARY_SNIFF_BYTES) continue;
          const joined = Buffer.concat(head);
          head = [];
          sniffed = true;
          checkNotBinary(joined);
          yield decode(joined, false);
          continue;
        }
        yield decode(buffer, false);
      }
      if (!sniffed) {
        const joined = Buffer.concat(head);
        checkNotBinary(joined);
        yield decode(joined, true);
      } else {
        yield decode(Buffer.alloc(0), true);
      }
    } finally {
      stream.destroy();
      fileStream.destroy();
    }
  }
}

async function gzipDeclaredSize(filePath: string, fileSize: number): Promise<number | undefined> {
  if (fileSize < 18) return undefined;
  const handle = await fs.open(filePath, 'r');
  try {
    const trailer = Buffer.alloc(4);
    await handle.read(trailer, 0, 4, fileSize - 4);
    return trailer.readUInt32LE(0);
  } finally {
    await handle.close();
  }
}

async function gzipExceeds(filePath: string, limit: number, signal: AbortSignal | undefined): Promise<boolean> {
  const fileStream = createReadStream(filePath);
  const gunzip = fileStream.pipe(createGunzip());
  fileStream.on('error', (error) => gunzip.destroy(error));
  let total = 0;
  try {
    for await (const chunk of gunzip) {
      throwIfAborted(signal);
      total += (chunk as Buffer).length;
      if (total > limit) return true;
    }
    return false;
  } finally {
    gunzip.destroy();
    fileStream.destroy();
  }
}

function checkNotBinary(head: Buffer): void {
  const nul = head.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul >= 0) throw new SkipFile('binary', `contains a NUL byte at offset ${nul}`);
}

function emptyReport(): CorpusScanReport {
  return { filesRead: 0, bytesRead: 0, skipped: [], replacedCharacters: 0 };
}

function countReplacementChars(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) count++;
  return count;
}

/**
 * Counts correctly encoded U+FFFD (EF BF BD) in the raw bytes, across buffer boundaries, so that
 * decoder replacements can be told apart from replacement characters the text really contains.
 * 0xEF can never be a continuation byte, so every EF BF BD is a real U+FFFD.
 */
class ReplacementByteCounter {
  count = 0;
  /** The last (up to) two bytes seen: a sequence may start there and end in the next buffer. */
  private tail: number[] = [];

  add(buffer: Buffer): void {
    const window = [...this.tail, ...buffer.subarray(0, 2)];
    for (let i = 0; i < this.tail.length && i + 2 < window.length; i++) {
      if (window[i] === 0xef && window[i + 1] === 0xbf && window[i + 2] === 0xbd) this.count++;
    }
    for (let i = buffer.indexOf(0xef); i >= 0 && i + 2 < buffer.length; i = buffer.indexOf(0xef, i + 1)) {
      if (buffer[i + 1] === 0xbf && buffer[i + 2] === 0xbd) this.count++;
    }
    this.tail = [...this.tail, ...buffer.subarray(Math.max(0, buffer.length - 2))].slice(-2);
  }
}

export interface ListCorpusFilesOptions {
  /** File name endings to keep (case-insensitive). Default: DEFAULT_CORPUS_EXTENSIONS. */
  extensions?: readonly string[];
  /**
   * Told of each path the walk leaves out other than by its name: a folder already walked under
   * another path (a symlink loop such as `a -> .`, or a second link to one folder), a symlink whose
   * target is missing or loops, and a folder that cannot be listed. Without it they are left out silently.
   */
  onSkipped?: (skipped: ListSkip) => void;
}

export interface ListSkip {
  path: string;
  reason: 'already-walked' | 'broken-link' | 'unreadable-folder';
  detail: string;
}

/**
 * The corpus files under `fileOrFolder`: a file is returned as is; a folder is walked recursively in
 * a deterministic (code-unit sorted) order, skipping dot-folders, node_modules and symlink loops.
 */
export async function listCorpusFiles(fileOrFolder: string, options: ListCorpusFilesOptions = {}): Promise<string[]> {
  const extensions = (options.extensions ?? DEFAULT_CORPUS_EXTENSIONS).map((ext) => ext.toLowerCase());
  let stat;
  try {
    stat = await fs.stat(fileOrFolder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${fileOrFolder}: no such file or folder`);
    throw new Error(`${fileOrFolder}: cannot be read (${(error as Error).message})`);
  }
  if (!stat.isDirectory()) return [fileOrFolder];

  const files: string[] = [];
  const visited = new Set<string>();
  const skip = (skipped: ListSkip) => options.onSkipped?.(skipped);
  const walk = async (folder: string): Promise<void> => {
    let real: string;
    try {
      real = await fs.realpath(folder);
    } catch (error) {
      skip({ path: folder, reason: 'unreadable-folder', detail: (error as Error).message });
      return;
    }
    if (visited.has(real)) {
      skip({ path: folder, reason: 'already-walked', detail: `same folder as ${real}` });
      return;
    }
    visited.add(real);
    let entries;
    try {
      entries = await fs.readdir(folder, { withFileTypes: true });
    } catch (error) {
      skip({ path: folder, reason: 'unreadable-folder', detail: (error as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 0; i < entries.length; i++) {
      // A folder of 100,000 entries took 0.2-0.35 s in one synchronous stretch (bench:scale): give the
      // event loop a turn every thousand, so the editor's host stays responsive while it lists.
      if (i > 0 && i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      const entry = entries[i];
      const full = path.join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = await fs.stat(full);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          skip({ path: full, reason: 'broken-link', detail: (error as Error).message });
          continue;
        }
      }
      if (isDirectory) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        await walk(full);
      } else if (isFile) {
        const lower = entry.name.toLowerCase();
        if (extensions.some((ext) => lower.endsWith(ext))) files.push(full);
      }
    }
  };
  await walk(fileOrFolder);
  return files;
}
