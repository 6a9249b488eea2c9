// The Runs view of the Transfer Lab sidebar: every pretraining, fine-tune, classifier and curve run
// of this workspace (the last MAX_RUNS, kept across sessions), running or finished, with its
// duration and final numbers, and what to do with it: open its result, cancel it, run it again.
import * as vscode from 'vscode';
import type { ClassifierTrainingSettings, DataReadOptions, EncoderClassifierSettings, EncoderTraining } from '../shared/classifierProtocol';
import type { EncoderKind, FineTuneLock, TrainingParameters } from '../shared/protocol';

const STATE_KEY = 'transferLab.runHistory';
const MAX_RUNS = 50;

export type RunKind = 'pretrain' | 'fine-tune' | 'classifier' | 'curve' | 'encoder';
export type RunState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** What it takes to start the same run again. */
export type RerunSpec =
  | { kind: 'pretrain'; parameters: TrainingParameters; resource?: string }
  | { kind: 'fine-tune'; parameters: TrainingParameters; modelDir: string; lock: FineTuneLock; lockWords?: string; resource?: string }
  | { kind: 'classifier'; dataPath: string; data?: DataReadOptions; vectorsDir?: string; encoderDir?: undefined; settings: ClassifierTrainingSettings }
  | { kind: 'classifier'; dataPath: string; data?: DataReadOptions; encoderDir: string; encoderTraining: EncoderTraining; vectorsDir?: undefined; settings: EncoderClassifierSettings }
  | { kind: 'curve'; dataPath: string; data?: DataReadOptions; vectorsDir: string; settings: Omit<ClassifierTrainingSettings, 'embeddings'>; sizes?: number[] }
  | { kind: 'encoder'; arch: EncoderKind; minutes: number; vocabSize: number };

export interface RunRecord {
  id: string;
  kind: RunKind;
  title: string;
  state: RunState;
  startedAt: number;
  endedAt?: number;
  /** "loss 2.41 · 512k words/s" or "test accuracy 81.2%": the run's final numbers in words. */
  summary?: string;
  /** The model or classifier folder it wrote. */
  output?: string;
  rerun: RerunSpec;
  /** Pretraining and fine-tunes: the model folder it is writing, and its checkpoint folder once one is saved. */
  modelDir?: string;
  checkpoint?: string;
}

export class RunHistory implements vscode.Disposable {
  private records: RunRecord[];
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly state: vscode.Memento) {
    // A run still "running" or "queued" in the stored list died with the last session.
    this.records = (state.get<RunRecord[]>(STATE_KEY) ?? []).map((r): RunRecord =>
      r.state === 'running' ? { ...r, state: 'failed', summary: 'the editor closed during the run' } : r.state === 'queued' ? { ...r, state: 'cancelled', summary: 'the editor closed before it started' } : r,
    );
  }

  get all(): readonly RunRecord[] {
    return this.records;
  }

  /** A run begins (or a queued one gets its turn: same id, its record is replaced and its clock restarts). */
  start(record: Omit<RunRecord, 'state' | 'startedAt'>): void {
    this.add(record, 'running');
  }

  /** A run waits behind another; start() with the same id when its turn comes. */
  queue(record: Omit<RunRecord, 'state' | 'startedAt'>): void {
    this.add(record, 'queued');
  }

  private add(record: Omit<RunRecord, 'state' | 'startedAt'>, state: 'queued' | 'running'): void {
    const started: RunRecord = { ...record, state, startedAt: Date.now() };
    this.records = [started, ...this.records.filter((r) => r.id !== record.id)].slice(0, MAX_RUNS);
    this.save();
  }

  finish(id: string, state: Exclude<RunState, 'running' | 'queued'>, details: { summary?: string; output?: string } = {}): void {
    const record = this.records.find((r) => r.id === id);
    if (!record) return;
    Object.assign(record, { state, endedAt: Date.now() }, details.summary !== undefined && { summary: details.summary }, details.output !== undefined && { output: details.output });
    this.save();
  }

  /** Adds facts learnt while it runs (its checkpoint folder). */
  update(id: string, patch: Pick<RunRecord, 'checkpoint' | 'modelDir'>): void {
    const record = this.records.find((r) => r.id === id);
    if (!record) return;
    Object.assign(record, patch);
    this.save();
  }

  /** Forgets the finished runs; running and queued ones stay. */
  clearFinished(): void {
    this.records = this.records.filter((r) => r.state === 'running' || r.state === 'queued');
    this.save();
  }

  private save(): void {
    void this.state.update(STATE_KEY, this.records);
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

const ICONS: Record<RunState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('watch'),
  running: new vscode.ThemeIcon('sync~spin'),
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};
const KIND_LABELS: Record<RunKind, string> = { pretrain: 'pretraining', 'fine-tune': 'fine-tune', classifier: 'classifier', curve: 'transfer-gain curve', encoder: 'encoder pretraining' };

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunRecord>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly history: RunHistory) {
    this.subscription = history.onDidChange(() => this.changed());
  }

  private changed(): void {
    this.changeEmitter.fire(undefined);
    // A running run's duration ticks while it runs.
    const running = this.history.all.some((r) => r.state === 'running' || r.state === 'queued');
    if (running && !this.ticker) this.ticker = setInterval(() => this.changeEmitter.fire(undefined), 5000);
    if (!running && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  getTreeItem(record: RunRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(record.title, vscode.TreeItemCollapsibleState.None);
    item.id = record.id;
    const duration = formatDuration((record.endedAt ?? Date.now()) - record.startedAt);
    const state = record.state === 'running' ? `running ${duration}` : record.state === 'queued' ? `queued ${duration}, starts when the run before it ends` : `${record.state} · ${duration}`;
    item.description = [state, record.summary].filter(Boolean).join(' · ');
    item.iconPath = ICONS[record.state];
    const resumable = record.state === 'failed' && record.checkpoint !== undefined;
    if (resumable) item.description = `${item.description} · can resume from its checkpoint`;
    item.contextValue = `run-${record.state}${record.output ? '-output' : ''}${resumable ? '-resumable' : ''}`;
    item.tooltip = `${KIND_LABELS[record.kind]} ${record.title}\n${record.state}, ${duration}, started ${new Date(record.startedAt).toLocaleString()}${record.summary ? `\n${record.summary}` : ''}${record.output ? `\n${record.output}` : ''}`;
    item.accessibilityInformation = { label: `${KIND_LABELS[record.kind]} ${record.title}, ${item.description}` };
    if (record.output && record.state === 'done') item.command = { command: 'transferLab.openRun', title: 'Open', arguments: [record] };
    return item;
  }

  getChildren(record?: RunRecord): RunRecord[] {
    return record ? [] : [...this.history.all];
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
