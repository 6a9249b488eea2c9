// Show What Moved: a model against its parent (or another model chosen when it has none), shown in
// the panel's "What moved" section (ModelComparer runs the comparison in whatMovedWorker.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listModels, readModelManifest, type ModelManifest } from '../core/modelFolder';
import type { Config } from './config';
import { describeModel } from './modelFamily';
import type { ModelComparer } from './modelComparer';

export const SHOW_WHAT_MOVED_COMMAND = 'transferLab.showWhatMoved';

/** The Models view passes its tree element ({modelDir, …}); the palette passes nothing. */
export function modelDirArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { modelDir } = arg as Record<string, unknown>;
  return typeof modelDir === 'string' && modelDir !== '' ? modelDir : undefined;
}

const modelName = (modelDir: string, manifest: ModelManifest) => manifest.name || path.basename(modelDir);

async function pickModel(config: Config, title: string, exclude?: string): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Transfer Lab: open the folder whose models you want to compare first.');
    return undefined;
  }
  const models = (await listModels(path.resolve(folder.uri.fsPath, config.modelsFolder))).filter(
    (m) => exclude === undefined || path.resolve(m.modelDir) !== path.resolve(exclude),
  );
  if (models.length === 0) {
    void vscode.window.showErrorMessage(
      exclude === undefined
        ? `Transfer Lab: no model in ${config.modelsFolder} yet. Train one first.`
        : `Transfer Lab: no other model in ${config.modelsFolder} to compare with.`,
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map(({ modelDir, manifest }) => ({ label: modelName(modelDir, manifest), description: describeModel(manifest), detail: modelDir, modelDir })),
    { title, placeHolder: 'Models in the models folder, newest first', matchOnDescription: true },
  );
  return picked?.modelDir;
}

export async function showWhatMovedCommand(config: Config, log: vscode.LogOutputChannel, comparer: ModelComparer, openPanel: () => void, arg?: unknown): Promise<void> {
  const modelDir = modelDirArg(arg) ?? (await pickModel(config, 'Show what moved in which model?'));
  if (!modelDir) return;
  let manifest: ModelManifest;
  try {
    manifest = await readModelManifest(modelDir);
  } catch (error) {
    void vscode.window.showErrorMessage(`Transfer Lab cannot open ${modelDir}: ${(error as Error).message}`);
    return;
  }
  const name = modelName(modelDir, manifest);
  const parentDir = manifest.parent?.path;
  const hasParent = typeof parentDir === 'string' && parentDir !== '';
  const otherDir = hasParent ? parentDir : await pickModel(config, `${name} has no parent: compare it with which model?`, modelDir);
  if (!otherDir) return;

  try {
    const otherManifest = await readModelManifest(otherDir).catch((error: Error) => {
      throw new Error(hasParent ? `its parent ${otherDir} cannot be opened (${error.message}); was it moved or deleted?` : error.message);
    });
    openPanel();
    await comparer.compare({
      before: { modelDir: otherDir, name: modelName(otherDir, otherManifest), description: describeModel(otherManifest) },
      after: { modelDir, name, description: describeModel(manifest) },
      parentOf: hasParent,
    });
  } catch (error) {
    const message = (error as Error).message;
    log.error(`Show What Moved (${modelDir} vs ${otherDir}): ${message}`);
    void vscode.window.showErrorMessage(`Transfer Lab cannot compare ${name} with ${path.basename(otherDir)}: ${message}`);
  }
}
