// Integration tests of Transfer Lab inside a real VS Code extension host (code-server 1.100.3),
// against the real `vscode` API, the real trainer process and the fixture workspace that
// scripts/e2e/fixture.mjs builds (layout passed in TRANSFER_LAB_E2E_FIXTURE as JSON).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

// ---------- the contract under test ----------

const EXTENSION_ID = 'transfer-lab.transfer-lab';
const COMMANDS = {
  'transferLab.pretrainWorkspace': 'Transfer Lab: Pretrain Word Vectors on Workspace',
  'transferLab.cancelTraining': 'Transfer Lab: Cancel Training',
  'transferLab.openPanel': 'Transfer Lab: Open Panel',
};

interface RunOverrides {
  modelName?: string;
  dim?: number;
  window?: number;
  negative?: number;
  epochs?: number;
  minCount?: number;
  sample?: number;
  seed?: number;
}
interface RunOutcome {
  status: 'done' | 'cancelled' | 'failed';
  modelDir?: string;
  error?: string;
}
interface Neighbour {
  word: string;
  similarity: number;
}
interface TransferLabApi {
  pretrainWorkspace(overrides?: RunOverrides): Promise<RunOutcome>;
  cancelTraining(): Promise<void>;
  neighbours(modelDir: string, word: string, k?: number): Promise<Neighbour[]>;
  trainerPid(): number | undefined;
  lastProgress(): { wordsDone: number; wordsTotal: number; loss: number; epoch: number } | undefined;
}

interface Fixture {
  root: string;
  readable: string[];
  binary: string;
  oversize: string;
  neverRead: string[];
  leakWords: Record<string, string>;
}

// ---------- helpers ----------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Rejects if `promise` has not settled after `ms`, so a hung run fails its test instead of the whole suite. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms))),
  ]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const toPosix = (p: string) => p.split(path.sep).join('/').replace(/\\/g, '/');

/** Reads a word2vec binary file completely: header "<count> <dim>\n", then per word "<word> " + dim float32 (+ optional "\n"). */
function readWord2VecBinary(file: string): { count: number; dim: number; words: string[]; vectors: Float32Array[] } {
  const buf = fs.readFileSync(file);
  const eol = buf.indexOf(0x0a);
  assert.ok(eol > 0, 'vectors.bin has a header line');
  const header = buf.subarray(0, eol).toString('ascii');
  const match = /^(\d+) (\d+)$/.exec(header.trim());
  assert.ok(match, `vectors.bin header is "<count> <dim>", got ${JSON.stringify(header)}`);
  const count = Number(match[1]);
  const dim = Number(match[2]);
  const words: string[] = [];
  const vectors: Float32Array[] = [];
  let at = eol + 1;
  for (let i = 0; i < count; i++) {
    while (buf[at] === 0x0a) at++; // the newline after each vector is optional in the format
    const space = buf.indexOf(0x20, at);
    assert.ok(space > at, `word ${i} of ${count} is terminated by a space`);
    words.push(buf.subarray(at, space).toString('utf8'));
    at = space + 1;
    assert.ok(at + dim * 4 <= buf.length, `vectors.bin is truncated at word ${i} of ${count}`);
    const vector = new Float32Array(dim);
    for (let d = 0; d < dim; d++) vector[d] = buf.readFloatLE(at + d * 4);
    vectors.push(vector);
    at += dim * 4;
  }
  while (buf[at] === 0x0a) at++;
  assert.equal(at, buf.length, 'vectors.bin has no bytes after the last vector');
  return { count, dim, words, vectors };
}

/**
 * Waits for a run started just before to be training: its trainer exists and has trained some
 * words. (Until the new trainer exists lastProgress() may describe the previous run; during the
 * vocabulary pass it reports epoch 0 with wordsDone = words counted and wordsTotal = 0.)
 */
async function waitForTraining(api: TransferLabApi): Promise<{ pid: number; progress: NonNullable<ReturnType<TransferLabApi['lastProgress']>> }> {
  const pid = await waitFor('the trainer process', () => api.trainerPid(), 30_000);
  const progress = await waitFor('training progress (epoch >= 1, wordsDone > 0)', () => {
    const p = api.lastProgress();
    return p && p.epoch >= 1 && p.wordsDone > 0 && p.wordsTotal > 0 ? p : undefined;
  }, 60_000);
  return { pid, progress };
}

/** Everything in the models folder that is not a finished model (a folder holding model.json). */
function strayEntries(modelsRoot: string): string[] {
  if (!fs.existsSync(modelsRoot)) return [];
  return fs.readdirSync(modelsRoot).filter((name) => {
    const full = path.join(modelsRoot, name);
    return !(fs.statSync(full).isDirectory() && fs.existsSync(path.join(full, 'model.json')));
  });
}

/** Model folders whose name is `modelName` or a de-duplicated `modelName-N`. */
function modelFoldersNamed(modelsRoot: string, modelName: string): string[] {
  if (!fs.existsSync(modelsRoot)) return [];
  return fs.readdirSync(modelsRoot).filter((name) => name === modelName || new RegExp(`^${modelName}-\\d+$`).test(name));
}

// ---------- the suite ----------

suite('Transfer Lab in the VS Code extension host', () => {
  const fixture: Fixture = JSON.parse(process.env.TRANSFER_LAB_E2E_FIXTURE ?? '{}');
  let workspace: string;
  let modelsRoot: string;
  let api: TransferLabApi;
  let trainedModelDir: string | undefined;

  suiteSetup(() => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the fixture folder is open');
    workspace = folder.uri.fsPath;
    assert.ok(fixture.root, 'TRANSFER_LAB_E2E_FIXTURE describes the fixture');
    assert.equal(fs.realpathSync(workspace), fs.realpathSync(fixture.root), 'the open folder is the fixture');
    modelsRoot = path.join(workspace, '.transfer-lab', 'models');
  });

  // A test that fails mid-run must not leave its run going: the next one would be refused.
  teardown(async () => {
    if (api?.trainerPid() !== undefined) await within(api.cancelTraining(), 15_000, 'cleanup cancel').catch(() => {});
  });

  test('activates on its commands, which are all registered with their titles', async () => {
    const ext = vscode.extensions.getExtension<TransferLabApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    // Contributed commands and their palette titles (category + title).
    const contributed = (ext.packageJSON.contributes?.commands ?? []) as { command: string; title: string; category?: string }[];
    for (const [command, title] of Object.entries(COMMANDS)) {
      const c = contributed.find((x) => x.command === command);
      assert.ok(c, `${command} is contributed`);
      assert.equal(c.category ? `${c.category}: ${c.title}` : c.title, title);
    }
    // Lazy activation: nothing but one of its commands should have activated it.
    assert.equal(ext.isActive, false, 'the extension is not active before one of its commands runs');
    await vscode.commands.executeCommand('transferLab.openPanel');
    await waitFor('the extension to be active', () => ext.isActive, 20_000);
    const registered = await vscode.commands.getCommands(true);
    for (const command of Object.keys(COMMANDS)) assert.ok(registered.includes(command), `${command} is registered`);
    api = ext.exports;
    for (const fn of ['pretrainWorkspace', 'cancelTraining', 'neighbours', 'trainerPid', 'lastProgress'] as const) {
      assert.equal(typeof api?.[fn], 'function', `activate() returns an API with ${fn}()`);
    }
    // The panel opened as a webview tab titled "Transfer Lab" (the tab model arrives asynchronously).
    const tab = await waitFor('the Transfer Lab tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Transfer Lab'),
    );
    assert.ok(tab.input instanceof vscode.TabInputWebview, 'the panel is a webview');
  });

  test('pretrainWorkspace trains a model: vectors.bin + model.json, skipping binary, oversize and excluded files', async function () {
    assert.ok(api, 'API from the activation test');
    const started = Date.now();
    const outcome = await within(api.pretrainWorkspace({ modelName: 'e2e-small', dim: 32, epochs: 2, minCount: 3, seed: 7 }), 90_000, 'pretrainWorkspace');
    console.log(`  small run: ${outcome.status} in ${Date.now() - started} ms`);
    assert.equal(outcome.status, 'done', `run outcome: ${JSON.stringify(outcome)}`);
    assert.ok(outcome.modelDir, 'outcome names the model folder');
    trainedModelDir = outcome.modelDir;
    assert.equal(path.resolve(path.dirname(outcome.modelDir)), path.resolve(modelsRoot), 'the model is in <workspace>/.transfer-lab/models');
    assert.equal(path.basename(outcome.modelDir), 'e2e-small');

    const manifest = JSON.parse(fs.readFileSync(path.join(outcome.modelDir, 'model.json'), 'utf8'));
    assert.equal(typeof manifest.formatVersion, 'number', 'formatVersion');
    assert.equal(manifest.algorithm, 'word2vec');
    assert.equal(manifest.parameters?.dim, 32, 'parameters.dim is the override');
    assert.equal(manifest.parameters?.epochs, 2, 'parameters.epochs is the override');
    assert.equal(manifest.parameters?.minCount, 3, 'parameters.minCount is the override');
    assert.equal(manifest.parameters?.seed, 7, 'parameters.seed is the override');
    assert.ok(manifest.timings && typeof manifest.timings === 'object', 'timings');
    assert.ok(!Number.isNaN(Date.parse(manifest.createdAt)), `createdAt is a date: ${manifest.createdAt}`);

    // Corpus: exactly the readable books were read; the binary and oversize files are listed as
    // skipped with their reason; node_modules/ and .git/ were never even looked at.
    const read = (manifest.corpus?.files ?? []).map(toPosix).sort();
    assert.deepEqual(read, [...fixture.readable].sort(), 'corpus.files = the readable books');
    const skipped = (manifest.corpus?.skipped ?? []) as { path: string; reason: string; detail?: string }[];
    const reasonOf = (rel: string) => skipped.find((s) => toPosix(s.path) === rel)?.reason;
    assert.equal(reasonOf(fixture.binary), 'binary', `skipped: ${JSON.stringify(skipped)}`);
    assert.equal(reasonOf(fixture.oversize), 'too-large', `skipped: ${JSON.stringify(skipped)}`);
    for (const rel of fixture.neverRead) {
      assert.ok(!read.includes(rel), `${rel} was not read`);
      assert.equal(reasonOf(rel), undefined, `${rel} was excluded, not even opened`);
    }

    // vectors.bin: a complete word2vec binary whose header agrees with model.json.
    const vectors = readWord2VecBinary(path.join(outcome.modelDir, 'vectors.bin'));
    assert.equal(vectors.dim, 32, 'header dim');
    assert.equal(vectors.dim, manifest.dim ?? manifest.parameters.dim, 'header dim = model.json');
    if (manifest.vocabularySize !== undefined) assert.equal(vectors.count, manifest.vocabularySize, 'header count = model.json vocabularySize');
    assert.ok(vectors.count > 1000, `a real vocabulary (${vectors.count} words)`);
    assert.equal(new Set(vectors.words).size, vectors.count, 'words are unique');
    assert.ok(vectors.vectors.every((v) => v.every(Number.isFinite)), 'all vector components are finite');
    for (const word of ['emma', 'alice', 'the']) assert.ok(vectors.words.includes(word), `"${word}" is in the vocabulary`);
    // Words planted only in skipped/excluded files must not have been trained on.
    for (const [where, word] of Object.entries(fixture.leakWords)) {
      assert.ok(!vectors.words.includes(word), `"${word}" (only in the ${where} file) is not in the vocabulary`);
    }
    assert.deepEqual(strayEntries(modelsRoot), [], 'no temporary files are left in the models folder');
  });

  test('the Pretrain command trains with the workspace settings (.vscode/settings.json)', async () => {
    assert.ok(api, 'API from the activation test');
    const before = new Set(fs.existsSync(modelsRoot) ? fs.readdirSync(modelsRoot) : []);
    await within(Promise.resolve(vscode.commands.executeCommand('transferLab.pretrainWorkspace')), 90_000, 'the Pretrain command');
    // The command may or may not return the outcome; the new model folder is what counts.
    const created = await waitFor('a new model folder', () => {
      const now = fs.existsSync(modelsRoot) ? fs.readdirSync(modelsRoot).filter((n) => !before.has(n) && !n.startsWith('.')) : [];
      return now.length > 0 ? now : undefined;
    }, 30_000);
    assert.equal(created.length, 1, `one new model: ${created.join(', ')}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(modelsRoot, created[0], 'model.json'), 'utf8'));
    // The fixture's workspace settings: dim 32, epochs 2, minCount 3 (defaults are 100, 5, 5).
    assert.equal(manifest.parameters?.dim, 32, 'transferLab.training.dim');
    assert.equal(manifest.parameters?.epochs, 2, 'transferLab.training.epochs');
    assert.equal(manifest.parameters?.minCount, 3, 'transferLab.training.minCount');
    assert.ok((manifest.corpus?.skipped ?? []).some((x: { reason: string }) => x.reason === 'too-large'), 'transferLab.corpus.maxFileSizeMB = 1 applies');
  });

  test('neighbours returns k words, most similar first, without the word itself', async () => {
    assert.ok(api && trainedModelDir, 'needs the model of the previous test');
    const modelDir = trainedModelDir;
    for (const word of ['emma', 'alice']) {
      const k = 8;
      const rows: Neighbour[] = await within(api.neighbours(modelDir, word, k), 30_000, `neighbours(${word})`);
      console.log(`  ${word}: ${rows.map((r) => `${r.word} ${r.similarity.toFixed(3)}`).join(', ')}`);
      assert.equal(rows.length, k, `${k} rows for ${word}`);
      for (const r of rows) {
        assert.equal(typeof r.word, 'string');
        assert.ok(r.word.length > 0);
        assert.ok(Number.isFinite(r.similarity) && r.similarity >= -1 - 1e-6 && r.similarity <= 1 + 1e-6, `similarity in [-1, 1]: ${r.similarity}`);
      }
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].similarity >= rows[i].similarity, `sorted descending at ${i}`);
      assert.ok(!rows.some((r) => r.word === word), `${word} is not its own neighbour`);
      assert.equal(new Set(rows.map((r) => r.word)).size, k, 'no duplicates');
    }
  });

  test('cancelTraining stops a long run: outcome cancelled, no model, no temp files, trainer process gone', async () => {
    assert.ok(api, 'API from the activation test');
    const modelName = 'e2e-cancel';
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const run = api.pretrainWorkspace({ modelName, dim: 32, epochs: 200, minCount: 3 });
    const { pid, progress } = await waitForTraining(api);
    assert.ok(progress.wordsDone < progress.wordsTotal, `cancelled mid-run: ${JSON.stringify(progress)}`);
    assert.ok(isAlive(pid), `trainer ${pid} is running`);

    const cancelStarted = Date.now();
    await within(api.cancelTraining(), 15_000, 'cancelTraining()');
    const outcome = await within(run, 15_000, 'the cancelled run');
    console.log(`  cancelled after ${progress.wordsDone} words; settled in ${Date.now() - cancelStarted} ms`);
    assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome));
    assert.deepEqual(modelFoldersNamed(modelsRoot, modelName), [], 'no model folder for the cancelled run');
    assert.deepEqual(strayEntries(modelsRoot), [], 'no temporary files are left in the models folder');
    await waitFor(`trainer ${pid} to exit`, () => !isAlive(pid), 5_000);
    assert.equal(api.trainerPid(), undefined, 'no trainer is current after the run');
  });

  test('the Cancel Training command cancels a run too', async () => {
    assert.ok(api, 'API from the activation test');
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const run = api.pretrainWorkspace({ modelName: 'e2e-cancel-command', dim: 32, epochs: 200, minCount: 3 });
    await waitForTraining(api);
    await within(Promise.resolve(vscode.commands.executeCommand('transferLab.cancelTraining')), 15_000, 'the Cancel command');
    const outcome = await within(run, 15_000, 'the cancelled run');
    assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome));
    assert.deepEqual(modelFoldersNamed(modelsRoot, 'e2e-cancel-command'), []);
    // With nothing running, cancelling is a harmless no-op.
    await within(api.cancelTraining(), 5_000, 'cancelTraining() while idle');
    await within(Promise.resolve(vscode.commands.executeCommand('transferLab.cancelTraining')), 5_000, 'the Cancel command while idle');
  });

  test('a crashed trainer is reported as failed, leaves nothing behind, and the next run works', async () => {
    assert.ok(api, 'API from the activation test');
    // No test hook needed: kill the real trainer process mid-run, as the OOM killer would.
    const modelName = 'e2e-crash';
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const run = api.pretrainWorkspace({ modelName, dim: 32, epochs: 200, minCount: 3 });
    const { pid } = await waitForTraining(api);
    process.kill(pid, 'SIGKILL');
    const outcome = await within(run, 15_000, 'the crashed run');
    assert.equal(outcome.status, 'failed', JSON.stringify(outcome));
    assert.ok(typeof outcome.error === 'string' && outcome.error.length > 0, 'the failure has a message');
    console.log(`  crash reported as: ${outcome.error}`);
    assert.deepEqual(modelFoldersNamed(modelsRoot, modelName), [], 'no model folder for the crashed run');
    assert.deepEqual(strayEntries(modelsRoot), [], 'no temporary files are left in the models folder');
    assert.ok(!isAlive(pid));

    const next = await within(api.pretrainWorkspace({ modelName: 'e2e-after-crash', dim: 16, epochs: 1, minCount: 3 }), 60_000, 'the next run');
    assert.equal(next.status, 'done', JSON.stringify(next));
  });
});
