// An encoder on disk is a folder: `encoder.json` (config, the list of weight tensors, training
// stats) and `weights.bin` (those tensors' float32 values, little-endian, one after another in the
// listed order), plus `tokenizer.json` when a tokenizer is saved with it. The folder is assembled
// under a temporary name beside its final place and renamed into place, as model folders are
// (modelFolder.ts), so a reader never finds half an encoder.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFailure } from '../atomicWrite';
import { loadTensorflow, type LoadedTensorflow } from '../classify/tfBackend';
import { checkEncoderConfig, type EncoderConfig } from './config';
import { Encoder, TOKEN_TABLE_NAME, type TrainingStats } from './encoder';
import { buildEncoderNetwork } from './network';

export const ENCODER_FORMAT = 'transfer-lab-encoder';
export const ENCODER_FORMAT_VERSION = 1;
export const ENCODER_MANIFEST_FILE = 'encoder.json';
export const ENCODER_WEIGHTS_FILE = 'weights.bin';
export const ENCODER_TOKENIZER_FILE = 'tokenizer.json';
// The prefix modelFolder.ts's removeStaleTempFolders clears after a killed writer.
const TEMP_PREFIX = '.tmp-';

export interface EncoderManifest {
  format: typeof ENCODER_FORMAT;
  formatVersion: number;
  arch: EncoderConfig['arch'];
  config: EncoderConfig;
  weightsFile: typeof ENCODER_WEIGHTS_FILE;
  dtype: 'float32';
  byteOrder: 'little-endian';
  /** In file order; each takes product(shape) float32 values. */
  tensors: { name: string; shape: number[] }[];
  tokenizerFile?: typeof ENCODER_TOKENIZER_FILE;
  training?: TrainingStats;
  createdAt: string;
}

export interface SaveEncoderOptions {
  /**
   * Replace a folder already at `dir` (a checkpoint written again). Default false: saving onto an
   * existing folder fails and leaves it alone.
   */
  replace?: boolean;
}

export interface LoadedEncoder {
  encoder: Encoder;
  manifest: EncoderManifest;
  /** The parsed tokenizer.json, when one was saved (BpeTokenizer.fromJSON reads it). */
  tokenizerJson?: unknown;
}

/** Writes `encoder` (and the tokenizer's JSON, if given) as the folder `dir`, atomically. */
export async function saveEncoder(dir: string, encoder: Encoder, tokenizerJson?: unknown, options: SaveEncoderOptions = {}): Promise<void> {
  checkByteOrder();
  const tensors = encoder.tensors();
  const manifest: EncoderManifest = {
    format: ENCODER_FORMAT,
    formatVersion: ENCODER_FORMAT_VERSION,
    arch: encoder.config.arch,
    config: encoder.config,
    weightsFile: ENCODER_WEIGHTS_FILE,
    dtype: 'float32',
    byteOrder: 'little-endian',
    tensors: tensors.map(({ name, shape }) => ({ name, shape })),
    ...(tokenizerJson !== undefined ? { tokenizerFile: ENCODER_TOKENIZER_FILE } : {}),
    ...(encoder.stats ? { training: encoder.stats } : {}),
    createdAt: new Date().toISOString(),
  };
  const parent = path.dirname(path.resolve(dir));
  const base = path.basename(dir);
  const tempDir = path.join(parent, `${TEMP_PREFIX}${base}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const outcome = 'No encoder was saved, and what was in that folder is unchanged.';
  try {
    await fs.mkdir(parent, { recursive: true });
    await fs.mkdir(tempDir);
  } catch (error) {
    throw writeFailure(error, dir, outcome);
  }
  let replaced: string | undefined;
  try {
    const weightsPath = path.join(tempDir, ENCODER_WEIGHTS_FILE);
    const handle = await fs.open(weightsPath, 'w');
    try {
      for (const { values } of tensors) await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (tokenizerJson !== undefined) await writeSynced(path.join(tempDir, ENCODER_TOKENIZER_FILE), JSON.stringify(tokenizerJson) + '\n');
    await writeSynced(path.join(tempDir, ENCODER_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    if (options.replace) {
      // Moved aside rather than deleted first, so a failure between the two renames loses nothing.
      const aside = path.join(parent, `${TEMP_PREFIX}${base}-old-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await fs.rename(dir, aside);
        replaced = aside;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    // rename() of a folder onto an existing non-empty folder fails: an encoder is never replaced silently.
    await fs.rename(tempDir, dir);
  } catch (error) {
    await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    if (replaced) await fs.rename(replaced, dir).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw Object.assign(new Error(`Could not save the encoder as ${dir}: a folder of that name already exists. Choose another name, or pass replace: true to overwrite it.`, { cause: error }), { code });
    }
    throw writeFailure(error, dir, outcome);
  }
  if (replaced) await fs.rm(replaced, { recursive: true, force: true }).catch(() => undefined);
}

/** Reads an encoder folder written by saveEncoder, checking every size against its config. */
export async function loadEncoder(dir: string, options: { tensorflow?: LoadedTensorflow } = {}): Promise<LoadedEncoder> {
  checkByteOrder();
  const manifest = await readManifest(dir);
  const { tf } = options.tensorflow ?? (await loadTensorflow());
  const network = buildEncoderNetwork(tf, manifest.config);
  try {
    const expected = [
      { name: TOKEN_TABLE_NAME, shape: [manifest.config.vocabSize, manifest.config.width] },
      ...network.weights.map(({ name, variable }) => ({ name, shape: variable.shape })),
    ];
    const listed = manifest.tensors;
    const describe = (t: { name: string; shape: number[] }) => `${t.name} [${t.shape.join('×')}]`;
    for (let i = 0; i < Math.max(expected.length, listed.length); i++) {
      const want = expected[i];
      const got = listed[i];
      if (!want || !got || want.name !== got.name || want.shape.join() !== got.shape.join()) {
        throw new Error(
          `${path.join(dir, ENCODER_MANIFEST_FILE)}: tensor ${i + 1} is ${got ? describe(got) : 'missing'} but its config needs ${want ? describe(want) : 'no more tensors'}: the file was edited or written by another version; save the encoder again.`,
        );
      }
    }
    const weightsPath = path.join(dir, ENCODER_WEIGHTS_FILE);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(weightsPath);
    } catch (error) {
      throw new Error(`${weightsPath}: cannot read the encoder's weights (${(error as Error).message}).`);
    }
    const sizes = expected.map((t) => t.shape.reduce((a, b) => a * b, 1));
    const total = sizes.reduce((a, b) => a + b, 0);
    if (bytes.length !== total * 4) {
      throw new Error(
        `${weightsPath}: ${bytes.length} bytes, but ${ENCODER_MANIFEST_FILE} lists ${total} float32 values (${total * 4} bytes): the file is ${bytes.length < total * 4 ? 'truncated' : 'longer than its description'}, perhaps by an interrupted copy. Copy or save the encoder again.`,
      );
    }
    // A copy into a fresh buffer: Buffer's bytes may start at an offset a Float32Array cannot view.
    const values = new Float32Array(total);
    new Uint8Array(values.buffer).set(bytes);
    let at = sizes[0];
    const table = values.slice(0, at);
    tf.tidy(() =>
      network.weights.forEach(({ variable }, i) => {
        variable.assign(tf.tensor(values.subarray(at, at + sizes[i + 1]), variable.shape));
        at += sizes[i + 1];
      }),
    );
    const encoder = new Encoder(tf, manifest.config, table, network, manifest.training);
    let tokenizerJson: unknown;
    if (manifest.tokenizerFile) {
      const file = path.join(dir, ENCODER_TOKENIZER_FILE);
      try {
        tokenizerJson = JSON.parse(await fs.readFile(file, 'utf8'));
      } catch (error) {
        throw new Error(`${file}: cannot read the encoder's tokenizer (${(error as Error).message}); copy or save the encoder again.`);
      }
    }
    return { encoder, manifest, tokenizerJson };
  } catch (error) {
    for (const { variable } of network.weights) variable.dispose();
    throw error;
  }
}

async function readManifest(dir: string): Promise<EncoderManifest> {
  const file = path.join(dir, ENCODER_MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the encoder description (${(error as Error).message}). Is ${dir} an encoder folder?`);
  }
  let manifest: EncoderManifest;
  try {
    manifest = JSON.parse(text) as EncoderManifest;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}).`);
  }
  if (manifest?.format !== ENCODER_FORMAT || typeof manifest.formatVersion !== 'number' || !Array.isArray(manifest.tensors) || typeof manifest.config !== 'object') {
    throw new Error(`${file}: not a Transfer Lab encoder description (format, formatVersion, config or tensors missing).`);
  }
  if (manifest.formatVersion > ENCODER_FORMAT_VERSION) {
    throw new Error(`${file}: written by a newer Transfer Lab (encoder format ${manifest.formatVersion}); update the extension to open it.`);
  }
  if (manifest.dtype !== 'float32' || manifest.byteOrder !== 'little-endian') {
    throw new Error(`${file}: weights stored as ${manifest.dtype}, ${manifest.byteOrder}; only float32 little-endian can be read.`);
  }
  try {
    checkEncoderConfig(manifest.config);
  } catch (error) {
    throw new Error(`${file}: the config cannot build an encoder: ${(error as Error).message}.`);
  }
  return manifest;
}

async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Float32Arrays are in the machine's byte order and weights.bin is little-endian; every platform
// VS Code runs on is little-endian, so this is a guard, not a conversion.
function checkByteOrder(): void {
  if (os.endianness() !== 'LE') throw new Error('encoder files are little-endian and this machine is big-endian: reading and writing them is not supported here');
}
