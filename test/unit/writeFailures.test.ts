// A write that fails (disk full, no permission) must say which file and what to do, keep whatever was
// there before byte for byte, and leave no temporary files behind. Root ignores file modes, so the
// failures are either real (/dev/full, a path through a file) or injected into node:fs.
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, WriteFailure } from '../../src/core/atomicWrite';
import { WordVectors } from '../../src/core/vectors';
import { MODEL_FORMAT_VERSION, writeModelFolder, type ModelManifest } from '../../src/core/modelFolder';

// The module object itself (not an import namespace copy), so a replaced method is what the code under test calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fsModule: typeof import('node:fs') = require('node:fs');
const HAS_DEV_FULL = process.platform === 'linux' && fsModule.existsSync('/dev/full');

function errno(code: string, syscall: string, file?: string): NodeJS.ErrnoException {
  const text = { ENOSPC: 'no space left on device', EACCES: 'permission denied', EIO: 'i/o error' }[code] ?? code;
  return Object.assign(new Error(`${code}: ${text}, ${syscall}${file ? ` '${file}'` : ''}`), { code, syscall, ...(file && { path: file }) });
}

/** Every file under `root` with its bytes, to compare before and after a failed write. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full), readFileSync(full).toString('base64'));
    }
  };
  walk(root);
  return files;
}

const leftovers = (root: string) => [...snapshot(root).keys(), ...readdirSync(root)].filter((name) => name.includes('.tmp-'));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tl-write-fail-'));
});
afterEach(() => {
  mock.restoreAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic when the write fails', () => {
  const target = () => path.join(dir, 'vectors.txt');

  it('disk full for real (/dev/full): says so with the path, keeps the old file, removes the temporary one', { skip: !HAS_DEV_FULL && 'needs /dev/full' }, async () => {
    writeFileSync(target(), 'the previous vectors\n');
    const before = snapshot(dir);
    await assert.rejects(
      writeFileAtomic(target(), async (tempPath) => {
        // The temporary name is a link to /dev/full: every write to it fails with a real ENOSPC.
        await fs.symlink('/dev/full', tempPath);
        await fs.writeFile(tempPath, 'x'.repeat(100_000));
      }),
      (error: WriteFailure) => {
        assert.ok(error instanceof WriteFailure);
        assert.equal(error.code, 'ENOSPC');
        assert.ok(error.message.includes(target()), error.message);
        assert.match(error.message, /disk is full.*[Ff]ree some space/);
        assert.match(error.message, /previous file.*unchanged/);
        return true;
      },
    );
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(leftovers(dir), []);
    assert.ok(statSync('/dev/full').isCharacterDevice(), 'the clean-up removed the link, not the device');
  });

  for (const [stage, code, inject] of [
    ['flushing the temporary file', 'ENOSPC', () => mock.method(fs, 'open', async (file: string) => Promise.reject(errno('ENOSPC', 'open', file)))],
    ['opening the temporary file', 'EACCES', () => mock.method(fs, 'open', async (file: string) => Promise.reject(errno('EACCES', 'open', file)))],
    ['renaming into place', 'EACCES', () => mock.method(fs, 'rename', async (from: string, to: string) => Promise.reject(errno('EACCES', 'rename', `${from}' -> '${to}`)))],
  ] as const) {
    it(`${code} while ${stage}: path and hint in the message, old file intact, no temporary file`, async () => {
      writeFileSync(target(), Buffer.from([0, 1, 2, 255, 254]));
      const before = snapshot(dir);
      inject();
      await assert.rejects(writeFileAtomic(target(), (tempPath) => fs.writeFile(tempPath, 'new')), (error: Error & { code?: string }) => {
        assert.equal(error.code, code);
        assert.ok(error.message.startsWith(`Could not write ${target()}: `), error.message);
        assert.match(error.message, code === 'ENOSPC' ? /Free some space/ : new RegExp(`permission denied \\(EACCES\\)\\. Check that you may write to the folder ${dir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`));
        return true;
      });
      mock.restoreAll();
      assert.deepEqual(snapshot(dir), before);
      assert.deepEqual(leftovers(dir), []);
    });
  }

  it('a path through a file (a real ENOTDIR) names the path and creates nothing', async () => {
    writeFileSync(path.join(dir, 'plain-file'), 'keep');
    const before = snapshot(dir);
    const inside = path.join(dir, 'plain-file', 'vectors.txt');
    await assert.rejects(writeFileAtomic(inside, (tempPath) => fs.writeFile(tempPath, 'new')), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ENOTDIR');
      assert.ok(error.message.includes(inside), error.message);
      assert.match(error.message, /not a folder/);
      return true;
    });
    assert.deepEqual(snapshot(dir), before);
  });

  it('a cancel (AbortError) passes through as it was, so callers still see a cancel', async () => {
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    await assert.rejects(writeFileAtomic(target(), async () => Promise.reject(abort)), (error) => error === abort);
  });
});

describe('writeModelFolder when the write fails', () => {
  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION, name: 'm', algorithm: 'word2vec', vectorsFile: 'vectors.bin', vectorsFormat: 'word2vec-binary',
    vocabularySize: 3, dim: 4, parameters: {},
    corpus: { root: '/x', files: [], filesRead: 0, bytesRead: 0, corpusWords: 0, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0 }, timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: 0 },
    createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'test',
  };
  const vectors = (seed: number) => new WordVectors(['a', 'b', 'c'], 4, Float32Array.from({ length: 12 }, (_, i) => seed + i / 7));

  async function withPreviousModels(): Promise<{ models: string; before: Map<string, string> }> {
    const models = path.join(dir, 'models');
    await writeModelFolder(path.join(models, 'old'), vectors(1), manifest);
    await writeModelFolder(path.join(models, 'other'), vectors(2), manifest);
    return { models, before: snapshot(models) };
  }

  const checkMessage = (target: string, code: string, hint: RegExp) => (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    assert.ok(error.message.startsWith(`Could not write ${target}: `), error.message);
    assert.ok(!/\.tmp-/.test(error.message), `names the model folder, not a temporary one: ${error.message}`);
    assert.match(error.message, hint);
    assert.match(error.message, /No model was saved/);
    return true;
  };

  it('disk full for real while writing vectors.bin: message, models intact, no temporary folder', { skip: !HAS_DEV_FULL && 'needs /dev/full' }, async () => {
    const { models, before } = await withPreviousModels();
    // The vectors stream goes to /dev/full instead of its temporary file: a real ENOSPC from the kernel.
    const original = fsModule.createWriteStream;
    mock.method(fsModule, 'createWriteStream', (file: string, options?: object) => original(file.includes('.tmp-') ? '/dev/full' : file, options));
    const target = path.join(models, 'new');
    await assert.rejects(writeModelFolder(target, vectors(3), manifest), checkMessage(target, 'ENOSPC', /disk is full \(ENOSPC\)\. Free some space/));
    mock.restoreAll();
    assert.deepEqual(snapshot(models), before);
    assert.deepEqual(readdirSync(models).sort(), ['old', 'other']);
  });

  for (const [stage, code, hint, inject] of [
    ['writing model.json', 'ENOSPC', /Free some space/, () => mock.method(fs, 'writeFile', async (file: string) => Promise.reject(errno('ENOSPC', 'write', file)))],
    ['writing model.json', 'EACCES', /permission denied \(EACCES\)\. Check that you may write to the folder/, () => mock.method(fs, 'writeFile', async (file: string) => Promise.reject(errno('EACCES', 'open', file)))],
    ['creating the temporary folder', 'EACCES', /permission denied/, () => mock.method(fs, 'mkdir', async (file: string) => Promise.reject(errno('EACCES', 'mkdir', file)))],
    ['renaming the folder into place', 'EACCES', /permission denied/, () => mock.method(fs, 'rename', async (from: string) => Promise.reject(errno('EACCES', 'rename', from)))],
    ['flushing a file', 'ENOSPC', /Free some space/, () => {
      const original = fs.open.bind(fs);
      mock.method(fs, 'open', async (file: string, flags?: string) => (flags === 'r+' && file.endsWith('model.json') ? Promise.reject(errno('ENOSPC', 'fsync')) : original(file, flags)));
    }],
  ] as const) {
    it(`${code} while ${stage}: message with the model folder and a hint, models intact, no temporary folder`, async () => {
      const { models, before } = await withPreviousModels();
      inject();
      const target = path.join(models, 'new');
      await assert.rejects(writeModelFolder(target, vectors(3), manifest), checkMessage(target, code, hint));
      mock.restoreAll();
      assert.deepEqual(snapshot(models), before);
      assert.deepEqual(leftovers(models), []);
    });
  }

  it('disk full while writing over an existing model: that model stays as it was', { skip: !HAS_DEV_FULL && 'needs /dev/full' }, async () => {
    const { models, before } = await withPreviousModels();
    const original = fsModule.createWriteStream;
    mock.method(fsModule, 'createWriteStream', (file: string, options?: object) => original(file.includes('.tmp-') ? '/dev/full' : file, options));
    await assert.rejects(writeModelFolder(path.join(models, 'old'), vectors(9), manifest), /disk is full/);
    mock.restoreAll();
    // And without a fault, a model is still never replaced.
    await assert.rejects(writeModelFolder(path.join(models, 'old'), vectors(9), manifest), /already exists, and a model is never replaced/);
    assert.deepEqual(snapshot(models), before);
    assert.deepEqual(leftovers(models), []);
  });
});
