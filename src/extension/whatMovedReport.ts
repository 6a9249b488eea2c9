// Show What Moved: a model diff (diffVectors) as the panel shows it, and as the Markdown report that
// "Open as Markdown" puts in an untitled document. No vscode import, so both are unit-tested on a real diff.
import type { ModelDiff } from '../core/modelDiff';
import type { ModelComparison } from '../shared/protocol';
import type { Neighbour } from '../core/vectors';

/** How many neighbours of each model are listed per word. */
export const REPORT_NEIGHBOURS = 5;

export interface WhatMovedNames {
  /** The model compared against (usually the parent): "A". */
  a: string;
  /** The model shown (usually the fine-tuned child): "B". */
  b: string;
}

/** A Markdown table cell: `|` escaped, line breaks flattened, backslashes kept literal. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Inline text outside tables (the title and summary): the same escapes plus Markdown emphasis marks. */
function escapeInline(text: string): string {
  return escapeCell(text).replace(/([*_`[\]<>#])/g, '\\$1');
}

const fixed = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

function neighbourList(neighbours: Neighbour[]): string {
  const shown = neighbours.slice(0, REPORT_NEIGHBOURS);
  return shown.length === 0 ? '—' : shown.map((n) => `${escapeCell(n.word)} (${fixed(n.similarity, 2)})`).join(', ');
}

export function renderWhatMoved(diff: ModelDiff, names: WhatMovedNames): string {
  const a = escapeInline(names.a);
  const b = escapeInline(names.b);
  const lines: string[] = [];
  lines.push(`# What moved: ${b} vs ${a}`, '');
  lines.push(
    `Each word's ${diff.k} nearest neighbours in **${b}** compared with its neighbours in **${a}**, over the ` +
      `${diff.comparedWords.toLocaleString('en-US')} most frequent shared words; the words whose neighbourhood changed most come first.`,
    '',
  );
  lines.push('## Summary', '');
  lines.push(`- Shared words: ${diff.sharedWords.toLocaleString('en-US')} (only in ${a}: ${diff.onlyInA.toLocaleString('en-US')}, only in ${b}: ${diff.onlyInB.toLocaleString('en-US')})`);
  lines.push(`- Words compared: ${diff.comparedWords.toLocaleString('en-US')}`);
  lines.push(`- Mean neighbour overlap (top ${diff.k}): ${fixed(diff.meanOverlap)} (${percent(diff.meanOverlap)})`);
  lines.push(`- Mean cosine: ${diff.meanCosine === undefined ? 'n/a (the two models have different dimensions)' : fixed(diff.meanCosine)}`);
  lines.push(
    `- Aligned: ${diff.aligned ? `yes (${b} rotated onto ${a}, orthogonal Procrustes, before the cosines)` : diff.meanCosine === undefined ? 'no (different dimensions)' : 'no'}`,
  );
  lines.push('');
  lines.push(`## Most moved words (${diff.moved.length})`, '');
  if (diff.moved.length === 0) {
    lines.push('No words to list.');
  } else {
    lines.push(`| # | Word | Overlap | Cosine | Neighbours in ${escapeCell(names.a)} | Neighbours in ${escapeCell(names.b)} |`);
    lines.push('|---:|---|---:|---:|---|---|');
    diff.moved.forEach((w, i) => {
      lines.push(
        `| ${i + 1} | ${escapeCell(w.word)} | ${fixed(w.overlap, 2)} | ${w.cosine === undefined ? '—' : fixed(w.cosine)} | ${neighbourList(w.neighboursA)} | ${neighbourList(w.neighboursB)} |`,
      );
    });
  }
  lines.push('');
  return lines.join('\n');
}

/** The panel's form of a diff (the ModelComparison message); `pair` names the two models. */
export function toComparison(pair: Pick<ModelComparison, 'before' | 'after' | 'parentOf'>, diff: ModelDiff, elapsedMs: number): ModelComparison {
  const comparison: ModelComparison = {
    before: { name: pair.before.name, description: pair.before.description },
    after: { name: pair.after.name, description: pair.after.description },
    parentOf: pair.parentOf,
    k: diff.k,
    sharedWords: diff.sharedWords,
    onlyInBefore: diff.onlyInA,
    onlyInAfter: diff.onlyInB,
    comparedWords: diff.comparedWords,
    aligned: diff.aligned,
    meanOverlap: diff.meanOverlap,
    moved: diff.moved.map((w) => ({
      word: w.word,
      overlap: w.overlap,
      ...(w.cosine === undefined ? {} : { cosine: w.cosine }),
      before: w.neighboursA,
      after: w.neighboursB,
    })),
    elapsedMs,
  };
  if (diff.meanCosine !== undefined) comparison.meanCosine = diff.meanCosine;
  return comparison;
}
