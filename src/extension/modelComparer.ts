// The comparison the panel's "What moved" section shows: two models (usually a parent and its
// fine-tuned child), the words whose neighbourhoods changed most (computed in whatMovedWorker.ts),
// any word's two neighbour lists on request, and the same comparison as a Markdown document.
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import type { HostToPanel, ModelComparison, Neighbour } from '../shared/protocol';
import { toComparison } from './whatMovedReport';
import type { ModelQueries } from './modelQueries';
import type { WhatMovedJob, WhatMovedResult } from './whatMovedWorker';

/** Neighbours listed per model for a word asked for in the panel. */
const WORD_NEIGHBOURS = 10;

export interface ComparedPair {
  before: { modelDir: string; name: string; description: string };
  after: { modelDir: string; name: string; description: string };
  /** `before` is `after`'s recorded parent. */
  parentOf: boolean;
}

export class ModelComparer implements vscode.Disposable {
  private current: { pair: ComparedPair; markdown: string } | undefined;
  private lastComparison: HostToPanel | undefined;
  private lastState: HostToPanel | undefined;
  private worker: Worker | undefined;
  private readonly eventEmitter = new vscode.EventEmitter<HostToPanel>();
  readonly onEvent = this.eventEmitter.event;

  constructor(
    private readonly workerScript: string,
    private readonly queries: ModelQueries,
  ) {}

  /** The models compared last, for "Evaluate both". */
  get pair(): ComparedPair | undefined {
    return this.current?.pair;
  }

  snapshot(): HostToPanel[] {
    return [this.lastComparison, this.lastState].filter((m): m is HostToPanel => m !== undefined);
  }

  /** Resolves to the comparison, or undefined when cancelled; throws what went wrong. */
  async compare(pair: ComparedPair): Promise<ModelComparison | undefined> {
    if (this.worker) throw new Error('a comparison is already running: cancel it from its notification or wait for it');
    this.setState({ type: 'comparisonState', state: 'running', message: `Comparing ${pair.after.name} with ${pair.before.name}…` });
    const started = Date.now();
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Transfer Lab: what moved in ${pair.after.name}`, cancellable: true },
        (progress, token) => {
          progress.report({ message: 'comparing neighbourhoods…' });
          return this.runWorker({ before: pair.before, after: pair.after }, token);
        },
      );
      if (!result) {
        this.setState({ type: 'comparisonState', state: 'cancelled', message: 'Comparison cancelled.' });
        return undefined;
      }
      const comparison = toComparison(pair, result.diff, Date.now() - started);
      this.current = { pair, markdown: result.markdown };
      this.lastComparison = { type: 'comparison', comparison };
      this.lastState = undefined;
      this.eventEmitter.fire(this.lastComparison);
      return comparison;
    } catch (error) {
      this.setState({ type: 'comparisonState', state: 'failed', message: `Comparison failed: ${(error as Error).message}` });
      throw error;
    }
  }

  /** A word's neighbours in both models; a word known to only one of them gets an empty list for the other. */
  async compareWord(requestId: number, word: string): Promise<HostToPanel> {
    const pair = this.current?.pair;
    if (!pair) return { type: 'comparedWord', requestId, word, before: [], after: [], error: 'Compare two models first.' };
    const [before, after] = await Promise.all([this.neighbours(pair.before.modelDir, word), this.neighbours(pair.after.modelDir, word)]);
    if (before.error && after.error) return { type: 'comparedWord', requestId, word, before: [], after: [], error: after.error };
    const result: HostToPanel = { type: 'comparedWord', requestId, word, before: before.results, after: after.results };
    if (!before.error && !after.error) result.overlap = overlapOf(before.results, after.results);
    return result;
  }

  async openReport(): Promise<void> {
    if (!this.current) {
      void vscode.window.showInformationMessage('Transfer Lab: compare two models first (Show What Moved).');
      return;
    }
    // An untitled document: the user can edit it and save it where they like.
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: this.current.markdown });
    await vscode.window.showTextDocument(document, { preview: false });
  }

  private async neighbours(modelDir: string, word: string): Promise<{ results: Neighbour[]; error?: string }> {
    try {
      return { results: await this.queries.neighbours(modelDir, word, WORD_NEIGHBOURS) };
    } catch (error) {
      return { results: [], error: (error as Error).message };
    }
  }

  private runWorker(job: WhatMovedJob, token: vscode.CancellationToken): Promise<Extract<WhatMovedResult, { type: 'done' }> | undefined> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerScript, { workerData: job });
      this.worker = worker;
      let settled = false;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        cancellation.dispose();
        this.worker = undefined;
        void worker.terminate();
        finish();
      };
      // terminate() is the cancel: the search never yields to check a flag.
      const cancellation = token.onCancellationRequested(() => settle(() => resolve(undefined)));
      worker.once('message', (result: WhatMovedResult) => settle(() => (result.type === 'done' ? resolve(result) : reject(new Error(result.message)))));
      worker.once('error', (error) => settle(() => reject(error)));
      worker.once('exit', (code) => settle(() => reject(new Error(`the comparison worker stopped unexpectedly (exit code ${code})`))));
    });
  }

  private setState(message: HostToPanel): void {
    this.lastState = message;
    this.eventEmitter.fire(message);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.eventEmitter.dispose();
  }
}

function overlapOf(a: Neighbour[], b: Neighbour[]): number {
  const k = Math.max(a.length, b.length);
  if (k === 0) return 0;
  const inA = new Set(a.map((n) => n.word));
  return b.filter((n) => inA.has(n.word)).length / k;
}
