// Show What Moved's Markdown: rendered from a real diff, GloVe against a copy with two words swapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { diffVectors } from '../../src/core/modelDiff';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import { WordVectors } from '../../src/core/vectors';
import { escapeCell, renderWhatMoved, toComparison } from '../../src/extension/whatMovedReport';
import { parseHostToPanel } from '../../src/shared/protocol';

const glovePath = path.resolve(__dirname, '../../../shared/data/vectors/glove.6B.100d.top10k.txt');

test('renderWhatMoved: the swapped words head the table, the summary numbers are printed', async () => {
  const glove = await readWord2Vec(glovePath);
  const data = glove.data.slice();
  const i = glove.requireIndex('king') * glove.dim;
  const j = glove.requireIndex('river') * glove.dim;
  const saved = data.slice(i, i + glove.dim);
  data.copyWithin(i, j, j + glove.dim);
  data.set(saved, j);
  const perturbed = new WordVectors(glove.words, glove.dim, data);
  const diff = diffVectors(glove, perturbed, { k: 10, vocab: 2000, top: 30 });
  const md = renderWhatMoved(diff, { a: 'glove', b: 'glove | swapped' });

  assert.match(md, /^# What moved: glove \\\| swapped vs glove$/m);
  assert.ok(md.includes(`Shared words: ${diff.sharedWords.toLocaleString('en-US')}`), md);
  assert.ok(md.includes(`Mean neighbour overlap (top 10): ${diff.meanOverlap.toFixed(3)}`), md);
  assert.ok(md.includes(`Mean cosine: ${diff.meanCosine!.toFixed(3)}`), md);
  assert.match(md, /Aligned: yes/);

  const rows = md.split('\n').filter((line) => /^\| \d+ \|/.test(line));
  assert.equal(rows.length, 30);
  const firstTwo = rows.slice(0, 2).map((row) => row.split(' | ')[1]).sort();
  assert.deepEqual(firstTwo, ['king', 'river']);
  const king = rows.find((row) => row.startsWith('| 1 | king |') || row.startsWith('| 2 | king |'))!;
  // Six columns: the neighbour cells have at most 5 entries each; queen is among king's in A.
  const cells = king.slice(2, -2).split(' | ');
  assert.equal(cells.length, 6);
  assert.match(cells[4], /queen \(0\.\d\d\)/);
  assert.ok(cells[4].split(', ').length <= 5 && cells[5].split(', ').length <= 5);
  assert.match(cells[2], /^0\.\d\d$/);
  assert.match(cells[3], /^-?0\.\d{3}$/);

  // The panel's form of the same diff: the same words in the same order, and a valid message.
  const pair = { before: { name: 'glove', description: 'a' }, after: { name: 'swapped', description: 'b' }, parentOf: false };
  const comparison = toComparison(pair, diff, 1500);
  assert.deepEqual(comparison.moved.map((w) => w.word), diff.moved.map((w) => w.word));
  assert.equal(comparison.moved[0].before.length, 10);
  assert.equal(comparison.onlyInAfter, diff.onlyInB);
  assert.equal(comparison.meanCosine, diff.meanCosine);
  assert.ok(parseHostToPanel({ type: 'comparison', comparison }), 'passes the panel\'s check');
});

test('renderWhatMoved escapes | in words, and copes with no cosines', () => {
  assert.equal(escapeCell('a|b'), 'a\\|b');
  const md = renderWhatMoved(
    {
      k: 2,
      sharedWords: 3,
      onlyInA: 0,
      onlyInB: 1,
      comparedWords: 3,
      aligned: false,
      meanOverlap: 0.5,
      moved: [{ word: 'x|y', overlap: 0, neighboursA: [{ word: 'p|q', similarity: 0.9 }], neighboursB: [] }],
      words: [],
      missing: [],
    },
    { a: 'A', b: 'B' },
  );
  assert.ok(md.includes('| 1 | x\\|y | 0.00 | — | p\\|q (0.90) | — |'), md);
  assert.match(md, /Mean cosine: n\/a/);
  assert.match(md, /Aligned: no \(different dimensions\)/);
});
