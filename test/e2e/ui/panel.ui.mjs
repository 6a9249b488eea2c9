// UI test of the packaged extension (transfer-lab.vsix installed into code-server), driven through
// the real VS Code workbench in headless Chromium: command palette -> training -> live chart ->
// neighbour search (a word, then word arithmetic) -> evaluation on test sets picked in the file
// dialog -> fine-tune from the explorer's context menu -> What moved and Evaluate both in the panel,
// with screenshots in both a dark and a light theme.
//
// Started by scripts/test-all.mjs, which provides a running code-server and these variables:
//   TRANSFER_LAB_E2E_URL            base URL of code-server (http://127.0.0.1:<port>)
//   TRANSFER_LAB_E2E_WORKSPACE      fixture folder to open (scripts/e2e/fixture.mjs, createUiFixture)
//   TRANSFER_LAB_E2E_ARTIFACTS      folder for screenshots (test-artifacts/)
//   TRANSFER_LAB_E2E_RESULT         JSON summary written here
// Prints "N passed, N failed" last and exits 1 on any failure.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchBrowser } from '../../../scripts/e2e/code-server.mjs';
import { check, finish, isLight, withWorkbench, log, mustEnv, quickPickRow, runCommand, setTheme, webviewFrameWith } from './workbench.mjs';

const URL_BASE = mustEnv('TRANSFER_LAB_E2E_URL');
const WORKSPACE = mustEnv('TRANSFER_LAB_E2E_WORKSPACE');
const ARTIFACTS = process.env.TRANSFER_LAB_E2E_ARTIFACTS || 'test-artifacts';
const RESULT = process.env.TRANSFER_LAB_E2E_RESULT;
const PRETRAIN_TITLE = 'Transfer Lab: Pretrain Word Vectors on Workspace';
const EVALUATE_TITLE = 'Transfer Lab: Evaluate Model…';
const QUERY_WORD = 'emma';
/** Upper bound for the whole training run of the UI fixture (normally 10-20 s). */
const TRAINING_TIMEOUT_MS = 180_000;



/** Records, from inside the page, every notification toast whose text mentions Transfer Lab. */
async function watchNotifications(page) {
  await page.evaluate(() => {
    const seen = (window.__transferLabToasts = []);
    const scan = () => {
      for (const el of document.querySelectorAll('.notifications-toasts .notification-list-item')) {
        const text = el.textContent || '';
        if (text.includes('Transfer Lab') && !seen.includes(text)) seen.push(text);
      }
    };
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true });
    scan();
  });
  return () => page.evaluate(() => window.__transferLabToasts);
}

async function screenshotPanel(page, name) {
  // The panel's outer <iframe class="webview"> in the workbench page: the panel as the user sees it.
  await page.locator('iframe.webview:visible').first().screenshot({ path: join(ARTIFACTS, `${name}.png`), timeout: 10_000 });
  log(`screenshot ${join(ARTIFACTS, `${name}.png`)}`);
}

/**
 * Test sets written beside the workspace (never inside it, where they would be trained on), from
 * words of the fixture's books: an analogy file with three sections and a scored word-pair file.
 */
function writeTestSets() {
  const dir = join(dirname(WORKSPACE), 'eval-sets-ui');
  mkdirSync(dir, { recursive: true });
  const analogies = join(dir, 'questions-mini.txt');
  const pairs = join(dir, 'pairs-mini.tsv');
  const sections = {
    family: ['he she his her', 'he she him her', 'mr mrs he she', 'brother sister father mother', 'son daughter father mother', 'husband wife father mother'],
    'gram7-past-tense': ['look looked walk walked', 'call called ask asked', 'turn turned answer answered', 'say said think thought'],
    'gram8-plural': ['day days hour hours', 'letter letters friend friends', 'thing things word words', 'hand hands eye eyes', 'zzqqa zzqqb day days'],
  };
  writeFileSync(analogies, Object.entries(sections).map(([name, qs]) => `: ${name}\n${qs.join('\n')}\n`).join(''));
  const scored = [
    ['father', 'mother', 8.0], ['brother', 'sister', 8.1], ['day', 'night', 6.5], ['house', 'home', 8.0], ['letter', 'note', 6.0],
    ['morning', 'evening', 6.8], ['young', 'old', 3.0], ['happy', 'glad', 8.2], ['walk', 'garden', 3.5], ['sea', 'water', 6.0], ['zzqqa', 'day', 5.0],
  ];
  writeFileSync(pairs, `Word 1\tWord 2\tHuman (mean)\n${scored.map((p) => p.join('\t')).join('\n')}\n`);
  return { analogies, pairs, sections: Object.keys(sections), questions: Object.values(sections).flat().length, pairCount: scored.length };
}

/**
 * Picks a file in the open dialog. In a browser VS Code this is the "simple" dialog, a quick input
 * holding a path: type the whole path and accept it. The dialog fills in its starting folder
 * asynchronously, which would overwrite a path typed too early, so wait for its listing first and
 * type again if the path did not take.
 */
async function pickInFileDialog(page, file, title = 'Test sets') {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 15_000 });
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 });
  for (let attempt = 1; attempt <= 3; attempt++) {
    await input.fill(file, { timeout: 5000 });
    await page.waitForTimeout(500); // the dialog validates the typed path before it accepts
    await input.press('Enter');
    try {
      // Accepted when the dialog's title is gone: either the quick input closed, or the command's
      // next question (a quick pick) took its place.
      await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch {
      log(`file dialog attempt ${attempt}: still open with ${JSON.stringify(await input.inputValue().catch(() => '?'))}`);
    }
  }
  throw new Error(`the file dialog did not accept ${file}`);
}

/**
 * Issue 4's loop as a user does it: right-click a book in the explorer, "Fine-tune Model on This",
 * pick the model and "free"; then "Show What Moved" in the panel, a word's two neighbour lists, and
 * both models scored on the same test sets.
 */
async function fineTuneFromExplorerAndCompare(page, panel) {
  const book = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'carroll-alice.txt' }).first();
  if (!(await book.count())) await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'books' }).first().click(); // expand
  await book.click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-item', { hasText: 'Fine-tune Model on This' }).first();
  await entry.waitFor({ timeout: 10_000 });
  check('the explorer context menu of a text file offers "Fine-tune Model on This"', true);
  // The workbench's menus act on mouse-up over a hovered item; hover, then Enter on it.
  await entry.hover();
  await page.keyboard.press('Enter');
  await (await quickPickRow(page, 'Word2Vec')).click(); // the one model, "Word2Vec skip-gram · …"
  await (await quickPickRow(page, 'Let old vectors move (free)')).click();
  const cancel = panel.locator('#cancel:not([disabled])');
  await cancel.waitFor({ timeout: 60_000 });
  await panel.locator('#cancel[disabled]').waitFor({ timeout: TRAINING_TIMEOUT_MS });
  const status = ((await panel.locator('#status').textContent()) ?? '').trim();
  check('the context-menu fine-tune finishes with a new model', /is ready/.test(status), JSON.stringify(status));
  // The chart keeps the earlier run as a thin line under the new one; smoothing and log scale redraw it.
  const pastRuns = Number(await panel.locator('#chart').getAttribute('data-past-runs'));
  const legend = ((await panel.locator('#past-runs').textContent()) ?? '').trim();
  await panel.locator('#chart-smoothing').evaluate((el) => {
    el.value = '0.9';
    el.dispatchEvent(new Event('input'));
  });
  await panel.locator('#chart-log').check();
  const smoothingShown = ((await panel.locator('#chart-smoothing-value').textContent()) ?? '').trim();
  check('the training chart overlays the earlier run, with smoothing and a log scale', pastRuns === 1 && legend.includes('earlier runs') && smoothingShown === '0.90', `${pastRuns} past, ${JSON.stringify(legend)}, ${smoothingShown}`);
  await page.mouse.move(0, 0);
  await screenshotPanel(page, 'panel-chart-overlay');
  await panel.locator('#chart-log').uncheck();

  await runCommand(page, 'Transfer Lab: Show What Moved', { closes: false });
  // Newest first: the fine-tuned child, compared with its recorded parent without asking.
  await (await quickPickRow(page, 'Word2Vec')).click();
  const movedRows = panel.locator('#moved-table tbody tr.moved-row');
  await movedRows.first().waitFor({ timeout: 90_000 });
  const compareStatus = ((await panel.locator('#compare-status').textContent()) ?? '').trim();
  const movedCount = await movedRows.count();
  check('Show What Moved fills the panel: most-moved words against the parent', movedCount > 10 && /against its parent/.test(compareStatus), `${movedCount} rows; ${JSON.stringify(compareStatus)}`);
  const lists = async () => ({
    before: await panel.locator('#before-list .neighbour .word').allTextContents(),
    after: await panel.locator('#after-list .neighbour .word').allTextContents(),
  });
  const first = await lists();
  check('the most-moved word shows its neighbours in both models', first.before.length === 10 && first.after.length === 10, JSON.stringify(first).slice(0, 200));
  const third = ((await movedRows.nth(2).locator('.word-button').textContent()) ?? '').trim();
  await movedRows.nth(2).locator('.word-button').click();
  const caption = ((await panel.locator('#compare-word-caption').textContent()) ?? '').trim();
  check('clicking a moved word shows its two lists', caption.includes(`“${third}”`) && (await movedRows.nth(2).getAttribute('class'))?.includes('selected'), JSON.stringify(caption));

  const inner = panel.locator('#compare-word input');
  const field = (await inner.count()) ? inner : panel.locator('#compare-word');
  await field.fill(QUERY_WORD);
  await field.press('Enter');
  await panel.locator('#compare-word-caption', { hasText: `“${QUERY_WORD}”` }).waitFor({ timeout: 20_000 });
  const typed = await lists();
  const shared = await panel.locator('#after-list .neighbour.shared').count();
  check(`any word typed ("${QUERY_WORD}") is compared side by side, shared neighbours highlighted`, typed.before.length === 10 && typed.after.length === 10 && !typed.after.includes(QUERY_WORD), `${shared} shared`);

  // The explorer's "Side by side with": the parent answers every search next to the child.
  await panel.locator('#second-model:not([disabled])').waitFor({ timeout: 10_000 });
  const offered = await panel.locator('#second-model option').allTextContents();
  await panel.locator('#second-model').selectOption({ index: 1 });
  const search = panel.locator('#query');
  await search.fill(QUERY_WORD);
  await search.press('Enter');
  await panel.locator('#second-column:not([hidden]) #second-neighbours .neighbour').first().waitFor({ timeout: 20_000 });
  const columns = {
    first: await panel.locator('#neighbours .neighbour .word').allTextContents(),
    second: await panel.locator('#second-neighbours .neighbour .word').allTextContents(),
    heading: ((await panel.locator('#second-heading').textContent()) ?? '').trim(),
  };
  check('"Side by side with" another model shows its neighbours in a second column', offered.length === 2 && columns.first.length === 10 && columns.second.length === 10 && columns.heading.startsWith(`In ${offered[1]}`), JSON.stringify({ offered, ...columns }));
  await panel.locator('#explore').evaluate((el) => el.scrollIntoView());
  await page.mouse.move(0, 0);
  await screenshotPanel(page, 'panel-side-by-side');
  await panel.locator('#second-model').selectOption('');

  await panel.locator('#evaluate-pair').click();
  // The test sets of the last evaluation come checked: accept them.
  await quickPickRow(page, 'questions-mini.txt');
  await page.locator('.quick-input-widget input').press('Enter');
  const pairRows = panel.locator('#pair-evaluation table.pair-table tbody tr');
  await pairRows.first().waitFor({ timeout: 90_000 });
  const pairTable = await pairRows.evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
  log('before/after:', JSON.stringify(pairTable));
  check(
    '"Evaluate both" scores parent and child on the same sets, with the change',
    pairTable.length === 4 && pairTable[2][0].includes('total') && pairTable.every((r) => r.length === 4 && /^[+−±–]/.test(r[3])),
    JSON.stringify(pairTable),
  );
  await page.locator('.notifications-toasts .notification-list-item', { hasText: 'evaluating' }).waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  // The "fine-tuned … Show What Moved" toast would cover the table in the screenshot.
  for (const close of await page.locator('.notifications-toasts .notification-list-item .codicon-notifications-clear').all()) await close.click().catch(() => {});
  await panel.locator('#compare').evaluate((el) => el.scrollIntoView());
  await page.mouse.move(0, 0);
  await screenshotPanel(page, 'panel-what-moved');
  await panel.locator('main').evaluate(() => window.scrollTo(0, 0));
}

/**
 * Issue 5's loop: Train Classifier… from the palette on the labelled messages (file dialog, model,
 * architecture, embeddings), the results in the panel, Classify File from the explorer's context
 * menu on an inbox message, and the transfer-gain curve from the panel's button.
 */
async function classifierFlow(page, panel) {
  const labelled = join(WORKSPACE, 'sms', 'labelled');
  await runCommand(page, 'Transfer Lab: Train Classifier…', { closes: false });
  await pickInFileDialog(page, labelled, 'Labelled data');
  await (await quickPickRow(page, 'Word2Vec')).click(); // the newest model
  await (await quickPickRow(page, 'Averaged embeddings')).click();
  await (await quickPickRow(page, 'Fine-tune the vectors')).click();
  const accuracy = panel.locator('#clf-results:not([hidden]) #clf-accuracy');
  await accuracy.waitFor({ timeout: 120_000 });
  const accuracyText = ((await accuracy.textContent()) ?? '').trim();
  const epochsPlotted = Number(await panel.locator('#clf-chart').getAttribute('data-points'));
  const confusionCells = await panel.locator('#clf-confusion tbody td').count();
  check('Train Classifier… shows test accuracy, the epoch chart and a 2×2 confusion matrix', /^\d+(\.\d)?%$/.test(accuracyText) && Number.parseFloat(accuracyText) >= 80 && epochsPlotted >= 1 && confusionCells === 4, `${accuracyText}, ${epochsPlotted} epochs, ${confusionCells} cells`);
  await page.mouse.move(0, 0);
  await panel.locator('#classifier').evaluate((el) => el.scrollIntoView());
  await screenshotPanel(page, 'panel-classifier');

  // Classify File from the explorer's context menu on an inbox message.
  const inboxFile = readdirSync(join(WORKSPACE, 'sms', 'inbox')).find((f) => f.startsWith('spam-'));
  for (const folder of ['sms', 'inbox']) {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: folder }).first();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: inboxFile }).first().click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-item', { hasText: 'Classify File' }).first();
  await entry.waitFor({ timeout: 10_000 });
  await entry.hover();
  await page.keyboard.press('Enter');
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: `${inboxFile} is` });
  await toast.waitFor({ timeout: 60_000 });
  const toastText = ((await toast.textContent()) ?? '').replace(/\s+/g, ' ');
  check('Classify File in the explorer context menu names the label and its confidence', /is (ham|spam) \(\d+\.\d%\)/.test(toastText), toastText.slice(0, 160));
  for (const close of await page.locator('.notifications-toasts .notification-list-item .codicon-notifications-clear').all()) await close.click().catch(() => {});

  // The transfer-gain curve from the panel's button: every size for the three variants.
  await panel.locator('#clf-curve').click();
  await pickInFileDialog(page, labelled, 'Labelled data');
  await (await quickPickRow(page, 'Word2Vec')).click();
  await (await quickPickRow(page, 'Averaged embeddings')).click();
  await panel.locator('#clf-export:not([hidden])').waitFor({ timeout: 180_000 });
  const plotted = Number(await panel.locator('#clf-curve-plot').getAttribute('data-points'));
  const curveRows = await panel.locator('#clf-curve-table tbody tr').count();
  check('the transfer-gain curve plots scratch, frozen and fine-tuned for every size', plotted >= 9 && plotted === 3 * curveRows, `${plotted} points, ${curveRows} sizes`);
  await page.locator('.notifications-toasts .notification-list-item', { hasText: 'curve' }).waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  await page.mouse.move(0, 0);
  await panel.locator('#clf-curve-block').evaluate((el) => el.scrollIntoView());
  await screenshotPanel(page, 'panel-transfer-curve');
}

async function flow(page) {
  log('workbench ready');
  const toasts = await watchNotifications(page);

  const attempts = await runCommand(page, PRETRAIN_TITLE);
  check('palette runs "Transfer Lab: Pretrain Word Vectors on Workspace"', true, `attempt ${attempts}`);

  const panel = await webviewFrameWith(page, 'canvas#chart');
  const tab = page.locator('.tabs-container .tab', { hasText: 'Transfer Lab' });
  check('the Transfer Lab panel opens', (await tab.count()) > 0);

  // Sample the chart while training runs: the number of plotted points must grow over time.
  const queryEnabled = panel.locator('#query:not([disabled])');
  const samples = [];
  let cancelEnabledSeen = false;
  let shotDuringTraining = false;
  const started = Date.now();
  const end = started + TRAINING_TIMEOUT_MS;
  while (Date.now() < end) {
    const points = Number(await panel.locator('canvas#chart').getAttribute('data-points'));
    if (samples.length === 0 || samples.at(-1).points !== points) samples.push({ at: Date.now() - started, points });
    if (!cancelEnabledSeen) cancelEnabledSeen = await panel.locator('#cancel:not([disabled])').count().then((n) => n > 0);
    if (!shotDuringTraining && points >= 3) {
      shotDuringTraining = true;
      await page.screenshot({ path: join(ARTIFACTS, 'editor-training.png') });
    }
    if (await queryEnabled.count()) break;
    await page.waitForTimeout(400);
  }
  log('chart data-points over time:', samples.map((s) => `${(s.at / 1000).toFixed(1)}s:${s.points}`).join(' '));
  const increases = samples.filter((s, i) => i > 0 && s.points > samples[i - 1].points).length;
  check('the chart moves while training (data-points grows over time)', increases >= 2, `${increases} increases, last ${samples.at(-1)?.points}`);
  check('the Cancel button is enabled during training', cancelEnabledSeen);

  await queryEnabled.waitFor({ timeout: 5000 });
  const status = (await panel.locator('#status').textContent())?.trim() ?? '';
  check('training finishes (#status says the model is ready, #query enabled)', /ready|done|finished|trained/i.test(status), JSON.stringify(status));
  const progressNow = await panel.locator('#progress').getAttribute('aria-valuenow');
  check('the progress bar reaches 100%', progressNow === '100', `aria-valuenow=${progressNow}`);
  check('the Cancel button is disabled after the run', (await panel.locator('#cancel[disabled]').count()) === 1);

  const seenToasts = await toasts();
  check('a "Transfer Lab" progress notification was shown during training', seenToasts.length > 0, JSON.stringify(seenToasts.slice(0, 3)));

  // Search: type a word into #query (a <vscode-textfield>; its <input> is in an open shadow root) and press Enter.
  const inner = panel.locator('#query input');
  const field = (await inner.count()) ? inner : panel.locator('#query');
  await field.click();
  await field.fill(QUERY_WORD);
  await field.press('Enter');
  const rows = panel.locator('#neighbours .neighbour');
  await rows.first().waitFor({ timeout: 30_000 });
  const found = await rows.evaluateAll((els) =>
    els.map((el) => ({ word: el.querySelector('.word')?.textContent ?? '', similarity: Number(el.querySelector('.similarity')?.textContent) })),
  );
  log(`neighbours of ${QUERY_WORD}:`, found.map((r) => `${r.word} ${r.similarity}`).join(', '));
  check(
    `Enter in #query lists .neighbour rows with .word and .similarity`,
    found.length > 0 && found.every((r) => r.word && r.word !== QUERY_WORD && r.similarity >= -1 && r.similarity <= 1),
    `${found.length} rows`,
  );
  check('neighbour rows are sorted by similarity', found.every((r, i) => i === 0 || found[i - 1].similarity >= r.similarity));

  await page.mouse.move(0, 0); // no hover effects in the screenshots
  await screenshotPanel(page, 'panel-dark');
  await page.screenshot({ path: join(ARTIFACTS, 'editor-dark.png') });

  // Word arithmetic in the same box: the list is relabelled and nothing is reported as an error.
  await field.fill('mr - he + she');
  await field.press('Enter');
  const arithmeticLabel = 'Nearest neighbours of mr − he + she';
  await panel.locator(`#neighbours[aria-label="${arithmeticLabel}"] .neighbour`).first().waitFor({ timeout: 30_000 });
  const arithmetic = await rows.evaluateAll((els) => els.map((el) => el.querySelector('.word')?.textContent ?? ''));
  log('mr - he + she:', arithmetic.join(', '));
  const caption = ((await panel.locator('#neighbours-caption').textContent()) ?? '').trim();
  check('the results are captioned with the query as understood', caption === 'Nearest to mr − he + she:', JSON.stringify(caption));
  const queryError = ((await panel.locator('#query-error').textContent()) ?? '').trim();
  check('"mr - he + she" lists neighbours without the query words', arithmetic.length > 0 && queryError === '' && !arithmetic.some((w) => ['mr', 'he', 'she'].includes(w)), `${arithmetic.slice(0, 3).join(', ')}; error ${JSON.stringify(queryError)}`);

  // Completion: the first letters of a word list the model's words that start with them; the keyboard picks one.
  await field.fill('');
  await field.pressSequentially(QUERY_WORD.slice(0, 3), { delay: 40 });
  const options = panel.locator('#query-suggestions [role="option"]');
  await options.first().waitFor({ timeout: 10_000 });
  // The list may still answer an earlier keystroke ("em") for a moment: wait for the answer to the last.
  const prefix = QUERY_WORD.slice(0, 3);
  let suggested = await options.allTextContents();
  for (const deadline = Date.now() + 10_000; !suggested.every((w) => w.startsWith(prefix)) && Date.now() < deadline; ) {
    await page.waitForTimeout(100);
    suggested = await options.allTextContents();
  }
  log(`suggestions for "${QUERY_WORD.slice(0, 3)}":`, suggested.join(', '));
  check(`typing "${QUERY_WORD.slice(0, 3)}" suggests the model's words that start with it`, suggested.includes(QUERY_WORD) && suggested.every((w) => w.startsWith(QUERY_WORD.slice(0, 3))), JSON.stringify(suggested));
  await page.mouse.move(0, 0);
  await screenshotPanel(page, 'panel-completion');
  for (let i = 0; i <= suggested.indexOf(QUERY_WORD); i++) await field.press('ArrowDown');
  await field.press('Enter');
  await panel.locator(`#neighbours[aria-label="Nearest neighbours of ${QUERY_WORD}"] .neighbour`).first().waitFor({ timeout: 20_000 });
  check('ArrowDown and Enter on a suggestion search it', (await field.inputValue()) === QUERY_WORD && (await options.count()) === 0);

  // Evaluation, first from the panel's button with one file from the dialog...
  const sets = writeTestSets();
  await panel.locator('#evaluate').click();
  await pickInFileDialog(page, sets.analogies);
  const analogyTable = panel.locator('#evaluation-results table.analogy-table');
  await analogyTable.waitFor({ timeout: 60_000 });
  const sectionNames = await analogyTable.locator('tbody tr.section-row th').allTextContents();
  const total = await analogyTable.locator('tfoot tr.total-row').evaluate((row) => ({
    correct: Number(row.querySelector('.correct')?.textContent?.replace(/,/g, '')),
    answered: Number(row.querySelector('.answered')?.textContent?.replace(/,/g, '')),
    accuracy: row.querySelector('.accuracy .value')?.textContent ?? '',
  }));
  const oovText = (await panel.locator('#evaluation-results .oov').first().textContent()) ?? '';
  log('analogies:', JSON.stringify(total), oovText);
  check('"Evaluate…" in the panel scores the file picked in the dialog: one row per section', JSON.stringify(sectionNames) === JSON.stringify(sets.sections), JSON.stringify(sectionNames));
  const skipped = Number(/Out of vocabulary: (\d+) of (\d+) questions/.exec(oovText)?.[1]);
  check(
    'the analogy totals add up (answered + out of vocabulary = questions)',
    total.correct <= total.answered && total.answered + skipped === sets.questions && /^\d+\.\d%$/.test(total.accuracy),
    `${total.correct}/${total.answered} + ${skipped} OOV of ${sets.questions}`,
  );

  // ...then from the palette, where the remembered file is offered checked and a second one is added.
  await runCommand(page, EVALUATE_TITLE, { closes: false });
  const rememberedRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'questions-mini.txt' });
  await rememberedRow.waitFor({ timeout: 15_000 });
  const rememberedChecked = await rememberedRow.evaluate((row) => row.getAttribute('aria-checked') === 'true' || !!row.querySelector('input[type=checkbox]:checked'));
  check('the next evaluation offers the test set used last, checked', rememberedChecked);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Choose other files…' }).click();
  await page.locator('.quick-input-widget input').press('Enter');
  await pickInFileDialog(page, sets.pairs);
  const similarityRow = panel.locator('#evaluation-results table.similarity-table tr.similarity-row');
  await similarityRow.waitFor({ timeout: 60_000 });
  const similarity = await similarityRow.evaluate((row) => ({
    name: row.querySelector('th')?.textContent ?? '',
    spearman: row.querySelector('.spearman')?.textContent ?? '',
    pairs: Number(row.querySelector('.pairs')?.textContent),
  }));
  log('similarity:', JSON.stringify(similarity));
  const rho = Number(similarity.spearman);
  check(
    'both test sets are scored: analogy table and a Spearman in [-1, 1]',
    (await analogyTable.count()) === 1 && similarity.name === 'pairs-mini.tsv' && Number.isFinite(rho) && rho >= -1 && rho <= 1 && similarity.pairs > 0 && similarity.pairs < sets.pairCount,
    JSON.stringify(similarity),
  );
  const modelLine = (await panel.locator('#evaluation-model').textContent()) ?? '';
  check('the evaluation names the model with its algorithm and mode', /Word2Vec skip-gram/.test(modelLine), JSON.stringify(modelLine));
  // The progress notification closes as the results arrive; keep it out of the screenshot.
  await page.locator('.notifications-toasts .notification-list-item', { hasText: 'evaluating' }).waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  await panel.locator('#evaluation').evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.mouse.move(0, 0);
  await screenshotPanel(page, 'panel-evaluation');
  await panel.locator('main').evaluate(() => window.scrollTo(0, 0));

  await fineTuneFromExplorerAndCompare(page, panel);
  await classifierFlow(page, panel);

  await setTheme(page, 'Light Modern', 'vs');
  const lightBg = await panel.evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim());
  check('the panel follows a light theme', lightBg !== '' && isLight(lightBg), `--vscode-editor-background=${lightBg}`);
  await screenshotPanel(page, 'panel-light');
  await page.screenshot({ path: join(ARTIFACTS, 'editor-light.png') });
}

await withWorkbench({ launchBrowser, url: URL_BASE, workspace: WORKSPACE, artifacts: ARTIFACTS, flowName: 'UI flow', errorShot: 'ui-error' }, flow);
finish(RESULT);
