// The webview is the extension's least trusted neighbour: it renders text from the user's files and
// models, so it gets a strict CSP, only our own bundled files, and no say in which files the host reads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { parsePanelToHost, parseTrainerToHost } from '../../src/shared/protocol';
import { builtFile, repoRoot } from './builtDist';
import { WordVectors } from '../../src/core/vectors';
import { listModels, loadModelVectors, MODEL_FORMAT_VERSION, writeModelFolder, type ModelManifest } from '../../src/core/modelFolder';

const EXTENSION = '/ext/transfer-lab';
const RESOURCE_ORIGIN = 'https://file+.vscode-resource.vscode-cdn.net';
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

// ---------- a fake vscode, enough to open the panel and talk to it ----------

interface FakeUri {
  fsPath: string;
  path: string;
  toString(): string;
}
const uri = (p: string): FakeUri => ({ fsPath: p, path: p, toString: () => `file://${p}` });

interface Opened {
  options: { enableScripts?: boolean; enableCommandUris?: unknown; localResourceRoots?: FakeUri[] };
  html: string;
  receive: (raw: unknown) => void;
  posted: unknown[];
}

const opened: Opened[] = [];
const calls: string[] = [];

const fakeVscode = {
  ViewColumn: { Active: -1 },
  Uri: { joinPath: (base: FakeUri, ...segments: string[]) => uri(path.posix.join(base.path, ...segments)) },
  workspace: { workspaceFolders: undefined, isTrusted: true },
  commands: {
    executeCommand: async (command: string) => {
      calls.push(`command ${command}`);
    },
  },
  window: {
    createWebviewPanel: (_viewType: string, _title: string, _column: unknown, options: Opened['options']) => {
      const record: Opened = { options, html: '', receive: () => assert.fail('no message listener'), posted: [] };
      opened.push(record);
      const webview = {
        cspSource: RESOURCE_ORIGIN,
        asWebviewUri: (u: FakeUri) => ({ toString: () => `${RESOURCE_ORIGIN}${u.path}` }),
        set html(value: string) {
          record.html = value;
        },
        get html() {
          return record.html;
        },
        onDidReceiveMessage: (listener: (raw: unknown) => void) => {
          record.receive = listener;
          return { dispose() {} };
        },
        postMessage: async (message: unknown) => {
          record.posted.push(message);
          return true;
        },
      };
      return {
        webview,
        visible: true,
        reveal() {},
        dispose() {},
        onDidDispose: () => ({ dispose() {} }),
        onDidChangeViewState: () => ({ dispose() {} }),
      };
    },
    showSaveDialog: async () => {
      calls.push('showSaveDialog');
      return undefined;
    },
  },
};

/** Every service method the panel could reach records its name: a dropped message reaches none. */
function recordingService(name: string): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (property === 'onEvent') return () => ({ dispose() {} });
        if (property === 'snapshot') return () => [];
        if (property === 'activeModel' || property === 'pair' || property === 'then') return undefined;
        if (property === 'modelsFolder') return '.transfer-lab/models';
        return async () => {
          calls.push(`${name}.${String(property)}`);
        };
      },
    },
  );
}

const services = Object.fromEntries(['runs', 'queries', 'evaluator', 'comparer', 'classifiers', 'map', 'config'].map((n) => [n, recordingService(n)]));

type PanelModule = typeof import('../../src/extension/panel');
let panelModule: PanelModule;

function openPanel(): Opened {
  const panel = panelModule.TrainingPanel.show(uri(EXTENSION) as never, services as never);
  const record = opened.at(-1)!;
  // Closing it lets the next show() render afresh instead of revealing this one.
  panel.dispose();
  return record;
}

before(() => {
  const requireFromRoot = createRequire(path.join(repoRoot, 'package.json'));
  const Module = requireFromRoot('node:module');
  const originalLoad = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return fakeVscode;
    return originalLoad.call(this, request, ...rest);
  };
  try {
    panelModule = requireFromRoot('./src/extension/panel.ts');
  } finally {
    Module._load = originalLoad;
  }
});

// ---------- the panel's HTML ----------

describe('the panel webview', () => {
  it('sets a CSP that allows nothing by default and scripts only by nonce', () => {
    const { html } = openPanel();
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'the page declares a CSP in a meta tag');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    const scriptSrc = directives.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1, `script-src is the nonce alone: ${scriptSrc.join(' ')}`);
    assert.match(scriptSrc[0], /^'nonce-[A-Za-z0-9+/]{22}==?'$/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|\*/);
    for (const [name, values] of directives) {
      for (const value of values) {
        assert.ok(value === RESOURCE_ORIGIN || value === 'data:' || value.startsWith("'"), `${name} allows only the extension's own files: ${value}`);
      }
    }
    // Every script tag carries the nonce; there is no inline script and no inline event handler.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    const nonce = scriptSrc[0].slice("'nonce-".length, -1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}"`));
    assert.equal(scripts[0][2].trim(), '', 'the script is a file, not inline code');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers (the CSP would block them anyway)');
    assert.doesNotMatch(html, /javascript:/i);
  });

  it('uses a fresh random nonce for every render', () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) nonces.add(/'nonce-([^']+)'/.exec(openPanel().html)![1]);
    assert.equal(nonces.size, 20);
  });

  it('loads nothing remote: every URL in the page is one of the extension’s own files', () => {
    const { html } = openPanel();
    const urls = [...html.matchAll(/\b(?:https?:)?\/\/[^\s"'<>);]+/g)].map((m) => m[0]);
    for (const url of urls) {
      if (url === SVG_NAMESPACE) continue; // an XML namespace name, never fetched
      if (url === RESOURCE_ORIGIN) continue; // the CSP's cspSource: the extension's own files
      assert.ok(url.startsWith(`${RESOURCE_ORIGIN}${EXTENSION}/`), `remote or foreign URL in the panel HTML: ${url}`);
    }
    for (const [, attribute, value] of html.matchAll(/\s(src|href)="([^"]*)"/g)) {
      assert.ok(value.startsWith(`${RESOURCE_ORIGIN}${EXTENSION}/`) || value.startsWith('#'), `${attribute}="${value}"`);
    }
    // xmlns is the only place the SVG namespace may appear.
    for (const match of html.matchAll(new RegExp(SVG_NAMESPACE.replace(/[./]/g, '\\$&'), 'g'))) {
      assert.equal(html.slice(match.index! - 7, match.index! - 1), 'xmlns=');
    }
  });

  it('the panel stylesheet fetches nothing remote either', () => {
    const css = readFileSync(path.join(repoRoot, 'media', 'panel.css'), 'utf8');
    assert.doesNotMatch(css, /https?:|@import|url\(\s*['"]?\/\//i);
  });

  it('may read only the extension’s dist/webview and media folders, and has no command links', () => {
    const { options } = openPanel();
    assert.equal(options.enableScripts, true);
    assert.ok(!options.enableCommandUris, 'command: links stay disabled');
    assert.deepEqual(
      options.localResourceRoots?.map((u) => u.fsPath),
      [`${EXTENSION}/dist/webview`, `${EXTENSION}/media`],
    );
  });

  it('is the only webview: no other panel or sidebar view sets HTML', () => {
    const folder = path.join(repoRoot, 'src', 'extension');
    const users = readdirSync(folder)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /createWebviewPanel|registerWebviewViewProvider|registerCustomEditorProvider|webview\.html\s*=/.test(readFileSync(path.join(folder, f), 'utf8')));
    // A new webview needs the same tests as this one before it joins this list.
    assert.deepEqual(users, ['panel.ts']);
  });
});

// ---------- the bundle ----------

describe('the webview bundle', () => {
  it('dist/webview/panel.js calls neither eval nor new Function', () => {
    const bundle = readFileSync(builtFile(path.join('webview', 'panel.js'), ['webview', 'src/shared']), 'utf8');
    // Comments may quote these words (licence headers, docs); only code counts. The CSP would block
    // the calls anyway, but a bundle that needs them is broken under it.
    const code = bundle.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const offenders = [
      ...code.matchAll(/(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(|(?<![\w$.])Function\s*\(\s*["'`]|\bset(?:Timeout|Interval)\s*\(\s*["'`]/g),
    ].map((m) => code.slice(Math.max(0, m.index! - 60), m.index! + 60));
    assert.deepEqual(offenders, [], 'dynamic code in the webview bundle');
  });
});

// ---------- messages from the webview ----------

const PANEL_TYPES: Record<string, string[]> = {
  ready: [], cancel: [], evaluate: [], compare: [], evaluatePair: [], openComparisonReport: [], exportMap: [],
  cancelClassifier: [], trainClassifier: [], drawCurve: [], exportCurve: [],
  query: ['requestId', 'word', 'k'], compareWord: ['requestId', 'word'], complete: ['requestId', 'prefix'],
  drawMap: ['method', 'points'], exportChart: ['format', 'data'], setSecondModel: ['name'], openMisclassified: ['index'],
};
const FIELD_NAMES = ['type', 'requestId', 'word', 'k', 'prefix', 'method', 'points', 'format', 'data', 'name', 'index', 'path', 'modelDir', 'files', 'runId', 'job', '__proto__', 'constructor', 'level', 'message', 'pid', 'report', 'progress', 'model', 'phase', 'bytesDone', 'bytesTotal'];
const TRAINER_TYPES = ['ready', 'log', 'corpus', 'vocabulary', 'progress', 'importProgress', 'done', 'cancelled', 'error', 'classifierDataset', 'classifierEpoch', 'classifierDone', 'curvePoint', 'curveDone', 'predictions'];
const NASTY_STRINGS = ['', ' ', '..', '.', '../../etc/passwd', '/etc/passwd', 'C:\\Windows', 'a/b', 'a\\b', '\u0000', 'x'.repeat(300), 'png', 'csv', 'pca', 'umap', 'info', 'data:image/png;base64,AAAA', 'king', '__proto__', 'toString', 'constructor'];

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values of every kind a structured clone can carry, biased toward near-misses of the real shapes. */
function fuzzValue(rand: () => number, types: string[], depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const r = rand();
  if (depth > 3 || r < 0.35) {
    return pick<() => unknown>([
      () => undefined, () => null, () => true, () => false, () => 0, () => -0, () => Number.NaN, () => Infinity, () => -Infinity,
      () => Math.floor(rand() * 20) - 5, () => rand() * 1e6, () => 2 ** 53 + 1, () => BigInt(7), () => pick(NASTY_STRINGS), () => pick(types),
      () => new Date(0), () => new Uint8Array(3), () => new Map([['type', 'ready']]), () => Symbol('x'),
    ])();
  }
  if (r < 0.45) return Array.from({ length: Math.floor(rand() * 4) }, () => fuzzValue(rand, types, depth + 1));
  const object: Record<string, unknown> = rand() < 0.1 ? Object.create(null) : {};
  if (rand() < 0.9) object.type = rand() < 0.8 ? pick(types) : fuzzValue(rand, types, depth + 1);
  for (let i = Math.floor(rand() * 6); i > 0; i--) {
    const key = pick(FIELD_NAMES);
    // defineProperty so that "__proto__" becomes an own key, as JSON.parse and structured clone make it.
    Object.defineProperty(object, key, { value: fuzzValue(rand, types, depth + 1), enumerable: true, configurable: true, writable: true });
  }
  return object;
}

describe('messages from the webview', () => {
  it('parsePanelToHost never throws on 5000 random values and returns only known, path-free shapes', () => {
    const rand = random(1234);
    const accepted = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const raw = fuzzValue(rand, Object.keys(PANEL_TYPES));
      let message: ReturnType<typeof parsePanelToHost>;
      assert.doesNotThrow(() => {
        message = parsePanelToHost(raw);
      }, `value #${i}`);
      if (message === undefined) continue;
      const allowed = PANEL_TYPES[message.type];
      assert.ok(allowed, `unknown type accepted: ${String(message.type)}`);
      assert.notEqual(message, raw, 'a fresh object, never the webview’s own');
      assert.deepEqual(Object.keys(message).filter((k) => k !== 'type' && !allowed.includes(k)), [], `only the fields of ${message.type}`);
      assert.equal(Object.getPrototypeOf(message), Object.prototype);
      if (message.type === 'setSecondModel' && message.name !== null) {
        assert.doesNotMatch(message.name, /[\\/]|^\.\.?$/, 'a model name, never a path');
      }
      accepted.set(message.type, (accepted.get(message.type) ?? 0) + 1);
    }
    // The fuzzer must reach past the type check, or it proves little.
    assert.ok(accepted.size >= 12, `accepted types: ${[...accepted.keys()].join(', ')}`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('setSecondModel takes a model name, never a path', () => {
    for (const name of ['..', '.', '../other', '..\\other', 'a/b', '/etc', 'C:\\models\\x', '', 'x'.repeat(256), 42, undefined, {}]) {
      assert.equal(parsePanelToHost({ type: 'setSecondModel', name }), undefined, JSON.stringify(name));
    }
    assert.deepEqual(parsePanelToHost({ type: 'setSecondModel', name: 'my-model-2' }), { type: 'setSecondModel', name: 'my-model-2' });
    assert.deepEqual(parsePanelToHost({ type: 'setSecondModel', name: null }), { type: 'setSecondModel', name: null });
  });

  it('the panel acts on no malformed message: 2000 of them reach no service and no command', async () => {
    const record = openPanel();
    const rand = random(99);
    let dropped = 0;
    calls.length = 0;
    for (let i = 0; i < 2000; i++) {
      const raw = fuzzValue(rand, ['openModel', 'train', 'readFile', 'query', 'setSecondModel', 'exportChart', 'drawMap', 'openMisclassified']);
      if (parsePanelToHost(raw) !== undefined) continue;
      record.receive(raw);
      dropped++;
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(dropped > 1500);
    assert.deepEqual(calls, []);
    assert.deepEqual(record.posted, []);
    // The listener is live: a well-formed message does reach the host.
    record.receive({ type: 'cancel' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls, ['runs.cancel']);
  });
});

describe('messages from the trainer process', () => {
  it('parseTrainerToHost never throws on 5000 random values and returns only known types', () => {
    const rand = random(4321);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const raw = fuzzValue(rand, TRAINER_TYPES);
      let message: ReturnType<typeof parseTrainerToHost>;
      assert.doesNotThrow(() => {
        message = parseTrainerToHost(raw);
      }, `value #${i}`);
      if (message === undefined) continue;
      assert.ok(TRAINER_TYPES.includes(message.type), `unknown type accepted: ${String(message.type)}`);
      accepted++;
    }
    assert.ok(accepted > 0);
  });
});

// ---------- model files ----------

describe('model files are data, never code', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'tl-hostile-model-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const manifest: ModelManifest = {
    formatVersion: MODEL_FORMAT_VERSION, name: 'm', algorithm: 'word2vec', vectorsFile: 'vectors.bin', vectorsFormat: 'word2vec-binary',
    vocabularySize: 2, dim: 2, parameters: {},
    corpus: { root: '/x', files: [], filesRead: 0, bytesRead: 0, corpusWords: 0, replacedCharacters: 0, skipped: [] },
    training: { epochLosses: [], wordsPerSecond: 0 }, timings: { vocabularySeconds: 0, trainingSeconds: 0, totalSeconds: 0 },
    createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'test',
  };
  async function modelWith(name: string, manifestText: (json: string) => string): Promise<string> {
    const dir = path.join(root, name);
    await writeModelFolder(dir, new WordVectors(['a', 'b'], 2, new Float32Array([1, 0, 0, 1])), manifest);
    const file = path.join(dir, 'model.json');
    writeFileSync(file, manifestText(readFileSync(file, 'utf8')));
    return dir;
  }

  it('the loader reads model.json with JSON.parse and the vectors as bytes; it never runs what it reads', () => {
    for (const file of ['src/core/modelFolder.ts', 'src/core/formats/word2vecFormat.ts', 'src/core/formats/subwordsFormat.ts']) {
      const source = readFileSync(path.join(repoRoot, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      assert.doesNotMatch(source, /(?<![\w$.])require\s*\(|\bimport\s*\(|(?<![\w$.])eval\s*\(|new\s+Function\b|node:vm|['"]vm['"]|child_process|worker_threads/, file);
    }
    const loader = readFileSync(path.join(repoRoot, 'src/core/modelFolder.ts'), 'utf8');
    assert.match(loader, /JSON\.parse\(text\)/);
    assert.match(loader, /readWord2Vec\([^;]*\{ binary: true \}\)/);
  });

  it('a "__proto__" key in model.json pollutes nothing', async () => {
    const dir = await modelWith('proto', (json) => json.replace('{', '{\n  "__proto__": { "polluted": "yes", "vectorsFile": "../../../etc/passwd" },\n  "constructor": { "prototype": { "polluted": "yes" } },'));
    const { manifest: loaded, vectors } = await loadModelVectors(dir);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(loaded), Object.prototype);
    assert.equal(loaded.vectorsFile, 'vectors.bin');
    assert.deepEqual(vectors.words, ['a', 'b']);
  });

  it('hostile fields give a clear error naming the file, or are left alone', async () => {
    const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      ['escape', (m) => (m.vectorsFile = '../../../etc/passwd'), /model\.json: not a Transfer Lab model description/],
      ['absolute', (m) => (m.vectorsFile = '/etc/passwd'), /not a Transfer Lab model description/],
      ['dotdot', (m) => (m.vectorsFile = '..'), /not a Transfer Lab model description/],
      ['future', (m) => (m.formatVersion = 1e9), /newer Transfer Lab/],
      ['dim', (m) => (m.dim = 1e12), /says dim 1000000000000 but vectors\.bin has dim 2/],
      ['type', (m) => (m.dim = '2'), /not a Transfer Lab model description/],
    ];
    for (const [name, change, error] of cases) {
      const dir = await modelWith(name, (json) => {
        const m = JSON.parse(json);
        change(m);
        return JSON.stringify(m);
      });
      await assert.rejects(loadModelVectors(dir), (e: Error) => error.test(e.message) && e.message.includes(dir), name);
    }
    // Big or odd fields the loader does not use are carried, not interpreted.
    const big = await modelWith('big', (json) => JSON.stringify({ ...JSON.parse(json), name: 'x'.repeat(5_000_000), parameters: { toString: 'boom', valueOf: 1 } }));
    assert.equal((await loadModelVectors(big)).manifest.name.length, 5_000_000);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // Listing skips the broken ones instead of failing.
    const names = (await listModels(root)).map((m) => path.basename(m.modelDir)).sort();
    assert.ok(names.includes('big') && names.includes('proto') && !names.includes('escape'), names.join(', '));
  });
});

after(() => {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
