// A model on disk is a folder: `vectors.bin` (word2vec binary, readable by gensim's
// KeyedVectors.load_word2vec_format(binary=True)) and `model.json` (what it is and how it was made).
// The folder is assembled under a temporary name beside its final place and renamed into place in
// one step, so a crash or a cancel never leaves a half-written model where a reader would find it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFailure } from './atomicWrite';
import type { WordVectors } from './vectors';
import { readWord2Vec, writeWord2Vec } from './formats/word2vecFormat';
import { readSubwords, writeSubwords } from './formats/subwordsFormat';
import type { SubwordVectors } from './subwords';

export const MODEL_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'model.json';
export const VECTORS_FILE = 'vectors.bin';
/** FastText models only: the trained character n-gram rows, for vectors of unseen words. */
export const SUBWORDS_FILE = 'subwords.bin';
const TEMP_PREFIX = '.tmp-';

export interface ModelManifest {
  formatVersion: number;
  name: string;
  /** What trained it ('word2vec-sgns' in models written before FastText arrived); details in parameters. */
  algorithm: 'word2vec' | 'fasttext' | 'glove' | 'word2vec-sgns' | 'imported';
  vectorsFile: string;
  vectorsFormat: 'word2vec-binary';
  /** A model trained further from another one: where it started and how far the old vectors could move. */
  parent?: { path: string; name: string; lock: string };
  /** Imported models ('imported'): the vectors file they were read from. */
  source?: ModelSource;
  /** FastText models: the n-gram rows (SUBWORDS_FILE), so words never seen in training get vectors. */
  subwordsFile?: string;
  vocabularySize: number;
  dim: number;
  parameters: Record<string, unknown>;
  corpus: {
    root: string;
    /** Files that were read, relative to `root`. */
    files: string[];
    filesRead: number;
    bytesRead: number;
    corpusWords: number;
    replacedCharacters: number;
    skipped: { path: string; reason: string; detail: string }[];
    /** SHA-256 of the text trained on (UTF-8, files in order, each followed by a line break). */
    sha256?: string;
  };
  training: {
    epochLosses: number[];
    wordsPerSecond: number;
    threads?: number;
  };
  timings: {
    vocabularySeconds: number;
    trainingSeconds: number;
    totalSeconds: number;
  };
  createdAt: string;
  createdBy: string;
}

/** Where an imported model's vectors came from, as found when it was imported. */
export interface ModelSource {
  path: string;
  format: 'word2vec-text' | 'word2vec-binary' | 'glove-text';
  gzip: boolean;
  /** Size of the file as stored (compressed, for .gz). */
  bytes: number;
  /** Of the file as stored, hex. */
  sha256: string;
  words: number;
  dim: number;
  /** Malformed lines left out with --skip-bad-lines (0 otherwise). */
  skippedLines: number;
}

/** Characters allowed in a model name: it becomes a folder name on every OS. */
export function sanitizeModelName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 80);
  return cleaned || 'model';
}

/** A folder name under `modelsRoot` that does not exist yet: `base`, `base-2`, `base-3`, … */
export async function uniqueModelDir(modelsRoot: string, base: string): Promise<string> {
  const name = sanitizeModelName(base);
  for (let attempt = 1; ; attempt++) {
    const candidate = path.join(modelsRoot, attempt === 1 ? name : `${name}-${attempt}`);
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * Writes `vectors` and `manifest` as the model folder `modelDir`, atomically: readers see either no
 * folder or a complete one. Fails (and leaves nothing behind) if `modelDir` already exists.
 */
export async function writeModelFolder(modelDir: string, vectors: WordVectors, manifest: ModelManifest, subwords?: SubwordVectors): Promise<void> {
  if (subwords) manifest = { ...manifest, subwordsFile: SUBWORDS_FILE };
  const parent = path.dirname(modelDir);
  const tempDir = path.join(parent, `${TEMP_PREFIX}${path.basename(modelDir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const outcome = 'No model was saved, and the models already there are unchanged.';
  try {
    await fs.mkdir(parent, { recursive: true });
    await fs.mkdir(tempDir);
  } catch (error) {
    throw writeFailure(error, modelDir, outcome);
  }
  try {
    await writeWord2Vec(vectors, path.join(tempDir, manifest.vectorsFile), { binary: true });
    await fs.writeFile(path.join(tempDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    await fsyncPath(path.join(tempDir, manifest.vectorsFile));
    if (subwords) {
      await writeSubwords(subwords, path.join(tempDir, SUBWORDS_FILE));
      await fsyncPath(path.join(tempDir, SUBWORDS_FILE));
    }
    await fsyncPath(path.join(tempDir, MANIFEST_FILE));
    // rename() of a folder onto an existing non-empty folder fails on every platform we support,
    // which is what we want: never replace a model silently.
    await fs.rename(tempDir, modelDir);
  } catch (error) {
    // A failed clean-up must not hide why the write failed; removeStaleTempFolders retries later.
    await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      const exists = new Error(`Could not save the model as ${modelDir}: a folder of that name already exists, and a model is never replaced. Choose another name.`, { cause: error });
      throw Object.assign(exists, { code });
    }
    throw writeFailure(error, modelDir, outcome);
  }
}

async function fsyncPath(filePath: string): Promise<void> {
  const handle = await fs.open(filePath, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function readModelManifest(modelDir: string): Promise<ModelManifest> {
  const file = path.join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the model description (${(error as Error).message}).`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}).`);
  }
  if (!isManifest(manifest)) {
    throw new Error(`${file}: not a Transfer Lab model description (missing formatVersion, vectorsFile or dim).`);
  }
  if (manifest.formatVersion > MODEL_FORMAT_VERSION) {
    throw new Error(`${file}: written by a newer Transfer Lab (format ${manifest.formatVersion}); update the extension to open it.`);
  }
  return manifest;
}

function isManifest(value: unknown): value is ModelManifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.formatVersion === 'number' &&
    typeof m.vectorsFile === 'string' &&
    typeof m.dim === 'number' &&
    // The vectors file must sit inside the model folder: a manifest is data, never a pointer elsewhere.
    !m.vectorsFile.includes('/') &&
    !m.vectorsFile.includes('\\') &&
    m.vectorsFile !== '..'
  );
}

export async function loadModelVectors(modelDir: string): Promise<{ manifest: ModelManifest; vectors: WordVectors; subwords?: SubwordVectors }> {
  const manifest = await readModelManifest(modelDir);
  const vectors = await readWord2Vec(path.join(modelDir, manifest.vectorsFile), { binary: true });
  if (vectors.dim !== manifest.dim) {
    throw new Error(`${modelDir}: model.json says dim ${manifest.dim} but ${manifest.vectorsFile} has dim ${vectors.dim}.`);
  }
  if (manifest.subwordsFile !== SUBWORDS_FILE) return { manifest, vectors };
  return { manifest, vectors, subwords: await readSubwords(path.join(modelDir, SUBWORDS_FILE), vectors) };
}

/** Model folders directly under `modelsRoot`, newest first; temporary and unreadable folders are left out. */
export async function listModels(modelsRoot: string): Promise<{ modelDir: string; manifest: ModelManifest }[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(modelsRoot);
  } catch {
    return [];
  }
  const models: { modelDir: string; manifest: ModelManifest }[] = [];
  for (const entry of entries) {
    if (entry.startsWith(TEMP_PREFIX)) continue;
    const modelDir = path.join(modelsRoot, entry);
    try {
      models.push({ modelDir, manifest: await readModelManifest(modelDir) });
    } catch {
      // Not a model folder (or a damaged one): listing must not fail because of it.
    }
  }
  return models.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt));
}

/** Removes temporary folders left by a writer that was killed mid-write. */
export async function removeStaleTempFolders(modelsRoot: string): Promise<number> {
  let entries: string[];
  try {
    entries = await fs.readdir(modelsRoot);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(entry.split('-').at(-2));
    if (Number.isInteger(pid) && isAlive(pid)) continue;
    await fs.rm(path.join(modelsRoot, entry), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
