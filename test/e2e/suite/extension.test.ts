// Integration tests of Transfer Lab inside a real VS Code extension host (code-server 1.100.3),
// against the real `vscode` API, the real trainer process and the fixture workspace that
// scripts/e2e/fixture.mjs builds (layout passed in TRANSFER_LAB_E2E_FIXTURE as JSON).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { evaluateAnalogies, evaluateSimilarity } from '../../../src/core/evaluation';
import { loadModelVectors } from '../../../src/core/modelFolder';
import type { EvaluationReport } from '../../../src/shared/protocol';

// ---------- the contract under test ----------

const EXTENSION_ID = 'transfer-lab.transfer-lab';
const COMMANDS = {
  'transferLab.pretrainWorkspace': 'Transfer Lab: Pretrain Word Vectors on Workspace',
  'transferLab.cancelTraining': 'Transfer Lab: Cancel Training',
  'transferLab.openPanel': 'Transfer Lab: Open Panel',
  'transferLab.evaluateModel': 'Transfer Lab: Evaluate Model…',
  'transferLab.fineTuneOnWorkspace': 'Transfer Lab: Fine-tune Model on Workspace',
  'transferLab.fineTuneOnResource': 'Transfer Lab: Fine-tune Model on This',
  'transferLab.pretrainOnResource': 'Transfer Lab: Pretrain Word Vectors on This',
  'transferLab.refreshModels': 'Transfer Lab: Refresh Models',
  'transferLab.importVectors': 'Transfer Lab: Import Pretrained Vectors…',
  'transferLab.trainClassifier': 'Transfer Lab: Train Classifier…',
  'transferLab.transferGainCurve': 'Transfer Lab: Transfer-Gain Curve…',
  'transferLab.classifyFile': 'Transfer Lab: Classify File',
  'transferLab.classifyFolder': 'Transfer Lab: Classify Folder into CSV…',
  'transferLab.pickActiveModel': 'Transfer Lab: Choose Active Model…',
  'transferLab.showNeighbours': 'Transfer Lab: Show Neighbours',
  'transferLab.findSimilarInFile': 'Transfer Lab: Find Similar Words in This File',
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
  algorithm?: 'word2vec' | 'fasttext' | 'glove';
  mode?: 'sg' | 'cbow';
  minn?: number;
  maxn?: number;
  bucket?: number;
  threads?: number;
  checkpointMinutes?: number;
}
interface RunOutcome {
  status: 'done' | 'cancelled' | 'failed';
  modelDir?: string;
  error?: string;
  checkpoint?: string;
}
interface Neighbour {
  word: string;
  similarity: number;
}
interface TransferLabApi {
  pretrainWorkspace(overrides?: RunOverrides): Promise<RunOutcome>;
  fineTune(args: RunOverrides & { modelDir: string; lock: 'none' | 'old'; resource?: string | vscode.Uri }): Promise<RunOutcome>;
  cancelTraining(): Promise<void>;
  neighbours(modelDir: string, word: string, k?: number): Promise<Neighbour[]>;
  query(modelDir: string, text: string, k?: number): Promise<{ label: string; results: Neighbour[]; note?: string }>;
  evaluate(modelDir: string, files: string[]): Promise<EvaluationReport | undefined>;
  trainerPid(): number | undefined;
  lastProgress(): { wordsDone: number; wordsTotal: number; loss: number; epoch: number; unit?: 'words' | 'tokens'; perplexity?: number } | undefined;
  modelTree(): Promise<ModelTreeItem[]>;
  timings(): { activationMs: number; panelReadyMs: number | undefined };
  drawMap(method: 'pca' | 'umap', points: number, seed?: number): Promise<{ words: string[]; coords: number[] } | undefined>;
  exportMap(target: string): Promise<string | undefined>;
  runs(): { id: string; kind: string; title: string; state: string; startedAt: number; endedAt?: number; summary?: string; output?: string; checkpoint?: string; modelDir?: string; description: string; contextValue: string }[];
  settingProblems(): readonly { key: string; message: string }[];
  pretrainEncoder(args: { arch: 'transformer' | 'lstm'; minutes: number; vocabSize?: number; name?: string }): Promise<RunOutcome>;
  inspectEncoder(name: string, texts: string[], word: string): Promise<{ pieces: string[]; occurrences: { text: number; nearest: { token: string }[]; attention?: number[][][] }[]; similarities: { cosine: number }[] }>;
  importVectors(args: { sourcePath: string; modelName?: string; skipBadLines?: boolean }): Promise<RunOutcome>;
  trainClassifier(
    args:
      | { dataPath: string; vectorsDir?: string; settings: { arch: 'bag' | 'cnn' | 'bilstm'; embeddings: 'frozen' | 'tuned' | 'random'; epochs?: number; seed: number } }
      | { dataPath: string; encoderDir: string; encoderTraining: 'frozen' | 'top' | 'all' | 'scratch'; settings: { epochs?: number; batchSize?: number; maxTokens?: number; patience?: number; seed: number } },
  ): Promise<{ status: string; error?: string; value?: ClassifierResultShape }>;
  transferGainCurve(args: { dataPath: string; vectorsDir: string; settings: { arch: 'bag' | 'cnn' | 'bilstm'; epochs?: number; seed: number }; sizes?: number[] }): Promise<{
    status: string;
    error?: string;
    value?: { points: { size: number; variant: string; accuracy: number }[] };
  }>;
}
interface ClassifierResultShape {
  name: string;
  classifierDir: string;
  arch: string;
  encoderTraining?: string;
  dataset: { labels: string[]; train: number; validation: number; test: number };
  report: { accuracy: number; macroF1: number; confusion: number[][] };
  misclassified: { source?: string }[];
  history: unknown[];
}
interface Prediction {
  id: string;
  label: string;
  confidence: number;
}
/** An item of the Models view (sidebar), with the items nested under it. */
interface ModelTreeItem {
  label: string;
  description: string;
  tooltip: string;
  contextValue: string;
  modelDir: string;
  children: ModelTreeItem[];
}

interface Fixture {
  root: string;
  readable: string[];
  binary: string;
  oversize: string;
  neverRead: string[];
  leakWords: Record<string, string>;
  sms: { labelled: string; inbox: string; inboxFiles: { file: string; label: string }[] };
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

/**
 * Answers every quick pick that opens with its first entry until disposed, as a user accepting the
 * default would (the newest classifier, the first model).
 */
function acceptQuickPicks(): vscode.Disposable {
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }, 300);
  return { dispose: () => ((stopped = true), clearInterval(timer)) };
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

/**
 * A small analogy test set in the questions-words.txt format, from words of the two fixture books
 * (Emma, Alice), plus one question with words no book has: it must count as out of vocabulary.
 */
const ANALOGY_SECTIONS: Record<string, string[]> = {
  family: ['he she his her', 'he she him her', 'mr mrs he she', 'brother sister father mother', 'son daughter father mother', 'king queen man woman', 'zzqqa zzqqb he she'],
  'gram7-past-tense': ['look looked walk walked', 'call called ask asked', 'turn turned answer answered', 'say said think thought'],
  'gram8-plural': ['day days hour hours', 'letter letters friend friends', 'thing things word words', 'hand hands eye eyes'],
};
const ANALOGY_TEXT = Object.entries(ANALOGY_SECTIONS)
  .map(([section, questions]) => `: ${section}\n${questions.join('\n')}\n`)
  .join('');
/** Word pairs with similarity scores in the WordSim-353 layout (header row, tab-separated), one pair out of vocabulary. */
const SIMILARITY_PAIRS: [string, string, number][] = [
  ['king', 'queen', 8.6], ['man', 'woman', 8.3], ['father', 'mother', 8.0], ['brother', 'sister', 8.1], ['day', 'night', 6.5],
  ['house', 'home', 8.0], ['letter', 'note', 6.0], ['rabbit', 'hare', 7.5], ['cat', 'dog', 6.0], ['morning', 'evening', 6.8],
  ['young', 'old', 3.0], ['tea', 'cup', 5.5], ['walk', 'garden', 3.5], ['happy', 'glad', 8.2], ['zzqqa', 'king', 5.0],
];
const SIMILARITY_TEXT = `Word 1\tWord 2\tHuman (mean)\n${SIMILARITY_PAIRS.map((p) => p.join('\t')).join('\n')}\n`;

// ---------- the suite ----------

suite('Transfer Lab in the VS Code extension host', () => {
  const fixture: Fixture = JSON.parse(process.env.TRANSFER_LAB_E2E_FIXTURE ?? '{}');
  let workspace: string;
  let modelsRoot: string;
  let api: TransferLabApi;
  let trainedModelDir: string | undefined;
  let fastTextModelDir: string | undefined;

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
    const explorerMenu = (ext.packageJSON.contributes?.menus?.['explorer/context'] ?? []) as { command: string; when?: string }[];
    const fineTuneEntry = explorerMenu.find((m) => m.command === 'transferLab.fineTuneOnResource');
    assert.ok(fineTuneEntry, 'Fine-tune Model on This is in the explorer context menu');
    assert.match(fineTuneEntry.when ?? '', /isWorkspaceTrusted/, 'only in a trusted workspace');
    // Lazy activation: its commands, its views, or a prose file opened (for the hover) activate it,
    // never startup; and activating starts no trainer (see the speed test for its time).
    const events = (ext.packageJSON.activationEvents ?? []) as string[];
    assert.ok(events.every((e) => /^onLanguage:(plaintext|markdown)$/.test(e)), JSON.stringify(events));
    await vscode.commands.executeCommand('transferLab.openPanel');
    await waitFor('the extension to be active', () => ext.isActive, 20_000);
    const registered = await vscode.commands.getCommands(true);
    for (const command of Object.keys(COMMANDS)) assert.ok(registered.includes(command), `${command} is registered`);
    api = ext.exports;
    for (const fn of ['pretrainWorkspace', 'fineTune', 'cancelTraining', 'neighbours', 'query', 'evaluate', 'trainerPid', 'lastProgress'] as const) {
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

  test('a setting that cannot be used as written is named with the value used instead; fixing it clears the warning', async () => {
    const section = vscode.workspace.getConfiguration('transferLab');
    assert.deepEqual(api.settingProblems(), [], 'the fixture workspace settings are all valid');
    try {
      await section.update('training.window', 0, vscode.ConfigurationTarget.Workspace);
      await section.update('training.algorithm', 'bert', vscode.ConfigurationTarget.Workspace);
      const problems = await waitFor('the settings check to see both', () => {
        const found = api.settingProblems();
        return found.length === 2 ? found : undefined;
      }, 10_000, 100);
      assert.deepEqual(problems.map((p) => p.message), [
        'transferLab.training.algorithm is "bert"; it must be one of "word2vec", "fasttext", "glove", so the default "word2vec" is used.',
        'transferLab.training.window is 0; it must be at least 1, so 1 is used.',
      ]);
    } finally {
      await section.update('training.window', undefined, vscode.ConfigurationTarget.Workspace);
      await section.update('training.algorithm', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the problems to clear', () => (api.settingProblems().length === 0 ? true : undefined), 10_000, 100);
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
  test('a trainer killed (SIGKILL) after a checkpoint: failed with the reason, nothing half-written, other models intact; Resume from Checkpoint ends bit-identical to an uninterrupted run', async function () {
    this.timeout(240_000);
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    assert.ok(trainedModelDir, 'a model from the first test');
    const otherModel = path.join(trainedModelDir, 'vectors.bin');
    const otherBytes = fs.readFileSync(otherModel);
    const settings = { dim: 32, epochs: 10, minCount: 3, threads: 1, seed: 21 };
    // A checkpoint every 0.3 s of training.
    const run = api.pretrainWorkspace({ ...settings, modelName: 'e2e-resume', checkpointMinutes: 0.005 });
    const { pid } = await waitForTraining(api);
    await waitFor('a checkpoint after epoch 2', () => {
      const record = api.runs().find((r) => r.title === 'e2e-resume');
      return record?.checkpoint && (api.lastProgress()?.epoch ?? 0) >= 3 ? record : undefined;
    }, 90_000, 50);
    process.kill(pid, 'SIGKILL');
    const outcome = await within(run, 20_000, 'the killed run');
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error ?? '', /stopped unexpectedly \(signal SIGKILL\)/);
    assert.ok(outcome.checkpoint && fs.existsSync(outcome.checkpoint), `checkpoint kept: ${outcome.checkpoint}`);
    assert.deepEqual(modelFoldersNamed(modelsRoot, 'e2e-resume'), [], 'no model folder for the killed run');
    assert.deepEqual(strayEntries(modelsRoot).filter((e) => e !== '.checkpoints'), [], 'no temporary files in the models folder');
    assert.ok(fs.readFileSync(otherModel).equals(otherBytes), 'the other models are untouched');
    const failed = api.runs().find((r) => r.title === 'e2e-resume')!;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.contextValue, 'run-failed-resumable');
    assert.match(failed.description, /can resume from its checkpoint/);

    const resumed = (await within(Promise.resolve(vscode.commands.executeCommand('transferLab.resumeRun', failed)), 120_000, 'resume')) as RunOutcome;
    assert.equal(resumed.status, 'done', JSON.stringify(resumed));
    assert.equal(resumed.modelDir, path.join(modelsRoot, 'e2e-resume'), 'the resumed run writes the model folder the run was writing');
    assert.ok(!fs.existsSync(outcome.checkpoint!), 'the checkpoint is removed once the model is written');
    assert.ok(!fs.existsSync(path.join(modelsRoot, '.checkpoints')), 'and the empty checkpoints folder too');
    assert.equal(api.runs().find((r) => r.id === failed.id)?.contextValue, 'run-failed', 'the failed record no longer offers Resume');
    const manifest = JSON.parse(fs.readFileSync(path.join(resumed.modelDir!, 'model.json'), 'utf8'));
    assert.equal(manifest.training.epochLosses.length, 10);

    // The same run never interrupted: bit-identical vectors (one thread, same seed).
    const reference = await within(api.pretrainWorkspace({ ...settings, modelName: 'e2e-resume-reference', checkpointMinutes: 0 }), 120_000, 'reference run');
    assert.equal(reference.status, 'done');
    const resumedVectors = fs.readFileSync(path.join(resumed.modelDir!, 'vectors.bin'));
    const referenceVectors = fs.readFileSync(path.join(reference.modelDir!, 'vectors.bin'));
    assert.ok(resumedVectors.equals(referenceVectors), 'resumed and uninterrupted runs give the same vectors.bin');
    assert.deepEqual(manifest.training.epochLosses, JSON.parse(fs.readFileSync(path.join(reference.modelDir!, 'model.json'), 'utf8')).training.epochLosses);
  });
  test('a FastText model answers words it never saw, and word arithmetic', async () => {
    assert.ok(api && trainedModelDir, 'needs the Word2Vec model of the earlier test');
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const outcome = await within(
      api.pretrainWorkspace({ modelName: 'e2e-fasttext', algorithm: 'fasttext', mode: 'sg', dim: 32, epochs: 2, minCount: 3, minn: 3, maxn: 5, bucket: 50_000, seed: 5 }),
      120_000,
      'the FastText run',
    );
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    fastTextModelDir = outcome.modelDir!;
    const manifest = JSON.parse(fs.readFileSync(path.join(fastTextModelDir, 'model.json'), 'utf8'));
    assert.equal(manifest.algorithm, 'fasttext');
    assert.equal(manifest.parameters?.mode, 'sg');
    assert.ok(fs.existsSync(path.join(fastTextModelDir, 'subwords.bin')), 'the n-gram rows are saved beside the vectors');

    // A misspelt name is not in the vocabulary; its n-grams are, and they point at the real name.
    const unseen = await within(api.query(fastTextModelDir, 'Woodhousee', 10), 30_000, 'query(Woodhousee)');
    console.log(`  woodhousee (n-grams): ${unseen.results.map((r) => `${r.word} ${r.similarity.toFixed(3)}`).join(', ')}`);
    assert.equal(unseen.note, '"woodhousee" is not in the vocabulary: built from its character n-grams.');
    assert.equal(unseen.results.length, 10);
    assert.ok(unseen.results.every((r) => Number.isFinite(r.similarity) && Math.abs(r.similarity) <= 1 + 1e-6));
    assert.ok(unseen.results.some((r) => r.word === 'woodhouse'), 'woodhouse is among the neighbours of woodhousee');

    const analogy = await within(api.query(fastTextModelDir, 'king - man + woman', 5), 30_000, 'query(king - man + woman)');
    console.log(`  king - man + woman: ${analogy.results.map((r) => `${r.word} ${r.similarity.toFixed(3)}`).join(', ')}`);
    assert.equal(analogy.label, 'king − man + woman');
    assert.equal(analogy.note, undefined, 'all three words are in the vocabulary');
    assert.equal(analogy.results.length, 5);
    assert.ok(!analogy.results.some((r) => ['king', 'man', 'woman'].includes(r.word)), 'the query words are left out');

    // Word2Vec has no n-grams: an unknown word is an error that names it, alone or in arithmetic.
    await assert.rejects(api.query(trainedModelDir, 'zzqqxx'), /"zzqqxx" is not in the vocabulary of e2e-small/);
    await assert.rejects(api.query(trainedModelDir, 'emma - zzqqxx + she'), /"zzqqxx" is not in the vocabulary/);
  });

  test('Evaluate Model scores a model on an analogy file and a similarity file, as the core does', async () => {
    assert.ok(api && fastTextModelDir, 'needs the FastText model of the previous test');
    const evalDir = path.join(path.dirname(workspace), 'eval-sets-integration');
    fs.mkdirSync(evalDir, { recursive: true });
    const analogyFile = path.join(evalDir, 'questions-mini.txt');
    const similarityFile = path.join(evalDir, 'pairs-mini.tsv');
    fs.writeFileSync(analogyFile, ANALOGY_TEXT);
    fs.writeFileSync(similarityFile, SIMILARITY_TEXT);

    const started = Date.now();
    const report = (await within(
      Promise.resolve(vscode.commands.executeCommand('transferLab.evaluateModel', { modelDir: fastTextModelDir, files: [analogyFile, similarityFile] })),
      60_000,
      'the Evaluate Model command',
    )) as EvaluationReport | undefined;
    assert.ok(report, 'the command returns the report');
    console.log(`  evaluated in ${Date.now() - started} ms (worker: ${report.elapsedMs} ms)`);

    assert.equal(report.model.name, 'e2e-fasttext');
    assert.equal(report.model.algorithm, 'fasttext');
    assert.equal(report.model.mode, 'sg');
    assert.equal(report.model.dim, 32);
    assert.equal(report.caseInsensitive, true);
    assert.equal(report.entries.length, 2, JSON.stringify(report.entries.map((e) => e.kind)));
    const [analogies, similarity] = report.entries;

    assert.equal(analogies.kind, 'analogies', JSON.stringify(analogies));
    if (analogies.kind !== 'analogies') return;
    const questions = Object.values(ANALOGY_SECTIONS).flat().length;
    console.log(`  analogies: ${analogies.total.correct}/${analogies.total.total}, OOV ${analogies.oovQuestions} of ${analogies.questions}`);
    assert.equal(analogies.file, 'questions-mini.txt');
    assert.deepEqual(analogies.sections.map((s) => s.name), Object.keys(ANALOGY_SECTIONS));
    assert.equal(analogies.questions, questions, 'every question line is counted');
    assert.ok(analogies.oovQuestions >= 1, 'the zzqq question is out of vocabulary');
    assert.equal(analogies.total.total + analogies.oovQuestions, questions, 'answered + skipped = all questions');
    assert.equal(analogies.semantic.total, analogies.sections[0].total, 'family is the semantic section');
    assert.equal(analogies.syntactic.total, analogies.sections[1].total + analogies.sections[2].total, 'gram* sections are syntactic');
    assert.ok(analogies.total.correct <= analogies.total.total && analogies.total.accuracy >= 0 && analogies.total.accuracy <= 1);

    assert.equal(similarity.kind, 'similarity', JSON.stringify(similarity));
    if (similarity.kind !== 'similarity') return;
    console.log(`  similarity: Spearman ${similarity.spearman}, Pearson ${similarity.pearson}, ${similarity.pairs} pairs, ${similarity.oovPairs} OOV`);
    assert.equal(similarity.pairs + similarity.oovPairs, SIMILARITY_PAIRS.length, 'the header row is not a pair');
    assert.ok(similarity.oovPairs >= 1, 'the zzqq pair is out of vocabulary');
    assert.ok(similarity.spearman !== null && Number.isFinite(similarity.spearman) && similarity.spearman >= -1 && similarity.spearman <= 1, `Spearman ${similarity.spearman}`);
    assert.ok(similarity.pearson !== null && Number.isFinite(similarity.pearson) && similarity.pearson >= -1 && similarity.pearson <= 1, `Pearson ${similarity.pearson}`);

    // The worker thread's numbers are the core's, computed here in the extension host on the same files.
    const { vectors } = await loadModelVectors(fastTextModelDir);
    const options = { restrictVocab: 30_000, caseInsensitive: true };
    const expectedA = await evaluateAnalogies(vectors, analogyFile, options);
    assert.deepEqual(analogies.sections, expectedA.sections);
    assert.deepEqual(analogies.total, expectedA.total);
    assert.equal(analogies.oovQuestions, expectedA.oovQuestions);
    const expectedS = await evaluateSimilarity(vectors, similarityFile, options);
    assert.equal(similarity.spearman, expectedS.spearman);
    assert.equal(similarity.pearson, expectedS.pearson);
    assert.equal(report.restrictVocab, Math.min(30_000, vectors.size));

    // A malformed file is reported on its own; the good one is still scored.
    const broken = path.join(evalDir, 'broken.tsv');
    fs.writeFileSync(broken, 'king\tqueen\t8\nman woman 8\n');
    const mixed = (await within(
      Promise.resolve(vscode.commands.executeCommand('transferLab.evaluateModel', { modelDir: fastTextModelDir, files: [broken, similarityFile] })),
      60_000,
      'Evaluate Model with a broken file',
    )) as EvaluationReport | undefined;
    assert.ok(mixed);
    assert.deepEqual(mixed.entries.map((e) => e.kind), ['error', 'similarity']);
    const failure = mixed.entries[0];
    assert.ok(failure.kind === 'error' && /^broken\.tsv line 2: expected 3 tab-separated fields/.test(failure.message), JSON.stringify(failure));
  });
  test('Evaluate Model without arguments takes the newest model and offers the last test sets again', async () => {
    assert.ok(fastTextModelDir, 'needs the evaluations of the previous test');
    // Newest first, as the model quick pick lists them: the FastText model was trained last.
    const newest = fs
      .readdirSync(modelsRoot)
      .filter((name) => fs.existsSync(path.join(modelsRoot, name, 'model.json')))
      .map((name) => JSON.parse(fs.readFileSync(path.join(modelsRoot, name, 'model.json'), 'utf8')))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    assert.equal(newest.name, 'e2e-fasttext');

    // Accepting what each picker offers first: the newest model, then the remembered files, checked.
    let settled = false;
    const run = Promise.resolve(vscode.commands.executeCommand('transferLab.evaluateModel')).finally(() => (settled = true));
    for (let i = 0; i < 40 && !settled; i++) {
      await sleep(300);
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const report = (await within(run, 30_000, 'Evaluate Model through its pickers')) as EvaluationReport | undefined;
    assert.ok(report, 'the pickers led to an evaluation');
    assert.equal(report.model.name, 'e2e-fasttext', 'the newest model is the default');
    assert.deepEqual(report.entries.map((e) => e.file), ['broken.tsv', 'pairs-mini.tsv'], 'the test sets of the last evaluation');
  });

  // Last: it adds a folder to the workspace (removed again) and a model the tests above do not expect.
  test('Fine-tune Model on This (a folder): child model with its parent in model.json, old vectors fixed, new words learnt', async () => {
    assert.ok(api && trainedModelDir, 'needs the model of the pretrain test');
    const parentDir = trainedModelDir;
    const domain = path.join(workspace, 'ft-domain');
    fs.mkdirSync(path.join(domain, 'notes'), { recursive: true });
    // Words no book has, each well above minCount, around words the parent knows.
    const sentences = [
      'the zorblax walked with emma into the garden and the quendrit followed her',
      'alice saw the zorblax and the quendrit near the house in the morning',
      'a small quendrit sat by the zorblax while the old man read his letter',
      'the vintrope and the zorblax are friends of the quendrit and of alice',
    ];
    fs.writeFileSync(path.join(domain, 'notes', 'domain.txt'), `${Array.from({ length: 40 }, (_, i) => sentences[i % sentences.length]).join('.\n')}.\n`);
    try {
      const folder = vscode.Uri.file(domain);
      // A GloVe run cannot start from existing vectors: refused with a clear message, nothing written.
      const before = fs.readdirSync(modelsRoot).length;
      const glove = await within(api.fineTune({ modelDir: parentDir, lock: 'none', resource: folder, algorithm: 'glove' }), 60_000, 'GloVe fine-tune');
      assert.equal(glove.status, 'failed', JSON.stringify(glove));
      assert.match(glove.error ?? '', /GloVe cannot continue from existing vectors/);
      assert.equal(fs.readdirSync(modelsRoot).length, before, 'the refused run wrote no model');

      const outcome = await within(api.fineTune({ modelDir: parentDir, lock: 'old', resource: folder, epochs: 3, minCount: 3, seed: 3 }), 90_000, 'fineTune');
      assert.equal(outcome.status, 'done', `fine-tune outcome: ${JSON.stringify(outcome)}`);
      assert.ok(outcome.modelDir && fs.existsSync(path.join(outcome.modelDir, 'model.json')), 'the child model folder exists');
      assert.equal(path.resolve(path.dirname(outcome.modelDir)), path.resolve(modelsRoot), 'the child is in the models folder');
      assert.match(path.basename(outcome.modelDir), /^e2e-small-ft-\d{8}-\d{6}(-\d+)?$/, 'named <parent>-ft-<date>');

      const manifest = JSON.parse(fs.readFileSync(path.join(outcome.modelDir, 'model.json'), 'utf8'));
      assert.deepEqual(manifest.parent, { path: parentDir, name: 'e2e-small', lock: 'old' }, 'model.json records its parent');
      assert.equal(manifest.algorithm, 'word2vec');
      assert.equal(manifest.dim, 32, "the parent's dim");
      // Only the clicked folder was read (the workspace's include glob, searched under it).
      assert.deepEqual((manifest.corpus?.files ?? []).map(toPosix), ['ft-domain/notes/domain.txt']);

      const parent = readWord2VecBinary(path.join(parentDir, 'vectors.bin'));
      const child = readWord2VecBinary(path.join(outcome.modelDir, 'vectors.bin'));
      assert.ok(child.count >= parent.count, `the child keeps every parent word (${child.count} >= ${parent.count})`);
      const childIndex = new Map(child.words.map((w, i) => [w, i]));
      // With lock 'old' every parent vector is bit-identical in the child, including words the new text uses.
      for (const word of ['emma', 'alice', 'the', 'garden', 'zorblax', ...parent.words.slice(0, 50)]) {
        const p = parent.words.indexOf(word);
        if (word === 'zorblax') {
          assert.equal(p, -1, 'zorblax is new to the parent');
          continue;
        }
        assert.ok(p >= 0, `${word} is in the parent`);
        const c = childIndex.get(word);
        assert.ok(c !== undefined, `${word} is in the child`);
        assert.deepEqual(Array.from(child.vectors[c]), Array.from(parent.vectors[p]), `${word}'s vector did not move`);
      }
      for (const word of ['zorblax', 'quendrit', 'vintrope']) {
        const c = childIndex.get(word);
        assert.ok(c !== undefined, `the new word "${word}" was learnt`);
        assert.ok(child.vectors[c].every(Number.isFinite) && child.vectors[c].some((x) => x !== 0), `${word} has a trained vector`);
      }
      assert.deepEqual(strayEntries(modelsRoot), [], 'no temporary files are left in the models folder');

      // The context-menu command itself, with the clicked folder: accepting the first entry of each
      // picker takes the newest model (the child just made) and "Let old vectors move (free)".
      const known = new Set(fs.readdirSync(modelsRoot));
      let settled = false;
      const run = Promise.resolve(vscode.commands.executeCommand('transferLab.fineTuneOnResource', folder)).finally(() => (settled = true));
      for (let i = 0; i < 40 && !settled; i++) {
        await sleep(300);
        if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      const viaCommand = (await within(run, 90_000, 'Fine-tune Model on This through its pickers')) as RunOutcome | undefined;
      assert.equal(viaCommand?.status, 'done', `command outcome: ${JSON.stringify(viaCommand)}`);
      const created = fs.readdirSync(modelsRoot).filter((name) => !known.has(name));
      assert.equal(created.length, 1, `one new model: ${created.join(', ')}`);
      const grandchild = JSON.parse(fs.readFileSync(path.join(modelsRoot, created[0], 'model.json'), 'utf8'));
      assert.deepEqual(grandchild.parent, { path: outcome.modelDir, name: manifest.name, lock: 'none' });
    } finally {
      fs.rmSync(domain, { recursive: true, force: true });
    }
  });
  test('the Models view lists the models as a family tree: a fine-tuned model under its parent', async () => {
    assert.ok(api && trainedModelDir, 'needs the model of the pretrain test');
    const ext = vscode.extensions.getExtension<TransferLabApi>(EXTENSION_ID);
    const views = (ext?.packageJSON.contributes?.views?.transferLab ?? []) as { id: string; name: string }[];
    assert.ok(views.some((v) => v.id === 'transferLab.models' && v.name === 'Models'), 'the Models view is in the Transfer Lab view container');
    const containers = (ext?.packageJSON.contributes?.viewsContainers?.activitybar ?? []) as { id: string; icon: string }[];
    assert.ok(containers.some((c) => c.id === 'transferLab' && fs.existsSync(path.join(ext!.extensionPath, c.icon))), 'the activity bar container has its icon');
    const parentDir = trainedModelDir;
    const find = (items: ModelTreeItem[], dir: string): { item: ModelTreeItem; parent?: ModelTreeItem } | undefined => {
      for (const item of items) {
        if (path.resolve(item.modelDir) === path.resolve(dir)) return { item };
        const below = find(item.children, dir);
        if (below) return below.parent ? below : { item: below.item, parent: item };
      }
      return undefined;
    };

    await vscode.commands.executeCommand('transferLab.refreshModels');
    const before = await api.modelTree();
    const listed = find(before, parentDir);
    assert.ok(listed, `the trained model is listed: ${JSON.stringify(before.map((i) => i.label))}`);
    assert.equal(listed.parent, undefined, 'a pretrained model is a root');
    assert.equal(listed.item.label, 'e2e-small');
    assert.equal(listed.item.contextValue, 'model');
    assert.match(listed.item.description, /^Word2Vec skip-gram · [\d,]+ words · \d{4}-\d\d-\d\d \d\d:\d\d$/);
    assert.match(listed.item.tooltip, /Corpus: [\d,]+ files, [\d,]+ words/);
    // Every model folder is in the tree exactly once.
    const all: string[] = [];
    const collect = (items: ModelTreeItem[]) => items.forEach((i) => (all.push(path.basename(i.modelDir)), collect(i.children)));
    collect(before);
    const onDisk = fs.readdirSync(modelsRoot).filter((name) => fs.existsSync(path.join(modelsRoot, name, 'model.json')));
    assert.deepEqual([...all].sort(), [...onDisk].sort(), 'the tree shows every model of the models folder once');

    const domain = path.join(workspace, 'tree-domain');
    fs.mkdirSync(domain, { recursive: true });
    fs.writeFileSync(path.join(domain, 'tree.txt'), `${Array.from({ length: 30 }, () => 'emma and alice walked into the garden with the old man').join('.\n')}.\n`);
    try {
      const outcome = await within(api.fineTune({ modelDir: parentDir, lock: 'none', resource: vscode.Uri.file(domain), epochs: 1, minCount: 2, seed: 5, modelName: 'e2e-tree-child' }), 90_000, 'fineTune');
      assert.equal(outcome.status, 'done', JSON.stringify(outcome));
      const childDir = outcome.modelDir!;
      // The run's end refreshes the view: no refresh command needed.
      const found = await waitFor('the child in the Models view', async () => find(await api.modelTree(), childDir), 15_000, 200);
      assert.ok(found.parent, 'the child is not a root');
      assert.equal(path.resolve(found.parent.modelDir), path.resolve(parentDir), 'the child is shown under its parent');
      assert.equal(found.item.label, 'e2e-tree-child');
      assert.match(found.item.tooltip, /Fine-tuned from e2e-small \(old vectors free to move\)/);

      // A click makes it the panel's model: the command of the item, with its folder.
      await vscode.commands.executeCommand('transferLab.showModel', childDir);
      const answer = await api.query(childDir, 'emma', 3);
      assert.ok(answer.results.length > 0, 'the clicked model answers queries');

      // A model folder deleted behind the extension's back disappears: the folder watcher refreshes
      // the view, and where the file system's events come late the view's Refresh button does.
      fs.rmSync(childDir, { recursive: true, force: true });
      const gone = async () => !find(await api.modelTree(), childDir);
      try {
        await waitFor('the folder watcher to drop the deleted child', gone, 5_000, 200);
      } catch {
        await vscode.commands.executeCommand('transferLab.refreshModels');
        await waitFor('Refresh Models to drop the deleted child', gone, 5_000, 200);
      }
    } finally {
      fs.rmSync(domain, { recursive: true, force: true });
    }
  });

  test('importVectors imports a GloVe text file in the trainer: model.json says imported/glove-text, neighbours work; a corrupt line fails naming it, no model', async function () {
    this.timeout(60_000);
    assert.ok(api, 'API from the activation test');
    // 30 words × 5 dims, deterministic: words in three groups pointing along three axes, with small offsets.
    const words = Array.from({ length: 30 }, (_, i) => `w${String.fromCharCode(97 + (i % 3))}${i}`);
    const row = (i: number) => Array.from({ length: 5 }, (_, d) => (d === i % 3 ? 1 : 0.05 * (((i * 7 + d * 3) % 11) - 5)).toFixed(4));
    const importDir = path.join(workspace, 'import-fixture');
    fs.mkdirSync(importDir, { recursive: true });
    const good = path.join(importDir, 'small glove.txt');
    fs.writeFileSync(good, words.map((w, i) => `${w} ${row(i).join(' ')}`).join('\n') + '\n');

    const outcome = await within(api.importVectors({ sourcePath: good, modelName: 'imported-glove' }), 45_000, 'import');
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    assert.ok(outcome.modelDir);
    assert.equal(path.dirname(outcome.modelDir), modelsRoot, 'the model is saved under the models folder');
    assert.match(path.basename(outcome.modelDir), /^imported-glove(-\d+)?$/);
    const manifest = JSON.parse(fs.readFileSync(path.join(outcome.modelDir, 'model.json'), 'utf8'));
    assert.equal(manifest.algorithm, 'imported');
    assert.equal(manifest.source?.format, 'glove-text');
    assert.equal(manifest.source?.words, 30);
    assert.equal(manifest.source?.dim, 5);
    assert.equal(fs.realpathSync(manifest.source.path), fs.realpathSync(good));
    const binary = readWord2VecBinary(path.join(outcome.modelDir, 'vectors.bin'));
    assert.equal(binary.count, 30);
    assert.equal(binary.dim, 5);
    // Neighbours of a word are its own group: wa0's nearest are the other 'wa' words.
    const neighbours = await api.neighbours(outcome.modelDir, words[0], 5);
    assert.equal(neighbours.length, 5);
    assert.ok(!neighbours.some((n) => n.word === words[0]), 'not the word itself');
    for (const n of neighbours) assert.match(n.word, /^wa\d+$/, JSON.stringify(neighbours));

    // A corrupt line (a non-number on line 7) fails, names the file and the line, and leaves no model folder.
    const lines = words.map((w, i) => `${w} ${row(i).join(' ')}`);
    lines[6] = `${words[6]} 0.1 0.2 oops 0.4 0.5`;
    const bad = path.join(importDir, 'corrupt.txt');
    fs.writeFileSync(bad, lines.join('\n') + '\n');
    const failed = await within(api.importVectors({ sourcePath: bad, modelName: 'corrupt-import' }), 45_000, 'corrupt import');
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /corrupt\.txt/, failed.error);
    assert.match(failed.error ?? '', /line 7\b/, failed.error);
    assert.deepEqual(modelFoldersNamed(modelsRoot, 'corrupt-import'), [], 'no model folder for a failed import');
    assert.deepEqual(strayEntries(modelsRoot), [], 'no temporary folders left');
    assert.equal(api.trainerPid(), undefined, 'the trainer process is gone');

    // With skipBadLines the same file imports, without the bad line.
    const skipped = await within(api.importVectors({ sourcePath: bad, modelName: 'corrupt-skipped', skipBadLines: true }), 45_000, 'import skipping');
    assert.equal(skipped.status, 'done', JSON.stringify(skipped));
    const skippedManifest = JSON.parse(fs.readFileSync(path.join(skipped.modelDir!, 'model.json'), 'utf8'));
    assert.equal(skippedManifest.source.skippedLines, 1);
    assert.equal(skippedManifest.vocabularySize, 29);
    fs.rmSync(importDir, { recursive: true, force: true });
  });
  test('classifiers: train from scratch and on a model’s vectors, Classify File / Classify Folder into CSV from the explorer, the transfer-gain curve', async function () {
    this.timeout(240_000);
    const { labelled, inbox, inboxFiles } = fixture.sms;
    // On a model's vectors (trained here on the two books), frozen: the run names them. (Books are
    // poor vectors for SMS; the classifier from scratch below, the newest, is the one used after.)
    const vectors = await within(api.pretrainWorkspace({ modelName: 'clf-vectors', epochs: 1, seed: 2 }), 60_000, 'vectors for the classifier');
    assert.equal(vectors.status, 'done');
    const frozen = await within(api.trainClassifier({ dataPath: labelled, vectorsDir: vectors.modelDir, settings: { arch: 'bag', embeddings: 'frozen', epochs: 8, seed: 1 } }), 120_000, 'classifier on vectors');
    assert.equal(frozen.status, 'done', JSON.stringify(frozen.error));
    assert.match(frozen.value!.name, /clf-vectors/);

    const scratch = await within(api.trainClassifier({ dataPath: labelled, settings: { arch: 'bag', embeddings: 'random', epochs: 8, seed: 1 } }), 120_000, 'classifier from scratch');
    assert.equal(scratch.status, 'done', JSON.stringify(scratch.error));
    const result = scratch.value!;
    assert.deepEqual(result.dataset.labels, ['ham', 'spam']);
    assert.equal(result.dataset.train + result.dataset.validation + result.dataset.test, 400);
    // 200 messages a class: chance is 50%. Stated threshold: 85% on the held-out 40.
    assert.ok(result.report.accuracy >= 0.85, `test accuracy ${result.report.accuracy}`);
    assert.equal(result.report.confusion.flat().reduce((a, b) => a + b, 0), result.dataset.test);
    assert.ok(result.history.length >= 1);
    const classifierRoot = path.join(workspace, '.transfer-lab', 'classifiers');
    assert.equal(path.dirname(result.classifierDir), classifierRoot, 'saved in the classifiers folder');
    for (const file of ['classifier.json', 'weights.bin']) assert.ok(fs.existsSync(path.join(result.classifierDir, file)), file);
    for (const m of result.misclassified) assert.ok(m.source && fs.existsSync(m.source), `the source of a mistake is a file: ${m.source}`);

    // Classify File, as the explorer's context menu calls it (with the file's URI); two classifiers
    // exist, so its quick pick is answered with the newest (the first entry): the one from scratch.
    const spamFile = path.join(path.dirname(inbox), inboxFiles.find((f) => f.label === 'spam')!.file);
    const picked = acceptQuickPicks();
    const prediction = (await within(Promise.resolve(vscode.commands.executeCommand('transferLab.classifyFile', vscode.Uri.file(spamFile))), 60_000, 'Classify File')) as Prediction | undefined;
    picked.dispose();
    assert.ok(prediction, 'Classify File returns its prediction');
    assert.equal(prediction.id, spamFile);
    assert.ok(['ham', 'spam'].includes(prediction.label) && prediction.confidence >= 0.5 && prediction.confidence <= 1, JSON.stringify(prediction));

    // Classify Selection on the same message opened in an editor, all of it selected.
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(spamFile));
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    const picked1 = acceptQuickPicks();
    const selected = (await within(Promise.resolve(vscode.commands.executeCommand('transferLab.classifySelection')), 60_000, 'Classify Selection')) as Prediction | undefined;
    picked1.dispose();
    assert.ok(selected, 'Classify Selection returns its prediction');
    assert.equal(selected.id, 'selection');
    assert.equal(selected.label, prediction.label, 'the same text gets the same label');
    assert.ok(Math.abs(selected.confidence - prediction.confidence) < 1e-6);

    // Classify Folder into CSV on the inbox: one row per file, with every label's probability.
    const csv = path.join(path.dirname(inbox), 'inbox-labels.csv');
    const picked2 = acceptQuickPicks();
    const folderRun = (await within(
      Promise.resolve(vscode.commands.executeCommand('transferLab.classifyFolder', vscode.Uri.file(inbox), vscode.Uri.file(csv))),
      60_000,
      'Classify Folder',
    )) as { csv: string; predictions: Prediction[] } | undefined;
    picked2.dispose();
    assert.ok(folderRun, 'Classify Folder returns its rows');
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'file,label,confidence,p_ham,p_spam');
    assert.equal(rows.length, inboxFiles.length + 1);
    let right = 0;
    for (const { file, label } of inboxFiles) {
      const row = rows.find((r) => r.startsWith(`${path.basename(file)},`));
      assert.ok(row, `a row for ${file}`);
      const [, predicted, confidence, pHam, pSpam] = row.split(',');
      assert.ok(Math.abs(Number(pHam) + Number(pSpam) - 1) < 1e-3 && Number(confidence) === Math.max(Number(pHam), Number(pSpam)), row);
      if (predicted === label) right++;
    }
    assert.ok(right >= inboxFiles.length - 2, `${right} of ${inboxFiles.length} inbox messages right`);
    // Closed only now: an editor closing moves the focus, which would dismiss a quick pick opening then.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // The transfer-gain curve: every size (and all) for each of the three variants.
    const curve = await within(api.transferGainCurve({ dataPath: labelled, vectorsDir: vectors.modelDir!, settings: { arch: 'bag', epochs: 4, seed: 1 }, sizes: [40] }), 120_000, 'curve');
    assert.equal(curve.status, 'done', JSON.stringify(curve.error));
    const points = curve.value!.points.map((p) => `${p.size}/${p.variant}`);
    const all = result.dataset.train;
    assert.deepEqual(points, [40, all].flatMap((n) => ['random', 'frozen', 'tuned'].map((v) => `${n}/${v}`)));
    assert.equal(api.trainerPid(), undefined, 'no trainer left running');
  });
  test('editor: the active model’s neighbours in a hover, Show Neighbours and Find Similar Words on a selection; the hover setting turns it off', async function () {
    this.timeout(120_000);
    const model = await within(api.pretrainWorkspace({ modelName: 'editor-model', epochs: 2, seed: 4 }), 60_000, 'model for the editor');
    assert.equal(model.status, 'done');
    const chosen = await vscode.commands.executeCommand('transferLab.pickActiveModel', model.modelDir);
    assert.equal(chosen, model.modelDir);

    const document = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'Emma was happy, and Harriet smiled at Mr. Knightley and his sister.\n' });
    const editor = await vscode.window.showTextDocument(document);
    const hoverText = async () => {
      const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, new vscode.Position(0, 1))) as vscode.Hover[];
      // Markdown escapes (editor\-model) removed: the test reads the text as a user sees it.
      return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n').replace(/\\(.)/g, '$1');
    };
    const shown = await hoverText();
    assert.match(shown, /\*\*Transfer Lab\*\* · nearest to \*emma\* in editor-model/);
    const listed = /nearest to[^\n]*\n\n([^\n]+)/.exec(shown)![1].split(' · ');
    assert.equal(listed.length, 8, shown);
    const expected = (await api.neighbours(model.modelDir!, 'emma', 8)).map((n) => n.word);
    assert.deepEqual(listed.map((item) => item.split(' `')[0]), expected, 'the hover lists the model\'s own neighbours, in order');

    editor.selection = new vscode.Selection(0, 20, 0, 27); // "Harriet"
    const neighbours = (await vscode.commands.executeCommand('transferLab.showNeighbours')) as { word: string; similarity: number }[];
    assert.deepEqual(neighbours.map((n) => n.word), (await api.neighbours(model.modelDir!, 'harriet', 10)).map((n) => n.word));

    const similar = (await vscode.commands.executeCommand('transferLab.findSimilarInFile', 'emma', { pick: false })) as {
      word: string;
      similar: { word: string; similarity: number; occurrences: number }[];
    };
    assert.equal(similar.word, 'emma');
    assert.ok(similar.similar.length >= 3, JSON.stringify(similar));
    const docWords = new Set(document.getText().toLowerCase().match(/[a-z]+/g));
    for (const s of similar.similar) assert.ok(docWords.has(s.word) && s.word !== 'emma' && s.occurrences >= 1, JSON.stringify(s));
    const sims = similar.similar.map((s) => s.similarity);
    assert.deepEqual([...sims].sort((a, b) => b - a), sims, 'most similar first');

    await vscode.workspace.getConfiguration('transferLab').update('hover.enabled', false, vscode.ConfigurationTarget.Workspace);
    try {
      assert.doesNotMatch(await hoverText(), /Transfer Lab/, 'no hover with transferLab.hover.enabled off');
    } finally {
      await vscode.workspace.getConfiguration('transferLab').update('hover.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
  test('Models view actions: export as word2vec binary and Projector TSV, rename (children follow), delete after confirmation', async function () {
    this.timeout(180_000);
    const parent = await within(api.pretrainWorkspace({ modelName: 'actions-parent', epochs: 1, seed: 6 }), 60_000, 'parent');
    assert.equal(parent.status, 'done');
    const domain = path.join(workspace, fixture.readable[1]);
    const child = await within(api.fineTune({ modelDir: parent.modelDir!, lock: 'none', resource: vscode.Uri.file(domain), epochs: 1, modelName: 'actions-child' }), 60_000, 'child');
    assert.equal(child.status, 'done');

    const exportDir = fs.mkdtempSync(path.join(path.dirname(workspace), 'export-'));
    const bin = path.join(exportDir, 'parent.bin');
    assert.equal(await vscode.commands.executeCommand('transferLab.exportModel', { modelDir: parent.modelDir }, vscode.Uri.file(bin)), bin);
    const exported = readWord2VecBinary(bin);
    const original = readWord2VecBinary(path.join(parent.modelDir!, 'vectors.bin'));
    assert.deepEqual(exported.words, original.words);
    assert.deepEqual(exported.vectors[5], original.vectors[5]);
    const tsv = path.join(exportDir, 'parent.tsv');
    await vscode.commands.executeCommand('transferLab.exportModel', { modelDir: parent.modelDir }, vscode.Uri.file(tsv));
    assert.equal(fs.readFileSync(tsv, 'utf8').trim().split('\n').length, original.count);
    assert.deepEqual(fs.readFileSync(path.join(exportDir, 'parent.metadata.tsv'), 'utf8').trim().split('\n'), original.words);

    const renamed = (await vscode.commands.executeCommand('transferLab.renameModel', { modelDir: parent.modelDir }, 'actions-base')) as string;
    assert.equal(renamed, path.join(modelsRoot, 'actions-base'));
    assert.ok(!fs.existsSync(parent.modelDir!) && fs.existsSync(path.join(renamed, 'vectors.bin')));
    assert.equal(JSON.parse(fs.readFileSync(path.join(renamed, 'model.json'), 'utf8')).name, 'actions-base');
    const childManifest = JSON.parse(fs.readFileSync(path.join(child.modelDir!, 'model.json'), 'utf8'));
    assert.equal(childManifest.parent.path, renamed, 'the child names its renamed parent');
    const tree = await api.modelTree();
    const base = tree.find((item) => item.modelDir === renamed);
    assert.ok(base && base.children.some((c) => c.modelDir === child.modelDir), 'the child is still under its parent');
    assert.equal(await vscode.commands.executeCommand('transferLab.renameModel', { modelDir: renamed }, path.basename(child.modelDir!)), undefined, 'a taken name is refused');

    assert.equal(await vscode.commands.executeCommand('transferLab.deleteModel', { modelDir: child.modelDir }, { confirmed: true }), true);
    assert.ok(!fs.existsSync(child.modelDir!), 'the child folder is gone');
    assert.ok((await api.modelTree()).every((item) => item.modelDir !== child.modelDir && item.children.every((c) => c.modelDir !== child.modelDir)));
    fs.rmSync(exportDir, { recursive: true, force: true });
  });
  test('Runs view: each run with its state and numbers; Cancel Run and Run Again from its items', async function () {
    this.timeout(180_000);
    const first = await within(api.pretrainWorkspace({ modelName: 'runs-view', epochs: 1, seed: 8 }), 60_000, 'a run');
    assert.equal(first.status, 'done');
    const record = api.runs()[0];
    assert.equal(record.kind, 'pretrain');
    assert.equal(record.title, 'runs-view');
    assert.equal(record.state, 'done');
    assert.equal(record.output, first.modelDir);
    assert.equal(record.contextValue, 'run-done-output');
    assert.match(record.description, /^done · \d+ s · [\d,]+ words × 32 · loss \d+\.\d{3} · \d+k? words\/s$/, record.description);

    // Run Again: the same settings, a new model.
    const again = (await within(Promise.resolve(vscode.commands.executeCommand('transferLab.rerun', record)), 60_000, 'rerun')) as RunOutcome;
    assert.equal(again.status, 'done');
    assert.notEqual(again.modelDir, first.modelDir);
    const rerun = api.runs()[0];
    assert.equal(rerun.state, 'done');
    assert.equal(rerun.output, again.modelDir);
    const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    assert.deepEqual(manifest(again.modelDir!).parameters, manifest(first.modelDir!).parameters, 'run again keeps every parameter');

    // Cancel Run on a running item.
    const long = api.pretrainWorkspace({ modelName: 'runs-view-long', dim: 32, epochs: 200, minCount: 3 });
    await waitForTraining(api);
    const running = api.runs()[0];
    assert.equal(running.state, 'running');
    assert.equal(running.contextValue, 'run-running');
    await within(Promise.resolve(vscode.commands.executeCommand('transferLab.cancelRun', running)), 20_000, 'cancel run');
    assert.equal((await within(long, 20_000, 'the cancelled run')).status, 'cancelled');
    assert.equal(api.runs()[0].state, 'cancelled');
    assert.equal(api.runs()[0].contextValue, 'run-cancelled');
  });
  test('jobs started together queue: a second pretraining and a classifier wait their turn, none interleave, all finish; a queued run can be cancelled', async function () {
    this.timeout(300_000);
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const { labelled } = fixture.sms;
    const first = api.pretrainWorkspace({ modelName: 'queue-first', epochs: 2, seed: 11 });
    const second = api.pretrainWorkspace({ modelName: 'queue-second', epochs: 1, seed: 12 });
    const classifier = api.trainClassifier({ dataPath: labelled, settings: { arch: 'bag', embeddings: 'random', epochs: 2, seed: 1 } });
    const byTitle = (pattern: RegExp) => api.runs().find((r) => pattern.test(r.title));
    await waitFor('the second run shown as queued', () => (byTitle(/^queue-second$/)?.state === 'queued' ? true : undefined), 20_000, 100);
    const queued = byTitle(/^queue-second$/)!;
    assert.equal(queued.contextValue, 'run-queued');
    assert.match(queued.description, /^queued \d+ s, starts when the run before it ends$/, queued.description);
    assert.equal(byTitle(/^labelled-bag-scratch/)?.state, 'queued', 'the classifier waits behind both');

    const outcomes = await within(Promise.all([first, second, classifier]), 240_000, 'three queued jobs');
    assert.deepEqual(outcomes.map((o) => o.status), ['done', 'done', 'done']);
    const [a, b, c] = [byTitle(/^queue-first$/)!, byTitle(/^queue-second$/)!, byTitle(/^labelled-bag-scratch/)!];
    for (const r of [a, b, c]) assert.equal(r.state, 'done', `${r.title}: ${r.description}`);
    assert.ok(b.startedAt >= a.endedAt!, `the second started (${b.startedAt}) after the first ended (${a.endedAt})`);
    assert.ok(c.startedAt >= b.endedAt!, `the classifier started (${c.startedAt}) after the second ended (${b.endedAt})`);
    assert.notEqual(outcomes[0].modelDir, outcomes[1].modelDir);

    // Cancel Run on a queued item: it never starts, the running one is untouched.
    const long = api.pretrainWorkspace({ modelName: 'queue-long', dim: 32, epochs: 200, minCount: 3 });
    const dropped = api.pretrainWorkspace({ modelName: 'queue-dropped', epochs: 1 });
    await waitFor('queue-dropped queued', () => (byTitle(/^queue-dropped$/)?.state === 'queued' ? true : undefined), 20_000, 100);
    await vscode.commands.executeCommand('transferLab.cancelRun', byTitle(/^queue-dropped$/));
    assert.equal((await within(dropped, 10_000, 'the dropped run')).status, 'cancelled');
    assert.equal(byTitle(/^queue-dropped$/)?.state, 'cancelled');
    assert.equal(byTitle(/^queue-dropped$/)?.summary, 'cancelled while queued');
    assert.deepEqual(modelFoldersNamed(modelsRoot, 'queue-dropped'), [], 'no model folder for a run that never started');
    await waitForTraining(api);
    assert.equal(byTitle(/^queue-long$/)?.state, 'running');
    await within(api.cancelTraining(), 20_000, 'cancel the long run');
    assert.equal((await within(long, 20_000, 'the long run')).status, 'cancelled');
  });
  test('Pretrain Encoder: an LSTM pretrained on the workspace in the trainer for a time budget, its loss on the panel chart, written as an encoder folder', async function () {
    this.timeout(180_000);
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const outcome = await within(api.pretrainEncoder({ arch: 'lstm', minutes: 0.15, vocabSize: 600, name: 'e2e-encoder' }), 150_000, 'pretrainEncoder');
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    assert.equal(outcome.modelDir, path.join(workspace, '.transfer-lab', 'encoders', 'e2e-encoder'));
    assert.deepEqual(fs.readdirSync(outcome.modelDir!).sort(), ['encoder.json', 'tokenizer.json', 'weights.bin']);
    const manifest = JSON.parse(fs.readFileSync(path.join(outcome.modelDir!, 'encoder.json'), 'utf8'));
    assert.equal(manifest.config.arch, 'lstm');
    assert.equal(manifest.config.vocabSize, 600);
    const progress = api.lastProgress();
    assert.ok(progress && progress.unit === 'tokens' && progress.loss > 0 && (progress.perplexity ?? 0) > 1, JSON.stringify(progress));
    const record = api.runs().find((r) => r.title === 'e2e-encoder')!;
    assert.equal(record.kind, 'encoder');
    assert.equal(record.state, 'done');
    assert.match(record.description, /lstm · \d+ steps · loss \d+\.\d{3} \(perplexity \d+\) · [\d,]+ tokens\/s/);

    // The panel's Inspect, through its own trainer process: a word in two sentences.
    const inspection = await within(api.inspectEncoder('e2e-encoder', ['emma said she was happy', 'harriet thought emma was right'], 'emma'), 60_000, 'inspect');
    assert.equal(inspection.occurrences.length, 2);
    assert.equal(inspection.similarities.length, 1);
    assert.ok(Math.abs(inspection.similarities[0].cosine) <= 1);
    assert.ok(inspection.occurrences.every((o) => o.nearest.length > 0 && o.attention === undefined), 'an LSTM has no attention maps');
    await assert.rejects(api.inspectEncoder('no-such-encoder', ['emma'], 'emma'), /There is no encoder named no-such-encoder/);
  });
  test('Train Classifier on a pretrained encoder: frozen, saved in the classifiers folder, and Classify File labels a file with it', async function () {
    this.timeout(180_000);
    assert.equal(api.trainerPid(), undefined, 'no other run is in progress');
    const { labelled, inbox, inboxFiles } = fixture.sms;
    // The Pretrain Encoder case's encoder; pretrained here (briefly) when that case did not run.
    let encoderDir = path.join(workspace, '.transfer-lab', 'encoders', 'e2e-encoder');
    if (!fs.existsSync(path.join(encoderDir, 'encoder.json'))) {
      const pretrained = await within(api.pretrainEncoder({ arch: 'lstm', minutes: 0.15, vocabSize: 600, name: 'e2e-clf-encoder' }), 60_000, 'pretrainEncoder for the classifier');
      assert.equal(pretrained.status, 'done', JSON.stringify(pretrained));
      encoderDir = pretrained.modelDir!;
    }
    const outcome = await within(api.trainClassifier({ dataPath: labelled, encoderDir, encoderTraining: 'frozen', settings: { epochs: 3, seed: 1 } }), 90_000, 'classifier on the encoder');
    assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
    const result = outcome.value!;
    assert.match(result.name, /-lstm-frozen$/);
    assert.equal(result.arch, 'lstm');
    assert.equal(result.encoderTraining, 'frozen');
    assert.deepEqual(result.dataset.labels, ['ham', 'spam']);
    assert.ok(result.history.length >= 1);
    assert.equal(result.report.confusion.flat().reduce((a, b) => a + b, 0), result.dataset.test);
    assert.equal(path.dirname(result.classifierDir), path.join(workspace, '.transfer-lab', 'classifiers'), 'saved in the classifiers folder');
    assert.deepEqual(fs.readdirSync(result.classifierDir).sort(), ['classifier.json', 'encoder.json', 'head.bin', 'tokenizer.json', 'weights.bin']);
    const record = api.runs().find((r) => r.title === result.name)!;
    assert.equal(record.kind, 'classifier');
    assert.equal(record.state, 'done');
    assert.match(record.description, /lstm encoder, frozen .* test accuracy \d+\.\d%/);

    // Classify File from the explorer: the newest classifier (the first entry of the quick pick) is this one.
    const spamFile = path.join(path.dirname(inbox), inboxFiles.find((f) => f.label === 'spam')!.file);
    const picked = acceptQuickPicks();
    const prediction = (await within(Promise.resolve(vscode.commands.executeCommand('transferLab.classifyFile', vscode.Uri.file(spamFile))), 60_000, 'Classify File')) as Prediction | undefined;
    picked.dispose();
    assert.ok(prediction, 'Classify File returns its prediction');
    assert.equal(prediction.id, spamFile);
    assert.ok(['ham', 'spam'].includes(prediction.label) && prediction.confidence >= 0.5 && prediction.confidence <= 1, JSON.stringify(prediction));
  });
  test('the map: PCA and UMAP of the active model’s most frequent words in a worker, reproducible by seed, exported as CSV', async function () {
    this.timeout(180_000);
    const model = await within(api.pretrainWorkspace({ modelName: 'map-model', epochs: 1, seed: 9 }), 60_000, 'model for the map');
    assert.equal(model.status, 'done');
    const vectors = readWord2VecBinary(path.join(model.modelDir!, 'vectors.bin'));
    const pca = await within(api.drawMap('pca', 500), 60_000, 'PCA map');
    assert.ok(pca, 'a PCA map');
    assert.deepEqual(pca.words, vectors.words.slice(0, 500), 'the 500 most frequent words, in order');
    assert.equal(pca.coords.length, 1000);
    assert.ok(pca.coords.every(Number.isFinite));
    const umap1 = await within(api.drawMap('umap', 300, 5), 120_000, 'UMAP map');
    const umap2 = await within(api.drawMap('umap', 300, 5), 120_000, 'UMAP map again');
    assert.ok(umap1 && umap2);
    assert.deepEqual(umap1.coords, umap2.coords, 'the same seed gives the same map');
    const csv = path.join(path.dirname(workspace), 'map-export.csv');
    assert.equal(await api.exportMap(csv), csv);
    const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'word,x,y');
    assert.equal(lines.length, 301);
    const [word, x, y] = lines[1].split(',');
    assert.equal(word, umap2.words[0]);
    // Written as the shortest decimals that read back to the same float32 values.
    assert.equal(Math.fround(Number(x)), umap2.coords[0]);
    assert.equal(Math.fround(Number(y)), umap2.coords[1]);
  });
  test('Pretrain Word Vectors on This (explorer context menu) trains on the clicked file only', async function () {
    this.timeout(90_000);
    const file = path.join(workspace, fixture.readable[1]);
    const outcome = (await within(Promise.resolve(vscode.commands.executeCommand('transferLab.pretrainOnResource', vscode.Uri.file(file))), 60_000, 'pretrain on a file')) as RunOutcome;
    assert.equal(outcome.status, 'done', JSON.stringify(outcome));
    const manifest = JSON.parse(fs.readFileSync(path.join(outcome.modelDir!, 'model.json'), 'utf8'));
    assert.equal(manifest.corpus.filesRead, 1);
    assert.deepEqual(manifest.corpus.files.map(toPosix), [toPosix(fixture.readable[1])]);
    assert.equal(manifest.parent, undefined, 'a pretraining has no parent');
  });
  test('speed, logged (not asserted: these machines are shared): activation, panel first paint, a neighbour query on a 100,000-word model', async function () {
    this.timeout(180_000);
    await vscode.commands.executeCommand('transferLab.openPanel');
    await waitFor('the panel’s first paint', () => api.timings().panelReadyMs !== undefined, 30_000);
    const { activationMs, panelReadyMs } = api.timings();
    assert.ok(activationMs > 0 && panelReadyMs! > 0, JSON.stringify(api.timings()));
    // 100,000 words × 100 dimensions, imported like any vectors file.
    const { WordVectors } = await import('../../../src/core/vectors');
    const { writeWord2Vec } = await import('../../../src/core/formats/word2vecFormat');
    const size = 100_000;
    const data = new Float32Array(size * 100);
    let state = 7;
    for (let i = 0; i < data.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) | 0;
      data[i] = state / 2 ** 31;
    }
    const file = path.join(path.dirname(workspace), 'big-100k.bin');
    await writeWord2Vec(new WordVectors(Array.from({ length: size }, (_, i) => `w${i}`), 100, data), file, { binary: true });
    const imported = await within(api.importVectors({ sourcePath: file, modelName: 'speed-100k' }), 120_000, 'import 100k');
    assert.equal(imported.status, 'done');
    await api.query(imported.modelDir!, 'w1', 10); // loads the model
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const answer = await api.query(imported.modelDir!, `w${i * 4999}`, 10);
      times.push(performance.now() - started);
      assert.equal(answer.results.length, 10);
    }
    times.sort((a, b) => a - b);
    const line = `SPEED activation ${activationMs.toFixed(1)} ms; panel first paint ${panelReadyMs!.toFixed(0)} ms; neighbour query on 100,000 × 100: median ${times[10].toFixed(1)} ms, worst ${times[19].toFixed(1)} ms`;
    console.log(`  ${line}`);
    fs.appendFileSync(path.join(path.dirname(workspace), 'speed.log'), `${line}\n`);
    fs.rmSync(file, { force: true });
  });
});
