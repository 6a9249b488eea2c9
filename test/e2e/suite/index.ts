// Mocha entry point loaded by VS Code's extension host through `extensionTestsPath` (the
// @vscode/test-electron contract: export `run()`, resolve = pass, reject = fail). Compiled by
// scripts/test-all.mjs to out/test/e2e/suite/index.js; the test files beside it are *.test.js.
//
// The runner reads the outcome from the JSON file named by TRANSFER_LAB_E2E_RESULT (set on the
// code-server process, whose environment the extension host inherits), because the console output
// that reaches it through the browser is lossy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.TRANSFER_LAB_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }

  const results: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passes = results.filter((r) => r.state === 'passed').length;
      const summary = {
        passes,
        failures,
        pending: results.filter((r) => r.state === 'pending').length,
        vscodeVersion: require('vscode').version as string,
        tests: results,
      };
      const out = process.env.TRANSFER_LAB_E2E_RESULT;
      if (out) {
        try {
          fs.writeFileSync(out, JSON.stringify(summary, null, 2));
        } catch (error) {
          console.error(`cannot write ${out}: ${(error as Error).message}`);
        }
      }
      console.log(`${passes} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
    runner.on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
    runner.on('pending', (test) => results.push({ title: test.fullTitle(), state: 'pending' }));
    // 'fail' also fires for failing hooks, which count as failures too.
    runner.on('fail', (test, error) =>
      results.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration, error: String(error?.stack ?? error) }),
    );
  });
}
