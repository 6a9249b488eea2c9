// UI test of the sidebar, the status bar and the editor entry points, run after panel.ui.mjs on the
// same workspace (its models, classifier and runs are there): the Transfer Lab activity-bar
// container with its Models and Runs views and their inline actions, the status-bar item, a hover
// over a word of a book, and Show Neighbours from the editor's context menu on a selection.
// Screenshots of the sidebar in a dark and a light theme. Started by scripts/test-all.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../../../scripts/e2e/code-server.mjs';
import { check, finish, log, mustEnv, runCommand, setTheme, webviewFrameWith, withWorkbench } from './workbench.mjs';

const URL_BASE = mustEnv('TRANSFER_LAB_E2E_URL');
const WORKSPACE = mustEnv('TRANSFER_LAB_E2E_WORKSPACE');
const ARTIFACTS = process.env.TRANSFER_LAB_E2E_ARTIFACTS || 'test-artifacts';
const RESULT = process.env.TRANSFER_LAB_E2E_RESULT;

const rowsOf = (page, viewTitle) => page.locator(`.pane:has(.pane-header[aria-label*="${viewTitle}"]) .monaco-list-row`);

async function flow(page) {

  // Themes persist in the profile: start from a dark one for the first screenshot.
  await setTheme(page, 'Dark Modern', 'vs-dark');
  // The activity-bar container and its two views.
  await page.locator('.activitybar .action-item a[aria-label^="Transfer Lab"]').first().click();
  const models = rowsOf(page, 'Models');
  await models.first().waitFor({ timeout: 30_000 });
  const runs = rowsOf(page, 'Runs');
  // A browser closed without a goodbye may not have saved the last window's run history; the empty
  // Runs view then offers its first step, which this test takes.
  const welcome = page.locator('.pane:has(.pane-header[aria-label*="Runs"]) .welcome-view-content a, .pane:has(.pane-header[aria-label*="Runs"]) .welcome-view-content .monaco-button', { hasText: 'Pretrain on Workspace' });
  if ((await runs.count()) === 0 && (await welcome.count()) > 0) {
    check('the empty Runs view explains the first step with a button', true);
    await welcome.first().click();
  }
  await rowsOf(page, 'Runs').filter({ hasText: /done · \d+ s/ }).first().waitFor({ timeout: 120_000 });
  const modelLabels = await models.allTextContents();
  const runLabels = await runs.allTextContents();
  log('models:', modelLabels.join(' | '));
  log('runs:', runLabels.join(' | '));
  check('the Transfer Lab container shows the Models view with the models of the workspace', modelLabels.length >= 2 && modelLabels.every((t) => /Word2Vec skip-gram · [\d,]+ words · \d{4}-\d\d-\d\d/.test(t)), `${modelLabels.length} rows`);
  check('the Runs view lists runs with their state, duration and numbers', runLabels.some((t) => /done · \d+ s · [\d,]+ words × 100 · loss \d\.\d{3}/.test(t)), `${runLabels.length} rows`);

  // Inline actions appear on the hovered model row and carry their titles for screen readers.
  await models.first().hover();
  const inline = await models.first().locator('.actions .action-label').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
  check('a model row offers Open in Panel, Evaluate and Fine-tune inline', ['Open in Panel', 'Evaluate Model…', 'Fine-tune…'].every((t) => inline.some((a) => a.startsWith(t))), JSON.stringify(inline));
  await models.first().locator('.actions .action-label[aria-label^="Open in Panel"]').click();
  const panel = await webviewFrameWith(page, '#query');
  await panel.locator('#query:not([disabled])').waitFor({ timeout: 30_000 });
  const examples = ((await panel.locator('#examples').textContent()) ?? '').trim();
  const modelName = modelLabels[0].split(/Word2Vec|Imported|FastText|GloVe/)[0].trim();
  check('Open in Panel makes the model the panel’s model', examples.startsWith(`Model ${modelName}`), `${JSON.stringify(modelName)} / ${examples.slice(0, 80)}`);

  await page.mouse.move(0, 0);
  await page.locator('.part.sidebar').screenshot({ path: join(ARTIFACTS, 'sidebar-dark.png') });

  // The status bar names the active model.
  const status = page.locator('.statusbar-item[id*="transferLab"], .statusbar-item:has-text("' + modelName + '")').first();
  const statusText = ((await status.textContent()) ?? '').trim();
  check('the status bar shows the active model', statusText.includes(modelName), JSON.stringify(statusText));

  // A hover over a word of a book lists its neighbours in the active model.
  await runCommand(page, 'Go to File...', { closes: false }).catch(async () => page.keyboard.press('Control+P'));
  const input = page.locator('.quick-input-widget input');
  await input.fill('austen-emma.txt');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'austen-emma.txt' }).first().click();
  const editor = page.locator('.editor-instance .view-lines').first();
  await editor.waitFor({ timeout: 20_000 });
  // "Emma Woodhouse, handsome, clever…": the first word of that line.
  const line = page.locator('.editor-instance .view-line', { hasText: 'Emma Woodhouse, handsome' }).first();
  await line.waitFor({ timeout: 20_000 });
  const box = await line.boundingBox();
  const at = { x: box.x + 12, y: box.y + box.height / 2 };
  let hoverText = '';
  for (let attempt = 0; attempt < 3 && !hoverText.includes('Transfer Lab'); attempt++) {
    await page.mouse.move(at.x, at.y);
    await page.locator('.monaco-hover', { hasText: 'Transfer Lab' }).first().waitFor({ timeout: 8_000 }).catch(() => {});
    hoverText = ((await page.locator('.monaco-hover').allTextContents()).join(' ') ?? '').replace(/\s+/g, ' ');
    if (!hoverText.includes('Transfer Lab')) await page.mouse.move(0, 0);
  }
  log('hover:', hoverText.slice(0, 200));
  check('hovering a word of a text file shows its nearest neighbours', /Transfer Lab · nearest to emma/.test(hoverText) && (hoverText.match(/\d\.\d\d/g) ?? []).length >= 5, hoverText.slice(0, 160));
  await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });

  // Show Neighbours from the editor's context menu on a selected word.
  await page.mouse.dblclick(at.x, at.y);
  await page.mouse.click(at.x, at.y, { button: 'right' });
  const entry = page.locator('.monaco-menu .action-item', { hasText: 'Show Neighbours' }).first();
  await entry.waitFor({ timeout: 10_000 });
  const similarEntry = await page.locator('.monaco-menu .action-item', { hasText: 'Find Similar Words in This File' }).count();
  check('the editor context menu of a selection offers Show Neighbours and Find Similar Words in This File', similarEntry === 1);
  await entry.hover();
  await page.keyboard.press('Enter');
  const panelAgain = await webviewFrameWith(page, '#neighbours');
  await panelAgain.locator('#neighbours-caption', { hasText: 'Nearest to emma' }).waitFor({ timeout: 20_000 });
  const listed = await panelAgain.locator('#neighbours .neighbour').count();
  check('Show Neighbours searches the selected word in the panel', listed === 10, `${listed} neighbours`);

  // The 2-D map of the active model: UMAP of its 1,000 most frequent words, then hover a point.
  await panelAgain.locator('#map-method').selectOption('umap');
  await panelAgain.locator('#map-points').selectOption('1000');
  await panelAgain.locator('#map-draw').click();
  await panelAgain.locator('#map-canvas[data-points="1000"]').waitFor({ timeout: 120_000 });
  const mapStatus = ((await panelAgain.locator('#map-status').textContent()) ?? '').trim();
  check('Draw maps the active model’s 1,000 most frequent words with UMAP, off the UI thread', /UMAP/.test(mapStatus), JSON.stringify(mapStatus));
  await panelAgain.locator('#map').evaluate((el) => el.scrollIntoView());
  await page.mouse.move(0, 0);
  await page.locator('iframe.webview:visible').first().screenshot({ path: join(ARTIFACTS, 'panel-map.png') });

  await setTheme(page, 'Light Modern', 'vs');
  // The view's focus command opens the container without toggling it shut if it is open already.
  await runCommand(page, 'Transfer Lab: Focus on Models View');
  await models.first().waitFor({ timeout: 10_000 });
  await page.mouse.move(0, 0);
  await page.locator('.part.sidebar').screenshot({ path: join(ARTIFACTS, 'sidebar-light.png') });

  await reloadMidRunThenResume(page);
}

/** The trainers running now (the installed extension's dist/trainer.js), by pid. */
function trainerPids() {
  const found = spawnSync('pgrep', ['-f', 'transfer-lab[^ ]*/dist/trainer\\.js'], { encoding: 'utf8' });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

async function until(what, probe, timeoutMs, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The window closed while it trains (here: Developer: Reload Window, which ends the extension host):
 * no trainer process outlives it, and the run, which had saved a checkpoint, offers Resume from
 * Checkpoint in the Runs view of the new window, which takes it up again.
 */
async function reloadMidRunThenResume(page) {
  const settingsFile = join(WORKSPACE, '.vscode', 'settings.json');
  const original = readFileSync(settingsFile, 'utf8');
  // A long run with a checkpoint every 0.3 s of training.
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original), 'transferLab.training.epochs': 300, 'transferLab.training.checkpointMinutes': 0.005 }, null, 2));
  const checkpoints = join(WORKSPACE, '.transfer-lab', 'models', '.checkpoints');
  try {
    await page.waitForTimeout(1500); // the workbench notices the settings file
    await runCommand(page, 'Transfer Lab: Pretrain Word Vectors on Workspace');
    const [pid] = await until('a trainer process', () => (trainerPids().length ? trainerPids() : undefined), 60_000);
    await until('a checkpoint on disk', () => existsSync(checkpoints) && readdirSync(checkpoints).length > 0, 60_000);
    // Well into the run (epoch 4 or later), so the last checkpoint is past epoch 1.
    const before = await webviewFrameWith(page, '#stats');
    const epochBefore = await until('epoch 4', async () => {
      const epoch = Number(((await before.locator('#stats').textContent()) ?? '').match(/Epoch\s*(\d+) \/ 300/)?.[1] ?? 0);
      return epoch >= 4 ? epoch : undefined;
    }, 120_000);
    await page.waitForTimeout(500); // the extension has recorded the newest checkpoint in the run history
    await runCommand(page, 'Developer: Reload Window');
    const gone = await until(`trainer ${pid} to exit`, () => !trainerPids().includes(pid), 15_000).then(() => true, () => false);
    check('reloading the window mid-run leaves no trainer process behind', gone, `pid ${pid}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await runCommand(page, 'Transfer Lab: Focus on Runs View');
    const resumable = rowsOf(page, 'Runs').filter({ hasText: 'can resume from its checkpoint' }).first();
    await resumable.waitFor({ timeout: 30_000 });
    const interrupted = ((await resumable.textContent()) ?? '').trim();
    log('interrupted run:', interrupted);
    const modelName = interrupted.replace(/failed ·.*$/, '');
    await resumable.hover();
    await resumable.locator('.actions .action-label[aria-label^="Resume from Checkpoint"]').click();
    const [resumedPid] = await until('the resumed trainer', () => (trainerPids().length ? trainerPids() : undefined), 60_000);
    const panel = await webviewFrameWith(page, '#status');
    await panel.locator('#status', { hasText: /^Training / }).waitFor({ timeout: 30_000 });
    const epochText = await until('training progress', async () => ((await panel.locator('#stats').textContent()) ?? '').match(/Epoch\s*(\d+) \/ 300/)?.[1], 60_000);
    // The same model name (a new run would get a new one), running again, and past epoch 1 at once.
    const running = await rowsOf(page, 'Runs').filter({ hasText: `${modelName}running` }).count();
    check('Resume from Checkpoint in the new window takes the run up again: the same model, not from epoch 1', running === 1 && Number(epochText) >= 2, `${modelName}: reloaded at epoch ${epochBefore}, first seen again at epoch ${epochText}, pid ${resumedPid}`);
    await runCommand(page, 'Transfer Lab: Cancel Training');
    await until('the resumed trainer to stop', () => !trainerPids().includes(resumedPid), 30_000);
  } finally {
    writeFileSync(settingsFile, original);
  }
}

await withWorkbench({ launchBrowser, url: URL_BASE, workspace: WORKSPACE, artifacts: ARTIFACTS, flowName: 'sidebar and editor flow', errorShot: 'ui-sidebar-error' }, flow);
finish(RESULT);
