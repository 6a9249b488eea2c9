// Whether a folder setting (transferLab.modelsFolder, transferLab.classifiersFolder) may be used as
// written. A workspace we do not trust can ship a .vscode/settings.json of its own: it must not be able
// to point our writes (or reads of model files) at a folder outside itself. No vscode import, so the
// decision is testable on its own.
import * as path from 'node:path';

export interface FolderSetting {
  /** The setting to use, as the user wrote it (relative to the workspace folder) or the default. */
  path: string;
  /** Why the value was not used; absent when it was. */
  ignored?: string;
}

type PathApi = Pick<typeof path, 'isAbsolute' | 'resolve' | 'relative' | 'normalize' | 'sep'>;

/**
 * `value` as it stands when the workspace is trusted; in an untrusted one, only if it stays inside
 * `workspaceRoot`, else `fallback`. An empty value is `fallback` either way.
 */
export function resolveInsideWorkspace(
  workspaceRoot: string,
  value: string,
  trusted: boolean,
  fallback: string,
  pathApi: PathApi = path,
): FolderSetting {
  const trimmed = value.trim();
  if (trimmed === '') return { path: fallback };
  if (trusted) return { path: trimmed };
  // Both spellings count: "C:\x" or "\\server\share" is absolute to Windows even when the check runs
  // elsewhere, and refusing a strange name costs nothing in an untrusted folder.
  if (pathApi.isAbsolute(trimmed) || path.win32.isAbsolute(trimmed) || path.posix.isAbsolute(trimmed)) {
    return { path: fallback, ignored: 'an absolute path may point anywhere' };
  }
  const root = pathApi.resolve(workspaceRoot);
  const relative = pathApi.relative(root, pathApi.resolve(root, trimmed));
  if (relative === '..' || relative.startsWith(`..${pathApi.sep}`) || pathApi.isAbsolute(relative)) {
    return { path: fallback, ignored: 'its ".." leads outside the workspace folder' };
  }
  return { path: trimmed };
}
