// Word vectors where the text is: the active model (chosen in the status bar, remembered per
// workspace), a hover that lists a word's nearest neighbours, and two commands on an editor
// selection: Show Neighbours (in the panel) and Find Similar Words in This File.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { tokenize } from '../core/tokenizer';
import { listModels } from '../core/modelFolder';
import type { Neighbour } from '../shared/protocol';
import type { Config } from './config';
import { describeModel } from './modelEvaluator';
import type { ModelQueries } from './modelQueries';
import type { RunController } from './runController';

const ACTIVE_MODEL_KEY = 'transferLab.activeModelDir';
const HOVER_NEIGHBOURS = 8;
/** Languages whose words are prose: hovers there are useful, in code they would be noise. */
export const PROSE_LANGUAGES = ['plaintext', 'markdown', 'restructuredtext', 'latex', 'org', 'asciidoc'];
const WORD_AT = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/u;

export interface SimilarWordsResult {
  word: string;
  similar: (Neighbour & { occurrences: number })[];
}

export class EditorFeatures implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.wordHighlightBorder'),
    borderStyle: 'solid',
    borderWidth: '1px',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.wordHighlightForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });

  constructor(
    private readonly runs: RunController,
    private readonly queries: ModelQueries,
    private readonly config: Config,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.highlight,
      vscode.languages.registerHoverProvider(
        PROSE_LANGUAGES.map((language) => ({ language })),
        { provideHover: (document, position, token) => this.hover(document, position, token) },
      ),
      // A model trained or clicked becomes the active one, and is remembered for the next session.
      runs.onActiveModelChanged((model) => void this.state.update(ACTIVE_MODEL_KEY, model?.modelDir)),
      vscode.window.onDidChangeActiveTextEditor(() => this.clearHighlights()),
    );
  }

  /** The active model's folder: this session's, else the one remembered from the last. */
  get activeModelDir(): string | undefined {
    return this.runs.activeModel?.modelDir ?? this.state.get<string>(ACTIVE_MODEL_KEY);
  }

  /**
   * Makes the model remembered from the last session the active one (loading it), when there is no
   * active model yet; a remembered folder that is gone is forgotten quietly.
   */
  async restoreActiveModel(): Promise<void> {
    const remembered = this.state.get<string>(ACTIVE_MODEL_KEY);
    if (this.runs.activeModel || !remembered) return;
    try {
      this.runs.setActiveModel(await this.queries.summary(remembered));
    } catch {
      await this.state.update(ACTIVE_MODEL_KEY, undefined);
    }
  }

  /** "Choose Active Model…": the status bar's picker. */
  async pickActiveModel(modelDir?: string): Promise<string | undefined> {
    let chosen = modelDir;
    if (!chosen) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const models = folder ? await listModels(path.resolve(folder.uri.fsPath, this.config.modelsFolder)) : [];
      if (models.length === 0) {
        void vscode.window.showInformationMessage('Transfer Lab: no model yet. Train one with "Pretrain Word Vectors on Workspace" or import pretrained vectors.');
        return undefined;
      }
      const active = this.activeModelDir;
      const picked = await vscode.window.showQuickPick(
        models.map(({ modelDir: dir, manifest }) => ({
          label: `${dir === active ? '$(check) ' : ''}${manifest.name}`,
          description: describeModel(manifest),
          dir,
        })),
        { title: 'Active model: hovers, Show Neighbours and the panel’s search use it', placeHolder: 'Models in the models folder, newest first' },
      );
      chosen = picked?.dir;
    }
    if (!chosen) return undefined;
    try {
      this.runs.setActiveModel(await this.queries.summary(chosen));
      return chosen;
    } catch (error) {
      void vscode.window.showErrorMessage(`Transfer Lab cannot open ${chosen}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async hover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.config.hoverEnabled) return undefined;
    const modelDir = this.activeModelDir;
    const range = document.getWordRangeAtPosition(position, WORD_AT);
    if (!modelDir || !range) return undefined;
    const word = document.getText(range);
    try {
      const answer = await this.queries.query(modelDir, word, HOVER_NEIGHBOURS);
      if (token.isCancellationRequested || answer.results.length === 0) return undefined;
      const markdown = new vscode.MarkdownString(undefined, true);
      markdown.isTrusted = { enabledCommands: ['transferLab.showNeighbours'] };
      markdown.appendMarkdown(`**Transfer Lab** · nearest to *${escapeMarkdown(answer.label)}* in ${escapeMarkdown(path.basename(modelDir))}\n\n`);
      markdown.appendMarkdown(answer.results.map((n) => `${escapeMarkdown(n.word)} \`${n.similarity.toFixed(2)}\``).join(' · '));
      if (answer.note) markdown.appendMarkdown(`\n\n_${escapeMarkdown(answer.note)}_`);
      const args = encodeURIComponent(JSON.stringify([word]));
      markdown.appendMarkdown(`\n\n[Show in the panel](command:transferLab.showNeighbours?${args})`);
      return new vscode.Hover(markdown, range);
    } catch {
      // Not in the vocabulary (or the model is gone): no hover rather than an error on every word.
      return undefined;
    }
  }

  /** The word to act on: the argument, else the selection, else the word under the cursor. */
  private wordFromEditor(arg: unknown): string | undefined {
    if (typeof arg === 'string' && arg.trim() !== '') return arg.trim();
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const selected = editor.document.getText(editor.selection).trim();
    if (selected) return selected;
    const range = editor.document.getWordRangeAtPosition(editor.selection.active, WORD_AT);
    return range && editor.document.getText(range);
  }

  private requireModel(): string | undefined {
    const modelDir = this.activeModelDir;
    if (!modelDir) {
      void vscode.window.showInformationMessage('Transfer Lab: choose a model first (the Transfer Lab item in the status bar), or train one.', 'Choose Active Model…').then((choice) => {
        if (choice) void vscode.commands.executeCommand('transferLab.pickActiveModel');
      });
    }
    return modelDir;
  }

  /** Show Neighbours: the selection (a word or "king - man + woman") searched in the panel. */
  async showNeighbours(arg: unknown, search: (text: string) => void): Promise<Neighbour[] | undefined> {
    const text = this.wordFromEditor(arg);
    const modelDir = this.requireModel();
    if (!text || !modelDir) return undefined;
    if (!this.runs.activeModel || this.runs.activeModel.modelDir !== modelDir) await this.pickActiveModel(modelDir);
    search(text);
    try {
      return (await this.queries.query(modelDir, text, 10)).results;
    } catch (error) {
      this.log.info(`Show Neighbours: ${(error as Error).message}`);
      return [];
    }
  }

  /**
   * Find Similar Words in This File: the document's words nearest to the selected one, highlighted
   * in the editor and listed in a quick pick that jumps to their first occurrence.
   */
  async findSimilarInFile(arg: unknown, options: { pick?: boolean } = {}): Promise<SimilarWordsResult | undefined> {
    const editor = vscode.window.activeTextEditor;
    const word = this.wordFromEditor(arg);
    const modelDir = this.requireModel();
    if (!editor || !word || !modelDir) return undefined;
    const text = editor.document.getText();
    const counts = new Map<string, number>();
    for (const token of tokenize(text, { lowercase: true })) counts.set(token, (counts.get(token) ?? 0) + 1);
    const similar = await this.queries.similarAmong(modelDir, word, counts.keys(), 10).catch(() => undefined);
    if (!similar) {
      void vscode.window.showInformationMessage(`Transfer Lab: "${word}" is not in ${path.basename(modelDir)}.`);
      return undefined;
    }
    const result: SimilarWordsResult = { word, similar: similar.map((n) => ({ ...n, occurrences: counts.get(n.word) ?? 0 })) };
    const wanted = new Set(similar.map((n) => n.word));
    const ranges: vscode.Range[] = [];
    const pattern = new RegExp(WORD_AT.source, 'gu');
    for (const match of text.matchAll(pattern)) {
      if (wanted.has(match[0].toLowerCase())) ranges.push(new vscode.Range(editor.document.positionAt(match.index!), editor.document.positionAt(match.index! + match[0].length)));
    }
    editor.setDecorations(this.highlight, ranges);
    if (options.pick === false) return result;
    if (similar.length === 0) {
      void vscode.window.showInformationMessage(`Transfer Lab: no other word of this file is in ${path.basename(modelDir)}.`);
      return result;
    }
    const picked = await vscode.window.showQuickPick(
      result.similar.map((n) => ({ label: n.word, description: `similarity ${n.similarity.toFixed(3)}`, detail: `${n.occurrences} occurrence${n.occurrences === 1 ? '' : 's'} in this file, highlighted` })),
      { title: `Words of this file nearest to "${word}"`, placeHolder: 'Pick one to go to its first occurrence' },
    );
    if (picked) {
      const first = ranges.find((r) => editor.document.getText(r).toLowerCase() === picked.label);
      if (first) editor.revealRange((editor.selection = new vscode.Selection(first.start, first.end)), vscode.TextEditorRevealType.InCenter);
    }
    return result;
  }

  private clearHighlights(): void {
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.highlight, []);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
