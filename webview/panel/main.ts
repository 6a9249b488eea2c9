// The panel's script: renders what the extension host reports (run, progress, model) and sends
// back only three kinds of request: ready, cancel, and a neighbour query for a word.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { parseHostToPanel, type CorpusReport, type HostToPanel, type ModelSummary, type Neighbour, type PanelToHost, type RunStatus, type TrainingProgress } from '../../src/shared/protocol';
import { TrainingChart, formatRate, formatSeconds } from './chart';

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const statusText = $('status');
const cancelButton = $<HTMLButtonElement>('cancel');
const progressBar = $('progress');
const progressFill = progressBar.querySelector<HTMLElement>('.progress-fill')!;
const eta = $('eta');
const stats = $('stats');
const corpusDetails = $<HTMLDetailsElement>('corpus');
const corpusSummary = $('corpus-summary');
const skippedList = $('skipped');
const queryForm = $<HTMLFormElement>('query-form');
const queryField = $<HTMLInputElement>('query');
const searchButton = $<HTMLButtonElement>('search');
const examples = $('examples');
const queryError = $('query-error');
const neighboursList = $('neighbours');
const chart = new TrainingChart($<HTMLCanvasElement>('chart'));

const K = 10;
let latestRequest = 0;
let running = false;

function handle(message: HostToPanel): void {
  switch (message.type) {
    case 'runStarted':
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
      showModel(message.model);
      break;
    case 'neighbours':
      if (message.requestId === latestRequest) showNeighbours(message.word, message.results, message.error);
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
  if (running && p.wordsPerSecond > 0 && p.wordsDone < p.wordsTotal) {
    eta.textContent = `${percent.toFixed(0)}% · about ${formatSeconds((p.wordsTotal - p.wordsDone) / p.wordsPerSecond)} left`;
  }
  const rows: [string, string][] = [
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

function showModel(model: ModelSummary | undefined): void {
  const enabled = model !== undefined;
  queryField.disabled = !enabled;
  searchButton.disabled = !enabled;
  queryField.placeholder = enabled ? `A word from ${model.name}` : 'Train a model first';
  examples.replaceChildren();
  if (!model) return;
  examples.append(`Model ${model.name}: ${model.vocabularySize.toLocaleString()} words × ${model.dim}. Try: `);
  model.exampleWords.forEach((word, i) => {
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = word;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      queryField.value = word;
      search();
    });
    examples.append(...(i > 0 ? [', ', link] : [link]));
  });
}

function showNeighbours(word: string, results: Neighbour[], error?: string): void {
  queryError.textContent = error ?? '';
  neighboursList.setAttribute('aria-label', `Nearest neighbours of ${word}`);
  neighboursList.replaceChildren(
    ...results.map((n) => {
      const li = document.createElement('li');
      li.className = 'neighbour';
      const w = document.createElement('span');
      w.className = 'word';
      w.textContent = n.word;
      const bar = document.createElement('span');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.className = 'bar-fill';
      fill.style.width = `${Math.max(0, n.similarity) * 100}%`;
      bar.append(fill);
      const sim = document.createElement('span');
      sim.className = 'similarity';
      sim.textContent = n.similarity.toFixed(3);
      li.append(w, bar, sim);
      return li;
    }),
  );
}

function search(): void {
  const word = (queryField.value ?? '').trim();
  if (!word) return;
  latestRequest++;
  vscode.postMessage({ type: 'query', requestId: latestRequest, word, k: K });
}

queryForm.addEventListener('submit', (event) => {
  event.preventDefault();
  search();
});
queryField.addEventListener('keydown', (event) => {
  if ((event as KeyboardEvent).key === 'Enter') {
    event.preventDefault();
    search();
  }
});
searchButton.addEventListener('click', search);
cancelButton.addEventListener('click', () => {
  cancelButton.disabled = true;
  statusText.textContent = 'Cancelling…';
  vscode.postMessage({ type: 'cancel' });
});

window.addEventListener('message', (event) => {
  const message = parseHostToPanel(event.data);
  if (message) handle(message);
});
vscode.postMessage({ type: 'ready' });
