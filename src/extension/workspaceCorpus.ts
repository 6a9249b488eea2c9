// Finds the corpus files of the open workspace. Only paths cross to the trainer: the trainer streams
// each file itself, so the extension host never holds the corpus text.
import * as vscode from 'vscode';
import type { CorpusSettings } from './config';

export interface WorkspaceCorpus {
  root: vscode.Uri;
  files: string[];
  /** Files that matched but live on a file system the trainer cannot read (not `file:`). */
  nonLocal: number;
}

/**
 * `findFiles` applies `files.exclude` only when no exclude is given, so we fold `files.exclude`
 * into our own exclude list ourselves, plus the models folder so a run never trains on its own output.
 */
export async function findWorkspaceCorpus(
  settings: CorpusSettings,
  modelsFolderGlob: string | undefined,
  token?: vscode.CancellationToken,
  /** Search only under this folder (same include and exclude); the workspace when absent. */
  under?: vscode.Uri,
): Promise<WorkspaceCorpus | undefined> {
  const folders = vscode.workspace.workspaceFolders;
  if (!folders || folders.length === 0) return undefined;
  const filesExclude = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude', {});
  const excludes = [
    ...settings.exclude,
    ...Object.entries(filesExclude)
      .filter(([, enabled]) => enabled === true)
      .map(([glob]) => glob),
    ...(modelsFolderGlob ? [modelsFolderGlob] : []),
  ];
  const exclude = excludes.length > 0 ? `{${excludes.join(',')}}` : null;
  const uris = await vscode.workspace.findFiles(under ? new vscode.RelativePattern(under, settings.include) : settings.include, exclude, undefined, token);
  const local = uris.filter((uri) => uri.scheme === 'file');
  const files = local.map((uri) => uri.fsPath).sort();
  return { root: folders[0].uri, files, nonLocal: uris.length - local.length };
}
