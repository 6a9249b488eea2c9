// The Models view's actions on one model: export (word2vec binary or text, Embedding Projector TSV),
// rename (the folder and model.json, and the lineage of its fine-tuned children), and delete (to the
// trash, after a confirmation that names what depends on it).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../core/atomicWrite';
import { writeProjectorTsv } from '../core/formats/projectorTsv';
import { writeWord2Vec } from '../core/formats/word2vecFormat';
import { listModels, loadModelVectors, MANIFEST_FILE, readModelManifest, sanitizeModelName } from '../core/modelFolder';
import type { Config } from './config';
import type { ModelQueries } from './modelQueries';

/** A tree item (FamilyNode), a modelDir string, or nothing (then a quick pick would be needed). */
export function modelDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') return arg;
  const dir = (arg as { modelDir?: unknown } | undefined)?.modelDir;
  return typeof dir === 'string' && dir !== '' ? dir : undefined;
}

const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b);

export async function exportModelCommand(arg: unknown, target?: vscode.Uri): Promise<string | undefined> {
  const modelDir = modelDirOf(arg);
  if (!modelDir) return undefined;
  const name = path.basename(modelDir);
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title: `Export ${name}`,
      defaultUri: vscode.Uri.file(path.join(path.dirname(path.dirname(modelDir)), `${name}.bin`)),
      filters: { 'word2vec binary (gensim, word2vec.c)': ['bin'], 'word2vec text / fastText .vec': ['txt', 'vec'], 'Embedding Projector TSV': ['tsv'] },
    }));
  if (!uri) return undefined;
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Transfer Lab exports to files on this machine’s disk only.');
    return undefined;
  }
  const out = uri.fsPath;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Transfer Lab: exporting ${name}` }, async () => {
      const { vectors } = await loadModelVectors(modelDir);
      const extension = path.extname(out).toLowerCase();
      if (extension === '.tsv') await writeProjectorTsv(vectors, out, out.replace(/\.tsv$/i, '.metadata.tsv'));
      else await writeWord2Vec(vectors, out, { binary: extension !== '.txt' && extension !== '.vec' });
    });
    void vscode.window.showInformationMessage(`Transfer Lab: exported ${name} to ${out}.`);
    return out;
  } catch (error) {
    void vscode.window.showErrorMessage(`Transfer Lab could not export ${name}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Renames a model: its folder and the name in model.json, and the parent path recorded by every
 * model fine-tuned from it, so the family tree holds. Refuses a name already taken.
 */
export async function renameModelCommand(arg: unknown, config: Config, queries: ModelQueries, newName?: string): Promise<string | undefined> {
  const modelDir = modelDirOf(arg);
  if (!modelDir) return undefined;
  const manifest = await readModelManifest(modelDir);
  const root = path.dirname(modelDir);
  const taken = async (name: string) => (await fs.stat(path.join(root, name)).catch(() => undefined)) !== undefined;
  const wanted =
    newName ??
    (await vscode.window.showInputBox({
      title: `Rename ${manifest.name}`,
      value: manifest.name,
      prompt: 'Letters, digits, dots, dashes and underscores; the model’s folder is renamed too.',
      validateInput: async (value) => {
        const clean = sanitizeModelName(value);
        if (clean !== value.trim()) return `Use a name like "${clean}".`;
        if (clean !== path.basename(modelDir) && (await taken(clean))) return `A model named ${clean} exists already.`;
        return undefined;
      },
    }));
  if (wanted === undefined) return undefined;
  const name = sanitizeModelName(wanted);
  const target = path.join(root, name);
  if (samePath(target, modelDir)) return modelDir;
  if (await taken(name)) {
    void vscode.window.showErrorMessage(`Transfer Lab: a model named ${name} exists already.`);
    return undefined;
  }
  const children = (await listModels(root)).filter((m) => m.manifest.parent && samePath(m.manifest.parent.path, modelDir));
  queries.forget(modelDir);
  await fs.rename(modelDir, target);
  await writeManifest(target, { ...manifest, name });
  for (const child of children) {
    await writeManifest(child.modelDir, { ...child.manifest, parent: { ...child.manifest.parent!, path: target, name } });
  }
  return target;
}

/** Deletes a model folder (to the trash where there is one) after a modal confirmation. */
export async function deleteModelCommand(arg: unknown, queries: ModelQueries, options: { confirmed?: boolean } = {}): Promise<boolean> {
  const modelDir = modelDirOf(arg);
  if (!modelDir) return false;
  const name = path.basename(modelDir);
  if (!options.confirmed) {
    const children = (await listModels(path.dirname(modelDir))).filter((m) => m.manifest.parent && samePath(m.manifest.parent.path, modelDir));
    const detail =
      children.length > 0
        ? `${children.length} model${children.length === 1 ? ' was' : 's were'} fine-tuned from it (${children.map((c) => c.manifest.name).join(', ')}); they keep their vectors but lose their parent in the family tree.`
        : 'Its folder goes to the trash.';
    const choice = await vscode.window.showWarningMessage(`Delete the model ${name}?`, { modal: true, detail }, 'Delete');
    if (choice !== 'Delete') return false;
  }
  queries.forget(modelDir);
  await vscode.workspace.fs.delete(vscode.Uri.file(modelDir), { recursive: true, useTrash: true }).then(undefined, async () => {
    // No trash on this system (a server, a container): delete for good, as the user confirmed.
    await fs.rm(modelDir, { recursive: true, force: true });
  });
  return true;
}

async function writeManifest(modelDir: string, manifest: object): Promise<void> {
  await writeFileAtomic(path.join(modelDir, MANIFEST_FILE), (temp) => fs.writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`));
}
