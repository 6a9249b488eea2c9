// The panel's Encoder section on the host side: which encoders the workspace has (by name, in
// .transfer-lab/encoders), and Inspect, run in a trainer process of its own so TensorFlow.js never
// loads in the extension host. The webview names an encoder; the path is resolved here.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToPanel, TrainerToHost } from '../shared/protocol';
import { ENCODERS_FOLDER } from './runController';
import { newRunId } from './jobQueue';
import { TrainerProcess } from './trainerProcess';

export class EncoderInspector {
  constructor(
    private readonly trainerScript: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Encoder folders (holding encoder.json) of the workspace, by name. */
  async list(): Promise<string[]> {
    const root = this.root();
    if (!root) return [];
    const entries = await fs.readdir(root).catch(() => [] as string[]);
    const names: string[] = [];
    for (const name of entries.sort()) {
      if (await fs.stat(path.join(root, name, 'encoder.json')).then(() => true, () => false)) names.push(name);
    }
    return names;
  }

  async inspect(requestId: number, name: string, texts: string[], word: string): Promise<Extract<HostToPanel, { type: 'inspection' }>> {
    const root = this.root();
    if (!root || !(await this.list()).includes(name)) return { type: 'inspection', requestId, encoder: name, error: `There is no encoder named ${name} in ${ENCODERS_FOLDER}. Pretrain one with "Transfer Lab: Pretrain Encoder on Workspace…".` };
    const runId = newRunId('inspect');
    let result: Extract<HostToPanel, { type: 'inspection' }> | undefined;
    const trainer = new TrainerProcess(
      this.trainerScript,
      (message: TrainerToHost) => {
        if (message.type === 'inspection') result = { type: 'inspection', requestId, encoder: name, inspection: message.inspection };
        else if (message.type === 'error') result = { type: 'inspection', requestId, encoder: name, error: message.message };
        else if (message.type === 'log') this.log[message.level](message.message);
      },
      (line) => this.log.info(`[trainer] ${line}`),
    );
    trainer.send({ type: 'start', runId, job: { kind: 'inspect-encoder', encoderDir: path.join(root, name), texts, word } });
    const exit = await trainer.exited;
    return result ?? { type: 'inspection', requestId, encoder: name, error: `The trainer process stopped unexpectedly (${exit.signal ?? `exit code ${exit.code}`}).` };
  }

  private root(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && path.join(folder.uri.fsPath, ENCODERS_FOLDER);
  }
}
