// The panel's "Classifier" section: a text classifier trained on labelled data on top of a model's
// word vectors. Shows the run (data, architecture, embeddings), a live loss/accuracy chart per epoch,
// the test results (accuracy, macro-F1, per-class scores, confusion matrix, misclassified examples)
// and the transfer-gain curve (accuracy against labelled examples, from scratch vs pretrained).
// The markup is CLASSIFIER_SECTION_HTML (classifierHtml.ts); everything reported is written with
// textContent. Posts only the requests of ClassifierPanelRequest: button presses and an index.
import type {
  ClassificationReport,
  ClassifierArch,
  ClassifierPanelMessage,
  ClassifierPanelRequest,
  ClassifierResult,
  ClassifierRunInfo,
  CurvePoint,
  CurveResult,
  DatasetSummary,
  EmbeddingMode,
  EpochReport,
  Misclassified,
} from '../../src/shared/classifierProtocol';
import { formatSeconds } from './chart';
import { CurvePlot, EpochChart, VARIANT_LABELS, VARIANT_ORDER, finite } from './classifierCharts';
import { $, element, headerRow } from './dom';

export { CLASSIFIER_SECTION_HTML } from './classifierHtml';

// transformer and lstm: a classifier on a pretrained encoder, whose architecture is the encoder's.
export const ARCHITECTURE_LABELS: Record<ClassifierArch, string> = { bag: 'averaged embeddings', cnn: 'CNN (Kim 2014)', bilstm: 'BiLSTM + attention', transformer: 'Transformer encoder', lstm: 'LSTM encoder' };
export const EMBEDDING_LABELS: Record<EmbeddingMode, string> = { frozen: 'frozen', tuned: 'fine-tuned', random: 'from scratch' };
/** Misclassified examples shown at first, and added by each "Show more". */
export const MISCLASSIFIED_PAGE = 50;
const MAX_TEXT = 200;

const percent = (ratio: number, digits = 1) => (finite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : 'n/a');
const fixed = (v: number, digits: number) => (finite(v) ? v.toFixed(digits) : 'n/a');
const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

export class ClassifierView {
  private readonly status = $('clf-status');
  private readonly cancelButton = $<HTMLButtonElement>('clf-cancel');
  private readonly info = $('clf-info');
  private readonly training = $('clf-training');
  private readonly epochStats = $('clf-epoch-stats');
  private readonly epochTable = $<HTMLTableElement>('clf-epochs');
  private readonly results = $('clf-results');
  private readonly accuracy = $('clf-accuracy');
  private readonly macroF1 = $('clf-macro-f1');
  private readonly resultNotes = $('clf-result-notes');
  private readonly perClass = $<HTMLTableElement>('clf-per-class');
  private readonly confusion = $<HTMLTableElement>('clf-confusion');
  private readonly misclassifiedNote = $('clf-misclassified-note');
  private readonly misclassifiedList = $('clf-misclassified');
  private readonly moreButton = $<HTMLButtonElement>('clf-more');
  private readonly curveBlock = $('clf-curve-block');
  private readonly curveTable = $<HTMLTableElement>('clf-curve-table');
  private readonly exportButton = $<HTMLButtonElement>('clf-export');
  private readonly chart = new EpochChart($<HTMLCanvasElement>('clf-chart'));
  private readonly curvePlot = new CurvePlot($('clf-curve-plot') as unknown as SVGSVGElement);

  private run: ClassifierRunInfo | undefined;
  private dataset: DatasetSummary | undefined;
  private backend: string | undefined;
  private epochs: EpochReport[] = [];
  private misclassified: Misclassified[] = [];
  private misclassifiedShown = 0;
  private curvePoints: CurvePoint[] = [];
  private running = false;

  constructor(private readonly post: (message: ClassifierPanelRequest) => void) {
    $('clf-train').addEventListener('click', () => post({ type: 'trainClassifier' }));
    $('clf-curve').addEventListener('click', () => post({ type: 'drawCurve' }));
    this.cancelButton.addEventListener('click', () => {
      if (this.running) post({ type: 'cancelClassifier' });
    });
    this.exportButton.addEventListener('click', () => post({ type: 'exportCurve' }));
    this.moreButton.addEventListener('click', () => this.showMoreMisclassified());
    this.setRunning(false);
  }

  handle(message: ClassifierPanelMessage): void {
    switch (message.type) {
      case 'classifierRunStarted':
        this.start(message.run);
        break;
      case 'classifierDataset':
        this.dataset = message.dataset;
        this.backend = message.backend;
        this.showInfo();
        if (this.run) this.status.textContent = `${this.runVerb(this.run)} on ${plural(message.dataset.examples, 'example')} (${message.dataset.labels.length} labels)…`;
        break;
      case 'classifierEpoch':
        if (this.run?.kind === 'curve') return; // a curve's many short trainings are summed up by its points
        this.addEpoch(message.epoch);
        break;
      case 'classifierResult':
        this.showResult(message.result);
        break;
      case 'curvePoint':
        this.addCurvePoint(message.point);
        break;
      case 'curveResult':
        this.showCurve(message.curve);
        break;
      case 'classifierRunEnded':
        this.setRunning(false);
        this.status.textContent = message.message;
        this.status.dataset.status = message.status;
        break;
    }
  }

  // ---------- run ----------

  private start(run: ClassifierRunInfo): void {
    this.run = run;
    this.dataset = undefined;
    this.backend = undefined;
    this.setRunning(true);
    this.status.dataset.status = 'running';
    this.status.textContent = `${this.runVerb(run)}…`;
    if (run.kind === 'train') {
      this.epochs = [];
      this.chart.reset();
      this.epochTable.replaceChildren();
      this.epochStats.textContent = 'Waiting for the first epoch…';
      this.training.hidden = false;
      this.results.hidden = true;
    } else {
      this.curvePoints = [];
      this.curvePlot.set([]);
      this.curveTable.replaceChildren();
      this.exportButton.hidden = true;
      this.curveBlock.hidden = false;
    }
    this.showInfo();
  }

  private runVerb(run: ClassifierRunInfo): string {
    return run.kind === 'train' ? `Training ${run.title}` : 'Drawing the transfer-gain curve';
  }

  private setRunning(running: boolean): void {
    this.running = running;
    this.cancelButton.disabled = !running;
    this.cancelButton.setAttribute('aria-disabled', String(!running));
  }

  private showInfo(): void {
    const run = this.run;
    if (!run) return;
    const entries: [string, string][] = [['Data', this.dataset?.path || run.dataPath]];
    const d = this.dataset;
    if (d) {
      entries.push(['Dataset', `${plural(d.examples, 'example')}: ${d.labels.map((l, i) => `${l} ${d.counts[i].toLocaleString()}`).join(', ')}`]);
      let split = `train ${d.train.toLocaleString()} · validation ${d.validation.toLocaleString()} · test ${d.test.toLocaleString()}`;
      if (d.givenSplit) split += ' (test split as given with the data)';
      entries.push(['Split', split]);
      const skipped = d.skipped.filter((s) => s.count > 0);
      if (skipped.length) entries.push(['Skipped', skipped.map((s) => `${s.count.toLocaleString()} ${s.reason}`).join('; ')]);
    }
    entries.push(['Architecture', ARCHITECTURE_LABELS[run.arch]]);
    if (run.kind === 'train') {
      const embeddings = run.embeddings ?? 'random';
      entries.push(['Embeddings', embeddings === 'random' || !run.vectorsName ? EMBEDDING_LABELS[embeddings] : `${EMBEDDING_LABELS[embeddings]}, from ${run.vectorsName}`]);
    } else {
      entries.push(['Embeddings', `from scratch, frozen and fine-tuned${run.vectorsName ? ` (vectors of ${run.vectorsName})` : ''}`]);
    }
    if (this.backend) entries.push(['Backend', this.backend]);
    this.setInfo(entries);
  }

  private setInfo(entries: [string, string][]): void {
    this.info.replaceChildren(...entries.flatMap(([term, value]) => [element('dt', '', term), element('dd', '', value)]));
    this.info.hidden = false;
  }

  // ---------- epochs ----------

  private addEpoch(epoch: EpochReport): void {
    this.epochs = this.epochs.filter((e) => e.epoch !== epoch.epoch);
    this.epochs.push(epoch);
    this.epochs.sort((a, b) => a.epoch - b.epoch);
    this.training.hidden = false;
    this.chart.add(epoch);
    this.showEpochs(undefined);
  }

  private showEpochs(bestEpoch: number | undefined): void {
    const last = this.epochs[this.epochs.length - 1];
    this.epochStats.textContent = last
      ? `Epoch ${last.epoch}: train loss ${fixed(last.trainLoss, 3)}, accuracy ${percent(last.trainAccuracy)} · validation loss ${fixed(last.validationLoss, 3)}, accuracy ${percent(last.validationAccuracy)} · ${Math.round(last.examplesPerSecond).toLocaleString()} examples/s · ${formatSeconds(last.elapsedMs / 1000)}`
      : '';
    this.epochTable.replaceChildren(headerRow(['Epoch', 'Train loss', 'Train acc.', 'Val. loss', 'Val. acc.', 'Examples/s']));
    const body = element('tbody');
    for (const e of this.epochs) {
      const row = element('tr', e.epoch === bestEpoch ? 'clf-best' : '');
      const head = element('th', '', e.epoch === bestEpoch ? `${e.epoch} (best)` : String(e.epoch));
      head.setAttribute('scope', 'row');
      row.append(
        head,
        element('td', '', fixed(e.trainLoss, 3)),
        element('td', '', percent(e.trainAccuracy)),
        element('td', '', fixed(e.validationLoss, 3)),
        element('td', '', percent(e.validationAccuracy)),
        element('td', '', Math.round(e.examplesPerSecond).toLocaleString()),
      );
      body.append(row);
    }
    this.epochTable.append(body);
  }

  // ---------- result ----------

  private showResult(result: ClassifierResult): void {
    if (!this.run || this.run.kind !== 'train') {
      // A replayed result without its run: describe it from the result itself.
      this.run = { runId: '', kind: 'train', title: result.name, dataPath: result.dataset.path, arch: result.arch, embeddings: result.embeddings, vectorsName: result.vectorsName };
    }
    this.dataset = result.dataset;
    this.backend = result.backend;
    this.run = { ...this.run, arch: result.arch, embeddings: result.embeddings, vectorsName: result.vectorsName ?? this.run.vectorsName };
    this.showInfo();

    if (result.history.length) this.epochs = [...result.history].sort((a, b) => a.epoch - b.epoch);
    this.chart.setHistory(this.epochs, result.bestEpoch);
    this.training.hidden = false;
    this.showEpochs(result.bestEpoch);

    const r = result.report;
    this.accuracy.textContent = percent(r.accuracy);
    this.macroF1.textContent = r.macroF1.toFixed(3);
    const notes = [`${result.name}: best epoch ${result.bestEpoch} of ${result.history.length || result.bestEpoch}, trained in ${formatSeconds(result.trainSeconds)} on ${result.backend}.`];
    if (result.coverage && result.coverage.total > 0) {
      notes.push(`The pretrained vectors${result.vectorsName ? ` (${result.vectorsName})` : ''} knew ${result.coverage.found.toLocaleString()} of the task's ${result.coverage.total.toLocaleString()} words (${percent(result.coverage.found / result.coverage.total)}).`);
    }
    notes.push(`Test set: ${plural(result.dataset.test, 'example')}. Saved in ${result.classifierDir}.`);
    this.resultNotes.textContent = notes.join(' ');
    this.showPerClass(r);
    this.showConfusion(r);
    this.misclassified = result.misclassified;
    this.misclassifiedShown = 0;
    this.misclassifiedList.replaceChildren();
    this.misclassifiedNote.textContent = result.misclassified.length
      ? `${plural(result.misclassified.length, 'wrong prediction')}${result.misclassified.length >= 200 ? ' (the first 200)' : ''}, most confident first. Select one to open it where it came from.`
      : 'No test example was misclassified.';
    this.showMoreMisclassified();
    this.results.hidden = false;
  }

  private showPerClass(r: ClassificationReport): void {
    this.perClass.replaceChildren(headerRow(['Label', 'Precision', 'Recall', 'F1', 'Support']));
    const body = element('tbody');
    for (const c of r.perClass) {
      const row = element('tr');
      const head = element('th', '', c.label);
      head.setAttribute('scope', 'row');
      row.append(head, element('td', '', fixed(c.precision, 3)), element('td', '', fixed(c.recall, 3)), element('td', '', fixed(c.f1, 3)), element('td', '', c.support.toLocaleString()));
      body.append(row);
    }
    const foot = element('tfoot');
    const total = element('tr', 'total-row');
    const head = element('th', '', 'Macro average');
    head.setAttribute('scope', 'row');
    const mean = (f: (c: (typeof r.perClass)[number]) => number) => (r.perClass.length ? r.perClass.reduce((s, c) => s + f(c), 0) / r.perClass.length : NaN);
    total.append(head, element('td', '', fixed(mean((c) => c.precision), 3)), element('td', '', fixed(mean((c) => c.recall), 3)), element('td', '', fixed(r.macroF1, 3)), element('td', '', r.perClass.reduce((s, c) => s + c.support, 0).toLocaleString()));
    foot.append(total);
    this.perClass.append(body, foot);
  }

  private showConfusion(r: ClassificationReport): void {
    const labels = r.perClass.map((c) => c.label);
    const head = element('thead');
    const top = element('tr');
    const corner = element('th', 'clf-corner', 'true ↓ / predicted →');
    corner.setAttribute('scope', 'col');
    top.append(corner);
    for (const label of labels) {
      const th = element('th', 'clf-predicted', label);
      th.setAttribute('scope', 'col');
      th.title = `predicted ${label}`;
      top.append(th);
    }
    head.append(top);
    const body = element('tbody');
    r.confusion.forEach((counts, t) => {
      const row = element('tr');
      const th = element('th', 'clf-true', labels[t]);
      th.setAttribute('scope', 'row');
      th.title = `true ${labels[t]}`;
      row.append(th);
      const rowTotal = counts.reduce((s, n) => s + n, 0);
      counts.forEach((n, p) => {
        const share = rowTotal ? n / rowTotal : 0;
        const td = element('td', p === t ? 'clf-cell clf-diagonal' : n ? 'clf-cell clf-off' : 'clf-cell', n.toLocaleString());
        td.style.setProperty('--share', share.toFixed(3));
        td.title = `${n.toLocaleString()} of ${rowTotal.toLocaleString()} ${labels[t]} examples (${percent(share)}) predicted as ${labels[p]}`;
        row.append(td);
      });
      body.append(row);
    });
    this.confusion.replaceChildren(head, body);
  }

  private showMoreMisclassified(): void {
    const from = this.misclassifiedShown;
    const to = Math.min(this.misclassified.length, from + MISCLASSIFIED_PAGE);
    for (let index = from; index < to; index++) this.misclassifiedList.append(this.misclassifiedItem(this.misclassified[index], index));
    this.misclassifiedShown = to;
    const left = this.misclassified.length - to;
    this.moreButton.hidden = left <= 0;
    this.moreButton.textContent = `Show ${Math.min(left, MISCLASSIFIED_PAGE)} more (${left.toLocaleString()} left)`;
  }

  private misclassifiedItem(m: Misclassified, index: number): HTMLLIElement {
    const li = element('li');
    const button = element('button', 'clf-mis-item');
    button.type = 'button';
    button.dataset.index = String(index);
    const short = m.text.length > MAX_TEXT ? `${m.text.slice(0, MAX_TEXT).trimEnd()}…` : m.text;
    const text = element('span', 'clf-mis-text', short);
    const verdict = element('span', 'clf-mis-verdict');
    verdict.append(element('span', 'clf-mis-true', m.label), document.createTextNode(' → '), element('span', 'clf-mis-predicted', m.predicted), document.createTextNode(` (${percent(m.confidence, 0)})`));
    const source = element('span', 'clf-mis-source', m.source ?? '');
    button.append(verdict, text, source);
    button.title = m.text;
    button.setAttribute('aria-label', `${m.label} predicted as ${m.predicted} with ${percent(m.confidence, 0)} confidence: ${short}${m.source ? `. Open ${m.source}` : ''}`);
    button.addEventListener('click', () => this.post({ type: 'openMisclassified', index }));
    li.append(button);
    return li;
  }

  // ---------- transfer-gain curve ----------

  private addCurvePoint(point: CurvePoint): void {
    this.curvePoints = this.curvePoints.filter((p) => !(p.size === point.size && p.variant === point.variant));
    this.curvePoints.push(point);
    this.renderCurve();
  }

  private showCurve(curve: CurveResult): void {
    if (!this.run || this.run.kind !== 'curve') {
      this.run = { runId: '', kind: 'curve', title: 'transfer-gain curve', dataPath: curve.dataset.path, arch: curve.arch, vectorsName: curve.vectorsName };
    }
    this.dataset = curve.dataset;
    this.backend = curve.backend;
    this.run = { ...this.run, arch: curve.arch, vectorsName: curve.vectorsName };
    this.showInfo();
    this.curvePoints = [...curve.points];
    this.renderCurve();
    this.exportButton.hidden = this.curvePoints.length === 0;
  }

  private renderCurve(): void {
    this.curveBlock.hidden = false;
    this.curvePlot.set(this.curvePoints);
    this.curveTable.replaceChildren(headerRow(['Labelled examples', ...VARIANT_ORDER.map((v) => VARIANT_LABELS[v]), 'Gain']));
    const body = element('tbody');
    const sizes = [...new Set(this.curvePoints.map((p) => p.size))].sort((a, b) => a - b);
    for (const size of sizes) {
      const at = (v: EmbeddingMode) => this.curvePoints.find((p) => p.size === size && p.variant === v);
      const row = element('tr');
      const head = element('th', '', size.toLocaleString());
      head.setAttribute('scope', 'row');
      row.append(head);
      for (const v of VARIANT_ORDER) {
        const p = at(v);
        const td = element('td', '', p ? percent(p.accuracy) : '–');
        if (p) td.title = `macro-F1 ${p.macroF1.toFixed(3)}, trained in ${formatSeconds(p.trainSeconds)}`;
        row.append(td);
      }
      row.append(gainCell(at('random'), [at('frozen'), at('tuned')]));
      body.append(row);
    }
    this.curveTable.append(body);
  }
}

/** Best pretrained accuracy minus from-scratch accuracy, in percentage points. */
function gainCell(scratch: CurvePoint | undefined, pretrained: (CurvePoint | undefined)[]): HTMLTableCellElement {
  const best = pretrained.filter((p): p is CurvePoint => p !== undefined).sort((a, b) => b.accuracy - a.accuracy)[0];
  if (!scratch || !best) return element('td', 'change', '–');
  const delta = (best.accuracy - scratch.accuracy) * 100;
  const rounded = Math.abs(delta) < 0.05 ? 0 : delta;
  const td = element('td', `change ${rounded > 0 ? 'up' : rounded < 0 ? 'down' : ''}`, `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${Math.abs(delta).toFixed(1)} pts`);
  td.title = `best pretrained (${VARIANT_LABELS[best.variant]}) minus from scratch`;
  return td;
}
