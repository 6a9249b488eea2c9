// Activation: build the long-lived pieces once, then one line per command. Nothing heavy happens
// here; the trainer process starts only when a run does, the evaluation worker only when an evaluation does.
import * as vscode from 'vscode';
import { Config } from './config';
import { ModelEvaluator, type EvaluateArgs } from './modelEvaluator';
import { ModelQueries } from './modelQueries';
import { TrainingPanel } from './panel';
import { fineTuneCommand } from './fineTune';
import { RunController, type ImportArgs, type RunOutcome, type RunOverrides } from './runController';
import { importVectorsCommand } from './importCommand';
import { ModelComparer } from './modelComparer';
import { deleteModelCommand, exportModelCommand, modelDirOf, renameModelCommand } from './modelActions';
import { EditorFeatures } from './editorFeatures';
import { MapController } from './mapController';
import { JobQueue } from './jobQueue';
import { EncoderInspector } from './encoderInspector';
import type { SettingProblem } from './settingsCheck';
import type { Inspection } from '../shared/protocol';
import { SettingsWarnings } from './settingsWarnings';
import { RunHistory, RunsTreeProvider, type RunRecord } from './runHistory';
import { ClassifierController, type ClassifierOutcome, type CurveArgs, type TrainClassifierArgs } from './classifierController';
import { classifyFileCommand, classifyFolderCommand, classifySelectionCommand, trainClassifierCommand, transferGainCurveCommand } from './classifierCommands';
import type { ClassifierResult, CurveResult, Prediction } from '../shared/classifierProtocol';
import { SHOW_WHAT_MOVED_COMMAND, showWhatMovedCommand } from './whatMovedCommand';
import { activateStatusBar } from './statusBar';
import { ModelTreeProvider, SHOW_MODEL_COMMAND, type ModelTreeSnapshot } from './modelTree';
import type { QueryAnswer } from './vectorQueries';
import type { EncoderKind, EvaluationReport, FineTuneLock, Neighbour, TrainingProgress } from '../shared/protocol';

/** What `activate` returns: the extension's own API, used by its integration tests and by other extensions. */
export interface TransferLabApi {
  pretrainWorkspace(overrides?: RunOverrides): Promise<RunOutcome>;
  /**
   * Fine-tune Model on Workspace / on This without asking: trains further from `modelDir` on the
   * workspace, or on `resource` (a file or folder, as a path or URI) as the explorer's context menu does.
   */
  fineTune(args: RunOverrides & { modelDir: string; lock: FineTuneLock; lockWords?: string; resource?: string | vscode.Uri }): Promise<RunOutcome>;
  cancelTraining(): Promise<void>;
  /** `word` may also be word arithmetic, "king - man + woman". */
  neighbours(modelDir: string, word: string, k?: number): Promise<Neighbour[]>;
  /** As neighbours, with the query as understood and a note when a word was built from its n-grams. */
  query(modelDir: string, text: string, k?: number): Promise<QueryAnswer>;
  /** Runs Evaluate Model… without asking: undefined when cancelled or failed (the reason is shown and logged). */
  evaluate(modelDir: string, files: string[]): Promise<EvaluationReport | undefined>;
  trainerPid(): number | undefined;
  lastProgress(): TrainingProgress | undefined;
  /** Import Pretrained Vectors… without asking: a new model under the models folder, from `sourcePath`. */
  importVectors(args: ImportArgs): Promise<RunOutcome>;
  /** The Models view (sidebar) as it shows the models folder now: fine-tuned models under their parents. */
  modelTree(): Promise<ModelTreeSnapshot[]>;
  /** The Runs view's records, newest first, with what their tree items show. */
  runs(): (RunRecord & { description: string; contextValue: string })[];
  /** The panel's map of the active model: its words' 2-D coordinates (x, y per word). */
  drawMap(method: 'pca' | 'umap', points: number, seed?: number): Promise<{ words: string[]; coords: number[] } | undefined>;
  exportMap(target: string): Promise<string | undefined>;
  /** How long activation took, and the panel from creation to its script's first message (first paint). */
  timings(): { activationMs: number; panelReadyMs: number | undefined };
  /** Pretrain Encoder on Workspace without asking. */
  pretrainEncoder(args: { arch: EncoderKind; minutes: number; vocabSize?: number; name?: string }): Promise<RunOutcome>;
  /** The panel's Inspect: `word` in `texts`, read by the encoder `name` of .transfer-lab/encoders. */
  inspectEncoder(name: string, texts: string[], word: string): Promise<Inspection>;
  /** Checks the transferLab settings now (as on every change) and returns what cannot be used as written. */
  settingProblems(): readonly SettingProblem[];
  /** Train Classifier… without asking. */
  trainClassifier(args: TrainClassifierArgs): Promise<ClassifierOutcome<ClassifierResult>>;
  /** Transfer-Gain Curve… without asking. */
  transferGainCurve(args: CurveArgs): Promise<ClassifierOutcome<CurveResult>>;
  /** Classify files and texts with a saved classifier. */
  classify(classifierDir: string, files: string[], texts?: { id: string; text: string }[]): Promise<ClassifierOutcome<Prediction[]>>;
}

let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): TransferLabApi {
  const activationStarted = performance.now();
  const log = vscode.window.createOutputChannel('Transfer Lab', { log: true });
  const config = new Config((message) => {
    log.warn(message);
    void vscode.window.showWarningMessage(`Transfer Lab: ${message}`);
  });
  const queries = new ModelQueries();
  const dist = (file: string) => vscode.Uri.joinPath(context.extensionUri, 'dist', file).fsPath;
  const history = new RunHistory(context.workspaceState);
  // One queue for every heavy job, so two started at once run one after the other.
  const jobs = new JobQueue();
  controller = new RunController(dist('trainer.js'), config, log, history, jobs);
  const runs = controller;
  const evaluator = new ModelEvaluator(dist('evaluationWorker.js'), config, context.globalState, log);
  const comparer = new ModelComparer(dist('whatMovedWorker.js'), queries);
  const classifiers = new ClassifierController(dist('trainer.js'), config, log, history, jobs);
  const map = new MapController(dist('projectionWorker.js'), runs, log);
  const encoders = new EncoderInspector(dist('trainer.js'), log);
  const editorFeatures = new EditorFeatures(runs, queries, config, context.workspaceState, log);
  const openPanel = () => {
    const panel = TrainingPanel.show(context.extensionUri, { runs, queries, evaluator, comparer, classifiers, map, config, encoders });
    void editorFeatures.restoreActiveModel();
    return panel;
  };
  const uriArg = (arg: unknown) => (arg instanceof vscode.Uri ? arg : undefined);
  const evaluate = (args?: EvaluateArgs) => {
    openPanel();
    return evaluator.evaluate(args);
  };

  // The Models view of the sidebar: reloaded when a run ends (and by its watcher and refresh button).
  const modelTree = new ModelTreeProvider(config);
  const runsTree = new RunsTreeProvider(history);
  context.subscriptions.push(
    modelTree,
    vscode.window.createTreeView('transferLab.models', { treeDataProvider: modelTree, showCollapseAll: true }),
    runs.onEvent((event) => {
      if (event.type === 'runEnded') modelTree.refresh();
    }),
    vscode.commands.registerCommand('transferLab.refreshModels', () => modelTree.refresh()),
    history,
    runsTree,
    vscode.window.createTreeView('transferLab.runs', { treeDataProvider: runsTree }),
    vscode.commands.registerCommand('transferLab.openRun', async (record?: RunRecord) => {
      if (!record?.output) return;
      if (record.kind === 'pretrain' || record.kind === 'fine-tune') await vscode.commands.executeCommand(SHOW_MODEL_COMMAND, record.output);
      else await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(record.output));
    }),
    vscode.commands.registerCommand('transferLab.cancelRun', (record?: RunRecord) => {
      if (record?.state === 'queued') return jobs.cancel(record.id);
      return record?.kind === 'classifier' || record?.kind === 'curve' ? classifiers.cancel() : runs.cancel();
    }),
    vscode.commands.registerCommand('transferLab.rerun', (record?: RunRecord) => {
      const spec = record?.rerun;
      if (!spec) return undefined;
      openPanel();
      switch (spec.kind) {
        case 'pretrain':
          return spec.resource ? runs.pretrainOn(vscode.Uri.file(spec.resource), spec.parameters) : runs.pretrainWorkspace(spec.parameters);
        case 'fine-tune':
          return runs.fineTune({ ...spec.parameters, modelDir: spec.modelDir, lock: spec.lock, lockWords: spec.lockWords, resource: spec.resource ? vscode.Uri.file(spec.resource) : undefined });
        case 'classifier':
          return spec.encoderDir !== undefined
            ? classifiers.train({ dataPath: spec.dataPath, data: spec.data, encoderDir: spec.encoderDir, encoderTraining: spec.encoderTraining, settings: spec.settings })
            : classifiers.train({ dataPath: spec.dataPath, data: spec.data, vectorsDir: spec.vectorsDir, settings: spec.settings });
        case 'curve':
          return classifiers.curve({ dataPath: spec.dataPath, data: spec.data, vectorsDir: spec.vectorsDir, settings: spec.settings, sizes: spec.sizes });
        case 'encoder':
          return runs.pretrainEncoder({ arch: spec.arch, minutes: spec.minutes, vocabSize: spec.vocabSize });
      }
    }),
    vscode.commands.registerCommand('transferLab.resumeRun', (record?: RunRecord) => {
      openPanel();
      return runs.resume(record);
    }),
    vscode.commands.registerCommand('transferLab.clearRuns', () => history.clearFinished()),
    vscode.commands.registerCommand('transferLab.pretrainEncoder', async () => {
      const arch = await vscode.window.showQuickPick(
        [
          { label: 'Transformer', description: 'masked-language modelling (BERT-style)', detail: '2 layers × 128, 4 heads, 64 tokens: about 2,000 tokens/s on one core', arch: 'transformer' as const },
          { label: 'LSTM', description: 'next-token language model', detail: '1 layer × 256, 64 tokens: about 1,300 tokens/s on one core', arch: 'lstm' as const },
          { label: 'Sentence autoencoder', description: 'a Transformer whose text vector rebuilds its words', detail: 'the Transformer above; the pooled vector predicts the bag of its 64 tokens, some masked', arch: 'autoencoder' as const },
        ],
        { title: 'Pretrain an encoder on this workspace', placeHolder: 'Which network?' },
      );
      if (!arch) return undefined;
      const minutes = await vscode.window.showInputBox({
        title: `Pretrain a ${arch.label} on this workspace`,
        prompt: 'Minutes of training (it stops and saves when the time is up; more time, better encoder)',
        value: '20',
        validateInput: (v) => (Number(v) > 0 && Number(v) <= 10_000 ? undefined : 'A number of minutes, more than 0 (for example 20).'),
      });
      if (!minutes) return undefined;
      openPanel();
      return runs.pretrainEncoder({ arch: arch.arch, minutes: Number(minutes) });
    }),
    vscode.commands.registerCommand('transferLab.fineTuneModel', (arg?: unknown) => {
      const modelDir = modelDirOf(arg);
      if (!modelDir) return undefined;
      openPanel();
      return fineTuneCommand(runs, config, undefined, modelDir);
    }),
    vscode.commands.registerCommand('transferLab.exportModel', (arg?: unknown, target?: unknown) => exportModelCommand(arg, uriArg(target))),
    vscode.commands.registerCommand('transferLab.renameModel', async (arg?: unknown, newName?: unknown) => {
      const before = modelDirOf(arg);
      try {
        const after = await renameModelCommand(arg, config, queries, typeof newName === 'string' ? newName : undefined);
        if (after && before && runs.activeModel?.modelDir === before) runs.setActiveModel(await queries.summary(after));
        modelTree.refresh();
        return after;
      } catch (error) {
        void vscode.window.showErrorMessage(`Transfer Lab could not rename ${before}: ${(error as Error).message}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('transferLab.deleteModel', async (arg?: unknown, options?: unknown) => {
      const modelDir = modelDirOf(arg);
      const deleted = await deleteModelCommand(arg, queries, { confirmed: (options as { confirmed?: unknown } | undefined)?.confirmed === true });
      if (deleted && runs.activeModel?.modelDir === modelDir) runs.setActiveModel(undefined);
      modelTree.refresh();
      return deleted;
    }),
    // A click on a model in the Models view: make it the panel's model (neighbour queries) and show the panel.
    vscode.commands.registerCommand(SHOW_MODEL_COMMAND, async (modelDir?: unknown) => {
      openPanel();
      if (typeof modelDir !== 'string' || modelDir === '') return;
      try {
        runs.setActiveModel(await queries.summary(modelDir));
      } catch (error) {
        log.error(`Cannot open ${modelDir}: ${(error as Error).message}`);
        void vscode.window.showErrorMessage(`Transfer Lab cannot open ${modelDir}: ${(error as Error).message}`);
        modelTree.refresh();
      }
    }),
  );

  context.subscriptions.push(
    log,
    runs,
    evaluator,
    comparer,
    classifiers,
    map,
    editorFeatures,
    activateStatusBar(runs, 'transferLab.openPanel'),
    vscode.commands.registerCommand('transferLab.pickActiveModel', (arg?: unknown) => editorFeatures.pickActiveModel(typeof arg === 'string' ? arg : undefined)),
    vscode.commands.registerCommand('transferLab.showNeighbours', (arg?: unknown) => editorFeatures.showNeighbours(arg, (text) => openPanel().search(text))),
    vscode.commands.registerCommand('transferLab.findSimilarInFile', (arg?: unknown, options?: unknown) =>
      editorFeatures.findSimilarInFile(arg, { pick: (options as { pick?: unknown } | undefined)?.pick !== false }),
    ),
    vscode.commands.registerCommand('transferLab.pretrainWorkspace', async () => {
      openPanel();
      return runs.pretrainWorkspace();
    }),
    vscode.commands.registerCommand('transferLab.fineTuneOnWorkspace', async () => {
      openPanel();
      return fineTuneCommand(runs, config, 'workspace');
    }),
    vscode.commands.registerCommand('transferLab.pretrainOnResource', async (resource?: unknown) => {
      const target = uriArg(resource) ?? (await vscode.window.showOpenDialog({ title: 'Pretrain on which file or folder?', canSelectFiles: true, canSelectFolders: true, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri }))?.[0];
      if (!target) return undefined;
      openPanel();
      return runs.pretrainOn(target);
    }),
    // The explorer passes the clicked URI (and all selected ones); the palette passes nothing.
    vscode.commands.registerCommand('transferLab.fineTuneOnResource', async (resource?: unknown) => {
      openPanel();
      return fineTuneCommand(runs, config, resource instanceof vscode.Uri ? resource : undefined);
    }),
    vscode.commands.registerCommand('transferLab.cancelTraining', async () => {
      if (!runs.isRunning) {
        void vscode.window.showInformationMessage('Transfer Lab: no training run is in progress.');
        return;
      }
      await runs.cancel();
    }),
    vscode.commands.registerCommand('transferLab.openPanel', () => {
      openPanel();
    }),
    vscode.commands.registerCommand('transferLab.evaluateModel', (args?: unknown) => evaluate(parseEvaluateArgs(args))),
    vscode.commands.registerCommand('transferLab.showLog', () => log.show()),
    vscode.commands.registerCommand('transferLab.importVectors', () => importVectorsCommand(runs, openPanel)),
    // The Models view passes the clicked model; the palette passes nothing (a quick pick asks).
    vscode.commands.registerCommand(SHOW_WHAT_MOVED_COMMAND, (arg?: unknown) => showWhatMovedCommand(config, log, comparer, openPanel, arg)),
    vscode.commands.registerCommand('transferLab.trainClassifier', (arg?: unknown) => {
      openPanel();
      return trainClassifierCommand(classifiers, config, uriArg(arg));
    }),
    vscode.commands.registerCommand('transferLab.transferGainCurve', (arg?: unknown) => {
      openPanel();
      return transferGainCurveCommand(classifiers, config, uriArg(arg));
    }),
    vscode.commands.registerCommand('transferLab.classifyFile', (arg?: unknown) => classifyFileCommand(classifiers, config, uriArg(arg))),
    vscode.commands.registerCommand('transferLab.classifySelection', () => classifySelectionCommand(classifiers, config)),
    vscode.commands.registerCommand('transferLab.classifyFolder', (arg?: unknown, out?: unknown) => classifyFolderCommand(classifiers, config, uriArg(arg), uriArg(out))),
    vscode.commands.registerCommand('transferLab.cancelClassifier', () => classifiers.cancel()),
  );

  // Settings are checked just after activation, off its critical path, and again on every change.
  const settingsWarnings = new SettingsWarnings(context.extension.packageJSON?.contributes?.configuration?.properties ?? {}, log);
  context.subscriptions.push(settingsWarnings);
  setTimeout(() => settingsWarnings.check(), 0);

  const activationMs = performance.now() - activationStarted;
  log.info(`Activated in ${activationMs.toFixed(1)} ms`);

  return {
    pretrainWorkspace: (overrides) => runs.pretrainWorkspace(overrides),
    timings: () => ({ activationMs, panelReadyMs: TrainingPanel.lastReadyMs }),
    settingProblems: () => settingsWarnings.check(),
    pretrainEncoder: (args) => {
      openPanel();
      return runs.pretrainEncoder(args);
    },
    inspectEncoder: async (name, texts, word) => {
      const answer = await encoders.inspect(0, name, texts, word);
      if (answer.error) throw new Error(answer.error);
      return answer.inspection!;
    },
    fineTune: ({ resource, ...args }) => {
      openPanel();
      return runs.fineTune({ ...args, resource: typeof resource === 'string' ? vscode.Uri.file(resource) : resource });
    },
    cancelTraining: () => runs.cancel(),
    neighbours: (modelDir, word, k = 10) => queries.neighbours(modelDir, word, k),
    query: (modelDir, text, k = 10) => queries.query(modelDir, text, k),
    evaluate: (modelDir, files) => evaluate({ modelDir, files }),
    trainerPid: () => runs.trainerPid,
    lastProgress: () => runs.lastProgress,
    modelTree: () => modelTree.snapshot(),
    runs: () => history.all.map((r) => ({ ...r, item: runsTree.getTreeItem(r) })).map(({ item, ...r }) => ({ ...r, description: String(item.description ?? ''), contextValue: item.contextValue ?? '' })),
    importVectors: (args) => {
      openPanel();
      return runs.importVectors(args);
    },
    trainClassifier: (args) => {
      openPanel();
      return classifiers.train(args);
    },
    transferGainCurve: (args) => {
      openPanel();
      return classifiers.curve(args);
    },
    classify: (classifierDir, files, texts = []) => classifiers.predict(classifierDir, files, texts),
    drawMap: (method, points, seed) => {
      openPanel();
      return map.draw(method, points, seed);
    },
    exportMap: (target) => map.export(vscode.Uri.file(target)),
  };
}

/**
 * The palette passes nothing and menus may pass a URI or an item; only `{modelDir?, files?}` of
 * strings is taken as arguments, anything else means "ask".
 */
function parseEvaluateArgs(args: unknown): EvaluateArgs {
  if (typeof args !== 'object' || args === null) return {};
  const { modelDir, files } = args as Record<string, unknown>;
  return {
    modelDir: typeof modelDir === 'string' && modelDir !== '' ? modelDir : undefined,
    files: Array.isArray(files) && files.length > 0 && files.every((f) => typeof f === 'string') ? files : undefined,
  };
}

/** Ends a running trainer: closing the window or disabling the extension must not leave a process behind. */
export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
