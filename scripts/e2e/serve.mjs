#!/usr/bin/env node
// Debugging aid: starts the same code-server the e2e tests use, with a fresh profile and fixture
// workspace, and prints URLs to open in a browser (e.g. through an SSH tunnel). Ctrl-C stops it.
//
// Usage: node scripts/e2e/serve.mjs [--ui] [--port N]
//   default  the extension runs from this repo (extensionDevelopmentPath = repo root, dist/ as
//            built), integration fixture
//   --ui     transfer-lab.vsix installed into the profile, UI-test fixture
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, installVsix, makeProfile, makeRunDir, startCodeServer } from './code-server.mjs';
import { createIntegrationFixture, createUiFixture } from './fixture.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const ui = process.argv.includes('--ui');
const bin = ensureCodeServer();
const runDir = makeRunDir('transfer-lab-serve-');
process.on('exit', () => rmSync(runDir, { recursive: true, force: true }));
const profile = makeProfile(join(runDir, 'profile'));
if (ui) console.log(installVsix(bin, profile, join(ROOT, 'transfer-lab.vsix')));
const fixture = ui ? createUiFixture(join(runDir, 'ws')) : createIntegrationFixture(join(runDir, 'ws'));
const server = await startCodeServer(bin, profile, { logFile: join(runDir, 'code-server.log') });

const folder = `${server.url}/?folder=${encodeURIComponent(fixture.root)}`;
console.log(`code-server (pid ${server.pid}) log: ${join(runDir, 'code-server.log')}`);
console.log(`open: ${folder}`);
if (!ui) {
  const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${new URL(server.url).host}${ROOT}`]]);
  console.log(`with this repo as the development extension:\n  ${folder}&payload=${encodeURIComponent(payload)}`);
}
console.log('Ctrl-C to stop.');
setInterval(() => {}, 1 << 30); // stay alive; the signal handlers of code-server.mjs clean up
