// Helpers to run a real VS Code for the e2e tests: code-server 4.100.3 (VS Code 1.100.3, Node
// extension host) on 127.0.0.1, and headless Debian Chromium driven by playwright-core.
// Every code-server is started in its own process group (setsid) and that whole group is killed
// when the run ends, also on an exception, SIGINT or SIGTERM: the extension host and any trainer
// process it forked go with it.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));

// ---------- process groups ----------

/** Process group ids (= pids of group leaders) still to kill when this process ends. */
const liveGroups = new Set();

/** SIGTERM the whole group, then SIGKILL whatever is left after `graceMs`. Never throws. */
export async function killGroup(pgid, graceMs = 3000) {
  if (!pgid) return;
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  const end = Date.now() + graceMs;
  while (alive() && Date.now() < end) await sleep(100);
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  liveGroups.delete(pgid);
}

/** Browser profiles to delete if the process ends before their browser is closed. */
const liveTempDirs = new Set();

function killAllNow() {
  for (const dir of liveTempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      /* the browser may still be writing into it; best effort */
    }
  }
  liveTempDirs.clear();
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  liveGroups.clear();
}

// Last-resort cleanup: 'exit' handlers must be synchronous, hence SIGKILL right away.
process.on('exit', killAllNow);
// On a signal, exit (which runs the cleanup above) unless the importing script handles it itself.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  if (process.listenerCount(signal) > 0) continue;
  process.on(signal, () => {
    console.error(`\n${signal}: stopping code-server and its children`);
    killAllNow();
    process.exit(130);
  });
}

// ---------- small utilities ----------

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port that was free a moment ago (good enough for one local test run). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A fresh scratch folder for one e2e run (profile, extensions, workspace, logs). */
export function makeRunDir(prefix = 'transfer-lab-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// ---------- code-server ----------

/** Installs code-server if needed (scripts/e2e/install-code-server.sh) and returns its binary path. */
export function ensureCodeServer() {
  if (process.env.CODE_SERVER_BIN) return process.env.CODE_SERVER_BIN;
  const r = spawnSync('bash', [join(HERE, 'install-code-server.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`install-code-server.sh failed (exit ${r.status})`);
  const bin = r.stdout.trim().split('\n').pop();
  if (!bin || !existsSync(bin)) throw new Error(`install-code-server.sh printed no usable binary path: ${JSON.stringify(r.stdout)}`);
  return bin;
}

/** User settings that keep pop-ups, network calls and background work out of the tests. */
export const QUIET_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'remote.autoForwardPorts': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'workbench.colorTheme': 'Default Dark Modern',
};

/**
 * Lays out a code-server profile under `base`: ud/ (user data), ext/ (extensions), xdg-config/, xdg-data/ and
 * config.yaml. Returns the paths; `settings` are merged over QUIET_USER_SETTINGS.
 */
export function makeProfile(base, settings = {}) {
  const p = {
    base,
    userDataDir: join(base, 'ud'),
    extensionsDir: join(base, 'ext'),
    config: join(base, 'config.yaml'),
    userSettings: join(base, 'ud', 'User', 'settings.json'),
    xdg: { XDG_CONFIG_HOME: join(base, 'xdg-config'), XDG_DATA_HOME: join(base, 'xdg-data') },
  };
  for (const dir of [dirname(p.userSettings), p.extensionsDir, ...Object.values(p.xdg)]) mkdirSync(dir, { recursive: true });
  writeFileSync(p.userSettings, JSON.stringify({ ...QUIET_USER_SETTINGS, ...settings }, null, 2) + '\n');
  writeFileSync(p.config, 'auth: none\ncert: false\n');
  return p;
}

/** `code-server --install-extension x.vsix` into the profile's extensions folder (~2 s). */
export function installVsix(bin, profile, vsix) {
  const r = spawnSync(
    bin,
    ['--config', profile.config, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--force', '--install-extension', resolve(vsix)],
    { env: { ...process.env, ...profile.xdg }, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Starts code-server on 127.0.0.1:<free port> for `profile`, in its own process group, and waits
 * for /healthz. `env` is added to its environment: the extension host (and so the extension under
 * test and the mocha suite) inherits it. Output goes to `logFile`.
 */
export async function startCodeServer(bin, profile, { env = {}, logFile, readyTimeoutMs = 60_000 } = {}) {
  const port = await freePort();
  const log = createWriteStream(logFile);
  const child = spawn(
    bin,
    [
      '--config', profile.config,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--user-data-dir', profile.userDataDir,
      '--extensions-dir', profile.extensionsDir,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    ],
    // detached = setsid(): the child leads a new process group we can kill as a whole.
    // EXTENSIONS_GALLERY={} : no marketplace (open-vsx.org by default). Offline its lookups only
    // fail with noise; behind a DNS that drops instead of refusing they would stall the workbench.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...profile.xdg, ...env } },
  );
  liveGroups.add(child.pid);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited during startup (${JSON.stringify(exited)}); see ${logFile}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) {
      await killGroup(child.pid);
      throw new Error(`code-server did not answer ${url}/healthz within ${readyTimeoutMs / 1000} s; see ${logFile}`);
    }
    await sleep(250);
  }
  return {
    url,
    port,
    pid: child.pid,
    async stop() {
      await killGroup(child.pid);
      log.end();
    },
  };
}

// ---------- browser ----------

/** Headless Debian Chromium with a throwaway profile; `close()` removes the profile. */
export async function launchBrowser({ width = 1400, height = 900 } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'transfer-lab-chromium-'));
  liveTempDirs.add(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
      liveTempDirs.delete(profile);
    },
  };
}

// ---------- extension tests in the extension host ----------

/**
 * Runs a mocha suite inside code-server's extension host, the @vscode/test-electron contract:
 * the browser workbench reads extensionDevelopmentPath/extensionTestsPath from the URL's `payload`
 * parameter, runs the suite's `run()` and calls window.codeAutomationExit(code) when it settles.
 * Resolves to the exit code (0 = all passed), or 'timeout'.
 */
export async function runExtensionTests({ url, devPath, testsPath, folder, timeoutMs = 300_000, onLog = console.log, screenshot }) {
  const authority = new URL(url).host;
  const remote = (p) => `vscode-remote://${authority}${resolve(p)}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(devPath)],
    ['extensionTestsPath', remote(testsPath)],
  ]);
  const target = `${url}/?folder=${encodeURIComponent(resolve(folder))}&payload=${encodeURIComponent(payload)}`;
  const browser = await launchBrowser();
  try {
    const { page } = browser;
    let timer;
    const done = new Promise((resolveDone) => {
      void page.exposeFunction('codeAutomationExit', (code) => resolveDone(code));
      timer = setTimeout(() => resolveDone('timeout'), timeoutMs);
    });
    // Mocha output reaches us through this hook with printf placeholders left unformatted; the
    // suite therefore also writes a JSON summary, which is what counts.
    await page.exposeFunction('codeAutomationLog', (type, args) => onLog(formatAutomationLog(args)));
    page.on('pageerror', (e) => onLog(`[pageerror] ${e.message}`));
    await page.goto(target, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const code = await done;
    clearTimeout(timer);
    if (screenshot) await page.screenshot({ path: screenshot }).catch(() => {});
    return code;
  } finally {
    await browser.close();
  }
}

/** Applies the %s/%d placeholders that arrive unformatted through codeAutomationLog. */
function formatAutomationLog(args = []) {
  if (!Array.isArray(args) || args.length === 0) return '';
  let [fmt, ...rest] = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  fmt = fmt.replace(/%[sdioj]/g, (m) => (rest.length ? rest.shift() : m));
  return [fmt, ...rest].join(' ');
}
