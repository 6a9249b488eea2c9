// Helpers shared by the UI tests (test/e2e/ui/*.ui.mjs): driving the workbench of code-server in
// Chromium the way a user does (palette, quick picks, themes), finding webview frames, and the
// pass/fail bookkeeping every UI test file reports in the same form.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function mustEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set; run this through scripts/test-all.mjs`);
    process.exit(2);
  }
  return value;
}

const t0 = Date.now();
export const log = (...a) => console.log(`[ui ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const results = [];
export const check = (name, ok, detail = '') => {
  results.push({ title: name, state: ok ? 'passed' : 'failed', detail });
  log(ok ? 'PASS' : 'FAIL', name, detail);
};

/** Writes the result file, prints "N passed, N failed" and exits with 1 on any failure. */
export function finish(resultFile) {
  const failed = results.filter((r) => r.state === 'failed').length;
  if (resultFile) writeFileSync(resultFile, JSON.stringify({ passes: results.length - failed, failures: failed, tests: results }, null, 2));
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

/**
 * Runs a command by its palette title: F1, type, wait for the row, Enter. Retried because right
 * after startup the palette can lose focus to an editor that is still opening, or the extension's
 * commands are not listed yet.
 */
export async function runCommand(page, title, { closes = true } = {}) {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; attempt <= 6; attempt++) {
    try {
      await page.locator('.statusbar').click({ position: { x: 600, y: 10 }, timeout: 5000 });
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill('>' + title, { timeout: 5000 });
      // Click the row with this title: Enter would run whichever row the fuzzy sort put first
      // (for "Preferences: Color Theme" that can be "Browse Color Themes in Marketplace").
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ timeout: 6000 });
      await row.click({ timeout: 5000 });
      if (closes) await input.waitFor({ state: 'hidden', timeout: 5000 });
      return attempt;
    } catch (e) {
      log(`palette attempt ${attempt} failed: ${e.message.split('\n')[0]}`);
      await page.keyboard.press('Escape').catch(() => {});
      await page.waitForTimeout(1000);
    }
  }
  throw new Error(`could not run the command "${title}" from the palette`);
}

/** The webview document that contains `selector` (webviews are iframe.webview > iframe#active-frame). */
export async function webviewFrameWith(page, selector, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const frame of page.frames()) {
      try {
        if (await frame.$(selector)) return frame;
      } catch {
        /* frame detached while we looked */
      }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview frame with ${selector} after ${timeoutMs / 1000} s`);
}

/**
 * Switches the colour theme through "Preferences: Color Theme" (the theme quick pick), as a user
 * would. (Rewriting User/settings.json is not picked up by code-server reliably.)
 */
export async function setTheme(page, label, themeClass) {
  await runCommand(page, 'Preferences: Color Theme', { closes: false });
  // Wait for the theme picker to replace the command palette before typing into it.
  const input = page.locator('.quick-input-widget input[placeholder*="Color Theme"]');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(label, { timeout: 5000 });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click({ timeout: 5000 });
  // The workbench root carries the theme type as a class: "vs" (light), "vs-dark", "hc-black"...
  await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), themeClass, { timeout: 20_000 });
  await page.waitForTimeout(1000); // the webview restyles itself from the new theme variables
}

/** Rows of the open quick pick with this text; waits for the first. */
export async function quickPickRow(page, text) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 15_000 });
  return row;
}

/** True for a CSS colour like #ffffff / #fff / rgb(255, 255, 255) whose brightness is above half. */
export function isLight(color) {
  let rgb;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})/i.exec(color);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    rgb = (color.match(/\d+/g) ?? []).slice(0, 3).map(Number);
  }
  return rgb.length === 3 && (rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114) / 1000 > 128;
}


/**
 * Opens the workspace in a fresh browser on code-server and runs `flow(page)`. An exception fails
 * the check `flowName` and saves a screenshot `${errorShot}.png` in `artifacts`; the browser is
 * always closed.
 */
export async function withWorkbench({ launchBrowser, url, workspace, artifacts, flowName, errorShot }, flow) {
  mkdirSync(artifacts, { recursive: true });
  const browser = await launchBrowser({ width: 1400, height: 900 });
  const { page } = browser;
  page.on('pageerror', (e) => log('pageerror:', e.message));
  try {
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    await flow(page);
  } catch (e) {
    check(`${flowName} completed without an exception`, false, e.message.split('\n')[0]);
    await page.screenshot({ path: join(artifacts, `${errorShot}.png`) }).catch(() => {});
  } finally {
    await browser.close();
  }
}
