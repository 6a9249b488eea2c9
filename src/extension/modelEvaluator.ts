// "Transfer Lab: Evaluate Model…": pick a model and test sets, score the model in a worker thread
// (dist/evaluationWorker.js) behind a cancellable notification, then show the scores in the panel
// and one summary line in the output channel. The test sets chosen are remembered for next time.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { listModels, type ModelManifest } from '../core/modelFolder';
import { describeAlgorithm } from '../shared/labels';
import { parseEvaluationWorkerToHost, type EvaluationJob, type EvaluationReport, type HostToPanel } from '../shared/protocol';
import type { Config } from './config';
import { summariseReport } from './evaluationJob';
import { manifestAlgorithm } from '../shared/modelInfo';

/** Test sets are usually shared by every project (questions-words.txt, WordSim-353), so they are remembered globally. */
const TEST_SETS_KEY = 'transferLab.evaluation.testSets';
const MAX_REMEMBERED = 12;

interface RememberedTestSets {
  /** Most recently used first. */
  recent: string[];
  /** The files of the last evaluation, offered checked. */
  last: string[];
}

/** Arguments the command accepts (from the API, tests, or keybindings); anything missing is asked for. */
export interface EvaluateArgs {
  modelDir?: string;
  files?: string[];
}

export class ModelEvaluator implements vscode.Disposable {
  private worker: Worker | undefined;
  private lastReport: HostToPanel | undefined;
  private lastPair: HostToPanel | undefined;
  /** A state after the last report (running, cancelled, failed); cleared when a report arrives. */
  private lastState: HostToPanel | undefined;
  private readonly eventEmitter = new vscode.EventEmitter<HostToPanel>();
  readonly onEvent = this.eventEmitter.event;

  constructor(
    private readonly workerScript: string,
    private readonly config: Config,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  /** What a newly opened panel needs to show the latest evaluation. */
  snapshot(): HostToPanel[] {
    return [this.lastReport, this.lastPair, this.lastState].filter((m): m is HostToPanel => m !== undefined);
  }

  /** Resolves to the report, or undefined when the user backed out or cancelled. */
  async evaluate(args: EvaluateArgs = {}): Promise<EvaluationReport | undefined> {
    if (this.worker) {
      void vscode.window.showInformationMessage('Transfer Lab: an evaluation is already running; cancel it from its notification or wait for it.');
      return undefined;
    }
    const modelDir = args.modelDir ?? (await this.pickModel());
    if (!modelDir) return undefined;
    const files = args.files ?? (await this.pickTestSets());
    if (!files || files.length === 0) return undefined;
    await this.remember(files);

    const job: EvaluationJob = { modelDir, files, restrictVocab: this.config.evaluationRestrictVocab, caseInsensitive: true };
    const modelName = path.basename(modelDir);
    const sets = files.length === 1 ? path.basename(files[0]) : `${files.length} test sets`;
    this.setState({ type: 'evaluationState', state: 'running', message: `Evaluating ${modelName} on ${sets}…` });
    this.log.info(`Evaluating ${modelDir} on ${files.join(', ')} (the ${job.restrictVocab.toLocaleString('en-US')} most frequent words, case-insensitive)`);

    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: evaluating ${modelName}`, cancellable: true },
        (progress, token) => this.runWorker(job, progress, token),
      );
      if (!report) {
        this.setState({ type: 'evaluationState', state: 'cancelled', message: 'Evaluation cancelled.' });
        this.log.info(`Evaluation of ${modelName} cancelled`);
        return undefined;
      }
      this.lastReport = { type: 'evaluation', report };
      this.lastState = undefined;
      this.eventEmitter.fire(this.lastReport);
      this.logReport(report);
      return report;
    } catch (error) {
      const message = (error as Error).message;
      this.setState({ type: 'evaluationState', state: 'failed', message: `Evaluation failed: ${message}` });
      this.log.error(`Evaluation of ${modelName} failed: ${message}`);
      void vscode.window.showErrorMessage(`Transfer Lab: evaluation failed. ${message}`, 'Show Log').then((choice) => {
        if (choice === 'Show Log') this.log.show();
      });
      return undefined;
    }
  }

  /**
   * Two models (a parent and its fine-tuned child) on the same test sets, one after the other behind
   * one notification: did the child keep the general knowledge while it learnt the domain?
   */
  async evaluatePair(before: { modelDir: string; name: string }, after: { modelDir: string; name: string }): Promise<[EvaluationReport, EvaluationReport] | undefined> {
    if (this.worker) {
      void vscode.window.showInformationMessage('Transfer Lab: an evaluation is already running; cancel it from its notification or wait for it.');
      return undefined;
    }
    const files = await this.pickTestSets();
    if (!files || files.length === 0) return undefined;
    await this.remember(files);
    const names = `${before.name} and ${after.name}`;
    this.setState({ type: 'evaluationState', state: 'running', message: `Evaluating ${names}…` });
    try {
      const reports = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: evaluating ${names}`, cancellable: true },
        async (progress, token) => {
          const done: EvaluationReport[] = [];
          for (const model of [before, after]) {
            // Each model fills half of the bar.
            const half = { report: (p: { message?: string; increment?: number }) => progress.report({ message: `${model.name}: ${p.message ?? ''}`, increment: (p.increment ?? 0) / 2 }) };
            const job: EvaluationJob = { modelDir: model.modelDir, files, restrictVocab: this.config.evaluationRestrictVocab, caseInsensitive: true };
            const report = await this.runWorker(job, half, token);
            if (!report) return undefined;
            done.push(report);
          }
          return done as [EvaluationReport, EvaluationReport];
        },
      );
      if (!reports) {
        this.setState({ type: 'evaluationState', state: 'cancelled', message: 'Evaluation cancelled.' });
        return undefined;
      }
      this.lastPair = { type: 'evaluationPair', before: reports[0], after: reports[1] };
      this.lastState = undefined;
      this.eventEmitter.fire({ type: 'evaluationState', state: 'done', message: `Scored ${names} on the same test sets: see What moved.` });
      this.eventEmitter.fire(this.lastPair);
      for (const report of reports) this.logReport(report);
      return reports;
    } catch (error) {
      const message = (error as Error).message;
      this.setState({ type: 'evaluationState', state: 'failed', message: `Evaluation failed: ${message}` });
      this.log.error(`Evaluation of ${names} failed: ${message}`);
      void vscode.window.showErrorMessage(`Transfer Lab: evaluation failed. ${message}`);
      return undefined;
    }
  }

  private runWorker(
    job: EvaluationJob,
    progress: Pick<vscode.Progress<{ message?: string; increment?: number }>, 'report'>,
    token: vscode.CancellationToken,
  ): Promise<EvaluationReport | undefined> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerScript, { workerData: job });
      this.worker = worker;
      let reported = 0;
      let settled = false;
      let cancellation: vscode.Disposable | undefined;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        cancellation?.dispose();
        this.worker = undefined;
        void worker.terminate();
        finish();
      };
      // terminate() stops the worker even mid-search: the scoring loop never yields to check a flag.
      cancellation = token.onCancellationRequested(() => settle(() => resolve(undefined)));
      worker.on('message', (raw) => {
        const message = parseEvaluationWorkerToHost(raw);
        if (!message) {
          this.log.warn(`Ignored a malformed message from the evaluation worker: ${JSON.stringify(raw).slice(0, 200)}`);
          return;
        }
        if (message.type === 'progress') {
          const percent = message.total > 0 ? (100 * message.done) / message.total : 0;
          progress.report({ message: message.message, increment: percent - reported });
          reported = percent;
        } else if (message.type === 'done') {
          settle(() => resolve(message.report));
        } else {
          settle(() => reject(new Error(message.message)));
        }
      });
      worker.on('error', (error) => settle(() => reject(error)));
      worker.on('exit', (code) => settle(() => reject(new Error(`the evaluation worker stopped unexpectedly (exit code ${code})`))));
    });
  }

  /** The newest model when there is one; a quick pick, newest first, when there are several. */
  private async pickModel(): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showErrorMessage('Transfer Lab: open the folder whose models you want to evaluate first.');
      return undefined;
    }
    const modelsRoot = path.resolve(folder.uri.fsPath, this.config.modelsFolder);
    const models = await listModels(modelsRoot);
    if (models.length === 0) {
      const choice = await vscode.window.showErrorMessage(
        `Transfer Lab: no trained model in ${this.config.modelsFolder} yet. Train one first.`,
        'Pretrain Word Vectors on Workspace',
      );
      if (choice) void vscode.commands.executeCommand('transferLab.pretrainWorkspace');
      return undefined;
    }
    if (models.length === 1) return models[0].modelDir;
    const picked = await vscode.window.showQuickPick(
      models.map(({ modelDir, manifest }) => ({ label: manifest.name, description: describeModel(manifest), detail: trainedOn(manifest), modelDir })),
      { title: 'Evaluate which model?', placeHolder: 'Models in the models folder, newest first', matchOnDescription: true },
    );
    return picked?.modelDir;
  }

  /**
   * Test sets used before are offered checked (those of the last evaluation) or unchecked, with an
   * entry that opens the file dialog; with none remembered, the dialog opens at once. The dialog of
   * a browser-hosted VS Code picks one file at a time, so this list is also how several are chosen there.
   */
  private async pickTestSets(): Promise<string[] | undefined> {
    const remembered = this.remembered();
    const recent = (await Promise.all(remembered.recent.map(async (file) => ((await isFile(file)) ? file : undefined)))).filter(
      (file): file is string => file !== undefined,
    );
    if (recent.length === 0) return this.browseTestSets();

    const last = new Set(remembered.last);
    const browse: vscode.QuickPickItem = { label: '$(folder-opened) Choose other files…', alwaysShow: true };
    const items = recent.map((file) => ({ label: path.basename(file), description: path.dirname(file), picked: last.has(file), file }));
    const picked = await vscode.window.showQuickPick<vscode.QuickPickItem & { file?: string }>([...items, browse], {
      title: 'Evaluate on which test sets?',
      placeHolder: 'Check the test sets to score; "Choose other files…" adds more',
      canPickMany: true,
    });
    if (!picked) return undefined;
    const files = picked.flatMap((item) => (item.file ? [item.file] : []));
    if (files.length > 0 && !picked.includes(browse)) return files;
    const more = await this.browseTestSets();
    return more && [...new Set([...files, ...more])];
  }

  private async browseTestSets(): Promise<string[] | undefined> {
    const lastFile = this.remembered().recent[0];
    const uris = await vscode.window.showOpenDialog({
      title: 'Test sets: analogies (questions-words.txt format) or scored word pairs (WordSim-353, SimLex-999)',
      openLabel: 'Evaluate',
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: true,
      defaultUri: lastFile ? vscode.Uri.file(path.dirname(lastFile)) : vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { 'Test sets': ['txt', 'tsv', 'csv'], 'All files': ['*'] },
    });
    if (!uris || uris.length === 0) return undefined;
    const local = uris.filter((uri) => uri.scheme === 'file');
    if (local.length < uris.length) void vscode.window.showWarningMessage('Transfer Lab: only test sets on this machine’s disk can be read; the others were left out.');
    return local.length > 0 ? local.map((uri) => uri.fsPath) : undefined;
  }

  private remembered(): RememberedTestSets {
    const value = this.state.get<RememberedTestSets>(TEST_SETS_KEY);
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { recent: strings(value?.recent), last: strings(value?.last) };
  }

  private async remember(files: string[]): Promise<void> {
    const recent = [...new Set([...files, ...this.remembered().recent])].slice(0, MAX_REMEMBERED);
    await this.state.update(TEST_SETS_KEY, { recent, last: files } satisfies RememberedTestSets);
  }

  private setState(message: HostToPanel): void {
    this.lastState = message;
    this.eventEmitter.fire(message);
  }

  private logReport(report: EvaluationReport): void {
    this.log.info(summariseReport(report));
    for (const entry of report.entries) if (entry.kind === 'error') this.log.warn(`Evaluation: ${entry.path}: ${entry.message}`);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.eventEmitter.dispose();
  }
}

export function describeModel(manifest: ModelManifest): string {
  const { algorithm, mode } = manifestAlgorithm(manifest);
  return `${describeAlgorithm(algorithm, mode)} · ${manifest.vocabularySize.toLocaleString('en-US')} words × ${manifest.dim}`;
}

export function trainedOn(manifest: ModelManifest): string {
  const date = new Date(manifest.createdAt);
  return Number.isNaN(date.getTime()) ? '' : `trained ${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;
}

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() === true;
}
