// The "Models" view of the Transfer Lab sidebar: every model of the models folder, fine-tuned models
// under the model they started from (see modelFamily.ts). Reloaded when a run ends, when model.json
// files appear or disappear in the models folder, when the setting moves it, and by its refresh button.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listModels } from '../core/modelFolder';
import type { Config } from './config';
import { buildModelFamily, describeModel, modelTooltip, type FamilyNode } from './modelFamily';

/** What the e2e tests see of the view: the tree items as VS Code gets them, nested. */
export interface ModelTreeSnapshot {
  label: string;
  description: string;
  tooltip: string;
  contextValue: string;
  modelDir: string;
  children: ModelTreeSnapshot[];
}

export const SHOW_MODEL_COMMAND = 'transferLab.showModel';

export class ModelTreeProvider implements vscode.TreeDataProvider<FamilyNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<FamilyNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private roots: Promise<FamilyNode[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];
  private watcher: vscode.Disposable | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly config: Config) {
    this.watch();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('transferLab.modelsFolder')) return;
        this.watch();
        this.refresh();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        this.refresh();
      }),
    );
  }

  /** The models folder of the first workspace folder, as runs write to it; undefined without a folder. */
  get modelsRoot(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && path.resolve(folder.uri.fsPath, this.config.modelsFolder);
  }

  /** Reads the models folder again on the next look. */
  refresh(): void {
    this.roots = undefined;
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: FamilyNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      node.manifest.name || path.basename(node.modelDir),
      node.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.modelDir;
    item.description = describeModel(node.manifest);
    item.tooltip = modelTooltip(node);
    item.contextValue = 'model';
    item.resourceUri = vscode.Uri.file(node.modelDir);
    item.iconPath = new vscode.ThemeIcon(node.manifest.algorithm === 'imported' ? 'cloud-download' : node.manifest.parent ? 'git-branch' : 'symbol-array');
    item.command = { command: SHOW_MODEL_COMMAND, title: 'Show in Panel', arguments: [node.modelDir] };
    return item;
  }

  async getChildren(node?: FamilyNode): Promise<FamilyNode[]> {
    if (node) return node.children;
    this.roots ??= this.load();
    return this.roots;
  }

  getParent(): undefined {
    return undefined;
  }

  /** The whole tree as its items show it (for tests). */
  async snapshot(): Promise<ModelTreeSnapshot[]> {
    const walk = async (nodes: FamilyNode[]): Promise<ModelTreeSnapshot[]> =>
      Promise.all(
        nodes.map(async (node) => {
          const item = this.getTreeItem(node);
          return {
            label: String(item.label),
            description: String(item.description ?? ''),
            tooltip: String(item.tooltip ?? ''),
            contextValue: item.contextValue ?? '',
            modelDir: node.modelDir,
            children: await walk(await this.getChildren(node)),
          };
        }),
      );
    return walk(await this.getChildren());
  }

  private async load(): Promise<FamilyNode[]> {
    const root = this.modelsRoot;
    if (!root) return [];
    return buildModelFamily(await listModels(root));
  }

  /**
   * Watches the model folders and their model.json: a model appears when its folder is renamed into
   * place and goes away when its folder (or manifest) is deleted.
   */
  private watch(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const root = this.modelsRoot;
    if (!folder || !root) return;
    const relative = path.relative(folder.uri.fsPath, root);
    const pattern =
      relative && !relative.startsWith('..') && !path.isAbsolute(relative)
        ? new vscode.RelativePattern(folder, `${relative.split(path.sep).join('/')}/{*,*/model.json}`)
        : new vscode.RelativePattern(vscode.Uri.file(root), '{*,*/model.json}');
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const later = () => {
      // A run writes and renames a whole folder at once; one reload after the burst is enough.
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => this.refresh(), 300);
    };
    watcher.onDidCreate(later);
    watcher.onDidDelete(later);
    watcher.onDidChange(later);
    this.watcher = watcher;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
