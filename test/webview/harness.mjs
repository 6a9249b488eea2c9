// What the webview component tests share: pass/fail bookkeeping, bundling a section with esbuild,
// and a test page with a dark theme's variables, the panel's CSS and a mocked acquireVsCodeApi that
// records what the component posts (window.posted).
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let passed = 0;
let failed = 0;
export function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ` — ${detail}`}`);
}
export const equal = (name, actual, expected) => check(name, JSON.stringify(actual) === JSON.stringify(expected), `got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);

/** Prints "N passed, N failed" last and exits 1 on any failure. */
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

/** Bundles `entry` (TypeScript, resolved from the repository root) for the browser. */
export async function bundle(entry, sourcefile) {
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts', sourcefile },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel: 'silent',
  });
  return built.outputFiles[0].text;
}

// A dark theme's variables, as VS Code sets them on the webview's html element.
const THEME = {
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
};

/** The page: theme, media/panel.css, an empty <main> for the section, the mock API, the bundle. */
export function testPage(script, extraStyle = '') {
  const css = readFileSync(join(ROOT, 'media', 'panel.css'), 'utf8');
  const themeStyle = `html { ${Object.entries(THEME).map(([k, v]) => `${k}: ${v};`).join(' ')} } ${extraStyle}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><style>${themeStyle}</style><style>${css}</style></head>
<body><main></main><script>
window.posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
</script><script>${script.replace(/<\/script/g, '<\\/script')}</script></body></html>`;
}

/** Headless Chromium as every component test launches it. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * A page holding `html` whose script sets window.ready: page errors are collected in `errors`, and
 * `feed(message)` hands a host message to the component (window.feed).
 */
export async function openComponentPage(browser, html, pageOptions) {
  const page = await browser.newPage(pageOptions);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(html);
  await page.waitForFunction(() => window.ready === true);
  const feed = (message) => page.evaluate((m) => window.feed(m), message);
  return { page, errors, feed };
}
