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
    throw error;
  }
  await syncDirectory(directory);
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
