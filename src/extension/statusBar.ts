// The status-bar item: the active model when idle, the running job's progress while training.
// A click opens the panel.
import * as vscode from 'vscode';
import { describeAlgorithm } from '../shared/labels';
import type { HostToPanel, ModelSummary } from '../shared/protocol';
import type { RunController } from './runController';

export function activateStatusBar(controller: RunController, openPanelCommand: string): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('transferLab.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Transfer Lab';
  item.command = openPanelCommand;

  const showIdle = (model: ModelSummary | undefined) => {
    item.text = model ? `$(symbol-array) ${model.name}` : '$(symbol-array) Transfer Lab';
    const plain = model
      ? `Transfer Lab: active model ${model.name} (${describeAlgorithm(model.algorithm, model.mode)}, ${model.vocabularySize.toLocaleString('en-US')} words × ${model.dim}). Click to open the panel.`
      : 'Transfer Lab: no model yet. Click to open the panel.';
    const tooltip = new vscode.MarkdownString(`${plain}\n\n[$(symbol-array) Choose Active Model…](command:transferLab.pickActiveModel) · [$(graph-line) Open Panel](command:transferLab.openPanel)`, true);
    tooltip.isTrusted = { enabledCommands: ['transferLab.pickActiveModel', 'transferLab.openPanel'] };
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: plain, role: 'button' };
  };

  const onEvent = (event: HostToPanel) => {
    if (event.type === 'runStarted') {
      item.text = '$(sync~spin) Transfer Lab: starting…';
      item.tooltip = `Training ${event.run.modelName}. Click to open the panel.`;
    } else if (event.type === 'progress' && event.progress.phase === 'training') {
      const p = event.progress;
      const percent = p.wordsTotal > 0 ? Math.floor((100 * p.wordsDone) / p.wordsTotal) : 0;
      item.text = `$(sync~spin) Transfer Lab ${percent}%`;
      item.accessibilityInformation = { label: `Transfer Lab training, ${percent} percent`, role: 'button' };
    } else if (event.type === 'runEnded') {
      showIdle(controller.activeModel);
    }
  };

  showIdle(controller.activeModel);
  item.show();
  const subscriptions = [controller.onEvent(onEvent), controller.onActiveModelChanged(showIdle)];
  return vscode.Disposable.from(item, ...subscriptions);
}
