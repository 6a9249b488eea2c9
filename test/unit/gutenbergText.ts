// Real prose for the neural tests: a byte range of ../shared/data/corpus/gutenberg-12m.txt.gz, read
// without unpacking the rest of the 70 MB.
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';

const GUTENBERG = path.resolve(__dirname, '../../../shared/data/corpus/gutenberg-12m.txt.gz');

/** `bytes` bytes of the unpacked corpus after the first `skip`, as text. */
export async function gutenbergSlice(skip: number, bytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let read = 0;
  const stream = createReadStream(GUTENBERG).pipe(createGunzip());
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    read += (chunk as Buffer).length;
    if (read >= skip + bytes) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(skip, skip + bytes).toString('utf8');
}
