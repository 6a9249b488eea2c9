// Tells the user, once per problem, when a transferLab setting cannot be used as written (see
// settingsCheck.ts), with a button that opens the setting. Checked after activation and whenever a
// transferLab setting changes; every problem also goes to the log.
import * as vscode from 'vscode';
import { checkSettings, type SettingProblem, type SettingSchema } from './settingsCheck';

export class SettingsWarnings implements vscode.Disposable {
  private readonly shown = new Set<string>();
  private readonly subscription: vscode.Disposable;
  private current: SettingProblem[] = [];

  constructor(
    private readonly schema: Record<string, SettingSchema>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('transferLab')) this.check();
    });
  }

  /** The problems found by the latest check. */
  get problems(): readonly SettingProblem[] {
    return this.current;
  }

  check(): readonly SettingProblem[] {
    const configuration = vscode.workspace.getConfiguration();
    const values = Object.fromEntries(Object.keys(this.schema).map((key) => [key, configuration.get(key)]));
    this.current = checkSettings(this.schema, values);
    const fresh = this.current.filter((p) => !this.shown.has(p.message));
    for (const problem of fresh) {
      this.shown.add(problem.message);
      this.log.warn(`Setting: ${problem.message}`);
    }
    if (fresh.length > 0) {
      const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more in the Transfer Lab log)` : '';
      void vscode.window.showWarningMessage(`Transfer Lab: ${fresh[0].message}${more}`, 'Open Setting', ...(fresh.length > 1 ? ['Show Log'] : [])).then((choice) => {
        if (choice === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', fresh[0].key);
        if (choice === 'Show Log') this.log.show();
      });
    }
    return this.current;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
