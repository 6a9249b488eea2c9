// Bundles the entry points with esbuild: the extension (runs in the VS Code extension host),
// the trainer (a plain Node child process) and its training threads, the evaluation thread, the CLI,
// and the webview script.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const nodeTargets = [
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['src/trainer/main.ts'], outfile: 'dist/trainer.js' },
  // Training threads, started by the trainer and the CLI from the same folder (src/core/word2vec.ts).
  { entryPoints: ['src/core/trainingWorker.ts'], outfile: 'dist/trainingWorker.js' },
  // The evaluation worker thread, started by the extension host (src/extension/modelEvaluator.ts).
  { entryPoints: ['src/extension/evaluationWorker.ts'], outfile: 'dist/evaluationWorker.js' },
  { entryPoints: ['src/extension/whatMovedWorker.ts'], outfile: 'dist/whatMovedWorker.js' },
  { entryPoints: ['src/extension/projectionWorker.ts'], outfile: 'dist/projectionWorker.js' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
].map((t) => ({ ...common, ...t, platform: 'node', format: 'cjs', target: 'node20' }));

const webTargets = [
  { entryPoints: ['webview/panel/main.ts'], outfile: 'dist/webview/panel.js' },
].map((t) => ({ ...common, ...t, platform: 'browser', format: 'iife', target: 'chrome120' }));

const all = [...nodeTargets, ...webTargets];
// A production build (the .vsix) ships no source maps: remove those a development build left behind.
if (production) {
  for (const dir of ['dist', 'dist/webview']) {
    for (const file of existsSync(dir) ? readdirSync(dir) : []) if (file.endsWith('.map')) rmSync(join(dir, file));
  }
}
if (watch) {
  for (const options of all) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(all.map((options) => esbuild.build(options)));
  chmodSync('dist/cli.js', 0o755);
  copyTfjsWasm();
}

/**
 * tfjs-backend-wasm loads its .wasm files at run time from a folder; the bundles (trainer, CLI) find
 * them in dist/tfjs-wasm/, so the packaged extension needs no node_modules.
 */
function copyTfjsWasm() {
  const from = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  mkdirSync('dist/tfjs-wasm', { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(from, file), join('dist/tfjs-wasm', file));
}
