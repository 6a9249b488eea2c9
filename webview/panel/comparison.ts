// The panel's "What moved" section: two models side by side. The most-moved words (lowest overlap
// of their neighbour lists), any word's neighbours in both models, and both models' evaluation
// scores on the same test sets, with the change.
import type { AnalogyEvaluation, EvaluationReport, HostToPanel, ModelComparison, Neighbour, PanelToHost, SimilarityEvaluation } from '../../src/shared/protocol';
import { $, element, headerRow } from './dom';

type ComparisonMessage = Extract<HostToPanel, { type: 'comparison' | 'comparisonState' | 'comparedWord' | 'evaluationPair' }>;

export class ComparisonView {
  private readonly status = $('compare-status');
  private readonly summary = $('compare-summary');
  private readonly body = $('compare-body');
  private readonly movedTable = $<HTMLTableElement>('moved-table');
  private readonly wordForm = $<HTMLFormElement>('compare-word-form');
  private readonly wordField = $<HTMLInputElement>('compare-word');
  private readonly wordError = $('compare-word-error');
  private readonly wordCaption = $('compare-word-caption');
  private readonly beforeHeading = $('before-heading');
  private readonly afterHeading = $('after-heading');
  private readonly beforeList = $('before-list');
  private readonly afterList = $('after-list');
  private readonly evaluatePairButton = $<HTMLButtonElement>('evaluate-pair');
  private readonly openReportButton = $<HTMLButtonElement>('open-report');
  private readonly pairEvaluation = $('pair-evaluation');
  private current: ModelComparison | undefined;
  private latestRequest = 0;

  constructor(private readonly post: (message: PanelToHost) => void) {
    $('compare-button').addEventListener('click', () => post({ type: 'compare' }));
    this.evaluatePairButton.addEventListener('click', () => post({ type: 'evaluatePair' }));
    this.openReportButton.addEventListener('click', () => post({ type: 'openComparisonReport' }));
    const submit = (event: Event) => {
      event.preventDefault();
      this.askWord((this.wordField.value ?? '').trim());
    };
    this.wordForm.addEventListener('submit', submit);
    this.wordField.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') submit(event);
    });
    $('compare-word-button').addEventListener('click', submit);
  }

  handle(message: ComparisonMessage): void {
    switch (message.type) {
      case 'comparisonState':
        this.status.textContent = message.message;
        this.status.dataset.state = message.state;
        break;
      case 'comparison':
        this.show(message.comparison);
        break;
      case 'comparedWord':
        if (message.requestId !== this.latestRequest) return;
        this.wordError.textContent = message.error ?? '';
        this.showWord(message.word, message.before, message.after, message.overlap);
        break;
      case 'evaluationPair':
        this.showPairEvaluation(message.before, message.after);
        break;
    }
  }

  private show(c: ModelComparison): void {
    this.current = c;
    this.status.dataset.state = 'done';
    const relation = c.parentOf ? 'its parent' : 'the model chosen';
    this.status.textContent = `${c.after.name} against ${relation} ${c.before.name}, compared in ${(c.elapsedMs / 1000).toFixed(1)} s.`;
    const cosine = c.meanCosine === undefined ? 'no cosines (the dimensions differ)' : `mean cosine ${c.meanCosine.toFixed(3)}${c.aligned ? ' after rotating one onto the other' : ''}`;
    this.summary.textContent =
      `Over the ${c.comparedWords.toLocaleString()} most frequent shared words, ${(c.meanOverlap * 100).toFixed(1)}% of each word's ${c.k} nearest ` +
      `neighbours are the same in both; ${cosine}. Shared words: ${c.sharedWords.toLocaleString()}; only in ${c.before.name}: ` +
      `${c.onlyInBefore.toLocaleString()}; only in ${c.after.name}: ${c.onlyInAfter.toLocaleString()}.`;
    this.body.hidden = false;
    this.evaluatePairButton.disabled = false;
    this.openReportButton.disabled = false;
    this.beforeHeading.textContent = c.before.name;
    this.beforeHeading.title = c.before.description;
    this.afterHeading.textContent = c.after.name;
    this.afterHeading.title = c.after.description;
    this.pairEvaluation.replaceChildren();

    this.movedTable.replaceChildren(headerRow(['Word', 'Neighbours kept', 'Cosine']));
    const rows = element('tbody');
    c.moved.forEach((w, i) => {
      const row = element('tr', 'moved-row');
      const button = element('button', 'word-button', w.word);
      button.type = 'button';
      button.setAttribute('aria-label', `${w.word}: show its neighbours in both models`);
      button.addEventListener('click', () => {
        this.wordField.value = w.word;
        this.wordError.textContent = '';
        this.latestRequest++;
        this.showWord(w.word, w.before, w.after, w.overlap);
        this.select(row);
      });
      const word = element('th', 'name');
      word.setAttribute('scope', 'row');
      word.append(button);
      row.append(word, meterCell(w.overlap, `${Math.round(w.overlap * c.k)} of ${c.k}`), element('td', 'cosine', w.cosine === undefined ? '–' : w.cosine.toFixed(3)));
      rows.append(row);
      if (i === 0) {
        this.showWord(w.word, w.before, w.after, w.overlap);
        this.select(row);
      }
    });
    this.movedTable.append(rows);
    if (c.moved.length === 0) this.showWord('', [], [], undefined);
  }

  private select(row: HTMLTableRowElement): void {
    this.movedTable.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
    row.classList.add('selected');
  }

  private askWord(word: string): void {
    if (!word || !this.current) return;
    this.latestRequest++;
    this.post({ type: 'compareWord', requestId: this.latestRequest, word });
  }

  private showWord(word: string, before: Neighbour[], after: Neighbour[], overlap: number | undefined): void {
    const shared = new Set(before.map((n) => n.word).filter((w) => after.some((n) => n.word === w)));
    this.wordCaption.textContent = word
      ? `Nearest to “${word}”${overlap === undefined ? '' : `: ${shared.size} shared neighbour${shared.size === 1 ? '' : 's'} (highlighted)`}`
      : '';
    this.beforeList.replaceChildren(...before.map((n) => neighbourItem(n, shared)));
    this.afterList.replaceChildren(...after.map((n) => neighbourItem(n, shared)));
    if (before.length === 0 && word && this.current) this.beforeList.append(element('li', 'muted', `not in ${this.current.before.name}`));
    if (after.length === 0 && word && this.current) this.afterList.append(element('li', 'muted', `not in ${this.current.after.name}`));
  }

  private showPairEvaluation(before: EvaluationReport, after: EvaluationReport): void {
    const table = element('table', 'eval-table pair-table');
    table.setAttribute('aria-label', `Evaluation of ${before.model.name} and ${after.model.name} on the same test sets`);
    table.append(headerRow(['Test', before.model.name, after.model.name, 'Change']));
    const body = element('tbody');
    for (const entry of after.entries) {
      const other = before.entries.find((e) => e.path === entry.path && e.kind === entry.kind);
      if (entry.kind === 'analogies' && other?.kind === 'analogies') {
        for (const part of ['semantic', 'syntactic', 'total'] as const) body.append(analogyRow(entry, other, part));
      } else if (entry.kind === 'similarity' && other?.kind === 'similarity') {
        body.append(similarityRow(entry, other));
      }
    }
    table.append(body);
    const note = element(
      'p',
      'muted',
      `Both scored on their ${after.restrictVocab.toLocaleString()} most frequent words; a question counts only where a model knows all its words, so the answered counts (in the tooltips) can differ.`,
    );
    this.pairEvaluation.replaceChildren(element('h3', '', 'Before and after: general knowledge kept?'), table, note);
  }
}

function meterCell(ratio: number, label: string): HTMLTableCellElement {
  const cell = element('td', 'accuracy');
  const meter = element('span', 'meter');
  const bar = element('span', 'bar');
  const fill = element('span', 'bar-fill');
  fill.style.width = `${Math.max(0, Math.min(1, ratio)) * 100}%`;
  bar.append(fill);
  meter.append(bar, element('span', 'value', label));
  cell.append(meter);
  return cell;
}

function neighbourItem(n: Neighbour, shared: Set<string>): HTMLLIElement {
  const li = element('li', shared.has(n.word) ? 'neighbour shared' : 'neighbour');
  li.append(element('span', 'word', n.word), element('span', 'similarity', n.similarity.toFixed(3)));
  return li;
}

function analogyRow(after: AnalogyEvaluation, before: AnalogyEvaluation, part: 'semantic' | 'syntactic' | 'total'): HTMLTableRowElement {
  const row = element('tr', part === 'total' ? 'total-row' : '');
  const name = element('th', 'name', `${after.file} · ${part}`);
  name.setAttribute('scope', 'row');
  const a = before[part];
  const b = after[part];
  const cell = (s: typeof a) => {
    const td = element('td', '', s.total > 0 ? `${(s.accuracy * 100).toFixed(1)}%` : '–');
    td.title = `${s.correct.toLocaleString()} of ${s.total.toLocaleString()} answered correctly`;
    return td;
  };
  row.append(name, cell(a), cell(b), change(a.total > 0 && b.total > 0 ? (b.accuracy - a.accuracy) * 100 : undefined, ' pts', 1));
  return row;
}

function similarityRow(after: SimilarityEvaluation, before: SimilarityEvaluation): HTMLTableRowElement {
  const row = element('tr');
  const name = element('th', 'name', `${after.file} · Spearman`);
  name.setAttribute('scope', 'row');
  const cell = (e: SimilarityEvaluation) => {
    const td = element('td', '', e.spearman === null ? 'n/a' : e.spearman.toFixed(3));
    td.title = `${e.pairs.toLocaleString()} pairs scored, ${e.oovPairs.toLocaleString()} out of vocabulary`;
    return td;
  };
  row.append(name, cell(before), cell(after), change(before.spearman !== null && after.spearman !== null ? after.spearman - before.spearman : undefined, '', 3));
  return row;
}

function change(delta: number | undefined, unit: string, digits: number): HTMLTableCellElement {
  if (delta === undefined) return element('td', 'change', '–');
  const text = `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta).toFixed(digits)}${unit}`;
  const td = element('td', `change ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}`, text);
  return td;
}
