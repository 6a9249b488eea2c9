// Owns the training run: finds the corpus, starts a trainer process, relays its reports to the UI
// (notification, status bar, panel) and turns however the process ends into one RunOutcome.
// All heavy work happens in the trainer; this class only routes messages.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeLock } from '../core/lockFactors';
import { JobQueue, newRunId } from './jobQueue';
import type { RunHistory, RunRecord } from './runHistory';
import { CHECKPOINTS_FOLDER, hasCheckpoint, removeCheckpoint } from '../core/checkpoint';
import { readModelManifest, removeStaleTempFolders, sanitizeModelName, uniqueModelDir, type ModelManifest } from '../core/modelFolder';
import type { CheckpointSettings, EncoderKind, FineTuneInit, FineTuneLock, HostToPanel, ModelSummary, RunInfo, RunStatus, TrainerToHost, TrainingParameters, TrainingProgress } from '../shared/protocol';
import { withOverrides, type Config } from './config';
import { TrainerProcess } from './trainerProcess';
import { findWorkspaceCorpus, type WorkspaceCorpus } from './workspaceCorpus';

export interface RunOutcome {
  status: RunStatus;
  modelDir?: string;
  error?: string;
  /** A failed run that saved a checkpoint: where it is (Resume from Checkpoint takes it up). */
  checkpoint?: string;
}


export type RunOverrides = Partial<TrainingParameters> & { modelName?: string; /** Default: the setting transferLab.training.checkpointMinutes. */ checkpointMinutes?: number };

/** A run to take up again: its model folder (not written yet) and the checkpoint folder it left. */
interface ResumeFrom {
  checkpoint: string;
  modelDir: string;
}

/** Import of a pretrained vectors file as a model (Import Pretrained Vectors…). */
export interface ImportArgs {
  sourcePath: string;
  /** Default: the file's name, sanitised. */
  modelName?: string;
  /** Default false: stop at the first malformed line and name it. */
  skipBadLines?: boolean;
}

/** Fine-tune `modelDir` on the workspace, or on `resource` (a file or a folder) when given. */
export type FineTuneArgs = RunOverrides & { modelDir: string; lock: FineTuneLock; lockWords?: string; resource?: vscode.Uri };

/** Progress points kept for a panel opened mid-run; older points are thinned, never the newest. */
const MAX_HISTORY = 4000;

interface ActiveRun {
  info: RunInfo;
  trainer: TrainerProcess;
  cancelRequested: boolean;
}

export class RunController implements vscode.Disposable {
  private active: ActiveRun | undefined;
  private readonly eventEmitter = new vscode.EventEmitter<HostToPanel>();
  /** Everything the panel needs to redraw the latest run from scratch. */
  private replay: HostToPanel[] = [];
  private progressHistory: TrainingProgress[] = [];
  private latestModel: ModelSummary | undefined;
  /** The last finished runs' loss curves, for the panel to draw under the current one. */
  private pastRuns: { name: string; points: { seconds: number; loss: number }[] }[] = [];
  private readonly activeModelEmitter = new vscode.EventEmitter<ModelSummary | undefined>();

  readonly onEvent = this.eventEmitter.event;
  readonly onActiveModelChanged = this.activeModelEmitter.event;

  constructor(
    private readonly trainerScript: string,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
    private readonly history?: RunHistory,
    private readonly queue = new JobQueue(),
  ) {}

  get isRunning(): boolean {
    return this.active !== undefined;
  }

  get trainerPid(): number | undefined {
    return this.active?.trainer.pid;
  }

  get lastProgress(): TrainingProgress | undefined {
    return this.progressHistory.at(-1);
  }

  get activeModel(): ModelSummary | undefined {
    return this.latestModel;
  }

  setActiveModel(model: ModelSummary | undefined): void {
    this.latestModel = model;
    this.emit({ type: 'model', model });
    this.activeModelEmitter.fire(model);
  }

  /** Messages that rebuild the panel's view of the latest run, in order. */
  snapshot(): HostToPanel[] {
    const past: HostToPanel[] = this.pastRuns.length ? [{ type: 'pastRuns', runs: this.pastRuns }] : [];
    return [...past, ...this.replay, ...this.progressHistory.map((progress) => ({ type: 'progress', progress }) as HostToPanel), { type: 'model', model: this.latestModel }];
  }

  async cancel(): Promise<void> {
    const run = this.active;
    if (!run) return;
    run.cancelRequested = true;
    this.log.info(`Cancelling run ${run.info.runId}`);
    run.trainer.cancel(run.info.runId);
    await run.trainer.exited;
  }

  async pretrainWorkspace(overrides: RunOverrides = {}): Promise<RunOutcome> {
    return this.start(overrides, undefined, undefined);
  }

  /** Pretrains on one file or folder of the workspace (the explorer's "Pretrain Word Vectors on This"). */
  async pretrainOn(resource: vscode.Uri, overrides: RunOverrides = {}): Promise<RunOutcome> {
    return this.start(overrides, undefined, resource);
  }

  /**
   * Trains further from an existing model (its vectors, vocabulary and dim) on the workspace, or on
   * `resource`: a folder (searched with the same include and exclude settings) or a single file.
   */
  async fineTune(args: FineTuneArgs): Promise<RunOutcome> {
    const { modelDir, lock, lockWords, resource, ...overrides } = args;
    return this.start(overrides, lockWords === undefined ? { modelDir, lock } : { modelDir, lock, lockWords }, resource);
  }

  /**
   * Resume from Checkpoint: `record` (a failed run of the Runs view), or without one the newest run
   * that can resume. The run goes on in the model folder it was writing, with its settings.
   */
  async resume(record?: RunRecord): Promise<RunOutcome> {
    const target = record ?? this.history?.all.find((r) => r.state === 'failed' && r.checkpoint);
    const spec = target?.rerun;
    if (!target?.checkpoint || !target.modelDir || !spec || (spec.kind !== 'pretrain' && spec.kind !== 'fine-tune')) {
      return this.refuse('There is no interrupted run to resume: a run can resume once it has saved a checkpoint (every transferLab.training.checkpointMinutes of training).');
    }
    if (!(await hasCheckpoint(target.checkpoint))) {
      this.history?.update(target.id, { checkpoint: undefined });
      return this.refuse(`The checkpoint of ${target.title} is gone (${target.checkpoint}). Use Run Again to train it from the start.`);
    }
    // The old record hands its checkpoint on to the new run: only one of them can resume from it.
    this.history?.update(target.id, { checkpoint: undefined });
    const overrides: RunOverrides = { ...spec.parameters, modelName: path.basename(target.modelDir) };
    const resumeFrom = { checkpoint: target.checkpoint, modelDir: target.modelDir };
    if (spec.kind === 'pretrain') return this.start(overrides, undefined, spec.resource ? vscode.Uri.file(spec.resource) : undefined, resumeFrom);
    return this.start(overrides, { modelDir: spec.modelDir, lock: spec.lock, ...(spec.lockWords && { lockWords: spec.lockWords }) }, spec.resource ? vscode.Uri.file(spec.resource) : undefined, resumeFrom);
  }

  private async start(overrides: RunOverrides, init: FineTuneInit | undefined, resource: vscode.Uri | undefined, resumeFrom?: ResumeFrom): Promise<RunOutcome> {
    if (!vscode.workspace.isTrusted) {
      return this.refuse('Transfer Lab trains only in a trusted workspace: training reads every text file in the folder and writes models into it. Trust the workspace, then run the command again.');
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      return this.refuse('Open a folder with text files first, then run "Transfer Lab: Pretrain Word Vectors on Workspace".', 'Open Folder…');
    }
    let parent: ModelManifest | undefined;
    if (init) {
      try {
        parent = await readModelManifest(init.modelDir);
      } catch (error) {
        return this.refuse(`Transfer Lab cannot fine-tune ${init.modelDir}: ${(error as Error).message}`);
      }
    }
    const resourceStat = resource && (await vscode.workspace.fs.stat(resource).then(
      (stat) => stat,
      () => undefined,
    ));
    if (resource && (resource.scheme !== 'file' || !resourceStat)) {
      return this.refuse(`Transfer Lab cannot read ${resource.scheme === 'file' ? resource.fsPath : resource.toString()}: only files and folders on this machine's disk can be trained on.`);
    }

    const runId = newRunId('run');
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Transfer Lab', cancellable: true },
      async (progress, token) => {
        const title = overrides.modelName ?? (parent ? `fine-tune of ${parent.name}` : `${withOverrides(this.config.trainingParameters, overrides).algorithm} pretraining`);
        const turn = await this.queue.exclusive(
          { id: runId, title },
          () => this.prepareAndRun(runId, folder, overrides, init, parent, resource, resourceStat, progress, token, resumeFrom),
          (behind) => {
            progress.report({ message: `Queued: starts when ${behind.title} finishes.` });
            this.log.info(`Run ${runId} (${title}) queued behind ${behind.title}`);
            const parameters = withOverrides(this.config.trainingParameters, overrides);
            this.history?.queue({
              id: runId,
              kind: init ? 'fine-tune' : 'pretrain',
              title,
              rerun: init
                ? { kind: 'fine-tune', parameters, modelDir: init.modelDir, lock: init.lock, ...(init.lockWords && { lockWords: init.lockWords }), ...(resource && { resource: resource.fsPath }) }
                : { kind: 'pretrain', parameters, ...(resource && { resource: resource.fsPath }) },
            });
            token.onCancellationRequested(() => this.queue.cancel(runId));
          },
        );
        if (turn.ran) return turn.value;
        this.log.info(`Run ${runId} (${title}) cancelled before it started`);
        this.history?.finish(runId, 'cancelled', { summary: 'cancelled while queued' });
        return { status: 'cancelled' };
      },
    );
  }

  /** The run itself, once it has the queue: finds the files, then trains. */
  private async prepareAndRun(
    runId: string,
    folder: vscode.WorkspaceFolder,
    overrides: RunOverrides,
    init: FineTuneInit | undefined,
    parent: ModelManifest | undefined,
    resource: vscode.Uri | undefined,
    resourceStat: vscode.FileStat | undefined,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
    resumeFrom?: ResumeFrom,
  ): Promise<RunOutcome> {
    progress.report({ message: resumeFrom ? 'Finding the text files to resume on…' : 'Finding text files…' });
    const corpusSettings = this.config.corpus;
    const modelsRoot = path.resolve(folder.uri.fsPath, this.config.modelsFolder);
    const modelsGlob = path.relative(folder.uri.fsPath, modelsRoot);
    let maxFileBytes = corpusSettings.maxFileBytes;
    let corpus: WorkspaceCorpus | undefined;
    if (resource && resourceStat && (resourceStat.type & vscode.FileType.Directory) === 0) {
      // A file picked by hand is wanted whatever its size; the size limit guards folder scans.
      corpus = { root: folder.uri, files: [resource.fsPath], nonLocal: 0 };
      maxFileBytes = Number.MAX_SAFE_INTEGER;
    } else {
      corpus = await findWorkspaceCorpus(
        corpusSettings,
        modelsGlob && !modelsGlob.startsWith('..') && !path.isAbsolute(modelsGlob) ? `${modelsGlob.split(path.sep).join('/')}/**` : undefined,
        token,
        resource,
      );
    }
    if (token.isCancellationRequested) return { status: 'cancelled' };
    if (!corpus || corpus.files.length === 0) {
      const where = resource ? vscode.workspace.asRelativePath(resource) : 'this workspace';
      return this.refuse(
        `No text files in ${where} match "${corpusSettings.include}". Add some text, or change the setting transferLab.corpus.include.`,
        'Open Settings',
      );
    }
    if (corpus.nonLocal > 0) this.log.warn(`${corpus.nonLocal} matching files are not on a local disk and were left out.`);

    await removeStaleTempFolders(modelsRoot);
    const parameters = parent ? continuedParameters(withOverrides(this.config.trainingParameters, overrides), parent, overrides) : withOverrides(this.config.trainingParameters, overrides);
    const baseName = overrides.modelName ?? (parent ? `${sanitizeModelName(parent.name)}-ft-${timestamp()}` : defaultModelName(parameters.algorithm));
    const modelDir = resumeFrom ? resumeFrom.modelDir : await uniqueModelDir(modelsRoot, baseName);
    if (resumeFrom && (await pathExists(modelDir))) {
      return this.refuse(`${path.basename(modelDir)} already exists, so the interrupted run cannot be resumed into it. Rename or delete that model, or use Run Again.`);
    }
    // Word2Vec and FastText keep checkpoints beside the models (a hidden folder the corpus scan leaves out).
    const checkpoint: CheckpointSettings | undefined =
      parameters.algorithm === 'glove'
        ? undefined
        : { dir: resumeFrom?.checkpoint ?? path.join(modelsRoot, CHECKPOINTS_FOLDER, path.basename(modelDir)), everyMinutes: overrides.checkpointMinutes ?? this.config.checkpointMinutes, resume: resumeFrom !== undefined };
    const info: RunInfo = {
      runId,
      modelName: path.basename(modelDir),
      fileCount: corpus.files.length,
      parameters,
      startedAt: Date.now(),
    };
    token.onCancellationRequested(() => void this.cancel());
    return this.run(info, corpus.files, corpus.root.fsPath, maxFileBytes, modelDir, progress, init, resource, checkpoint);
  }

  private async run(
    info: RunInfo,
    files: string[],
    corpusRoot: string,
    maxFileBytes: number,
    modelDir: string,
    notification: vscode.Progress<{ message?: string; increment?: number }>,
    init?: FineTuneInit,
    resource?: vscode.Uri,
    checkpoint?: CheckpointSettings,
  ): Promise<RunOutcome> {
    this.rememberPastRun();
    this.replay = [];
    this.progressHistory = [];
    this.emit({ type: 'runStarted', run: info });
    this.history?.start({
      id: info.runId,
      kind: init ? 'fine-tune' : 'pretrain',
      title: info.modelName,
      rerun: init
        ? { kind: 'fine-tune', parameters: info.parameters, modelDir: init.modelDir, lock: init.lock, ...(init.lockWords && { lockWords: init.lockWords }), ...(resource && { resource: resource.fsPath }) }
        : { kind: 'pretrain', parameters: info.parameters, ...(resource && { resource: resource.fsPath }) },
      modelDir,
      // A resumed run can resume again from the same checkpoint until it saves a newer one.
      ...(checkpoint?.resume && { checkpoint: checkpoint.dir }),
    });
    this.log.info(`Run ${info.runId}: training ${info.modelName} on ${files.length} files, parameters ${JSON.stringify(info.parameters)}`);
    if (init) this.log.info(`Run ${info.runId}: fine-tuning ${init.modelDir}, ${describeLock(String(init.lock))}${init.lockWords ? `, per-word factors from ${init.lockWords}` : ''}`);
    notification.report({ message: `Reading ${files.length} files…` });

    let terminal: TrainerToHost | undefined;
    let reportedPercent = 0;
    const onMessage = (message: TrainerToHost) => {
      switch (message.type) {
        case 'ready':
          break;
        case 'log':
          this.log[message.level](message.message);
          break;
        case 'corpus':
          this.emit({ type: 'corpus', report: message.report });
          this.logCorpusReport(message.report);
          break;
        case 'checkpoint':
          this.history?.update(info.runId, { checkpoint: message.dir });
          break;
        case 'vocabulary':
          this.log.info(`Vocabulary: ${message.vocabularySize.toLocaleString('en-US')} words (min count ${info.parameters.minCount}) from ${message.corpusWords.toLocaleString('en-US')} tokens`);
          break;
        case 'progress': {
          this.recordProgress(message.progress);
          const p = message.progress;
          if (p.phase === 'vocabulary') {
            notification.report({ message: `Counting words: ${Math.round(p.wordsDone).toLocaleString('en-US')} so far…` });
            break;
          }
          const percent = p.wordsTotal > 0 ? Math.min(100, (100 * p.wordsDone) / p.wordsTotal) : 0;
          notification.report({
            increment: percent - reportedPercent,
            message: `epoch ${p.epoch}/${p.epochs} · ${Math.round(percent)}% · loss ${p.loss.toFixed(3)} · ${formatRate(p.wordsPerSecond)}`,
          });
          reportedPercent = percent;
          break;
        }
        case 'done':
        case 'cancelled':
        case 'error':
          terminal = message;
          break;
      }
    };
    const trainer = new TrainerProcess(this.trainerScript, onMessage, (line) => this.log.info(`[trainer] ${line}`));
    this.active = { info, trainer, cancelRequested: false };
    trainer.send({ type: 'start', runId: info.runId, job: { kind: 'word2vec', files, corpusRoot, maxFileBytes, parameters: info.parameters, modelDir, modelName: info.modelName, ...(init && { init }), ...(checkpoint && { checkpoint }) } });

    const exit = await trainer.exited;
    const cancelRequested = this.active.cancelRequested;
    this.active = undefined;
    // A trainer killed mid-write leaves its temporary folder behind; never leave it for the user.
    await removeStaleTempFolders(path.dirname(modelDir));

    let outcome: RunOutcome;
    const finished = terminal as TrainerToHost | undefined;
    if (finished?.type === 'done') {
      outcome = { status: 'done', modelDir: finished.model.modelDir };
      this.history?.update(info.runId, { checkpoint: undefined });
      this.emit({ type: 'runEnded', status: 'done', message: `Model ${info.modelName} is ready: ${finished.model.vocabularySize.toLocaleString('en-US')} words × ${finished.model.dim} dimensions.` });
      this.setActiveModel(finished.model);
      this.log.info(`Run ${info.runId} done: ${finished.model.modelDir}`);
      const last = this.lastProgress;
      const numbers = [`${finished.model.vocabularySize.toLocaleString('en-US')} words × ${finished.model.dim}`, ...(last ? [`loss ${last.epochLoss.toFixed(3)}`, formatRate(last.wordsPerSecond)] : [])];
      this.history?.finish(info.runId, 'done', { summary: numbers.join(' · '), output: finished.model.modelDir });
      if (init) {
        // The natural next step after a fine-tune: what changed, and was general knowledge kept?
        const childDir = finished.model.modelDir;
        void vscode.window
          .showInformationMessage(`Transfer Lab: ${info.modelName} is fine-tuned from ${path.basename(init.modelDir)}.`, 'Show What Moved')
          .then((choice) => {
            if (choice) void vscode.commands.executeCommand('transferLab.showWhatMoved', childDir);
          });
      }
    } else if (finished?.type === 'cancelled' || cancelRequested) {
      // Cancelling means "I do not want this run": nothing of it stays, its checkpoint neither.
      if (checkpoint) await removeCheckpoint(checkpoint.dir);
      this.history?.update(info.runId, { checkpoint: undefined });
      outcome = { status: 'cancelled' };
      this.emit({ type: 'runEnded', status: 'cancelled', message: 'Training was cancelled; no model was written.' });
      this.log.info(`Run ${info.runId} cancelled`);
      this.history?.finish(info.runId, 'cancelled');
    } else {
      const error =
        finished?.type === 'error'
          ? finished.message
          : `The trainer process stopped unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}).`;
      if (finished?.type === 'error' && finished.detail) this.log.error(finished.detail);
      if (exit.logTail.length > 0) this.log.error(`Last trainer output:\n${exit.logTail.join('\n')}`);
      const resumable = checkpoint !== undefined && (await hasCheckpoint(checkpoint.dir));
      this.history?.update(info.runId, { checkpoint: resumable ? checkpoint.dir : undefined });
      outcome = { status: 'failed', error, ...(resumable && { checkpoint: checkpoint.dir }) };
      const resumeHint = resumable ? ' It can resume from its last checkpoint.' : '';
      this.emit({ type: 'runEnded', status: 'failed', message: `Training failed: ${error}${resumeHint}` });
      this.log.error(`Run ${info.runId} failed: ${error}${resumable ? ` (checkpoint kept in ${checkpoint.dir})` : ''}`);
      this.history?.finish(info.runId, 'failed', { summary: error.slice(0, 200) });
      const actions = resumable ? ['Resume from Checkpoint', 'Show Log'] : ['Show Log'];
      void vscode.window.showErrorMessage(`Transfer Lab: training failed. ${error}${resumeHint}`, ...actions).then((choice) => {
        if (choice === 'Show Log') this.log.show();
        if (choice === 'Resume from Checkpoint') void vscode.commands.executeCommand('transferLab.resumeRun');
      });
    }
    return outcome;
  }

  /**
   * Pretrain Encoder: a BPE tokeniser and a Transformer (masked LM) or LSTM (next token) on the
   * workspace's text for `minutes`, in the trainer process, with the run's chart in the panel; the
   * encoder folder goes to .transfer-lab/encoders/<name>.
   */
  async pretrainEncoder(args: { arch: EncoderKind; minutes: number; vocabSize?: number; name?: string }): Promise<RunOutcome> {
    if (!vscode.workspace.isTrusted) return this.refuse('Transfer Lab trains only in a trusted workspace: training reads every text file in the folder and writes into it. Trust the workspace, then run the command again.');
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.refuse('Open a folder with text files first, then run "Transfer Lab: Pretrain Encoder on Workspace…".', 'Open Folder…');
    const runId = newRunId('encoder');
    const vocabSize = args.vocabSize ?? 8000;
    const title = args.name ?? `${args.arch}-${timestamp()}`;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Transfer Lab', cancellable: true }, async (progress, token) => {
      const rerun = { kind: 'encoder' as const, arch: args.arch, minutes: args.minutes, vocabSize };
      const turn = await this.queue.exclusive(
        { id: runId, title },
        async () => {
          progress.report({ message: 'Finding text files…' });
          const corpusSettings = this.config.corpus;
          const modelsRoot = path.resolve(folder.uri.fsPath, this.config.modelsFolder);
          const modelsGlob = path.relative(folder.uri.fsPath, modelsRoot);
          const corpus = await findWorkspaceCorpus(corpusSettings, modelsGlob && !modelsGlob.startsWith('..') && !path.isAbsolute(modelsGlob) ? `${modelsGlob.split(path.sep).join('/')}/**` : undefined, token);
          if (token.isCancellationRequested) return { status: 'cancelled' } as RunOutcome;
          if (!corpus || corpus.files.length === 0) return this.refuse(`No text files in this workspace match "${corpusSettings.include}". Add some text, or change the setting transferLab.corpus.include.`, 'Open Settings');
          const encodersRoot = path.join(folder.uri.fsPath, ENCODERS_FOLDER);
          await removeStaleTempFolders(encodersRoot);
          const encoderDir = await uniqueModelDir(encodersRoot, title);
          const name = path.basename(encoderDir);
          const info: RunInfo = { runId, modelName: name, fileCount: corpus.files.length, parameters: this.config.trainingParameters, startedAt: Date.now() };
          this.rememberPastRun();
          this.replay = [];
          this.progressHistory = [];
          this.emit({ type: 'runStarted', run: info });
          this.history?.start({ id: runId, kind: 'encoder', title: name, rerun, modelDir: encoderDir });
          this.log.info(`Run ${runId}: pretraining a ${args.arch} encoder ${name} on ${corpus.files.length} files for ${args.minutes} minutes`);
          progress.report({ message: `Learning subwords from ${corpus.files.length} files…` });
          let terminal: TrainerToHost | undefined;
          const trainer = new TrainerProcess(
            this.trainerScript,
            (message) => {
              if (message.type === 'log') this.log[message.level](message.message);
              else if (message.type === 'corpus') this.emit({ type: 'corpus', report: message.report });
              else if (message.type === 'progress') {
                this.recordProgress(message.progress);
                const p = message.progress;
                progress.report({ message: `loss ${p.loss.toFixed(3)} · perplexity ${(p.perplexity ?? Math.exp(p.loss)).toFixed(0)} · ${Math.round(p.wordsPerSecond).toLocaleString('en-US')} tokens/s` });
              } else if (message.type === 'encoderDone' || message.type === 'cancelled' || message.type === 'error') terminal = message;
            },
            (line) => this.log.info(`[trainer] ${line}`),
          );
          this.active = { info, trainer, cancelRequested: false };
          token.onCancellationRequested(() => void this.cancel());
          trainer.send({ type: 'start', runId, job: { kind: 'pretrain-encoder', files: corpus.files, corpusRoot: corpus.root.fsPath, maxFileBytes: corpusSettings.maxFileBytes, arch: args.arch, minutes: args.minutes, vocabSize, encoderDir, name } });
          const exit = await trainer.exited;
          const cancelRequested = this.active.cancelRequested;
          this.active = undefined;
          await removeStaleTempFolders(encodersRoot);
          const finished = terminal as TrainerToHost | undefined;
          if (finished?.type === 'encoderDone') {
            const e = finished.encoder;
            const summary = `${e.arch} · ${e.steps} steps · loss ${e.finalLoss.toFixed(3)} (perplexity ${Math.exp(e.finalLoss).toFixed(0)}) · ${Math.round(e.tokensPerSecond).toLocaleString('en-US')} tokens/s`;
            this.emit({ type: 'runEnded', status: 'done', message: `Encoder ${name} is ready: ${summary}. Fine-tune it on labelled data with: transfer-lab classify train <data> --encoder "${encoderDir}"` });
            this.history?.finish(runId, 'done', { summary, output: encoderDir });
            this.log.info(`Run ${runId} done: ${encoderDir} (${summary})`);
            return { status: 'done', modelDir: encoderDir } as RunOutcome;
          }
          if (finished?.type === 'cancelled' || cancelRequested) {
            this.emit({ type: 'runEnded', status: 'cancelled', message: 'Pretraining was cancelled; no encoder was written.' });
            this.history?.finish(runId, 'cancelled');
            return { status: 'cancelled' } as RunOutcome;
          }
          const error = finished?.type === 'error' ? finished.message : `The trainer process stopped unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}).`;
          if (exit.logTail.length > 0) this.log.error(`Last trainer output:\n${exit.logTail.join('\n')}`);
          this.emit({ type: 'runEnded', status: 'failed', message: `Pretraining failed: ${error}` });
          this.history?.finish(runId, 'failed', { summary: error.slice(0, 200) });
          void vscode.window.showErrorMessage(`Transfer Lab: pretraining failed. ${error}`, 'Show Log').then((choice) => {
            if (choice === 'Show Log') this.log.show();
          });
          return { status: 'failed', error } as RunOutcome;
        },
        (behind) => {
          progress.report({ message: `Queued: starts when ${behind.title} finishes.` });
          this.history?.queue({ id: runId, kind: 'encoder', title, rerun });
          token.onCancellationRequested(() => this.queue.cancel(runId));
        },
      );
      if (turn.ran) return turn.value;
      this.history?.finish(runId, 'cancelled', { summary: 'cancelled while queued' });
      return { status: 'cancelled' };
    });
  }

  /**
   * Imports a vectors file into a new model folder under the models folder, in the trainer process,
   * with a cancellable notification. The imported model becomes the panel's model.
   */
  async importVectors(args: ImportArgs): Promise<RunOutcome> {
    if (!vscode.workspace.isTrusted) return this.refuse('Transfer Lab imports models only in a trusted workspace: the import writes into the models folder. Trust the workspace, then run the command again.');
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.refuse('Open a folder first: imported models are saved in its models folder.', 'Open Folder…');
    const sourcePath = path.resolve(args.sourcePath);
    const modelsRoot = path.resolve(folder.uri.fsPath, this.config.modelsFolder);
    const baseName = sanitizeModelName(args.modelName ?? path.basename(sourcePath).replace(/(\.gz)?$/i, '').replace(/\.(txt|vec|bin)$/i, ''));
    const runId = newRunId('import');
    const file = path.basename(sourcePath);

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: importing ${file}`, cancellable: true },
      async (notification, token) => {
        const turn = await this.queue.exclusive({ id: runId, title: `import of ${file}` }, () => this.runImport(runId, args, sourcePath, modelsRoot, baseName, notification, token), (behind) => {
          notification.report({ message: `Queued: starts when ${behind.title} finishes.` });
          token.onCancellationRequested(() => this.queue.cancel(runId));
        });
        return turn.ran ? turn.value : { status: 'cancelled' };
      },
    );
  }

  private async runImport(
    runId: string,
    args: ImportArgs,
    sourcePath: string,
    modelsRoot: string,
    baseName: string,
    notification: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<RunOutcome> {
    // Named only once it has the queue: a queued import of the same file must not pick the same folder.
    await removeStaleTempFolders(modelsRoot);
    const modelDir = await uniqueModelDir(modelsRoot, baseName);
    const modelName = path.basename(modelDir);
    const file = path.basename(sourcePath);
    let terminal: TrainerToHost | undefined;
    let reportedPercent = 0;
    const phases = { hashing: 'checksum', reading: 'reading', writing: 'writing' } as const;
    const trainer = new TrainerProcess(
      this.trainerScript,
      (message) => {
        if (message.type === 'log') this.log[message.level](message.message);
        else if (message.type === 'importProgress') {
          // Hashing is a quick first pass, reading the long second one: 0-20% and 20-100%.
          const fraction = message.bytesTotal > 0 ? Math.min(1, message.bytesDone / message.bytesTotal) : 0;
          const percent = message.phase === 'hashing' ? 20 * fraction : message.phase === 'reading' ? 20 + 80 * fraction : 100;
          notification.report({ increment: Math.max(0, percent - reportedPercent), message: `${phases[message.phase]} · ${Math.round(percent)}%` });
          reportedPercent = Math.max(reportedPercent, percent);
        } else if (message.type === 'done' || message.type === 'cancelled' || message.type === 'error') terminal = message;
      },
      (line) => this.log.info(`[trainer] ${line}`),
    );
    const info: RunInfo = { runId, modelName, fileCount: 1, parameters: this.config.trainingParameters, startedAt: Date.now() };
    this.active = { info, trainer, cancelRequested: false };
    token.onCancellationRequested(() => void this.cancel());
    this.log.info(`Import ${runId}: ${sourcePath} -> ${modelDir}${args.skipBadLines ? ' (skipping malformed lines)' : ''}`);
    trainer.send({ type: 'start', runId, job: { kind: 'import', sourcePath, modelDir, modelName, skipBadLines: args.skipBadLines === true } });
    const exit = await trainer.exited;
    const cancelRequested = this.active.cancelRequested;
    this.active = undefined;
    await removeStaleTempFolders(modelsRoot);
    const finished = terminal as TrainerToHost | undefined;
    if (finished?.type === 'done') {
      this.setActiveModel(finished.model);
      this.log.info(`Import ${runId} done: ${finished.model.modelDir}`);
      void vscode.window.showInformationMessage(`Transfer Lab: imported ${file} as ${modelName}: ${finished.model.vocabularySize.toLocaleString('en-US')} words × ${finished.model.dim} dimensions.`);
      return { status: 'done', modelDir: finished.model.modelDir };
    }
    if (finished?.type === 'cancelled' || cancelRequested) {
      this.log.info(`Import ${runId} cancelled`);
      return { status: 'cancelled' };
    }
    const error =
      finished?.type === 'error' ? finished.message : `The trainer process stopped unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}).`;
    if (exit.logTail.length > 0) this.log.error(`Last trainer output:\n${exit.logTail.join('\n')}`);
    this.log.error(`Import ${runId} failed: ${error}`);
    void vscode.window.showErrorMessage(`Transfer Lab: could not import ${file}. ${error}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show();
    });
    return { status: 'failed', error };
  }

  /** The run just shown (if it trained) joins the past runs, thinned to at most 400 points. */
  private rememberPastRun(): void {
    const started = this.replay.find((m): m is Extract<HostToPanel, { type: 'runStarted' }> => m.type === 'runStarted');
    const points = this.progressHistory.filter((p) => p.phase === 'training');
    if (!started || points.length === 0) return;
    const step = Math.ceil(points.length / 400);
    const thinned = points.filter((_, i) => i % step === 0 || i === points.length - 1).map((p) => ({ seconds: p.elapsedMs / 1000, loss: p.loss }));
    this.pastRuns = [...this.pastRuns, { name: started.run.modelName, points: thinned }].slice(-4);
    this.eventEmitter.fire({ type: 'pastRuns', runs: this.pastRuns });
  }

  private recordProgress(progress: TrainingProgress): void {
    this.progressHistory.push(progress);
    if (this.progressHistory.length > MAX_HISTORY) {
      // Drop every other point of the older half: long runs keep their shape and their recent detail.
      const half = this.progressHistory.length >> 1;
      this.progressHistory = [...this.progressHistory.slice(0, half).filter((_, i) => i % 2 === 0), ...this.progressHistory.slice(half)];
    }
    this.eventEmitter.fire({ type: 'progress', progress });
  }

  private logCorpusReport(report: { filesRead: number; bytesRead: number; skipped: { path: string; reason: string; detail: string }[]; replacedCharacters: number }): void {
    this.log.info(`Corpus: read ${report.filesRead} files (${(report.bytesRead / 1e6).toFixed(1)} MB); skipped ${report.skipped.length}`);
    for (const skipped of report.skipped) this.log.warn(`Skipped ${skipped.path}: ${skipped.reason} (${skipped.detail})`);
    if (report.replacedCharacters > 0) {
      this.log.warn(`${report.replacedCharacters} invalid UTF-8 byte sequences were replaced with U+FFFD.`);
    }
  }

  private emit(message: HostToPanel): void {
    if (message.type !== 'progress' && message.type !== 'model') this.replay.push(message);
    this.eventEmitter.fire(message);
  }

  /** Says why a run cannot start, offers the fix as a button, and returns without waiting for the user. */
  private refuse(message: string, action?: 'Open Folder…' | 'Open Settings'): RunOutcome {
    this.log.warn(message);
    const shown = action ? vscode.window.showErrorMessage(message, action) : vscode.window.showErrorMessage(message);
    void shown.then((choice) => {
      if (choice === 'Open Folder…') void vscode.commands.executeCommand('workbench.action.files.openFolder');
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'transferLab.corpus');
    });
    return { status: 'failed', error: message };
  }

  dispose(): void {
    this.queue.cancelAll();
    this.active?.trainer.kill();
    this.eventEmitter.dispose();
    this.activeModelEmitter.dispose();
  }
}

async function pathExists(target: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(target));
    return true;
  } catch {
    return false;
  }
}

/** Where Pretrain Encoder writes, under the workspace folder (left out of the corpus like the models). */
export const ENCODERS_FOLDER = path.join('.transfer-lab', 'encoders');

function defaultModelName(algorithm: string): string {
  return `${algorithm}-${timestamp()}`;
}

function timestamp(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}

/**
 * A fine-tune goes on with its parent's kind of model and dim: FastText parents as FastText with
 * their own n-gram settings, everything else (Word2Vec, GloVe, imported vectors) as Word2Vec.
 * An algorithm given explicitly is kept, and the trainer says why when it cannot continue.
 */
function continuedParameters(parameters: TrainingParameters, parent: ModelManifest, overrides: RunOverrides): TrainingParameters {
  const out: TrainingParameters = { ...parameters, dim: parent.dim };
  if (!overrides.algorithm) out.algorithm = parent.subwordsFile ? 'fasttext' : 'word2vec';
  if (out.algorithm === 'fasttext' && parent.subwordsFile) {
    for (const key of ['minn', 'maxn', 'bucket'] as const) {
      const value = parent.parameters?.[key];
      if (typeof value === 'number') out[key] = value;
    }
  }
  return out;
}

function formatRate(wordsPerSecond: number): string {
  return wordsPerSecond >= 1000 ? `${(wordsPerSecond / 1000).toFixed(0)}k words/s` : `${Math.round(wordsPerSecond)} words/s`;
}
