#!/usr/bin/env node
// The whole test run of Transfer Lab (`npm test`), in five tiers:
//   unit         node --test (TAP) over test/unit/*.test.ts, through tsx
//   webview      test/webview/*.test.mjs: webview components alone in headless Chromium, mocked API
//   build        the WebAssembly kernel matches its C source; npm run package -> transfer-lab.vsix
//   integration  mocha suite test/e2e/suite/*.ts inside a real VS Code extension host (code-server),
//                extensionDevelopmentPath = this repo, against a fresh fixture workspace
//   ui           test/e2e/ui/*.ui.mjs: Playwright + Debian Chromium driving the workbench with the
//                packaged .vsix installed into a fresh code-server profile
// The last line printed is "N passed, N failed" (summed over the tiers); the exit code is 1 on any
// failure.
//
// Usage: node scripts/test-all.mjs [--only unit|build|integration|ui|e2e] [--no-build] [--keep]
//   --only e2e   build + integration + ui
//   --no-build   reuse the existing dist/ and transfer-lab.vsix (quick iteration on the e2e tests)
//   --keep       keep the temporary profiles/workspaces (printed) instead of deleting them
// Env: TRANSFER_LAB_E2E_CACHE (where code-server is installed), CODE_SERVER_BIN (use this one),
//      CHROMIUM_PATH (default /usr/bin/chromium), TRANSFER_LAB_E2E_GREP (mocha grep, integration).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);
const ARTIFACTS = join(ROOT, 'test-artifacts');
const VSIX = join(ROOT, 'transfer-lab.vsix');

// ---------- arguments ----------

const argv = process.argv.slice(2);
const TIER_SETS = { unit: ['unit'], webview: ['webview'], build: ['build'], integration: ['integration'], ui: ['ui'], e2e: ['build', 'integration', 'ui'] };
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : argv.find((a) => a.startsWith('--only='))?.slice(7);
if (only !== undefined && !TIER_SETS[only]) {
  console.error(`--only takes one of ${Object.keys(TIER_SETS).join(', ')}; got ${only}`);
  process.exit(2);
}
const tiers = new Set(only ? TIER_SETS[only] : ['unit', 'webview', 'build', 'integration', 'ui']);
const noBuild = argv.includes('--no-build');
const keep = argv.includes('--keep');
if (noBuild) tiers.delete('build');

// ---------- cleanup ----------

/** Child processes still running (npm, node --test, the UI test runners). */
const children = new Set();
// On Ctrl-C, a CI timeout or a hang-up: stop the children (each one cleans up after itself on
// SIGTERM) and exit; the 'exit' handlers of scripts/e2e/code-server.mjs kill the code-server
// process groups and delete the temp folders.
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the test run`);
    process.exit(130);
  });
}

// ---------- bookkeeping ----------

const summary = []; // { tier, passed, failed, seconds, note }
const t0 = Date.now();
const banner = (text) => console.log(`\n${'='.repeat(8)} ${text} ${'='.repeat(Math.max(8, 70 - text.length))}`);

async function tier(name, fn) {
  banner(name);
  const started = Date.now();
  let result;
  try {
    result = await fn();
  } catch (error) {
    console.error(`[${name}] ${error.stack || error}`);
    result = { passed: 0, failed: 1, note: `error: ${String(error.message || error).split('\n')[0]}` };
  }
  const seconds = (Date.now() - started) / 1000;
  summary.push({ tier: name, seconds, ...result });
  console.log(`[${name}] ${result.passed} passed, ${result.failed} failed${result.note ? ` (${result.note})` : ''} in ${seconds.toFixed(1)} s`);
  return result;
}

/** Runs a command with inherited stdin/stderr, echoing stdout while also capturing it. */
function run(cmd, args, { env = {}, capture = false, timeoutMs = 20 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    children.add(child);
    let out = '';
    if (capture) {
      child.stdout.on('data', (chunk) => {
        process.stdout.write(chunk);
        out += chunk;
      });
    }
    const timer = setTimeout(() => {
      console.error(`${cmd} ${args.join(' ')}: timed out after ${timeoutMs / 1000} s, stopping it`);
      child.kill('SIGTERM'); // lets a UI runner close its browser; SIGKILL if it does not exit
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      console.error(`${cmd}: ${error.message}`);
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), out });
    });
  });
}

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

/** Turns a JSON summary written by a test runner ({passes, failures, tests}) into a tier result. */
function fromSummary(what, file, exitCode) {
  const s = readJson(file);
  if (!s) return { passed: 0, failed: 1, note: `${what} wrote no summary (exit code ${exitCode})` };
  for (const t of s.tests ?? []) {
    if (t.state === 'failed') console.log(`  FAILED: ${t.title}\n    ${String(t.error ?? t.detail ?? '').split('\n').slice(0, 6).join('\n    ')}`);
  }
  // A runner that crashed after writing a clean summary still counts as a failure.
  const extra = exitCode !== 0 && s.failures === 0 ? 1 : 0;
  return { passed: s.passes, failed: s.failures + extra, note: extra ? `exit code ${exitCode} despite 0 failed tests` : undefined };
}

// ---------- tiers ----------

async function unitTier() {
  const dir = join(ROOT, 'test', 'unit');
  // Node 20's --test does not expand globs itself.
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', 'unit', f)) : [];
  if (files.length === 0) return { passed: 0, failed: 0, note: 'no test/unit/*.test.ts' };
  // About 6 minutes on an idle 2-core machine (real data, fuzzing, kills, small networks trained);
  // a shared machine can double that.
  const { code, out } = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files], { capture: true, timeoutMs: 25 * 60_000 });
  // The TAP summary ends the output: "# tests N", "# pass N", "# fail N", "# cancelled N", ...
  const count = (key) => {
    const last = [...out.matchAll(new RegExp(`^# ${key} (\\d+)\\s*$`, 'gm'))].at(-1);
    return last ? Number(last[1]) : NaN;
  };
  const passed = count('pass');
  const failed = count('fail') + (count('cancelled') || 0);
  if (Number.isNaN(passed) || Number.isNaN(failed)) return { passed: 0, failed: 1, note: `no TAP summary (exit code ${code})` };
  if (code !== 0 && failed === 0) return { passed, failed: 1, note: `exit code ${code} despite 0 failed tests` };
  return { passed, failed };
}

async function buildTier() {
  // The shipped kernel (src/core/kernels/embeddingWasm.ts) must be what embedding.c compiles to.
  if (!commandExists('clang') || !commandExists('wasm-ld')) await run('bash', [join(ROOT, 'scripts', 'e2e', 'install-system-packages.sh')]);
  const kernel = await run(process.execPath, [join(ROOT, 'scripts', 'build-kernel.mjs'), '--check']);
  const kernelResult = kernel.code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: 'the committed WebAssembly kernel is stale or clang failed' };
  rmSync(VSIX, { force: true });
  const { code } = await run('npm', ['run', 'package'], { timeoutMs: 10 * 60_000 });
  if (code !== 0) return { passed: kernelResult.passed, failed: kernelResult.failed + 1, note: `npm run package exited with ${code}` };
  if (!existsSync(VSIX)) return { passed: kernelResult.passed, failed: kernelResult.failed + 1, note: 'npm run package made no transfer-lab.vsix' };
  return { ...kernelResult, passed: kernelResult.passed + 1 };
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Compiles test/e2e/suite/*.ts to out/test/e2e/suite/*.js (CommonJS, as the extension host loads it). */
async function compileSuite() {
  const esbuild = await import('esbuild');
  const outdir = join(ROOT, 'out', 'test', 'e2e', 'suite');
  rmSync(outdir, { recursive: true, force: true }); // no stale *.test.js from renamed files
  const src = join('test', 'e2e', 'suite');
  await esbuild.build({
    entryPoints: readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => join(src, f)),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(outdir, 'index.js');
}

let e2e; // lazily imported helpers (scripts/e2e/*.mjs), only when an e2e tier runs
let runDir;
let codeServerBin;

async function e2eSetup() {
  if (e2e) return;
  const [cs, fx] = await Promise.all([import('./e2e/code-server.mjs'), import('./e2e/fixture.mjs')]);
  e2e = { ...cs, ...fx };
  runDir = e2e.makeRunDir();
  console.log(`e2e scratch folder: ${runDir}`);
  // Also on Ctrl-C (the signal handlers of code-server.mjs exit the process): no temp folder left behind.
  if (!keep) process.on('exit', () => rmSync(runDir, { recursive: true, force: true }));
  const started = Date.now();
  // On a fresh machine `npm test` alone must work: the browser and code-server's build needs come from apt.
  if (!existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) {
    const { code } = await run('bash', [join(ROOT, 'scripts', 'e2e', 'install-system-packages.sh')]);
    if (code !== 0) throw new Error('could not install chromium libkrb5-dev pkg-config ripgrep with apt; install them (as root) and run npm test again');
  }
  codeServerBin = e2e.ensureCodeServer();
  console.log(`code-server: ${codeServerBin} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Copies code-server's and the extension host's logs of a failed run to test-artifacts/<name>-logs. */
function saveLogs(profile, name) {
  const logs = join(profile.userDataDir, 'logs');
  if (existsSync(logs)) cpSync(logs, join(ARTIFACTS, `${name}-logs`), { recursive: true });
  console.log(`  logs: ${relative(ROOT, join(ARTIFACTS, `${name}-logs`))}, ${relative(ROOT, join(ARTIFACTS, `code-server-${name}.log`))}`);
}

async function integrationTier() {
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) return { passed: 0, failed: 1, note: 'dist/extension.js is missing: build first' };
  const testsPath = await compileSuite();
  await e2eSetup();
  const profile = e2e.makeProfile(join(runDir, 'profile-integration'));
  const fixture = e2e.createIntegrationFixture(join(runDir, 'ws-integration'));
  const resultFile = join(runDir, 'integration-result.json');
  // The extension host inherits code-server's environment: this is how the suite gets its inputs.
  const server = await e2e.startCodeServer(codeServerBin, profile, {
    env: { TRANSFER_LAB_E2E_RESULT: resultFile, TRANSFER_LAB_E2E_FIXTURE: JSON.stringify(fixture) },
    logFile: join(ARTIFACTS, 'code-server-integration.log'),
  });
  try {
    console.log(`code-server ${server.url} (pid ${server.pid}); workspace ${fixture.root}`);
    const code = await e2e.runExtensionTests({
      url: server.url,
      devPath: ROOT,
      testsPath,
      folder: fixture.root,
      timeoutMs: 6 * 60_000,
      onLog: (line) => console.log(line),
      screenshot: join(ARTIFACTS, 'integration-end.png'),
    });
    const result = fromSummary('the extension-host suite', resultFile, code === 0 ? 0 : 1);
    if (code === 'timeout') result.note = 'timed out waiting for the suite to finish';
    if (result.failed) saveLogs(profile, 'integration');
    return result;
  } finally {
    await server.stop();
  }
}

/**
 * Webview components on their own in headless Chromium, with a mocked acquireVsCodeApi:
 * test/webview/*.test.mjs, each printing "N passed, N failed" last.
 */
async function webviewTier() {
  if (!existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')) {
    const { code } = await run('bash', [join(ROOT, 'scripts', 'e2e', 'install-system-packages.sh')]);
    if (code !== 0) return { passed: 0, failed: 1, note: 'chromium is missing and could not be installed with apt' };
  }
  let passed = 0;
  let failed = 0;
  const dir = join('test', 'webview');
  for (const file of readdirSync(dir).filter((f) => /\.test\.mjs$/.test(f)).sort()) {
    const { code, out } = await run(process.execPath, [join(dir, file)], { capture: true, timeoutMs: 5 * 60_000 });
    const counts = /(\d+) passed, (\d+) failed\s*$/.exec(out);
    if (counts) {
      passed += Number(counts[1]);
      failed += Number(counts[2]);
    }
    if (!counts || (code !== 0 && Number(counts[2]) === 0)) failed++;
  }
  return { passed, failed };
}

async function uiTier() {
  if (!existsSync(VSIX)) return { passed: 0, failed: 1, note: 'transfer-lab.vsix is missing: build first' };
  await e2eSetup();
  const profile = e2e.makeProfile(join(runDir, 'profile-ui'));
  console.log(e2e.installVsix(codeServerBin, profile, VSIX));
  const fixture = e2e.createUiFixture(join(runDir, 'ws-ui'));
  const server = await e2e.startCodeServer(codeServerBin, profile, { logFile: join(ARTIFACTS, 'code-server-ui.log') });
  let passed = 0;
  let failed = 0;
  try {
    console.log(`code-server ${server.url} (pid ${server.pid}); workspace ${fixture.root}`);
    const uiDir = join('test', 'e2e', 'ui');
    for (const file of readdirSync(uiDir).filter((f) => /\.ui\.m?js$/.test(f)).sort()) {
      const resultFile = join(runDir, `${file}.result.json`);
      const { code } = await run(process.execPath, [join(uiDir, file)], {
        timeoutMs: 8 * 60_000,
        env: {
          TRANSFER_LAB_E2E_URL: server.url,
          TRANSFER_LAB_E2E_WORKSPACE: fixture.root,
          TRANSFER_LAB_E2E_ARTIFACTS: ARTIFACTS,
          TRANSFER_LAB_E2E_RESULT: resultFile,
        },
      });
      const r = fromSummary(file, resultFile, code);
      passed += r.passed;
      failed += r.failed;
    }
    if (failed) saveLogs(profile, 'ui');
  } finally {
    await server.stop();
  }
  return { passed, failed, note: `screenshots in ${relative(ROOT, ARTIFACTS)}/` };
}

// ---------- main ----------

let buildOk = true;
if (['webview', 'integration', 'ui'].some((t) => tiers.has(t))) {
  // Only this run's screenshots and logs: stale ones (an old ui-error.png...) would mislead.
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
}
if (tiers.has('unit')) await tier('unit', unitTier);
if (tiers.has('webview')) await tier('webview', webviewTier);
if (tiers.has('build')) buildOk = (await tier('build', buildTier)).failed === 0;
for (const [name, fn] of [['integration', integrationTier], ['ui', uiTier]]) {
  if (!tiers.has(name)) continue;
  if (!buildOk) {
    // The build failure is already counted; testing a stale dist/ would only mislead.
    summary.push({ tier: name, passed: 0, failed: 0, seconds: 0, note: 'not run: the build failed' });
    continue;
  }
  await tier(name, fn);
}
if (runDir) {
  if (keep) console.log(`kept ${runDir}`);
  else rmSync(runDir, { recursive: true, force: true });
}

banner('summary');
for (const s of summary) {
  console.log(`${s.tier.padEnd(12)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(4)} failed ${s.seconds.toFixed(1).padStart(7)} s${s.note ? `  ${s.note}` : ''}`);
}
console.log(`total time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const passed = summary.reduce((n, s) => n + s.passed, 0);
const failed = summary.reduce((n, s) => n + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
