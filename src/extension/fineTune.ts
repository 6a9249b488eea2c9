// "Fine-tune Model on Workspace" and, from the explorer's context menu, "Fine-tune Model on This":
// pick a model and how far its vectors may move, then train further from it through the RunController.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listModels } from '../core/modelFolder';
import type { FineTuneLock } from '../shared/protocol';
import type { Config } from './config';
import { describeModel, trainedOn } from './modelEvaluator';
import type { RunController, RunOutcome } from './runController';

type LockChoice = vscode.QuickPickItem & { lock: FineTuneLock | 'factor' | 'words' };
const LOCK_CHOICES: LockChoice[] = [
  { label: 'Let old vectors move (free)', detail: 'Every vector keeps training: the model adapts fully to the new text.', lock: 'none' },
  { label: 'Keep old vectors fixed (only new words learn)', detail: "The parent's vectors stay bit-identical; words new to it are learnt around them.", lock: 'old' },
  { label: 'Let old vectors move slowly…', detail: 'One lock factor for every old vector, from 0 (fixed) to 1 (free), as gensim’s vectors_lockf.', lock: 'factor' },
  {
    label: 'Lock the words listed in a file…',
    detail: 'A text file of "word" or "word factor" lines: those words get their factor (0 = fixed), the others move freely.',
    lock: 'words',
  },
];

/**
 * The command's whole flow. `target` is the explorer's clicked file or folder (the context menu),
 * 'workspace' for the workspace command, or undefined from the palette: then a file/folder dialog.
 * `chosenModel` comes from the Models view's Fine-tune action; otherwise a quick pick asks.
 */
export async function fineTuneCommand(runs: RunController, config: Config, target: vscode.Uri | 'workspace' | undefined, chosenModel?: string): Promise<RunOutcome | undefined> {
  const resource = target === 'workspace' ? undefined : (target ?? (await pickResource()));
  if (target !== 'workspace' && !resource) return undefined;
  const modelDir = chosenModel ?? (await pickModel(config));
  if (!modelDir) return undefined;
  const lock = await pickLock(path.basename(modelDir));
  if (!lock) return undefined;
  return runs.fineTune({ modelDir, ...lock, resource });
}

async function pickLock(modelName: string): Promise<{ lock: FineTuneLock; lockWords?: string } | undefined> {
  const choice = await vscode.window.showQuickPick(LOCK_CHOICES, {
    title: `Fine-tune ${modelName}: may its vectors move?`,
    placeHolder: 'Free adapts everything; fixed keeps the old vectors and learns only the new words',
  });
  if (!choice) return undefined;
  if (choice.lock === 'factor') {
    const text = await vscode.window.showInputBox({
      title: `Fine-tune ${modelName}: lock factor for its vectors`,
      prompt: 'Each old vector moves at this fraction of the learning rate: 0 keeps it fixed, 1 lets it move freely.',
      value: '0.25',
      validateInput: (value) => lockFactorProblem(value),
    });
    return text === undefined ? undefined : { lock: Number(text) };
  }
  if (choice.lock === 'words') {
    const uris = await vscode.window.showOpenDialog({
      title: 'Lock which words? A text file of "word" or "word factor" lines',
      openLabel: 'Use These Lock Factors',
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { 'Word lists': ['txt', 'tsv'], 'All files': ['*'] },
    });
    const file = uris?.[0];
    if (!file) return undefined;
    if (file.scheme !== 'file') {
      void vscode.window.showErrorMessage('Transfer Lab: the word list must be a file on this machine’s disk.');
      return undefined;
    }
    return { lock: 'none', lockWords: file.fsPath };
  }
  return { lock: choice.lock };
}

/** The input box's validation: undefined when `value` is a factor from 0 to 1. */
export function lockFactorProblem(value: string): string | undefined {
  const factor = Number(value.trim());
  return value.trim() !== '' && Number.isFinite(factor) && factor >= 0 && factor <= 1 ? undefined : 'Enter a number from 0 (fixed) to 1 (free), for example 0.25.';
}

/** Models in the models folder, newest first, as Evaluate Model… lists them. */
async function pickModel(config: Config): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Transfer Lab: open the folder whose models you want to fine-tune first.');
    return undefined;
  }
  const models = await listModels(path.resolve(folder.uri.fsPath, config.modelsFolder));
  if (models.length === 0) {
    const choice = await vscode.window.showErrorMessage(
      `Transfer Lab: no model in ${config.modelsFolder} to fine-tune yet. Train one first.`,
      'Pretrain Word Vectors on Workspace',
    );
    if (choice) void vscode.commands.executeCommand('transferLab.pretrainWorkspace');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map(({ modelDir, manifest }) => ({ label: manifest.name, description: describeModel(manifest), detail: trainedOn(manifest), modelDir })),
    { title: 'Fine-tune which model?', placeHolder: 'Models in the models folder, newest first', matchOnDescription: true },
  );
  return picked?.modelDir;
}

/** From the palette: a dialog for a file or folder, opened at the workspace. */
async function pickResource(): Promise<vscode.Uri | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: 'Fine-tune on which file or folder?',
    openLabel: 'Fine-tune on This',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return uris?.[0];
}
