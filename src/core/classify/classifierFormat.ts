// A trained classifier on disk is a folder: `classifier.json` (what it is, how it was made, its
// labels and vocabulary, and where each tensor lies in the weights file) and `weights.bin` (every
// float32 tensor, the embedding table included, little-endian, back to back). The folder is written
// under `<dir>.tmp-<pid>` and renamed into place, so a reader never finds a half-written classifier.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildNetwork, networkShape, type NetworkShape } from './architectures';
import { loadTensorflow, type LoadedTensorflow } from './tfBackend';
import { TextVocabulary, type EmbeddingMode } from './textVocabulary';
import { TrainedClassifier, type ClassifierSettings } from './trainClassifier';

export const CLASSIFIER_FORMAT = 'transfer-lab-classifier';
export const CLASSIFIER_FORMAT_VERSION = 1;
export const CLASSIFIER_FILE = 'classifier.json';
export const WEIGHTS_FILE = 'weights.bin';
/** The embedding table's name among the tensors. */
export const EMBEDDING_TENSOR = 'embedding/table';

export interface StoredTensor {
  name: string;
  shape: number[];
  /** Byte offset in weights.bin. */
  offset: number;
}

export interface ClassifierManifest {
  format: typeof CLASSIFIER_FORMAT;
  version: number;
  createdAt: string;
  arch: NetworkShape['arch'];
  network: NetworkShape;
  labels: string[];
  embeddings: EmbeddingMode;
  /** Path or name of the pretrained vectors the table started from. */
  vectorsSource?: string;
  settings: Omit<ClassifierSettings, 'network' | 'embeddings' | 'vectorsSource'>;
  /** Evaluation results, filled by whoever evaluates (metrics.ts); null when none were given. */
  metrics: unknown;
  vocabulary: string[];
  weightsFile: string;
  weightsBytes: number;
  tensors: StoredTensor[];
}

export interface SaveClassifierOptions {
  metrics?: unknown;
}

/** Writes `classifier` as the folder `dir`; fails, leaving nothing behind, if `dir` already exists. */
export async function saveClassifier(classifier: TrainedClassifier, dir: string, options: SaveClassifierOptions = {}): Promise<void> {
  const arrays: { name: string; shape: number[]; values: Float32Array }[] = [
    { name: EMBEDDING_TENSOR, shape: [classifier.vocabulary.size, classifier.dim], values: classifier.table },
    ...classifier.network.weights.map(({ name, variable }) => ({ name, shape: variable.shape.slice(), values: variable.dataSync() as Float32Array })),
  ];
  const tensors: StoredTensor[] = [];
  let offset = 0;
  for (const { name, shape } of arrays) {
    tensors.push({ name, shape, offset });
    offset += 4 * shape.reduce((a, b) => a * b, 1);
  }
  const weights = Buffer.alloc(offset);
  arrays.forEach(({ values }, i) => {
    for (let k = 0; k < values.length; k++) weights.writeFloatLE(values[k], tensors[i].offset + 4 * k);
  });
  const { network, embeddings, vectorsSource, ...settings } = classifier.settings;
  const manifest: ClassifierManifest = {
    format: CLASSIFIER_FORMAT,
    version: CLASSIFIER_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    arch: network.arch,
    network,
    labels: classifier.labels,
    embeddings,
    vectorsSource,
    settings,
    metrics: options.metrics ?? null,
    vocabulary: classifier.vocabulary.words,
    weightsFile: WEIGHTS_FILE,
    weightsBytes: offset,
    tensors,
  };

  const target = path.resolve(dir);
  const tempDir = `${target}.tmp-${process.pid}`;
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rm(tempDir, { recursive: true, force: true });
  await fs.mkdir(tempDir);
  try {
    await writeSynced(path.join(tempDir, WEIGHTS_FILE), weights);
    await writeSynced(path.join(tempDir, CLASSIFIER_FILE), JSON.stringify(manifest) + '\n');
    // rename() onto an existing non-empty folder fails: a classifier is never replaced silently.
    await fs.rename(tempDir, target);
  } catch (error) {
    await fs.rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

export interface LoadClassifierOptions {
  tensorflow?: LoadedTensorflow;
}

/** Reads a folder written by saveClassifier; every size is checked before anything is allocated. */
export async function loadClassifier(dir: string, options: LoadClassifierOptions = {}): Promise<TrainedClassifier> {
  const manifestPath = path.join(dir, CLASSIFIER_FILE);
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new Error(`${dir}: not a classifier folder (cannot read ${CLASSIFIER_FILE}: ${(error as Error).message})`);
  }
  let manifest: ClassifierManifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new Error(`${manifestPath}: not valid JSON (${(error as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new Error(`${manifestPath}: ${what}`);
  };
  if (manifest?.format !== CLASSIFIER_FORMAT) fail(`not a Transfer Lab classifier (format is ${JSON.stringify(manifest?.format)})`);
  if (manifest.version !== CLASSIFIER_FORMAT_VERSION) fail(`format version ${manifest.version} is not supported (this build reads ${CLASSIFIER_FORMAT_VERSION})`);
  if (!Array.isArray(manifest.labels) || manifest.labels.length < 2) fail('needs at least two labels');
  if (!Array.isArray(manifest.vocabulary)) fail('has no vocabulary list');
  if (!Array.isArray(manifest.tensors)) fail('has no tensor list');
  let shape: NetworkShape;
  try {
    shape = networkShape(manifest.network);
  } catch (error) {
    return fail(`bad network description: ${(error as Error).message}`);
  }
  if (shape.classes !== manifest.labels.length) fail(`the network has ${shape.classes} outputs but there are ${manifest.labels.length} labels`);
  let vocabulary: TextVocabulary;
  try {
    // Classifiers saved before word pairs existed have no ngrams setting: words only.
    vocabulary = new TextVocabulary(manifest.vocabulary, manifest.settings?.ngrams ?? 1);
  } catch (error) {
    return fail(`bad vocabulary: ${(error as Error).message}`);
  }

  const weightsName = manifest.weightsFile ?? WEIGHTS_FILE;
  // A name, not a path: a manifest must not send the reader elsewhere on the disk.
  if (typeof weightsName !== 'string' || weightsName !== path.basename(weightsName)) fail(`weightsFile must be a file name in the folder, got ${JSON.stringify(weightsName)}`);
  const weightsPath = path.join(dir, weightsName);
  let fileBytes: number;
  try {
    fileBytes = (await fs.stat(weightsPath)).size;
  } catch (error) {
    return fail(`cannot read the weights file ${weightsPath} (${(error as Error).message})`);
  }
  if (fileBytes !== manifest.weightsBytes) fail(`${weightsPath} has ${fileBytes} bytes, the manifest says ${manifest.weightsBytes}`);
  const byName = new Map<string, StoredTensor>();
  for (const tensor of manifest.tensors) {
    const count = Array.isArray(tensor?.shape) && tensor.shape.every((n) => Number.isInteger(n) && n > 0) ? tensor.shape.reduce((a, b) => a * b, 1) : NaN;
    if (!Number.isFinite(count)) fail(`tensor ${JSON.stringify(tensor?.name)} has a bad shape ${JSON.stringify(tensor?.shape)}`);
    if (!Number.isInteger(tensor.offset) || tensor.offset < 0 || tensor.offset % 4 !== 0 || tensor.offset + 4 * count > fileBytes) {
      fail(`tensor "${tensor.name}" (${tensor.shape.join('×')} at byte ${tensor.offset}) does not fit in ${weightsPath} (${fileBytes} bytes)`);
    }
    byName.set(tensor.name, tensor);
  }
  const embedding = byName.get(EMBEDDING_TENSOR) ?? fail(`no tensor "${EMBEDDING_TENSOR}"`);
  if (embedding.shape.length !== 2 || embedding.shape[0] !== vocabulary.size || embedding.shape[1] !== shape.dim) {
    fail(`"${EMBEDDING_TENSOR}" is ${embedding.shape.join('×')}, expected ${vocabulary.size} words × ${shape.dim}`);
  }

  const { tf } = options.tensorflow ?? (await loadTensorflow());
  const network = buildNetwork(tf, shape, 0);
  try {
    for (const { name, variable } of network.weights) {
      const stored = byName.get(name) ?? fail(`no tensor "${name}", which a ${shape.arch} network needs`);
      if (stored.shape.join('×') !== variable.shape.join('×')) fail(`tensor "${name}" is ${stored.shape.join('×')}, expected ${variable.shape.join('×')}`);
    }
    const bytes = await fs.readFile(weightsPath);
    if (bytes.length !== fileBytes) fail(`${weightsPath} changed while it was read`);
    const read = (tensor: StoredTensor) => {
      const values = new Float32Array(tensor.shape.reduce((a, b) => a * b, 1));
      for (let k = 0; k < values.length; k++) values[k] = bytes.readFloatLE(tensor.offset + 4 * k);
      return values;
    };
    tf.tidy(() => {
      for (const { name, variable } of network.weights) variable.assign(tf.tensor(read(byName.get(name)!), variable.shape));
    });
    const { bestEpoch, history, ...rest } = manifest.settings;
    const settings: ClassifierSettings = {
      ...rest,
      bestEpoch,
      history: history ?? [],
      network: shape,
      embeddings: manifest.embeddings,
      vectorsSource: manifest.vectorsSource,
    };
    return new TrainedClassifier(tf, network, vocabulary, read(embedding), manifest.labels, settings);
  } catch (error) {
    for (const { variable } of network.weights) variable.dispose();
    throw error;
  }
}

async function writeSynced(filePath: string, data: Buffer | string): Promise<void> {
  const handle = await fs.open(filePath, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
