// The Transfer Lab panel: one webview tab, revealed again rather than opened twice. It shows the
// live run (progress, chart, cancel), once a model exists a neighbour search, and the latest
// evaluation. The webview only ever names words or asks for the Evaluate command; which model
// answers and which files are read is decided here, never by a path the webview chooses.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { parsePanelToHost, type HostToPanel, type PanelToHost, type SecondAnswer } from '../shared/protocol';
import { PANEL_BODY_HTML } from '../../webview/panel/panelHtml';
import * as path from 'node:path';
import { listModels } from '../core/modelFolder';
import type { ClassifierController } from './classifierController';
import type { Config } from './config';
import type { EncoderInspector } from './encoderInspector';
import type { MapController } from './mapController';
import type { ModelComparer } from './modelComparer';
import type { ModelEvaluator } from './modelEvaluator';
import type { ModelQueries } from './modelQueries';
import type { RunController } from './runController';

export const PANEL_VIEW_TYPE = 'transferLab.panel';
const DEFAULT_K = 10;
/** Suggestions under the search box. */
const COMPLETIONS = 8;

/** What the panel talks to. */
export interface PanelServices {
  runs: RunController;
  queries: ModelQueries;
  evaluator: ModelEvaluator;
  comparer: ModelComparer;
  classifiers: ClassifierController;
  map: MapController;
  config: Config;
  encoders: EncoderInspector;
}

export class TrainingPanel implements vscode.Disposable {
  private static current: TrainingPanel | undefined;
  /** Milliseconds from creating the last panel to its script's 'ready': its first paint, near enough. */
  static lastReadyMs: number | undefined;
  private readonly createdAt = performance.now();
  private sawReady = false;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pendingSearch: HostToPanel | undefined;
  /** The model chosen in "Side by side with", by folder; it answers every search too. */
  private secondModelDir: string | undefined;
  /**
   * The last "Side by side with" choice still being resolved: messages are handled concurrently, and a
   * search sent right after the choice must wait for it, or it is answered without the second column.
   */
  private secondModelChoice: Promise<void> = Promise.resolve();

  static show(extensionUri: vscode.Uri, services: PanelServices): TrainingPanel {
    if (TrainingPanel.current) {
      TrainingPanel.current.panel.reveal(undefined, true);
      return TrainingPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Transfer Lab',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
      },
    );
    TrainingPanel.current = new TrainingPanel(panel, extensionUri, services);
    return TrainingPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly services: PanelServices,
  ) {
    const { runs: controller, evaluator, comparer, classifiers, map } = services;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'panel-icon.svg');
    panel.webview.html = renderHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      // A hidden webview's page is discarded and rebuilt when shown again (it says 'ready' anew):
      // what is posted in between would be lost, so it waits.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.webview.onDidReceiveMessage((raw) => {
        const message = parsePanelToHost(raw);
        // Unknown or malformed messages are ignored: the webview is not trusted to shape requests.
        if (message) void this.handle(message);
      }),
      controller.onEvent((event) => {
        this.post(event);
        // A new or newly active model changes what "Side by side with" can offer.
        if (event.type === 'model' || event.type === 'runEnded') void this.postModelList();
        if (event.type === 'runEnded') void this.postEncoderList();
      }),
      evaluator.onEvent((event) => this.post(event)),
      comparer.onEvent((event) => this.post(event)),
      classifiers.onEvent((event) => this.post(event)),
      map.onEvent((event) => this.post(event)),
    );
  }

  private async handle(message: PanelToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A fresh or re-created webview: replay the latest run and evaluation so it can redraw from scratch.
        for (const event of [...this.services.runs.snapshot(), ...this.services.evaluator.snapshot(), ...this.services.comparer.snapshot(), ...this.services.classifiers.snapshot(), ...this.services.map.snapshot()]) this.post(event);
        if (!this.sawReady) {
          this.sawReady = true;
          TrainingPanel.lastReadyMs = performance.now() - this.createdAt;
        }
        this.ready = true;
        void this.postModelList();
        void this.postEncoderList();
        if (this.pendingSearch) this.post(this.pendingSearch);
        this.pendingSearch = undefined;
        break;
      case 'evaluate':
        await vscode.commands.executeCommand('transferLab.evaluateModel');
        break;
      case 'cancel':
        await this.services.runs.cancel();
        break;
      case 'compare':
        await vscode.commands.executeCommand('transferLab.showWhatMoved');
        break;
      case 'compareWord':
        this.post(await this.services.comparer.compareWord(message.requestId, message.word));
        break;
      case 'openComparisonReport':
        await this.services.comparer.openReport();
        break;
      case 'drawMap':
        await this.services.map.draw(message.method, message.points);
        break;
      case 'exportMap':
        await this.services.map.export();
        break;
      case 'exportChart':
        await saveChartExport(message.format, message.data, this.services.runs.activeModel?.name ?? 'training');
        break;
      case 'trainClassifier':
        await vscode.commands.executeCommand('transferLab.trainClassifier');
        break;
      case 'drawCurve':
        await vscode.commands.executeCommand('transferLab.transferGainCurve');
        break;
      case 'cancelClassifier':
        await this.services.classifiers.cancel();
        break;
      case 'openMisclassified':
        await this.services.classifiers.openMisclassified(message.index);
        break;
      case 'exportCurve':
        await this.services.classifiers.exportCurve();
        break;
      case 'evaluatePair': {
        const pair = this.services.comparer.pair;
        if (pair) await this.services.evaluator.evaluatePair(pair.before, pair.after);
        break;
      }
      case 'query': {
        const model = this.services.runs.activeModel;
        if (!model) {
          this.post({ type: 'neighbours', requestId: message.requestId, word: message.word, results: [], error: 'No model yet: train one first.' });
          return;
        }
        const k = message.k || DEFAULT_K;
        await this.secondModelChoice;
        const second = this.secondModelDir && (await this.secondAnswer(this.secondModelDir, message.word, k));
        try {
          const answer = await this.services.queries.query(model.modelDir, message.word, k);
          this.post({ type: 'neighbours', requestId: message.requestId, word: answer.label, results: answer.results, note: answer.note, ...(second && { second }) });
        } catch (error) {
          this.post({ type: 'neighbours', requestId: message.requestId, word: message.word, results: [], error: (error as Error).message, ...(second && { second }) });
        }
        break;
      }
      case 'complete': {
        const model = this.services.runs.activeModel;
        const words = model ? await this.services.queries.complete(model.modelDir, message.prefix, COMPLETIONS).catch(() => []) : [];
        this.post({ type: 'completions', requestId: message.requestId, prefix: message.prefix, words });
        break;
      }
      case 'inspectEncoder':
        this.post(await this.services.encoders.inspect(message.requestId, message.encoder, message.texts, message.word));
        break;
      case 'setSecondModel': {
        const choose = async () => {
          const models = await this.listOtherModels();
          this.secondModelDir = message.name === null ? undefined : models.find((m) => path.basename(m.modelDir) === message.name)?.modelDir;
          await this.postModelList(models);
        };
        const chosen = this.secondModelChoice.then(choose);
        // A failed choice is reported here; the searches waiting on it go on with the model as it was.
        this.secondModelChoice = chosen.catch(() => undefined);
        await chosen;
        break;
      }
    }
  }

  /** The side-by-side model's answer; its errors are shown in its own column. */
  private async secondAnswer(modelDir: string, text: string, k: number): Promise<SecondAnswer> {
    const model = path.basename(modelDir);
    try {
      const answer = await this.services.queries.query(modelDir, text, k);
      return { model, results: answer.results };
    } catch (error) {
      return { model, results: [], error: (error as Error).message };
    }
  }

  /** The models of the models folder other than the active one: what "Side by side with" offers. */
  private async listOtherModels(): Promise<{ modelDir: string }[]> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return [];
    const active = this.services.runs.activeModel?.modelDir;
    const models = await listModels(path.resolve(folder.uri.fsPath, this.services.config.modelsFolder));
    return models.filter((m) => m.modelDir !== active);
  }

  private async postEncoderList(): Promise<void> {
    this.post({ type: 'encoderList', names: await this.services.encoders.list() });
  }

  private async postModelList(models?: { modelDir: string }[]): Promise<void> {
    const others = models ?? (await this.listOtherModels());
    // A side-by-side model that was deleted, or became the active one, is dropped.
    if (this.secondModelDir && !others.some((m) => m.modelDir === this.secondModelDir)) this.secondModelDir = undefined;
    this.post({ type: 'modelList', names: others.map((m) => path.basename(m.modelDir)), second: this.secondModelDir ? path.basename(this.secondModelDir) : null });
  }

  /** Searches `text` in the panel as if the user had typed it (Show Neighbours from the editor). */
  search(text: string): void {
    const message: HostToPanel = { type: 'search', text: text.slice(0, 200) };
    // A panel just created has no script listening yet: the search waits for its 'ready'.
    if (this.ready) this.post(message);
    else this.pendingSearch = message;
  }

  private post(message: HostToPanel): void {
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (TrainingPanel.current === this) TrainingPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** The chart's CSV or PNG, saved where the user chooses: the webview supplies content, never a path. */
async function saveChartExport(format: 'csv' | 'png', data: string, name: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: format === 'csv' ? 'Save the training chart’s data as CSV' : 'Save the training chart as PNG',
    defaultUri: folder && vscode.Uri.joinPath(folder, `${name}-loss.${format}`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { 'PNG image': ['png'] },
  });
  if (!target) return;
  const bytes = format === 'csv' ? Buffer.from(data, 'utf8') : Buffer.from(data.slice(data.indexOf(',') + 1), 'base64');
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`Transfer Lab: saved ${target.fsPath}.`);
}

function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'panel.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return /* html */ `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${style}" rel="stylesheet">
  <title>Transfer Lab</title>
</head>
<body>
${PANEL_BODY_HTML}
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
