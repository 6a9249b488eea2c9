// A classifier on a pretrained encoder (fineTune.ts), on disk, is one folder:
//   encoder.json, weights.bin, tokenizer.json - the encoder it reads with, exactly as saveEncoder
//       writes an encoder (so `transfer-lab inspect` opens it too): for 'top' and 'all' the weights
//       as training left them, for 'scratch' the network trained from random weights;
//   head.bin - the softmax layer: its kernel (width × labels, row-major), then its bias (one per
//       label), float32 little-endian, as listed with byte offsets in classifier.json;
//   classifier.json - format 'transfer-lab-encoder-classifier': the labels, how it was trained, the
//       tokens read per text and the batch size (a batch is padded to its longest text), the training
//       history, the test metrics and, for 'frozen', the standardiser of the pooled features (mean and
//       1/spread per dimension) as plain JSON numbers: they are float64, which JSON keeps exactly,
//       where float32 would change the predictions.
// The folder is assembled under a temporary name beside its final place and renamed into place, so a
// reader never finds half a classifier, and an existing folder is never replaced.
// loadAnyClassifier opens either kind of classifier folder by classifier.json's `format`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as tfjs from '@tensorflow/tfjs';
import { writeFailure } from '../atomicWrite';
import { CLASSIFIER_FILE, CLASSIFIER_FORMAT, loadClassifier } from '../classify/classifierFormat';
import { loadTensorflow, type LoadedTensorflow } from '../classify/tfBackend';
import type { EpochReport, Prediction } from '../classify/trainClassifier';
import { BpeTokenizer } from './bpe';
import type { EncoderArch, EncoderConfig } from './config';
import { ENCODER_MANIFEST_FILE, ENCODER_WEIGHTS_FILE, loadEncoder, saveEncoder } from './encoderFolder';
import { ENCODER_TRAININGS, encoderClassifierPredictor, type EncoderClassifier, type EncoderTraining } from './fineTune';

export const ENCODER_CLASSIFIER_FORMAT = 'transfer-lab-encoder-classifier';
export const ENCODER_CLASSIFIER_FORMAT_VERSION = 1;
export const HEAD_FILE = 'head.bin';
export const HEAD_KERNEL = 'classifier/kernel';
export const HEAD_BIAS = 'classifier/bias';
// The prefix modelFolder.ts's removeStaleTempFolders clears after a killed writer.
const TEMP_PREFIX = '.tmp-';

export interface HeadTensor {
  name: typeof HEAD_KERNEL | typeof HEAD_BIAS;
  shape: number[];
  /** Byte offset in head.bin. */
  offset: number;
}

export interface EncoderClassifierManifest {
  format: typeof ENCODER_CLASSIFIER_FORMAT;
  version: number;
  createdAt: string;
  /** The encoder's architecture; its whole config is in encoder.json. */
  arch: EncoderArch;
  training: EncoderTraining;
  labels: string[];
  /** Tokens read per text; longer texts are cut. */
  maxTokens: number;
  /** Texts per forward pass at prediction, as in training. */
  batchSize: number;
  /** The encoder folder training started from, as given. */
  encoderSource?: string;
  bestEpoch: number;
  history: EpochReport[];
  headFile: typeof HEAD_FILE;
  headBytes: number;
  head: HeadTensor[];
  /** 'frozen' only: float64 numbers, width of each; null otherwise. */
  standardiser: { mean: number[]; scale: number[] } | null;
  /** Evaluation results, filled by whoever evaluates; null when none were given. */
  metrics: unknown;
}

export interface SaveEncoderClassifierOptions {
  metrics?: unknown;
  encoderSource?: string;
}

/** Writes `classifier` (its encoder, the tokenizer's JSON and its softmax layer) as the folder `dir`; never over an existing folder. */
export async function saveEncoderClassifier(dir: string, classifier: EncoderClassifier, tokenizerJson: unknown, options: SaveEncoderClassifierOptions = {}): Promise<void> {
  const target = path.resolve(dir);
  const { config } = classifier.encoder;
  const classes = classifier.labels.length;
  const { kernel, bias } = classifier.headWeights();
  if (kernel.length !== config.width * classes || bias.length !== classes) {
    throw new Error(`the classifier's softmax layer has ${kernel.length} + ${bias.length} weights, but ${config.width} × ${classes} + ${classes} were expected (width × labels, then one per label)`);
  }
  if (classifier.training === 'frozen' && !classifier.standardiser) throw new Error('a frozen classifier needs its standardiser to be saved, and this one has none');
  if (await fs.lstat(target).then(() => true, () => false)) throw existsError(target);

  const head: HeadTensor[] = [
    { name: HEAD_KERNEL, shape: [config.width, classes], offset: 0 },
    { name: HEAD_BIAS, shape: [classes], offset: 4 * kernel.length },
  ];
  const headBytes = Buffer.alloc(4 * (kernel.length + bias.length));
  kernel.forEach((x, i) => headBytes.writeFloatLE(x, 4 * i));
  bias.forEach((x, i) => headBytes.writeFloatLE(x, head[1].offset + 4 * i));
  const standardiser = classifier.training === 'frozen' && classifier.standardiser ? { mean: Array.from(classifier.standardiser.mean), scale: Array.from(classifier.standardiser.scale) } : null;
  const manifest: EncoderClassifierManifest = {
    format: ENCODER_CLASSIFIER_FORMAT,
    version: ENCODER_CLASSIFIER_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    arch: config.arch,
    training: classifier.training,
    labels: [...classifier.labels],
    maxTokens: classifier.maxTokens,
    batchSize: classifier.batchSize,
    ...(options.encoderSource !== undefined ? { encoderSource: options.encoderSource } : {}),
    bestEpoch: classifier.bestEpoch,
    history: classifier.epochs,
    headFile: HEAD_FILE,
    headBytes: headBytes.length,
    head,
    standardiser,
    metrics: options.metrics ?? null,
  };

  const parent = path.dirname(target);
  const tempDir = path.join(parent, `${TEMP_PREFIX}${path.basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // saveEncoder creates the temporary folder with the encoder's three files; the classifier's two join them.
    await saveEncoder(tempDir, classifier.encoder, tokenizerJson);
    await writeSynced(path.join(tempDir, HEAD_FILE), headBytes);
    await writeSynced(path.join(tempDir, CLASSIFIER_FILE), JSON.stringify(manifest) + '\n');
    // rename() of a folder onto an existing non-empty folder fails: a classifier is never replaced silently.
    await fs.rename(tempDir, target);
  } catch (error) {
    await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw existsError(target, error);
    throw writeFailure(error, target, 'No classifier was saved.');
  }
}

function existsError(target: string, cause?: unknown): Error {
  const error = new Error(`Could not save the classifier as ${target}: a file or folder of that name already exists, and a classifier is never replaced. Choose another name.`, { cause });
  return Object.assign(error, { code: 'EEXIST' });
}

export interface LoadedEncoderClassifier {
  readonly labels: readonly string[];
  readonly training: EncoderTraining;
  readonly manifest: EncoderClassifierManifest;
  /** The label and the probability of every label (in the order of `labels`) per text. */
  predict(texts: readonly string[]): Prediction[];
  dispose(): void;
}

/** Reads a folder written by saveEncoderClassifier, checking every size against the encoder's config before loading it. */
export async function loadEncoderClassifier(dir: string, options: { tensorflow?: LoadedTensorflow } = {}): Promise<LoadedEncoderClassifier> {
  const manifestPath = path.join(dir, CLASSIFIER_FILE);
  const manifest = (await readJson(manifestPath, `the classifier description (is ${dir} a classifier folder?)`)) as EncoderClassifierManifest;
  const fail = (what: string): never => {
    throw new Error(`${manifestPath}: ${what}`);
  };
  const retrain = 'The classifier cannot be used as it is: train it again (or copy the folder again, if it was copied).';
  if (manifest?.format !== ENCODER_CLASSIFIER_FORMAT) fail(`not a classifier on an encoder (format is ${JSON.stringify(manifest?.format)})`);
  if (typeof manifest.version !== 'number' || manifest.version > ENCODER_CLASSIFIER_FORMAT_VERSION) {
    fail(`format version ${manifest.version} is not supported (this build reads ${ENCODER_CLASSIFIER_FORMAT_VERSION}): update Transfer Lab to open it`);
  }
  const { labels, training, maxTokens, batchSize } = manifest;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string') || new Set(labels).size !== labels.length) fail('needs at least two labels, each named once');
  if (!ENCODER_TRAININGS.includes(training)) fail(`training must be one of ${ENCODER_TRAININGS.join(', ')}, got ${JSON.stringify(training)}`);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) fail(`maxTokens must be a positive whole number, got ${JSON.stringify(maxTokens)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(`batchSize must be a positive whole number, got ${JSON.stringify(batchSize)}`);

  // The encoder's sizes first, from its description: a truncated weights.bin is reported as the
  // classifier's problem, before anything is allocated.
  const encoderManifestPath = path.join(dir, ENCODER_MANIFEST_FILE);
  const encoderManifest = (await readJson(encoderManifestPath, `the classifier's encoder description. ${retrain}`)) as { config?: EncoderConfig; tensors?: { shape?: number[] }[] };
  const config = encoderManifest?.config;
  if (typeof config !== 'object' || !Number.isInteger(config?.width) || !Number.isInteger(config?.maxLen) || !Array.isArray(encoderManifest.tensors)) {
    throw new Error(`${encoderManifestPath}: not an encoder description (config or tensors missing). ${retrain}`);
  }
  if (config.arch !== manifest.arch) fail(`arch is ${JSON.stringify(manifest.arch)} but ${ENCODER_MANIFEST_FILE} describes a ${config.arch} encoder. ${retrain}`);
  if (maxTokens > config.maxLen) fail(`maxTokens ${maxTokens} is more than the encoder's ${config.maxLen}`);
  const encoderValues = encoderManifest.tensors.reduce((sum, t) => sum + (Array.isArray(t?.shape) ? t.shape.reduce((a, b) => a * b, 1) : NaN), 0);
  await checkSize(path.join(dir, ENCODER_WEIGHTS_FILE), 4 * encoderValues, ENCODER_MANIFEST_FILE, retrain);

  const classes = labels.length;
  const expected: HeadTensor[] = [
    { name: HEAD_KERNEL, shape: [config.width, classes], offset: 0 },
    { name: HEAD_BIAS, shape: [classes], offset: 4 * config.width * classes },
  ];
  if (!Array.isArray(manifest.head)) fail('has no list of the softmax layer\'s tensors ("head")');
  for (const want of expected) {
    const got = manifest.head.find((t) => t?.name === want.name) ?? fail(`no tensor "${want.name}" in "head"`);
    if (!Array.isArray(got.shape) || got.shape.join('×') !== want.shape.join('×')) {
      fail(`tensor "${want.name}" is ${Array.isArray(got.shape) ? got.shape.join('×') : JSON.stringify(got.shape)}, but the encoder's width ${config.width} and the ${classes} labels need ${want.shape.join('×')}`);
    }
    if (got.offset !== want.offset) fail(`tensor "${want.name}" starts at byte ${got.offset} of ${HEAD_FILE}; it must start at ${want.offset}`);
  }
  const headValues = config.width * classes + classes;
  if (manifest.headBytes !== 4 * headValues) fail(`headBytes is ${manifest.headBytes}, but the softmax layer's ${headValues} float32 values take ${4 * headValues}`);
  const headPath = path.join(dir, HEAD_FILE);
  await checkSize(headPath, 4 * headValues, CLASSIFIER_FILE, retrain);

  let standardiser: { mean: Float64Array; scale: Float64Array } | undefined;
  if (training === 'frozen') {
    const stored = manifest.standardiser;
    const isRow = (row: unknown): row is number[] => Array.isArray(row) && row.length === config.width && row.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!stored || !isRow(stored.mean) || !isRow(stored.scale)) fail(`a frozen classifier needs "standardiser" with ${config.width} finite numbers in "mean" and in "scale" (the encoder's width). ${retrain}`);
    standardiser = { mean: Float64Array.from(stored!.mean), scale: Float64Array.from(stored!.scale) };
  } else if (manifest.standardiser) {
    fail(`only a frozen classifier has a standardiser, and this one was trained "${training}"`);
  }

  const tensorflow = options.tensorflow ?? (await loadTensorflow());
  const { tf } = tensorflow;
  let loaded: Awaited<ReturnType<typeof loadEncoder>>;
  try {
    loaded = await loadEncoder(dir, { tensorflow });
  } catch (error) {
    throw new Error(`${(error as Error).message} (The encoder is part of the classifier ${dir}: train the classifier again.)`, { cause: error });
  }
  const { encoder, tokenizerJson } = loaded;
  const tensors: tfjs.Tensor[] = [];
  try {
    if (tokenizerJson === undefined) throw new Error(`${path.join(dir, ENCODER_MANIFEST_FILE)} names no tokenizer, and a classifier cannot read text without one. ${retrain}`);
    let tokenizer: BpeTokenizer;
    try {
      tokenizer = BpeTokenizer.fromJSON(tokenizerJson);
    } catch (error) {
      throw new Error(`${path.join(dir, 'tokenizer.json')}: ${(error as Error).message} ${retrain}`);
    }
    if (tokenizer.size !== encoder.config.vocabSize) {
      throw new Error(`${path.join(dir, 'tokenizer.json')}: ${tokenizer.size} tokens, but the encoder's table has ${encoder.config.vocabSize} rows: they were not saved together. ${retrain}`);
    }
    const bytes = await fs.readFile(headPath);
    if (bytes.length !== 4 * headValues) throw new Error(`${headPath} changed while it was read. ${retrain}`);
    const read = ({ shape, offset }: HeadTensor) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => bytes.readFloatLE(offset + 4 * k));
    const kernel = tf.tensor2d(read(expected[0]), [config.width, classes]);
    tensors.push(kernel);
    const bias = tf.tensor1d(read(expected[1]));
    tensors.push(bias);
    const probabilities = encoderClassifierPredictor({ encoder, tokenizer, kernel, bias, standardiser, maxTokens, batchSize });
    let disposed = false;
    return {
      labels,
      training,
      manifest,
      predict(texts) {
        if (disposed) throw new Error('this classifier was disposed');
        return probabilities(texts).map((p) => ({ label: labels[argMax(p)], probabilities: p }));
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        tensors.forEach((t) => t.dispose());
        encoder.dispose();
      },
    };
  } catch (error) {
    tensors.forEach((t) => t.dispose());
    encoder.dispose();
    throw error;
  }
}

/** What the CLI's predict and the trainer's predict job need of a classifier of either kind. */
export interface SavedClassifier {
  readonly labels: readonly string[];
  predict(texts: string[]): Prediction[];
  dispose(): void;
}

/**
 * Opens a classifier folder of either kind: on word vectors (classifierFormat.ts) or on an encoder
 * (this file), as its classifier.json's `format` says.
 */
export async function loadAnyClassifier(dir: string, options: { tensorflow?: LoadedTensorflow } = {}): Promise<SavedClassifier> {
  const manifestPath = path.join(dir, CLASSIFIER_FILE);
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new Error(`${dir}: not a classifier folder (cannot read ${CLASSIFIER_FILE}: ${(error as Error).message}). Give a folder written by transfer-lab classify train.`);
  }
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown } | null)?.format;
  } catch (error) {
    throw new Error(`${manifestPath}: not valid JSON (${(error as Error).message}). Train the classifier again.`);
  }
  if (format === CLASSIFIER_FORMAT) return loadClassifier(dir, options);
  if (format === ENCODER_CLASSIFIER_FORMAT) return loadEncoderClassifier(dir, options);
  throw new Error(
    `${manifestPath}: format ${JSON.stringify(format)} is not a classifier this version of Transfer Lab reads (${CLASSIFIER_FORMAT} or ${ENCODER_CLASSIFIER_FORMAT}). Was it written by another tool, or by a newer Transfer Lab?`,
  );
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read ${what} (${(error as Error).message}).`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); it was cut short or edited. Train the classifier again.`);
  }
}

/** Throws, naming the file, when it is missing or not `bytes` long. */
async function checkSize(file: string, bytes: number, describedBy: string, todo: string): Promise<void> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (error) {
    throw new Error(`${file}: cannot read it (${(error as Error).message}). ${todo}`);
  }
  if (!Number.isFinite(bytes)) throw new Error(`${path.join(path.dirname(file), describedBy)}: a tensor has no valid shape, so ${path.basename(file)} cannot be checked. ${todo}`);
  if (size !== bytes) {
    throw new Error(`${file}: ${size} bytes, but ${describedBy} describes ${bytes}: the file is ${size < bytes ? 'truncated' : 'longer than its description'}, perhaps by an interrupted write or copy. ${todo}`);
  }
}

async function writeSynced(file: string, data: Buffer | string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function argMax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
