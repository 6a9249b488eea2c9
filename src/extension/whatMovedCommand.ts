// Show What Moved: a model against its parent (or another model chosen when it has none), as a
// Markdown report of the words whose neighbourhoods changed most (core/modelDiff.ts, run in
// whatMovedWorker.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { listModels, readModelManifest, type ModelManifest } from '../core/modelFolder';
import type { Config } from './config';
import { describeModel } from './modelFamily';
import type { WhatMovedJob, WhatMovedResult } from './whatMovedWorker';

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

export async function showWhatMovedCommand(config: Config, log: vscode.LogOutputChannel, workerScript: string, arg?: unknown): Promise<void> {
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
  const otherDir =
    typeof parentDir === 'string' && parentDir !== '' ? parentDir : await pickModel(config, `${name} has no parent: compare it with which model?`, modelDir);
  if (!otherDir) return;

  try {
    const otherManifest = await readModelManifest(otherDir);
    const job: WhatMovedJob = { before: { modelDir: otherDir, name: modelName(otherDir, otherManifest) }, after: { modelDir, name } };
    const content = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: what moved in ${name}`, cancellable: true },
      (progress, token) => {
        progress.report({ message: 'comparing neighbourhoods…' });
        // The comparison takes seconds: a worker thread keeps the extension host responsive, and
        // terminating it is the cancel.
        return new Promise<string | undefined>((resolve, reject) => {
          const worker = new Worker(workerScript, { workerData: job });
          token.onCancellationRequested(() => {
            void worker.terminate();
            resolve(undefined);
          });
          worker.once('message', (result: WhatMovedResult) => {
            void worker.terminate();
            if (result.type === 'done') resolve(result.markdown);
            else reject(new Error(result.message));
          });
          worker.once('error', reject);
        });
      },
    );
    if (content === undefined) return;
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.window.showTextDocument(document, { preview: false });
  } catch (error) {
    const message = (error as Error).message;
    log.error(`Show What Moved (${modelDir} vs ${otherDir}): ${message}`);
    void vscode.window.showErrorMessage(`Transfer Lab cannot compare ${name} with ${otherDir}: ${message}`);
  }
}
