// Replacing a file so that readers (and a crash) see either the old content or the complete new one.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Calls `write` with a temporary path beside `targetPath`, flushes that file to disk and renames it
 * over the target. If anything fails the temporary file is removed, the old target is untouched and
 * the error is rethrown.
 */
export async function writeFileAtomic(targetPath: string, write: (tempPath: string) => Promise<void>): Promise<void> {
  const directory = path.dirname(path.resolve(targetPath));
  const tempPath = path.join(
    directory,
    `${path.basename(targetPath)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
  try {
    await write(tempPath);
    const handle = await fs.open(tempPath, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(tempPath, targetPath);
  } catch (error) {
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
    throw writeFailure(error, targetPath, 'The previous file, if there was one, is unchanged.');
  }
  await syncDirectory(directory);
}

/** A failed write, said in words: which file, what went wrong, what to do. `code` is the system's. */
export class WriteFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
    readonly cause: NodeJS.ErrnoException,
  ) {
    super(message);
    this.name = 'WriteFailure';
  }
}

/** What the system's error means, and what the user can do about it ("{folder}" is the target's folder). */
const HINTS: Record<string, [problem: string, action: string]> = {
  ENOSPC: ['the disk is full', 'Free some space on it and try again.'],
  EDQUOT: ['the disk quota is used up', 'Free some space and try again.'],
  EACCES: ['permission denied', 'Check that you may write to the folder {folder}.'],
  EPERM: ['the operation is not permitted', 'Check the permissions of the folder {folder}.'],
  EROFS: ['the file system is read-only', 'Choose a folder on a writable disk.'],
  ENOTDIR: ['part of the path is a file, not a folder', 'Choose another location.'],
  EISDIR: ['a folder is in the way', 'Choose another name.'],
  EMFILE: ['too many files are open', 'Close some programs and try again.'],
};

/**
 * Describes a system error from writing `target` (ENOSPC, EACCES, ...) with the path and a hint,
 * keeping the original as `cause`. Other errors (a cancel's AbortError, a format error that already
 * names its file) are returned as they were, so callers can still tell them apart.
 */
export function writeFailure(error: unknown, target: string, outcome: string): unknown {
  // An inner atomic write (a file inside a model folder being assembled) names a temporary path;
  // the caller's target is the one the user knows.
  const original = error instanceof WriteFailure ? error.cause : (error as NodeJS.ErrnoException);
  const code = original?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const [problem, action] = HINTS[code] ?? [original.message.replace(/^E[A-Z]+: /, ''), ''];
  const todo = action.replace('{folder}', path.dirname(path.resolve(target)));
  return new WriteFailure(`Could not write ${target}: ${problem} (${code}). ${todo ? `${todo} ` : ''}${outcome}`, code, target, original);
}

// On Windows a rename onto a file another process (a virus scanner, an indexer) has open fails
// for a moment with EPERM/EACCES/EBUSY; retrying briefly is what npm's write-file-atomic does too.
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const transient = code === 'EPERM' || code === 'EACCES' || code === 'EBUSY';
      if (!transient || process.platform !== 'win32' || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

/** Makes the rename itself durable on POSIX; folders cannot be opened for syncing on Windows. */
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await fs.open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the folder entry is best effort; the file content is already synced.
  }
}
