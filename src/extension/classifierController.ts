// Runs classifier jobs (train, transfer-gain curve, predict) in a trainer process and relays what
// they report: to the panel's Classifier section, to a cancellable notification, and to the log.
// Like RunController, it only routes messages; TensorFlow.js never loads in the extension host.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sanitizeModelName, uniqueModelDir } from '../core/modelFolder';
import {
  ENCODER_TRAINING_EMBEDDINGS,
  type ClassifierJob,
  type ClassifierPanelMessage,
  type ClassifierResult,
  type ClassifierRunInfo,
  type ClassifierTrainingSettings,
  type CurveResult,
  type DataReadOptions,
  type EncoderArch,
  type EncoderClassifierSettings,
  type EncoderTraining,
  type Prediction,
} from '../shared/classifierProtocol';
import type { HostToPanel, TrainerToHost } from '../shared/protocol';
import type { Config } from './config';
import { EncoderInspector } from './encoderInspector';
import { JobQueue, newRunId } from './jobQueue';
import type { RerunSpec, RunHistory } from './runHistory';
import { ENCODERS_FOLDER } from './runController';
import { TrainerProcess } from './trainerProcess';

/** A classifier on word vectors (or random embeddings), or on a pretrained encoder. */
export type TrainClassifierArgs = {
  dataPath: string;
  data?: DataReadOptions;
  name?: string;
} & (
  | {
      /** The model folder whose vectors start the embeddings; absent = from scratch. */
      vectorsDir?: string;
      encoderDir?: undefined;
      settings: ClassifierTrainingSettings;
    }
  | {
      /** An encoder folder (holding encoder.json), usually one of .transfer-lab/encoders. */
      encoderDir: string;
      encoderTraining: EncoderTraining;
      vectorsDir?: undefined;
      settings: EncoderClassifierSettings;
    }
);

export interface CurveArgs {
  dataPath: string;
  data?: DataReadOptions;
  vectorsDir: string;
  settings: Omit<ClassifierTrainingSettings, 'embeddings'>;
  sizes?: number[];
}

export interface ClassifierOutcome<T> {
  status: 'done' | 'cancelled' | 'failed';
  value?: T;
  error?: string;
  /** False when it was cancelled while it waited in the queue (or refused before it could start). */
  started?: boolean;
}

const ARCH_LABELS = { bag: 'averaged embeddings', cnn: 'CNN', bilstm: 'BiLSTM' } as const;
const RUNNING_CONTEXT = 'transferLab.classifierRunning';

/** "transformer encoder, all": a classifier on an encoder, in the words of the classifier list (listClassifiers). */
const describeEncoderRun = (arch: EncoderArch, training: EncoderTraining) => `${arch} encoder, ${training}`;

/** The architecture encoder.json names, read as plain JSON: the host never loads the encoder itself. */
async function encoderArchOf(encoderDir: string): Promise<EncoderArch | undefined> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(encoderDir, 'encoder.json'), 'utf8')) as { config?: { arch?: unknown } };
    const arch = manifest.config?.arch;
    return arch === 'transformer' || arch === 'lstm' ? arch : undefined;
  } catch {
    return undefined;
  }
}

export class ClassifierController implements vscode.Disposable {
  private active: { runId: string; trainer: TrainerProcess; cancelRequested: boolean } | undefined;
  private readonly eventEmitter = new vscode.EventEmitter<HostToPanel>();
  readonly onEvent = this.eventEmitter.event;
  private replay: ClassifierPanelMessage[] = [];
  private lastResult: ClassifierResult | undefined;
  private lastCurve: CurveResult | undefined;
  private readonly encoderInspector: EncoderInspector;

  constructor(
    private readonly trainerScript: string,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
    private readonly history?: RunHistory,
    private readonly queue = new JobQueue(),
  ) {
    // Lists the workspace's encoders for Train Classifier… as the panel's Encoder section does; it starts no process to list.
    this.encoderInspector = new EncoderInspector(trainerScript, log);
  }

  /** The workspace's encoders (folders of .transfer-lab/encoders holding encoder.json) with their architecture. */
  async encoders(): Promise<{ name: string; encoderDir: string; arch: EncoderArch | undefined }[]> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return [];
    const names = await this.encoderInspector.list();
    return Promise.all(
      names.map(async (name) => {
        const encoderDir = path.join(folder.uri.fsPath, ENCODERS_FOLDER, name);
        return { name, encoderDir, arch: await encoderArchOf(encoderDir) };
      }),
    );
  }

  get isRunning(): boolean {
    return this.active !== undefined;
  }

  /** Messages that rebuild the panel's Classifier section (the latest run, or the latest of each kind). */
  snapshot(): HostToPanel[] {
    return [...this.replay];
  }

  async cancel(): Promise<void> {
    const run = this.active;
    if (!run) return;
    run.cancelRequested = true;
    run.trainer.cancel(run.runId);
    await run.trainer.exited;
  }

  /** Trains a classifier into the classifiers folder and scores it on the test split. */
  async train(args: TrainClassifierArgs): Promise<ClassifierOutcome<ClassifierResult>> {
    const root = this.classifiersRoot();
    if (!root) return this.refuse('Open a folder first: classifiers are saved in its classifiers folder.');
    const dataName = path.basename(args.dataPath).replace(/\.[^.]+$/, '');
    let base: string;
    /** What reads the text, for the notification and the Runs view; none for word vectors (the name says it). */
    let describe: string | undefined;
    let runInfo: Omit<ClassifierRunInfo, 'runId' | 'title'>;
    let jobOf: (classifierDir: string, name: string) => ClassifierJob;
    let rerun: Extract<RerunSpec, { kind: 'classifier' }>;
    if (args.encoderDir !== undefined) {
      // Read now, not when its turn comes: a missing encoder is said before the run queues.
      const arch = await encoderArchOf(args.encoderDir);
      if (!arch) return this.refuse(`${args.encoderDir} is not an encoder folder: it has no readable encoder.json. Choose an encoder of ${ENCODERS_FOLDER}, or pretrain one with "Transfer Lab: Pretrain Encoder on Workspace…".`);
      const { encoderDir, encoderTraining, settings } = args;
      const encoderName = path.basename(encoderDir);
      base = sanitizeModelName(args.name ?? `${dataName}-${arch}-${encoderTraining}`);
      describe = `${describeEncoderRun(arch, encoderTraining)} (${encoderName})`;
      runInfo = { kind: 'train', dataPath: args.dataPath, arch, embeddings: ENCODER_TRAINING_EMBEDDINGS[encoderTraining], vectorsName: encoderName, encoderTraining };
      jobOf = (classifierDir, name) => ({ kind: 'classify-train', dataPath: args.dataPath, data: args.data ?? {}, encoderDir, encoderTraining, settings, classifierDir, name });
      rerun = { kind: 'classifier', dataPath: args.dataPath, data: args.data, encoderDir, encoderTraining, settings };
    } else {
      const { vectorsDir, settings } = args;
      const vectorsName = vectorsDir ? path.basename(vectorsDir) : undefined;
      base = sanitizeModelName(args.name ?? `${dataName}-${settings.arch}-${settings.embeddings === 'random' ? 'scratch' : vectorsName}`);
      runInfo = { kind: 'train', dataPath: args.dataPath, arch: settings.arch, embeddings: settings.embeddings, ...(vectorsName && { vectorsName }) };
      jobOf = (classifierDir, name) => ({ kind: 'classify-train', dataPath: args.dataPath, data: args.data ?? {}, ...(vectorsDir && { vectorsDir }), settings, classifierDir, name });
      rerun = { kind: 'classifier', dataPath: args.dataPath, data: args.data, vectorsDir, settings };
    }
    const runId = newRunId('classify');
    const record = (title: string) => ({ id: runId, kind: 'classifier' as const, title, rerun });
    let classifierDir = '';
    let name = base;
    const prepare = async (): Promise<ClassifierJob> => {
      // Named once it has the queue: a queued run of the same data must not pick the same folder.
      await fs.mkdir(root, { recursive: true });
      classifierDir = await uniqueModelDir(root, base);
      name = path.basename(classifierDir);
      this.startPanelRun({ runId, title: name, ...runInfo });
      this.history?.start(record(name));
      return jobOf(classifierDir, name);
    };
    const outcome = await this.run<ClassifierResult>(
      runId,
      describe ? `training ${base}: ${describe}` : `training ${base}`,
      prepare,
      (message, report) => {
        if (message.type === 'classifierEpoch') {
          const e = message.epoch;
          report(`epoch ${e.epoch} · validation accuracy ${(100 * e.validationAccuracy).toFixed(1)}%`);
        }
        return message.type === 'classifierDone' ? message.result : undefined;
      },
      () => this.history?.queue(record(base)),
    );
    if (outcome.value) {
      this.lastResult = outcome.value;
      this.emit({ type: 'classifierResult', result: outcome.value });
      const r = outcome.value.report;
      this.log.info(`Classifier ${name}: test accuracy ${(100 * r.accuracy).toFixed(1)}%, macro-F1 ${(100 * r.macroF1).toFixed(1)}% (${classifierDir})`);
    }
    if (outcome.started) this.endPanelRun(outcome, outcome.value ? `${name} is ready: test accuracy ${(100 * outcome.value.report.accuracy).toFixed(1)}%.` : undefined);
    const r = outcome.value?.report;
    // On an encoder the Runs view says which encoder and how it learnt ("transformer encoder, all"); a word-vector run's name says it.
    const how = describe ? `${describe} · ` : '';
    this.history?.finish(runId, outcome.status, r ? { summary: `${how}test accuracy ${(100 * r.accuracy).toFixed(1)}% · macro-F1 ${(100 * r.macroF1).toFixed(1)}%`, output: classifierDir } : { summary: outcome.started ? outcome.error : 'cancelled while queued' });
    return outcome;
  }

  /** The transfer-gain curve: from scratch against the pretrained vectors, frozen and fine-tuned. */
  async curve(args: CurveArgs): Promise<ClassifierOutcome<CurveResult>> {
    const runId = newRunId('curve');
    const vectorsName = path.basename(args.vectorsDir);
    const record = { id: runId, kind: 'curve' as const, title: `curve: ${path.basename(args.dataPath)} on ${vectorsName}`, rerun: { kind: 'curve' as const, ...args } };
    const prepare = async (): Promise<ClassifierJob> => {
      this.startPanelRun({ runId, kind: 'curve', title: 'transfer-gain curve', dataPath: args.dataPath, arch: args.settings.arch, vectorsName });
      this.history?.start(record);
      return { kind: 'classify-curve', dataPath: args.dataPath, data: args.data ?? {}, vectorsDir: args.vectorsDir, settings: args.settings, ...(args.sizes && { sizes: args.sizes }) };
    };
    let done = 0;
    const outcome = await this.run<CurveResult>(
      runId,
      `transfer-gain curve (${ARCH_LABELS[args.settings.arch]})`,
      prepare,
      (message, report) => {
        if (message.type === 'curvePoint') {
          done++;
          report(`${done} runs done · ${message.point.size} examples, ${message.point.variant}: ${(100 * message.point.accuracy).toFixed(1)}%`);
        }
        return message.type === 'curveDone' ? message.curve : undefined;
      },
      () => this.history?.queue(record),
    );
    if (outcome.value) {
      this.lastCurve = outcome.value;
      this.emit({ type: 'curveResult', curve: outcome.value });
    }
    if (outcome.started) this.endPanelRun(outcome, outcome.value ? `Transfer-gain curve ready: ${outcome.value.points.length} runs.` : undefined);
    this.history?.finish(runId, outcome.status, { summary: outcome.value ? `${outcome.value.points.length} trainings` : outcome.started ? outcome.error : 'cancelled while queued' });
    return outcome;
  }

  /** Classifies files and texts with a saved classifier; no panel run, a notification only. */
  async predict(classifierDir: string, files: string[], texts: { id: string; text: string }[] = []): Promise<ClassifierOutcome<Prediction[]>> {
    const job: ClassifierJob = { kind: 'classify-predict', classifierDir, files, texts };
    return this.run<Prediction[]>(newRunId('predict'), `classifying with ${path.basename(classifierDir)}`, async () => job, (message) => (message.type === 'predictions' ? message.predictions : undefined));
  }

  /** A misclassified example of the result shown, opened at its line. The panel names it by index only. */
  async openMisclassified(index: number): Promise<void> {
    const example = this.lastResult?.misclassified[index];
    if (!example?.source) return;
    const match = /^(.*):(\d+)$/.exec(example.source);
    const file = match ? match[1] : example.source;
    const line = match ? Number(match[2]) - 1 : 0;
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const position = new vscode.Position(Math.min(line, document.lineCount - 1), 0);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: true, viewColumn: vscode.ViewColumn.Beside });
    } catch (error) {
      void vscode.window.showErrorMessage(`Transfer Lab cannot open ${file}: ${(error as Error).message}`);
    }
  }

  /** The latest curve as CSV, where the user chooses. */
  async exportCurve(): Promise<void> {
    const curve = this.lastCurve;
    if (!curve) return;
    const target = await vscode.window.showSaveDialog({
      title: 'Save the transfer-gain curve as CSV',
      defaultUri: vscode.workspace.workspaceFolders?.[0] && vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'transfer-gain-curve.csv'),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    const rows = ['examples,variant,accuracy,macro_f1,train_seconds', ...curve.points.map((p) => [p.size, p.variant, p.accuracy.toFixed(4), p.macroF1.toFixed(4), p.trainSeconds.toFixed(2)].join(','))];
    await vscode.workspace.fs.writeFile(target, Buffer.from(`${rows.join('\n')}\n`));
    void vscode.window.showInformationMessage(`Transfer Lab: saved ${curve.points.length} points to ${target.fsPath}.`);
  }

  private classifiersRoot(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && path.resolve(folder.uri.fsPath, this.config.classifiersFolder);
  }

  /**
   * One job in its own trainer process behind a cancellable notification, once the job queue gives
   * it its turn (`whenQueued` runs if it has to wait). `prepare` builds the job when its turn comes;
   * `take` sees every message, may report progress, and returns the job's value from its final message.
   */
  private async run<T>(
    runId: string,
    title: string,
    prepare: () => Promise<ClassifierJob>,
    take: (message: TrainerToHost, report: (text: string) => void) => T | undefined,
    whenQueued?: () => void,
  ): Promise<ClassifierOutcome<T>> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Transfer Lab: ${title}`, cancellable: true }, async (notification, token) => {
      const turn = await this.queue.exclusive(
        { id: runId, title },
        async () => this.runTrainer(runId, await prepare(), title, take, notification, token),
        (behind) => {
          notification.report({ message: `Queued: starts when ${behind.title} finishes.` });
          this.log.info(`Classifier run ${runId} (${title}) queued behind ${behind.title}`);
          whenQueued?.();
          token.onCancellationRequested(() => this.queue.cancel(runId));
        },
      );
      if (turn.ran) return turn.value;
      this.log.info(`Classifier run ${runId} (${title}) cancelled before it started`);
      return { status: 'cancelled', started: false };
    });
  }

  private async runTrainer<T>(
    runId: string,
    job: ClassifierJob,
    title: string,
    take: (message: TrainerToHost, report: (text: string) => void) => T | undefined,
    notification: vscode.Progress<{ message?: string }>,
    token: vscode.CancellationToken,
  ): Promise<ClassifierOutcome<T>> {
    let value: T | undefined;
    let failure: string | undefined;
    let cancelled = false;
    const report = (text: string) => notification.report({ message: text });
    const trainer = new TrainerProcess(
      this.trainerScript,
      (message) => {
        if (message.type === 'log') this.log[message.level](message.message);
        else if (message.type === 'error') failure = message.message;
        else if (message.type === 'cancelled') cancelled = true;
        else if (message.type === 'classifierDataset') this.emit({ type: 'classifierDataset', dataset: message.dataset, backend: message.backend });
        else if (message.type === 'classifierEpoch') this.emit({ type: 'classifierEpoch', epoch: message.epoch });
        else if (message.type === 'curvePoint') this.emit({ type: 'curvePoint', point: message.point });
        const taken = take(message, report);
        if (taken !== undefined) value = taken;
        if (message.type === 'error' && message.detail) this.log.error(message.detail);
      },
      (line) => this.log.info(`[trainer] ${line}`),
    );
    this.active = { runId, trainer, cancelRequested: false };
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    token.onCancellationRequested(() => void this.cancel());
    this.log.info(`Classifier run ${runId}: ${title}`);
    trainer.send({ type: 'start', runId, job });
    const exit = await trainer.exited;
    const cancelRequested = this.active.cancelRequested;
    this.active = undefined;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    if (value !== undefined) return { status: 'done', value, started: true };
    if (cancelled || cancelRequested) {
      this.log.info(`Classifier run ${runId} cancelled`);
      return { status: 'cancelled', started: true };
    }
    const error = failure ?? `The trainer process stopped unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}).`;
    if (exit.logTail.length > 0 && !failure) this.log.error(`Last trainer output:\n${exit.logTail.join('\n')}`);
    this.log.error(`Classifier run ${runId} failed: ${error}`);
    void vscode.window.showErrorMessage(`Transfer Lab: ${title} failed. ${error}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show();
    });
    return { status: 'failed', error, started: true };
  }

  private startPanelRun(run: Extract<ClassifierPanelMessage, { type: 'classifierRunStarted' }>['run']): void {
    // A train run replaces the replay; a curve keeps the last classifier's result in view.
    this.replay = run.kind === 'train' ? [] : this.replay.filter((m) => m.type === 'classifierResult');
    this.emit({ type: 'classifierRunStarted', run });
  }

  private endPanelRun(outcome: ClassifierOutcome<unknown>, doneMessage: string | undefined): void {
    const message = outcome.status === 'done' ? (doneMessage ?? 'Done.') : outcome.status === 'cancelled' ? 'Cancelled; nothing was written.' : `Failed: ${outcome.error}`;
    this.emit({ type: 'classifierRunEnded', status: outcome.status, message });
  }

  private emit(message: ClassifierPanelMessage): void {
    // Epochs and curve points are part of the replay too: a panel opened mid-run redraws the chart.
    this.replay.push(message);
    this.eventEmitter.fire(message);
  }

  private refuse<T>(message: string): ClassifierOutcome<T> {
    void vscode.window.showErrorMessage(`Transfer Lab: ${message}`);
    return { status: 'failed', error: message };
  }

  dispose(): void {
    this.queue.cancelAll();
    this.active?.trainer.kill();
    this.eventEmitter.dispose();
  }
}
