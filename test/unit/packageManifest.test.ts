// The extension manifest documents ranges and defaults that config.ts enforces: keep them in step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

test('engine and types are pinned to the VS Code the tests run on', () => {
  assert.equal(manifest.engines.vscode, '^1.100.0');
  assert.match(manifest.devDependencies['@types/vscode'], /^~1\.100\./);
});

test('every training setting in package.json has the default and range that config.ts enforces', () => {
  // config.ts imports vscode only for types at runtime of its getters; load its table without vscode.
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  const Module = requireFromRoot('node:module');
  const originalLoad = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return {};
    return originalLoad.call(this, request, ...rest);
  };
  try {
    const { TRAINING_SETTING_SPECS } = requireFromRoot('./src/extension/config.ts');
    const properties = manifest.contributes.configuration.properties;
    for (const [key, spec] of Object.entries(TRAINING_SETTING_SPECS) as [string, { default: number; min: number; max: number; integer: boolean }][]) {
      const entry = properties[`transferLab.training.${key}`];
      assert.ok(entry, `transferLab.training.${key} is documented`);
      assert.equal(entry.default, spec.default, `${key} default`);
      assert.equal(entry.minimum, spec.min, `${key} minimum`);
      assert.equal(entry.maximum, spec.max, `${key} maximum`);
      assert.equal(entry.type, spec.integer ? 'integer' : 'number', `${key} type`);
    }
  } finally {
    Module._load = originalLoad;
  }
});

test('every contributed command has a title and the category Transfer Lab', () => {
  for (const command of manifest.contributes.commands) {
    assert.equal(command.category, 'Transfer Lab', command.command);
    assert.ok(command.title.length > 3, command.command);
  }
});

test('untrusted workspaces: limited support, and the folder settings are restricted', () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.ok(untrusted.description.length > 20, 'says what is limited');
  // VS Code then ignores the workspace's own values of these in Restricted Mode; config.ts checks again.
  for (const key of ['transferLab.modelsFolder', 'transferLab.classifiersFolder']) {
    assert.ok(untrusted.restrictedConfigurations?.includes(key), `${key} is in restrictedConfigurations`);
    assert.ok(manifest.contributes.configuration.properties[key], `${key} is a contributed setting`);
  }
});
