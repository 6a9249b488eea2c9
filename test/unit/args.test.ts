import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type FlagSpec } from '../../src/cli/args';

const specs: Record<string, FlagSpec> = {
  out: { kind: 'string' },
  dim: { kind: 'int', min: 1, max: 100 },
  sample: { kind: 'number', min: 0, max: 1 },
  quiet: { kind: 'boolean' },
  k: { kind: 'int', min: 1, max: 50 },
};

test('flags in both spellings, short flags and positionals', () => {
  const parsed = parseArgs(['corpus', '--out', 'm.bin', '--dim=20', '--sample', '1e-4', '--quiet', '-k', '7', 'word'], specs);
  assert.deepEqual(parsed.positional, ['corpus', 'word']);
  assert.deepEqual(parsed.flags, { out: 'm.bin', dim: 20, sample: 1e-4, quiet: true, k: 7 });
});

test('a word after -- is positional even if it looks like a flag', () => {
  assert.deepEqual(parseArgs(['--', '--dim'], specs).positional, ['--dim']);
});

test('bad flags say what was wrong', () => {
  const cases: [string[], RegExp][] = [
    [['--dims', '3'], /unknown option --dims/],
    [['--dim', '2.5'], /--dim must be a whole number/],
    [['--dim', '0'], /--dim must be between 1 and 100, got 0/],
    [['--dim'], /--dim needs a value/],
    [['--sample', 'abc'], /--sample must be a number, got "abc"/],
    [['--quiet=yes'], /--quiet takes no value/],
    [['-x'], /unknown option -x/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseArgs(argv, specs), (error: Error) => error instanceof UsageError && message.test(error.message), argv.join(' '));
  }
});

test('a repeatable flag keeps every value in order; other flags keep the last', () => {
  const repeatable: Record<string, FlagSpec> = { ...specs, similarity: { kind: 'strings' } };
  const parsed = parseArgs(['v.bin', '--similarity', 'a.tsv', '--dim', '3', '--similarity=b.txt', '--dim', '4'], repeatable);
  assert.deepEqual(parsed.flags, { similarity: ['a.tsv', 'b.txt'], dim: 4 });
  assert.deepEqual(parseArgs(['--similarity', 'only.tsv'], repeatable).flags, { similarity: ['only.tsv'] });
  assert.deepEqual(parseArgs(['v.bin'], repeatable).flags, {});
  assert.throws(() => parseArgs(['--similarity'], repeatable), /--similarity needs a value/);
});
