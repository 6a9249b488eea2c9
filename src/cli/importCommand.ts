// `transfer-lab import`: pretrained vectors (word2vec text/binary, GloVe, fastText .vec, optionally
// .gz) become a model folder that every other command and the extension can open.
import * as path from 'node:path';
import { describeImport, importVectors, type ImportProgress } from '../core/importVectors';
import { parseArgs, UsageError, type FlagSpec } from './args';

export const IMPORT_USAGE = `  transfer-lab import <vectors> --out <model-folder> [--skip-bad-lines] [--name N] [--json]`;

export const IMPORT_HELP = `import: makes a model folder (vectors.bin + model.json) from pretrained vectors: word2vec text or
binary, GloVe text (no header), fastText .vec, each optionally gzipped. model.json records the source
file (path, format, size, SHA-256). Nothing is written unless the whole file reads correctly.
  --out DIR          the model folder to create (must not exist)
  --skip-bad-lines   leave out malformed text lines and report how many (default: stop at the first, naming its line)
  --name N           the model's name in model.json [the folder's name]
  --json             print the result as one JSON line
`;

const IMPORT_FLAGS: Record<string, FlagSpec> = {
  out: { kind: 'string' },
  'skip-bad-lines': { kind: 'boolean' },
  name: { kind: 'string' },
  json: { kind: 'boolean' },
  quiet: { kind: 'boolean' },
};

/** Runs the command; the summary goes to `write` (stdout), progress to stderr. Returns the exit code. */
export async function runImport(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const { positional, flags } = parseArgs(argv, IMPORT_FLAGS);
  if (positional.length !== 1) {
    throw new UsageError('import takes one vectors file. Example: transfer-lab import glove.6B.100d.txt --out models/glove100');
  }
  const out = flags.out as string | undefined;
  if (!out) throw new UsageError('import needs --out <folder>: the model folder to create.');
  const name = flags.name as string | undefined;
  if (name !== undefined && name.trim() === '') throw new UsageError('--name must not be empty.');
  const progress = flags.quiet === true || flags.json === true ? undefined : progressPrinter();
  let result;
  try {
    result = await importVectors(path.resolve(positional[0]), path.resolve(out), {
      skipBadLines: flags['skip-bad-lines'] === true,
      name,
      onProgress: progress?.update,
    });
  } finally {
    progress?.finish();
  }
  if (flags.json === true) {
    write(`${JSON.stringify({ out: result.modelDir, name: result.manifest.name, source: result.manifest.source, duplicateWords: result.info.duplicateWords, skippedLineNumbers: result.info.skippedLineNumbers })}\n`);
  } else {
    write(`${describeImport(result)}\n`);
  }
  return 0;
}

function progressPrinter(): { update: (p: ImportProgress) => void; finish: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = Date.now();
  let printed = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < (tty ? 200 : 5000)) return;
      last = now;
      printed = true;
      const percent = p.bytesTotal > 0 ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '0';
      const line = p.phase === 'writing' ? 'writing the model folder' : `${p.phase} ${percent}% of ${(p.bytesTotal / 1e6).toFixed(1)} MB`;
      process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
    finish() {
      if (tty && printed) process.stderr.write('\r\x1b[K');
    },
  };
}
