// The panel's 2-D map: projects the active model's most frequent words (PCA at once, UMAP in a few
// seconds to a minute) in a worker thread (projectionWorker.ts), so the extension host never
// stalls, and saves the projected coordinates as CSV, which the Embedding Projector cannot do.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import { projectionCsv } from '../core/projection';
import type { HostToPanel, ProjectionMethod } from '../shared/protocol';
import type { RunController } from './runController';

type MapMessage = Extract<HostToPanel, { type: 'map' }>;

/** What the projection worker posts (see projectionWorker.ts). */
type WorkerMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; words: string[]; coords: number[]; method: ProjectionMethod; elapsedMs: number }
  | { type: 'error'; message: string };

export class MapController implements vscode.Disposable {
  private worker: Worker | undefined;
  private last: MapMessage | undefined;
  private lastState: HostToPanel | undefined;
  private readonly eventEmitter = new vscode.EventEmitter<HostToPanel>();
  readonly onEvent = this.eventEmitter.event;

  constructor(
    private readonly workerScript: string,
    private readonly runs: RunController,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  snapshot(): HostToPanel[] {
    return [this.last, this.lastState].filter((m): m is HostToPanel => m !== undefined);
  }

  /** Projects the active model; a new request replaces one still running. */
  async draw(method: ProjectionMethod, points: number, seed = 1): Promise<MapMessage | undefined> {
    const model = this.runs.activeModel;
    if (!model) {
      this.setState({ type: 'mapState', state: 'failed', message: 'No model yet: train one, or choose one in the Models view.' });
      return undefined;
    }
    void this.worker?.terminate();
    const count = Math.min(points, model.vocabularySize);
    const label = `${method === 'pca' ? 'PCA' : 'UMAP'} of the ${count.toLocaleString('en-US')} most frequent words of ${model.name}`;
    this.setState({ type: 'mapState', state: 'running', message: `${label}…`, fraction: 0 });
    return new Promise((resolve) => {
      const worker = new Worker(this.workerScript, { workerData: { modelDir: model.modelDir, method, points: count, seed } });
      this.worker = worker;
      let settled = false;
      const settle = (result: MapMessage | undefined) => {
        if (settled) return;
        settled = true;
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
        resolve(result);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          this.eventEmitter.fire({ type: 'mapState', state: 'running', message: `${label}… ${Math.round(100 * message.fraction)}%`, fraction: message.fraction });
        } else if (message.type === 'done') {
          this.last = { type: 'map', words: message.words, coords: message.coords, method: message.method, elapsedMs: message.elapsedMs, modelName: model.name };
          this.lastState = undefined;
          this.eventEmitter.fire(this.last);
          this.log.info(`Map: ${label} in ${(message.elapsedMs / 1000).toFixed(1)} s`);
          settle(this.last);
        } else {
          this.setState({ type: 'mapState', state: 'failed', message: `The map failed: ${message.message}` });
          settle(undefined);
        }
      });
      worker.on('error', (error) => {
        this.setState({ type: 'mapState', state: 'failed', message: `The map failed: ${error.message}` });
        settle(undefined);
      });
      worker.on('exit', () => {
        // Terminated by a newer request or by dispose: not a failure to report.
        settle(undefined);
      });
    });
  }

  /** The last map's coordinates as "word,x,y" CSV, where the user chooses (or at `target`). */
  async export(target?: vscode.Uri): Promise<string | undefined> {
    const map = this.last;
    if (!map) return undefined;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: 'Save the map’s coordinates as CSV',
        defaultUri: vscode.workspace.workspaceFolders?.[0] && vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, `${map.modelName}-${map.method}.csv`),
        filters: { CSV: ['csv'] },
      }));
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(projectionCsv(map.words, Float32Array.from(map.coords))));
    void vscode.window.showInformationMessage(`Transfer Lab: saved ${map.words.length.toLocaleString('en-US')} points to ${path.basename(uri.fsPath)}.`);
    return uri.fsPath;
  }

  private setState(message: HostToPanel): void {
    this.lastState = message;
    this.eventEmitter.fire(message);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.eventEmitter.dispose();
  }
}
