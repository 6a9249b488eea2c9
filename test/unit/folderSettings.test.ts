// A folder setting may leave the workspace folder only when the user trusts the workspace: an untrusted
// folder's own .vscode/settings.json must not aim our reads and writes elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { resolveInsideWorkspace } from '../../src/extension/folderSettings';

const root = '/home/me/project';
const fallback = '.transfer-lab/models';

test('a trusted workspace uses the setting as written, absolute or not', () => {
  for (const value of ['/srv/models', '../shared/models', 'models', 'C:\\models']) {
    assert.deepEqual(resolveInsideWorkspace(root, value, true, fallback), { path: value });
  }
  assert.deepEqual(resolveInsideWorkspace(root, '  spaced  ', true, fallback), { path: 'spaced' });
});

test('an empty setting is the default, trusted or not', () => {
  for (const trusted of [true, false]) {
    assert.deepEqual(resolveInsideWorkspace(root, '', trusted, fallback), { path: fallback });
    assert.deepEqual(resolveInsideWorkspace(root, '   ', trusted, fallback), { path: fallback });
  }
});

test('an untrusted workspace keeps relative settings that stay inside it', () => {
  for (const value of ['models', './models', 'a/b/../c', 'a/..', '.transfer-lab/models', '..models', 'x/..y']) {
    assert.deepEqual(resolveInsideWorkspace(root, value, false, fallback), { path: value }, value);
  }
});

test('an untrusted workspace ignores absolute settings and says why', () => {
  for (const value of ['/etc', '/home/me/project/models', '\\\\server\\share\\models', 'C:\\Users\\me\\models', 'D:/models']) {
    const setting = resolveInsideWorkspace(root, value, false, fallback);
    assert.equal(setting.path, fallback, value);
    assert.match(setting.ignored ?? '', /absolute path may point anywhere/, value);
  }
});

test('an untrusted workspace ignores relative settings whose ".." leads out of it', () => {
  for (const value of ['..', '../models', 'models/../../elsewhere', './../x', 'a/b/../../../c']) {
    const setting = resolveInsideWorkspace(root, value, false, fallback);
    assert.equal(setting.path, fallback, value);
    assert.match(setting.ignored ?? '', /outside the workspace/, value);
  }
});

test('Windows paths: backslashes and drive letters are checked as Windows reads them', () => {
  const winRoot = 'C:\\work\\project';
  assert.deepEqual(resolveInsideWorkspace(winRoot, 'models\\mine', false, fallback, path.win32), { path: 'models\\mine' });
  assert.equal(resolveInsideWorkspace(winRoot, '..\\other', false, fallback, path.win32).path, fallback);
  assert.equal(resolveInsideWorkspace(winRoot, 'D:\\models', false, fallback, path.win32).path, fallback);
  assert.equal(resolveInsideWorkspace(winRoot, '\\models', false, fallback, path.win32).path, fallback);
});

test('Config: in an untrusted workspace an outside folder setting falls back to the default and is reported once', () => {
  const settings: Record<string, unknown> = { modelsFolder: '/etc/evil', classifiersFolder: '../../outside' };
  const workspace = {
    isTrusted: false,
    workspaceFolders: [{ uri: { fsPath: root } }],
    getConfiguration: () => ({ get: (key: string, fallbackValue: unknown) => settings[key] ?? fallbackValue }),
  };
  const { Config, DEFAULT_MODELS_FOLDER, DEFAULT_CLASSIFIERS_FOLDER } = loadConfigWith({ workspace });
  const messages: string[] = [];
  const config = new Config((message: string) => messages.push(message));
  assert.equal(config.modelsFolder, DEFAULT_MODELS_FOLDER);
  assert.equal(config.modelsFolder, DEFAULT_MODELS_FOLDER);
  assert.equal(config.classifiersFolder, DEFAULT_CLASSIFIERS_FOLDER);
  assert.equal(messages.length, 2, messages.join('\n'));
  assert.match(messages[0], /^transferLab\.modelsFolder is "\/etc\/evil", and an absolute path may point anywhere\. This workspace is not trusted, so Transfer Lab uses "\.transfer-lab\/models" instead\. Trust the workspace/);
  assert.match(messages[1], /^transferLab\.classifiersFolder is "\.\.\/\.\.\/outside", and its "\.\." leads outside the workspace folder\..*"\.transfer-lab\/classifiers"/);

  workspace.isTrusted = true;
  assert.equal(config.modelsFolder, '/etc/evil', 'trusted: the setting is honoured');
  assert.equal(config.classifiersFolder, '../../outside');
  settings.modelsFolder = 'inside/models';
  workspace.isTrusted = false;
  assert.equal(config.modelsFolder, 'inside/models');
  assert.equal(messages.length, 2);
  // A Config without a listener still falls back.
  settings.modelsFolder = '/etc/evil';
  assert.equal(new Config().modelsFolder, DEFAULT_MODELS_FOLDER);
});

function loadConfigWith(fakeVscode: object) {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const requireFromRoot = createRequire(path.join(repoRoot, 'package.json'));
  const Module = requireFromRoot('node:module');
  const originalLoad = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return fakeVscode;
    return originalLoad.call(this, request, ...rest);
  };
  try {
    const configPath = requireFromRoot.resolve('./src/extension/config.ts');
    // A copy loaded earlier with another fake vscode (packageManifest.test.ts) would keep that one.
    delete requireFromRoot.cache[configPath];
    return requireFromRoot(configPath);
  } finally {
    Module._load = originalLoad;
  }
}
