// Import Pretrained Vectors…: asks for the file, whether to skip malformed lines and the model's name,
// then hands the import to the RunController (which runs it in the trainer process).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sanitizeModelName } from '../core/modelFolder';
import type { RunController, RunOutcome } from './runController';

export async function importVectorsCommand(runs: RunController, openPanel: () => void): Promise<RunOutcome | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Import Pretrained Vectors',
    openLabel: 'Import',
    canSelectMany: false,
    canSelectFiles: true,
    canSelectFolders: false,
    filters: { Vectors: ['txt', 'vec', 'bin', 'gz'], 'All files': ['*'] },
  });
  const file = picked?.[0];
  if (!file) return undefined;
  if (file.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Transfer Lab can import only files on this machine's disk, not ${file.toString()}.`);
    return undefined;
  }
  const stop = { label: 'Stop at the first malformed line', description: 'default', detail: 'The import fails and names the line; no model is created.', skip: false };
  const skip = { label: 'Skip malformed lines', detail: 'Lines that cannot be read are left out and counted in model.json.', skip: true };
  const choice = await vscode.window.showQuickPick([stop, skip], { title: `Import ${path.basename(file.fsPath)}: malformed lines`, placeHolder: 'What to do with a malformed line' });
  if (!choice) return undefined;
  const suggested = sanitizeModelName(path.basename(file.fsPath).replace(/\.gz$/i, '').replace(/\.(txt|vec|bin)$/i, ''));
  const name = await vscode.window.showInputBox({
    title: 'Import Pretrained Vectors: model name',
    value: suggested,
    prompt: 'Name of the new model (its folder under the models folder)',
    validateInput: (value) => (value.trim() === '' ? 'Enter a name' : undefined),
  });
  if (name === undefined) return undefined;
  openPanel();
  return runs.importVectors({ sourcePath: file.fsPath, modelName: name, skipBadLines: choice.skip });
}
