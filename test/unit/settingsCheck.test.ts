// The settings check against the real package.json: what a user who edits settings.json by hand
// is told, and that it names the value config.ts really uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkSettings, type SettingSchema } from '../../src/extension/settingsCheck';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
const schema: Record<string, SettingSchema> = manifest.contributes.configuration.properties;
const defaults = Object.fromEntries(Object.entries(schema).map(([key, spec]) => [key, spec.default]));

test('the defaults of package.json pass, and unset settings are fine', () => {
  assert.deepEqual(checkSettings(schema, defaults), []);
  assert.deepEqual(checkSettings(schema, {}), []);
});

test('out-of-range numbers name the range and the value used instead', () => {
  const problems = checkSettings(schema, { ...defaults, 'transferLab.training.window': 0, 'transferLab.training.dim': 5000, 'transferLab.classifier.epochs': 2.5 });
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      'transferLab.training.dim is 5,000; it can be at most 1,000, so 1,000 is used.',
      'transferLab.training.window is 0; it must be at least 1, so 1 is used.',
      'transferLab.classifier.epochs is 2.5; it must be a whole number, so 3 is used.',
    ],
  );
  assert.deepEqual(problems.map((p) => p.key), ['transferLab.training.dim', 'transferLab.training.window', 'transferLab.classifier.epochs']);
});

test('wrong types and unknown choices fall back to the documented default', () => {
  const problems = checkSettings(schema, {
    ...defaults,
    'transferLab.training.algorithm': 'bert',
    'transferLab.training.epochs': 'ten',
    'transferLab.hover.enabled': 'yes',
    'transferLab.corpus.include': '  ',
    'transferLab.corpus.exclude': ['**/node_modules/**', 3, ''],
  });
  const byKey = Object.fromEntries(problems.map((p) => [p.key, p.message]));
  assert.equal(byKey['transferLab.training.algorithm'], 'transferLab.training.algorithm is "bert"; it must be one of "word2vec", "fasttext", "glove", so the default "word2vec" is used.');
  assert.equal(byKey['transferLab.training.epochs'], 'transferLab.training.epochs is "ten", not a number; the default 5 is used.');
  assert.equal(byKey['transferLab.hover.enabled'], 'transferLab.hover.enabled is "yes"; it must be true or false, so the default true is used.');
  assert.match(byKey['transferLab.corpus.include'], /^transferLab\.corpus\.include is empty; the default "\*\*\/\*\.\{txt,/);
  assert.equal(byKey['transferLab.corpus.exclude'], 'transferLab.corpus.exclude has 2 entries that are not a pattern (3, ""); they are left out.');
  assert.equal(problems.length, 5);
});

test('settings that contradict each other are named with how they are settled', () => {
  const problems = checkSettings(schema, { ...defaults, 'transferLab.training.minn': 4, 'transferLab.training.maxn': 3, 'transferLab.training.minAlpha': 0.5, 'transferLab.training.negative': 0 });
  assert.deepEqual(
    problems.map((p) => p.key),
    ['transferLab.training.maxn', 'transferLab.training.minAlpha', 'transferLab.training.negative'],
  );
  assert.match(problems[0].message, /maxn \(3\) is below minn \(4\); character n-grams of length 4 only/);
  assert.match(problems[1].message, /minAlpha \(0\.5\) is above alpha \(0\.025\); the learning rate stays at 0\.025/);
  assert.match(problems[2].message, /negative is 0 and hs is off/);
  // With hierarchical softmax on, no negative samples is a valid choice.
  assert.deepEqual(checkSettings(schema, { ...defaults, 'transferLab.training.negative': 0, 'transferLab.training.hs': true }), []);
});
