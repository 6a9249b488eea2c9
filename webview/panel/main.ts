// The panel's script: renders what the extension host reports (run, progress, model, evaluation,
// comparison) and sends back only the requests of PanelToHost: words and button presses, never paths.
// Everything the host sends is written with textContent, never parsed as HTML.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { describeAlgorithm } from '../../src/shared/labels';
import {
  parseHostToPanel,
  type AnalogyEvaluation,
  type CorpusReport,
  type EvaluationReport,
  type EvaluationScore,
  type EvaluationState,
  type HostToPanel,
  type PanelToHost,
  type RunStatus,
  type SimilarityEvaluation,
  type TrainingProgress,
} from '../../src/shared/protocol';
import { TrainingChart, formatRate, formatSeconds } from './chart';
import { ClassifierView } from './classifier';
import { MapView } from './map';
import { ComparisonView } from './comparison';
import { ExplorerView } from './explorer';
import { EncoderView } from './encoder';
import { $, element, headerRow } from './dom';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

const statusText = $('status');
const cancelButton = $<HTMLButtonElement>('cancel');
const progressBar = $('progress');
const progressFill = progressBar.querySelector<HTMLElement>('.progress-fill')!;
const eta = $('eta');
const stats = $('stats');
const corpusDetails = $<HTMLDetailsElement>('corpus');
const corpusSummary = $('corpus-summary');
const skippedList = $('skipped');
const evaluateButton = $<HTMLButtonElement>('evaluate');
const evaluationStatus = $('evaluation-status');
const evaluationModel = $('evaluation-model');
const evaluationResults = $('evaluation-results');
const chart = new TrainingChart($<HTMLCanvasElement>('chart'));
const smoothing = $<HTMLInputElement>('chart-smoothing');
const smoothingValue = $('chart-smoothing-value');
const logScale = $<HTMLInputElement>('chart-log');
const pastRunsLegend = $('past-runs');
let runName = 'training';
const comparison = new ComparisonView((message) => vscode.postMessage(message));
const classifier = new ClassifierView((message) => vscode.postMessage(message));
const map = new MapView((message) => vscode.postMessage(message));
const explorer = new ExplorerView((message) => vscode.postMessage(message));
const encoderView = new EncoderView((message) => vscode.postMessage(message));

let running = false;

function handle(message: HostToPanel): void {
  switch (message.type) {
    case 'pastRuns':
      chart.setPastRuns(message.runs);
      pastRunsLegend.textContent = message.runs.length ? ` · thin lines: earlier runs (${message.runs.map((r) => r.name).join(', ')})` : '';
      break;
    case 'runStarted':
      runName = message.run.modelName;
      running = true;
      chart.reset();
      setProgress(0);
      eta.textContent = '';
      stats.replaceChildren();
      corpusDetails.hidden = true;
      statusText.textContent = `Training ${message.run.modelName} on ${message.run.fileCount.toLocaleString()} files…`;
      cancelButton.disabled = false;
      break;
    case 'corpus':
      showCorpus(message.report);
      break;
    case 'progress':
      showProgress(message.progress);
      break;
    case 'runEnded':
      running = false;
      cancelButton.disabled = true;
      statusText.textContent = message.message;
      statusText.dataset.status = message.status satisfies RunStatus;
      if (message.status === 'done') {
        setProgress(100);
        eta.textContent = '';
      }
      break;
    case 'model':
    case 'neighbours':
    case 'search':
    case 'completions':
    case 'modelList':
      explorer.handle(message);
      break;
    case 'evaluationState':
      showEvaluationState(message.state, message.message);
      break;
    case 'evaluation':
      showEvaluation(message.report);
      break;
    case 'comparison':
    case 'comparisonState':
    case 'comparedWord':
    case 'evaluationPair':
      comparison.handle(message);
      break;
    case 'encoderList':
    case 'inspection':
      encoderView.handle(message);
      break;
    case 'mapState':
    case 'map':
      map.handle(message);
      break;
    case 'classifierRunStarted':
    case 'classifierDataset':
    case 'classifierEpoch':
    case 'classifierResult':
    case 'curvePoint':
    case 'curveResult':
    case 'classifierRunEnded':
      classifier.handle(message);
      break;
  }
}

function setProgress(percent: number): void {
  const clamped = Math.max(0, Math.min(100, percent));
  progressFill.style.width = `${clamped}%`;
  progressBar.setAttribute('aria-valuenow', clamped.toFixed(0));
}

function showProgress(p: TrainingProgress): void {
  if (p.phase === 'vocabulary') {
    eta.textContent = `Counting words: ${Math.round(p.wordsDone).toLocaleString()} so far`;
    return;
  }
  const percent = p.wordsTotal > 0 ? (100 * p.wordsDone) / p.wordsTotal : 0;
  setProgress(percent);
  chart.add({ seconds: p.elapsedMs / 1000, loss: p.loss, wordsPerSecond: p.wordsPerSecond });
  // Encoder pretraining runs for a time budget: its "done" and "total" are milliseconds of it.
  const tokens = p.unit === 'tokens';
  if (running && p.wordsPerSecond > 0 && p.wordsDone < p.wordsTotal) {
    eta.textContent = `${percent.toFixed(0)}% · about ${formatSeconds(tokens ? (p.wordsTotal - p.wordsDone) / 1000 : (p.wordsTotal - p.wordsDone) / p.wordsPerSecond)} left`;
  }
  const rows: [string, string][] = tokens
    ? [
        ['Time', `${formatSeconds(p.wordsDone / 1000)} / ${formatSeconds(p.wordsTotal / 1000)}`],
        ['Loss', p.loss.toFixed(4)],
        ['Perplexity', (p.perplexity ?? Math.exp(p.loss)).toFixed(1)],
        ['Speed', formatRate(p.wordsPerSecond).replace('/s', ' tokens/s')],
      ]
    : [
        ['Epoch', `${p.epoch} / ${p.epochs}`],
        ['Words', `${Math.round(p.wordsDone).toLocaleString()} / ${Math.round(p.wordsTotal).toLocaleString()}`],
        ['Loss', p.loss.toFixed(4)],
        ['Epoch loss', p.epochLoss.toFixed(4)],
        ['Speed', formatRate(p.wordsPerSecond).replace('/s', ' words/s')],
        ['Learning rate', p.learningRate.toExponential(2)],
      ];
  stats.replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

function showCorpus(report: CorpusReport): void {
  corpusDetails.hidden = false;
  const mb = (report.bytesRead / 1e6).toFixed(1);
  const replaced = report.replacedCharacters > 0 ? `; ${report.replacedCharacters.toLocaleString()} undecodable bytes replaced` : '';
  corpusSummary.textContent = `Read ${report.filesRead.toLocaleString()} files (${mb} MB); skipped ${report.skipped.length}${replaced}`;
  skippedList.replaceChildren(
    ...report.skipped.map((s) => {
      const li = document.createElement('li');
      li.textContent = `${s.path}: ${s.reason} (${s.detail})`;
      return li;
    }),
  );
}

// ---------- evaluation ----------

function showEvaluationState(state: EvaluationState, message: string): void {
  evaluateButton.disabled = state === 'running';
  evaluationStatus.textContent = message;
  evaluationStatus.dataset.state = state;
}

function showEvaluation(report: EvaluationReport): void {
  evaluateButton.disabled = false;
  const when = new Date(report.finishedAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  evaluationStatus.textContent = `Scored at ${when} in ${(report.elapsedMs / 1000).toFixed(1)} s.`;
  evaluationStatus.dataset.state = 'done';
  const m = report.model;
  evaluationModel.textContent =
    `Model ${m.name}: ${describeAlgorithm(m.algorithm, m.mode)} · ${m.vocabularySize.toLocaleString()} words × ${m.dim}; ` +
    `scored on the ${report.restrictVocab.toLocaleString()} most frequent words, ${report.caseInsensitive ? 'case-insensitive' : 'case-sensitive'}.`;

  const blocks: HTMLElement[] = [];
  for (const entry of report.entries) if (entry.kind === 'analogies') blocks.push(analogyBlock(entry));
  const similarity = report.entries.filter((e): e is SimilarityEvaluation => e.kind === 'similarity');
  if (similarity.length > 0) blocks.push(similarityBlock(similarity));
  for (const entry of report.entries) {
    if (entry.kind !== 'error') continue;
    const p = element('p', 'error eval-error', `${entry.file}: ${entry.message}`);
    p.title = entry.path;
    blocks.push(p);
  }
  evaluationResults.replaceChildren(...blocks);
}

function analogyBlock(entry: AnalogyEvaluation): HTMLElement {
  const block = element('div', 'eval-block');
  const heading = element('h3', '', `${entry.file} · analogies (3CosAdd)`);
  heading.title = entry.path;
  const table = element('table', 'eval-table analogy-table');
  table.setAttribute('aria-label', `Analogy accuracy on ${entry.file}, per section`);
  table.append(headerRow(['Section', 'Correct', 'Answered', 'Accuracy']));
  const body = element('tbody');
  for (const s of entry.sections) body.append(scoreRow(s.name, s, 'section-row'));
  const foot = element('tfoot');
  foot.append(scoreRow('semantic', entry.semantic, 'summary-row'), scoreRow('syntactic', entry.syntactic, 'summary-row'), scoreRow('total', entry.total, 'summary-row total-row'));
  table.append(body, foot);
  const skipped = entry.oovQuestions.toLocaleString();
  const oov = element(
    'p',
    'muted oov',
    `Out of vocabulary: ${skipped} of ${entry.questions.toLocaleString()} questions (${entry.oovRatio.toFixed(1)}%), not counted.`,
  );
  block.append(heading, table, oov);
  return block;
}

function scoreRow(name: string, score: EvaluationScore, className: string): HTMLTableRowElement {
  const row = element('tr', className);
  const answered = score.total > 0;
  if (!answered) row.classList.add('unanswered');
  const accuracy = element('td', 'accuracy');
  const bar = element('span', 'bar');
  const fill = element('span', 'bar-fill');
  fill.style.width = `${answered ? score.accuracy * 100 : 0}%`;
  bar.append(fill);
  const cell = element('span', 'meter');
  cell.append(bar, element('span', 'value', answered ? `${(score.accuracy * 100).toFixed(1)}%` : '–'));
  accuracy.append(cell);
  row.append(element('th', 'name', name), element('td', 'correct', score.correct.toLocaleString()), element('td', 'answered', score.total.toLocaleString()), accuracy);
  row.querySelector('th')!.setAttribute('scope', 'row');
  return row;
}

function similarityBlock(entries: SimilarityEvaluation[]): HTMLElement {
  const block = element('div', 'eval-block');
  const table = element('table', 'eval-table similarity-table');
  table.setAttribute('aria-label', 'Correlation with human similarity scores');
  table.append(headerRow(['Test set', 'Spearman', 'Pearson', 'Pairs', 'Out of vocabulary']));
  const body = element('tbody');
  for (const e of entries) {
    const row = element('tr', 'similarity-row');
    const name = element('th', 'name', e.file);
    name.title = e.path;
    name.setAttribute('scope', 'row');
    row.append(
      name,
      element('td', 'spearman', correlation(e.spearman)),
      element('td', 'pearson', correlation(e.pearson)),
      element('td', 'pairs', e.pairs.toLocaleString()),
      element('td', 'oov', `${e.oovRatio.toFixed(1)}% (${e.oovPairs.toLocaleString()})`),
    );
    body.append(row);
  }
  table.append(body);
  block.append(element('h3', '', 'Word similarity'), table);
  return block;
}

function correlation(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}

evaluateButton.addEventListener('click', () => {
  vscode.postMessage({ type: 'evaluate' });
});
cancelButton.addEventListener('click', () => {
  cancelButton.disabled = true;
  statusText.textContent = 'Cancelling…';
  vscode.postMessage({ type: 'cancel' });
});

smoothing.addEventListener('input', () => {
  const weight = Number(smoothing.value);
  smoothingValue.textContent = weight.toFixed(2);
  chart.setView({ smoothing: weight });
});
logScale.addEventListener('change', () => chart.setView({ logScale: logScale.checked }));
$('chart-csv').addEventListener('click', () => vscode.postMessage({ type: 'exportChart', format: 'csv', data: chart.toCsv(runName) }));
$('chart-png').addEventListener('click', () => vscode.postMessage({ type: 'exportChart', format: 'png', data: $<HTMLCanvasElement>('chart').toDataURL('image/png') }));

window.addEventListener('message', (event) => {
  const message = parseHostToPanel(event.data);
  if (message) handle(message);
});
vscode.postMessage({ type: 'ready' });
