// Activation: build the long-lived pieces once, then one line per command. Nothing heavy happens
// here; the trainer process starts only when a run does.
import * as vscode from 'vscode';
import { Config } from './config';
import { ModelQueries } from './modelQueries';
import { TrainingPanel } from './panel';
import { RunController, type RunOutcome, type RunOverrides } from './runController';
import { activateStatusBar } from './statusBar';
import type { Neighbour, TrainingProgress } from '../shared/protocol';

/** What `activate` returns: the extension's own API, used by its integration tests and by other extensions. */
export interface TransferLabApi {
  pretrainWorkspace(overrides?: RunOverrides): Promise<RunOutcome>;
  cancelTraining(): Promise<void>;
  neighbours(modelDir: string, word: string, k?: number): Promise<Neighbour[]>;
  trainerPid(): number | undefined;
  lastProgress(): TrainingProgress | undefined;
}

let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): TransferLabApi {
  const log = vscode.window.createOutputChannel('Transfer Lab', { log: true });
  const config = new Config();
  const queries = new ModelQueries();
  controller = new RunController(vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath, config, log);
  const runs = controller;
  const openPanel = () => TrainingPanel.show(context.extensionUri, runs, queries);

  context.subscriptions.push(
    log,
    runs,
    activateStatusBar(runs, 'transferLab.openPanel'),
    vscode.commands.registerCommand('transferLab.pretrainWorkspace', async () => {
      openPanel();
      return runs.pretrainWorkspace();
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
    vscode.commands.registerCommand('transferLab.showLog', () => log.show()),
  );

  return {
    pretrainWorkspace: (overrides) => runs.pretrainWorkspace(overrides),
    cancelTraining: () => runs.cancel(),
    neighbours: (modelDir, word, k = 10) => queries.neighbours(modelDir, word, k),
    trainerPid: () => runs.trainerPid,
    lastProgress: () => runs.lastProgress,
  };
}

/** Ends a running trainer: closing the window or disabling the extension must not leave a process behind. */
export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
