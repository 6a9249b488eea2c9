// TensorFlow Embedding Projector files (projector.tensorflow.org, "Load"): vectors.tsv holds one
// vector per line as tab-separated numbers, no header; metadata.tsv holds the matching labels, one
// per line, no header when there is a single column (the Projector reads a first row as column
// names only when rows have several columns). A label cannot contain a tab or a line break there,
// so those are written as the escapes \t, \n and \r, and a backslash as \\, which keeps every word
// readable in the Projector and lets readProjectorTsv restore it exactly.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { WordVectors } from '../vectors';
import { writeFileAtomic } from '../atomicWrite';
import { ByteReader, MAX_DIM, requireFile, vectorTextLines } from './word2vecFormat';

/**
 * Writes vectors.tsv and, when a path is given, metadata.tsv with the words. Each file is replaced
 * atomically: a reader sees the old file or the complete new one.
 */
export async function writeProjectorTsv(vectors: WordVectors, vectorsTsvPath: string, metadataTsvPath?: string): Promise<void> {
  await writeFileAtomic(vectorsTsvPath, (tempPath) => pipeline(Readable.from(vectorTextLines(vectors, (_, numbers) => `${numbers.join('\t')}\n`)), createWriteStream(tempPath)));
  if (metadataTsvPath !== undefined) {
    await writeFileAtomic(metadataTsvPath, (tempPath) => pipeline(Readable.from(labelLines(vectors.words)), createWriteStream(tempPath)));
  }
}

async function* labelLines(words: string[]): AsyncGenerator<string> {
  for (let start = 0; start < words.length; start += 65536) {
    yield words.slice(start, start + 65536).map((w) => `${escapeProjectorLabel(w)}\n`).join('');
  }
}

export function escapeProjectorLabel(word: string): string {
  return word.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** The inverse of escapeProjectorLabel; a backslash before any other character is kept as it is. */
export function unescapeProjectorLabel(label: string): string {
  return label.replace(/\\([\\tnr])/g, (_, c: string) => (c === '\\' ? '\\' : c === 't' ? '\t' : c === 'n' ? '\n' : '\r'));
}

/**
 * Reads vectors.tsv and, when given, metadata.tsv (single column: one label per line; several
 * columns: a header row, then rows whose first column is the word). Without metadata the words are
 * the row numbers "0", "1", …, as the Projector labels them.
 */
export async function readProjectorTsv(vectorsTsvPath: string, metadataTsvPath?: string): Promise<WordVectors> {
  const { dim, rows, data } = await readVectorRows(vectorsTsvPath);
  let words: string[];
  if (metadataTsvPath === undefined) {
    words = Array.from({ length: rows }, (_, i) => String(i));
  } else {
    words = await readLabels(metadataTsvPath);
    if (words.length !== rows) {
      throw new Error(`${metadataTsvPath}: ${words.length} labels, but ${vectorsTsvPath} has ${rows} vectors; the two files must have one line per word each`);
    }
  }
  return new WordVectors(words, dim, data);
}

async function readVectorRows(filePath: string): Promise<{ dim: number; rows: number; data: Float32Array }> {
  await requireFile(filePath);
  const stream = createReadStream(filePath, { highWaterMark: 1 << 20 });
  const reader = new ByteReader(stream);
  // A row holds at most MAX_DIM numbers of at most 64 characters; a longer line is refused before it
  // is buffered (a file without line breaks would otherwise be read whole into one string).
  const maxLine = MAX_DIM * 64 + 64;
  let dim = 0;
  let rows = 0;
  let buffer = new Float32Array(0);
  let lineNumber = 0;
  let blankLine = 0;
  try {
    for (;;) {
      const bytes = await reader.readLine(maxLine);
      if (bytes === undefined) break;
      lineNumber++;
      if (bytes === 'too-long') {
        throw new Error(`${filePath} line ${lineNumber}: no line break within ${maxLine} bytes; expected at most ${MAX_DIM} tab-separated numbers per line`);
      }
      const raw = bytes.toString('utf8');
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') {
        blankLine ||= lineNumber;
        continue;
      }
      // A blank line between vectors would shift every later word onto the wrong vector.
      if (blankLine) throw new Error(`${filePath} line ${blankLine}: empty line between vectors`);
      const fields = line.split('\t');
      if (dim === 0) {
        if (fields.length > MAX_DIM) throw new Error(`${filePath} line ${lineNumber}: ${fields.length} numbers, more than the supported ${MAX_DIM} dimensions`);
        dim = fields.length;
      }
      if (fields.length !== dim) throw new Error(`${filePath} line ${lineNumber}: expected ${dim} tab-separated numbers (as on line 1), found ${fields.length}`);
      if ((rows + 1) * dim > buffer.length) {
        // Grown by rows that have arrived, from about a million numbers, never by a guess.
        const grown = new Float32Array(Math.max(Math.ceil((1 << 20) / dim), rows * 2) * dim);
        grown.set(buffer);
        buffer = grown;
      }
      const offset = rows * dim;
      for (let d = 0; d < dim; d++) {
        const value = fields[d].trim() === '' ? NaN : Number(fields[d]);
        if (!Number.isFinite(value)) {
          throw new Error(`${filePath} line ${lineNumber}: value ${d + 1} is ${JSON.stringify(fields[d].slice(0, 40))}, not a finite number`);
        }
        // Stored as float32: 1e39 is a finite double but would silently become Infinity.
        if (!Number.isFinite(Math.fround(value))) {
          throw new Error(`${filePath} line ${lineNumber}: value ${d + 1} is ${JSON.stringify(fields[d].slice(0, 40))}, beyond the float32 range (±3.4e38)`);
        }
        buffer[offset + d] = value;
      }
      rows++;
    }
  } finally {
    stream.destroy();
  }
  if (rows === 0) throw new Error(`${filePath}: no vectors in the file`);
  return { dim, rows, data: buffer.slice(0, rows * dim) };
}

async function readLabels(filePath: string): Promise<string[]> {
  await requireFile(filePath);
  const text = await fs.readFile(filePath, 'utf8');
  if (text === '') return [];
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines[lines.length - 1] === '' && text.endsWith('\n')) lines.pop();
  if (lines.some((line) => line.includes('\t'))) return lines.slice(1).map((line) => unescapeProjectorLabel(line.split('\t')[0]));
  return lines.map(unescapeProjectorLabel);
}

