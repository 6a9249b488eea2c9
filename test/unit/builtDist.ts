// Some unit tests look at what esbuild produced (the webview bundle, the trainer process). They
// build first when dist/ is missing or older than the sources, so they never judge a stale bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** The absolute path of dist/`file`, after `npm run build` if it is missing or stale. */
export function builtFile(file: string, sourceFolders: string[]): string {
  const target = path.join(repoRoot, 'dist', file);
  const sources = Math.max(...sourceFolders.map((f) => newestSource(path.join(repoRoot, f))));
  if (!existsSync(target) || statSync(target).mtimeMs < sources) {
    const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  if (!existsSync(target)) throw new Error(`npm run build did not produce dist/${file}.`);
  return target;
}
