// The n-gram rows of a FastText model, as a model folder keeps them beside vectors.bin: a 32-byte
// header ("TLSUBW01", then dim, minn, maxn, bucket and the number of kept rows as little-endian
// uint32s, and 4 spare bytes), the kept bucket numbers as int32s, then their rows as float32s.
import { promises as fs } from 'node:fs';
import type { WordVectors } from '../vectors';
import { SubwordVectors } from '../subwords';

const MAGIC = 'TLSUBW01';
const HEADER_BYTES = 32;

export async function writeSubwords(subwords: SubwordVectors, filePath: string): Promise<void> {
  const count = subwords.buckets.length;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'ascii');
  [subwords.dim, subwords.options.minn, subwords.options.maxn, subwords.options.bucket, count].forEach((value, i) =>
    header.writeUInt32LE(value, 8 + 4 * i),
  );
  const toBytes = (array: Int32Array | Float32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  // Typed arrays are little-endian on every platform Node runs on that we support (x64, arm64).
  await fs.writeFile(filePath, Buffer.concat([header, toBytes(subwords.buckets), toBytes(subwords.rows)]));
}

export async function readSubwords(filePath: string, vectors: WordVectors): Promise<SubwordVectors> {
  const bytes = await fs.readFile(filePath);
  const fail = (what: string) => new Error(`${filePath}: ${what}. The model's n-gram file is damaged; train the model again.`);
  if (bytes.length < HEADER_BYTES || bytes.toString('ascii', 0, 8) !== MAGIC) throw fail('not a Transfer Lab n-gram file');
  const [dim, minn, maxn, bucket, count] = [0, 1, 2, 3, 4].map((i) => bytes.readUInt32LE(8 + 4 * i));
  if (dim !== vectors.dim) throw fail(`its dim is ${dim} but the word vectors have dim ${vectors.dim}`);
  const expected = HEADER_BYTES + count * 4 + count * dim * 4;
  if (bytes.length !== expected) throw fail(`${count} rows of ${dim} need ${expected} bytes, the file has ${bytes.length}`);
  const body = new Uint8Array(bytes.subarray(HEADER_BYTES)).slice().buffer;
  const buckets = new Int32Array(body, 0, count);
  for (let i = 0; i < count; i++) {
    if (buckets[i] < 0 || buckets[i] >= bucket || (i > 0 && buckets[i] <= buckets[i - 1])) throw fail(`bucket list is out of order at entry ${i}`);
  }
  return new SubwordVectors(vectors, { minn, maxn, bucket }, buckets, new Float32Array(body, count * 4, count * dim));
}
