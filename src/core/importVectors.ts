// Import of pretrained vectors (word2vec text or binary, GloVe text without a header, fastText .vec,
// each optionally gzipped) as a model folder: the vectors are read and checked by the word2vec reader,
// then written with writeModelFolder, so nothing appears unless the whole file was read; model.json
// records the source file (path, format, size, SHA-256, counts).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readWord2VecWithInfo, requireFile, startsWithGzipMagic, type Word2VecFileInfo } from './formats/word2vecFormat';
import { MODEL_FORMAT_VERSION, VECTORS_FILE, sanitizeModelName, writeModelFolder, type ModelManifest, type ModelSource } from './modelFolder';
import type { WordVectors } from './vectors';

export interface ImportProgress {
  phase: 'hashing' | 'reading' | 'writing';
  /** Bytes of the source file (as stored) done in this phase; 0 for 'writing'. */
  bytesDone: number;
  bytesTotal: number;
}

export interface ImportOptions {
  /** Leave out malformed text lines (counted in source.skippedLines) instead of failing on the first. */
  skipBadLines?: boolean;
  /** The model's name in model.json; default: the folder's name. */
  name?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Recorded as createdBy. */
  createdBy?: string;
}

export interface ImportResult {
  modelDir: string;
  manifest: ModelManifest;
  vectors: WordVectors;
  info: Word2VecFileInfo;
}

export async function importVectors(sourcePath: string, modelDir: string, options: ImportOptions = {}): Promise<ImportResult> {
  const started = Date.now();
  const source = path.resolve(sourcePath);
  const target = path.resolve(modelDir);
  const stat = await requireFile(source);
  if (await exists(target)) throw new Error(`${target} already exists; choose a new folder for the imported model.`);
  const onProgress = options.onProgress;

  const sha256 = await hashFile(source, stat.size, onProgress);
  const gzip = await startsWithGzipMagic(source);
  const { vectors, info } = await readWord2VecWithInfo(source, {
    skipBadLines: options.skipBadLines === true,
    onProgress: onProgress && ((bytesDone, bytesTotal) => onProgress({ phase: 'reading', bytesDone, bytesTotal })),
  });
  if (vectors.size === 0) throw new Error(`${source}: no word vectors in the file.`);

  const format: ModelSource['format'] = info.binary ? 'word2vec-binary' : info.hasHeader ? 'word2vec-text' : 'glove-text';
  const sourceInfo: ModelSource = {
    path: source,
    format,
    gzip,
    bytes: stat.size,
    sha256,
    words: vectors.size,
    dim: vectors.dim,
    skippedLines: info.skippedLines,
  };
  // A bare file does not say whether its text was lower-cased; guess from its vocabulary, as the CLI does.
  const lowercase = !vectors.words.slice(0, 1000).some((w) => w !== w.toLowerCase());
  const seconds = (Date.now() - started) / 1000;
  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION,
    name: options.name ?? sanitizeModelName(path.basename(target)),
    algorithm: 'imported',
    vectorsFile: VECTORS_FILE,
    vectorsFormat: 'word2vec-binary',
    source: sourceInfo,
    vocabularySize: vectors.size,
    dim: vectors.dim,
    parameters: { dim: vectors.dim, lowercase },
    corpus: { root: path.dirname(source), files: [], filesRead: 0, bytesRead: 0, corpusWords: 0, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0 },
    timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: seconds },
    createdAt: new Date().toISOString(),
    createdBy: options.createdBy ?? 'transfer-lab import',
  };
  onProgress?.({ phase: 'writing', bytesDone: 0, bytesTotal: stat.size });
  await writeModelFolder(target, vectors, manifest);
  return { modelDir: target, manifest, vectors, info };
}

/** One line for a terminal or a log. */
export function describeImport(result: ImportResult): string {
  const s = result.manifest.source!;
  const n = (x: number) => x.toLocaleString('en-US');
  const skipped =
    s.skippedLines > 0
      ? `; skipped ${n(s.skippedLines)} malformed line${s.skippedLines === 1 ? '' : 's'} (line ${result.info.skippedLineNumbers.join(', ')}${s.skippedLines > result.info.skippedLineNumbers.length ? ', …' : ''})`
      : '';
  const duplicates = result.info.duplicateWords > 0 ? `; ${n(result.info.duplicateWords)} duplicate words kept once` : '';
  return `imported ${s.path} (${s.format}${s.gzip ? ', gzip' : ''}, ${n(s.bytes)} bytes) into ${result.modelDir}: ${n(s.words)} words x ${s.dim}${skipped}${duplicates}`;
}

async function hashFile(file: string, total: number, onProgress: ImportOptions['onProgress']): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.({ phase: 'hashing', bytesDone: done, bytesTotal: total });
  }
  return hash.digest('hex');
}


async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
