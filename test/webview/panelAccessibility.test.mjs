// The whole panel (webview/panel/main.ts with its full markup) in headless Chromium, checked as a
// keyboard and screen-reader user meets it, and for layout jumps:
//  - every control, image, table and live region in Chromium's accessibility tree has a name;
//  - Tab reaches every enabled control (custom elements included) and every native one shows a focus ring;
//  - a training run's stream of progress messages, and a second search answered like the first, move
//    nothing on the page (Chromium's layout-shift entries, the measure behind Web Vitals' CLS);
//  - a high-contrast theme keeps borders on the inputs (screenshot test-artifacts/panel-high-contrast.png).
// The host is played with messages of the protocol's exact shapes, posted as VS Code posts them.
// Run: node test/webview/panelAccessibility.test.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { bundle, check, equal, finish, launchChromium, ROOT, testPage } from './harness.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ARTIFACTS = join(ROOT, 'test-artifacts');

// The markup first (main.ts finds its elements when it loads), and layout shifts recorded from the start.
const setup = await bundle(
  `import { PANEL_BODY_HTML } from './webview/panel/panelHtml';
   document.body.innerHTML = PANEL_BODY_HTML;
   window.shifts = [];
   new PerformanceObserver((list) => {
     for (const e of list.getEntries()) window.shifts.push({ value: e.value, at: window.phase, sources: (e.sources || []).map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : '?') });
   }).observe({ type: 'layout-shift', buffered: true });`,
  'panel-a11y-setup.ts',
);
const panel = await bundle(`import './webview/panel/main';`, 'panel-a11y-main.ts');

const parameters = { dim: 100, window: 5, negative: 5, epochs: 5, minCount: 5, sample: 0.001, alpha: 0.025, minAlpha: 0.0001, seed: 1, threads: 0, minn: 3, maxn: 6, bucket: 2000000, lowercase: true, hs: false, cbowMean: true, algorithm: 'word2vec', mode: 'sg' };
const progress = (i, n) => ({
  type: 'progress',
  progress: {
    phase: 'training',
    epoch: Math.min(5, 1 + Math.floor((5 * i) / n)),
    epochs: 5,
    wordsDone: Math.round((1_582_338 * i) / n),
    wordsTotal: 1_582_338,
    loss: 3 - i / n + 0.05 * Math.sin(i),
    epochLoss: 3 - i / n,
    wordsPerSecond: i % 3 === 0 ? 98_765 : 612_345 + 1000 * i,
    learningRate: 0.025 * (1 - i / n),
    elapsedMs: 100 * i,
  },
});
const model = { name: 'word2vec-books', modelDir: '/models/word2vec-books', vocabularySize: 3543, dim: 100, algorithm: 'word2vec', mode: 'sg', exampleWords: ['emma', 'harriet', 'alice'] };
const neighbours = (requestId, word, offset) => ({
  type: 'neighbours',
  requestId,
  word,
  results: Array.from({ length: 10 }, (_, i) => ({ word: `${['anne', 'harriet', 'isabella', 'she', 'mary', 'elizabeth', 'smiled', 'conscious', 'hard', 'laughing', 'jane', 'frank'][(i + offset) % 12]}`, similarity: 0.82 - 0.02 * i - 0.01 * offset })),
});

const HIGH_CONTRAST = {
  '--vscode-editor-background': '#000000',
  '--vscode-foreground': '#ffffff',
  '--vscode-contrastBorder': '#6fc3df',
  '--vscode-contrastActiveBorder': '#f38518',
  '--vscode-focusBorder': '#f38518',
  '--vscode-input-background': '#000000',
  '--vscode-input-border': '#6fc3df',
  '--vscode-dropdown-background': '#000000',
  '--vscode-dropdown-border': '#6fc3df',
  '--vscode-panel-border': '#6fc3df',
  '--vscode-button-border': '#6fc3df',
};

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(testPage(`${setup}\n${panel}`));
  await page.waitForFunction(() => window.posted?.some((m) => m.type === 'ready'));
  const post = (message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
  const phase = (name) => page.evaluate((n) => (window.phase = n), name);
  const shiftsIn = (name) => page.evaluate((n) => window.shifts.filter((s) => s.at === n), name);

  // ---------- a run streams its progress: nothing may jump ----------
  await phase('run starts');
  await post({ type: 'runStarted', run: { runId: 'run-1', modelName: 'word2vec-books', fileCount: 308, parameters, startedAt: Date.now() } });
  await post({ type: 'corpus', report: { filesRead: 308, bytesRead: 1_500_000, skipped: [{ path: 'books/cover.png', reason: 'binary', detail: 'NUL bytes in the first 8 KB' }], replacedCharacters: 0 } });
  await post(progress(1, 60));
  await settle();
  await phase('progress stream');
  for (let i = 2; i <= 60; i++) {
    await post(progress(i, 60));
    if (i % 10 === 0) await settle();
  }
  await settle();
  const streamShifts = await shiftsIn('progress stream');
  equal('60 progress messages (numbers, speed, ETA and chart changing) cause no layout shift', streamShifts, []);
  await phase('run ends');
  await post({ type: 'runEnded', status: 'done', message: 'Model word2vec-books is ready: 3,543 words × 100 dimensions.' });
  await post({ type: 'model', model });
  await post({ type: 'modelList', names: ['glove-3k'], second: null });
  await settle();

  // ---------- searches: the second answer replaces the first in place ----------
  await page.fill('#query', 'emma');
  await page.keyboard.press('Enter');
  const first = await page.waitForFunction(() => [...window.posted].reverse().find((m) => m.type === 'query'), null, { timeout: 3000 }).then((h) => h.jsonValue());
  await post(neighbours(first.requestId, 'emma', 0));
  await settle();
  await phase('second search');
  await page.fill('#query', 'harriet');
  await page.keyboard.press('Enter');
  await settle();
  const second = await page.evaluate(() => [...window.posted].reverse().find((m) => m.type === 'query'));
  await page.evaluate(() => (window.phase = 'second answer'));
  await post(neighbours(second.requestId, 'harriet', 3));
  await settle();
  equal('a second search answered with as many rows replaces the first without a layout shift', await shiftsIn('second answer'), []);
  await post({ type: 'neighbours', requestId: second.requestId + 0, word: 'harriet', results: [], error: '"zzqqxx" is not in the vocabulary of word2vec-books.' });
  await settle();
  await phase('control');
  // The instrument itself: content pushed in at the top must register as a shift, or the checks above prove nothing.
  await page.evaluate(() => document.querySelector('main').prepend(Object.assign(document.createElement('div'), { style: 'height: 120px' })));
  await settle();
  check('control: a block inserted at the top is seen as a layout shift', (await shiftsIn('control')).length > 0);
  await page.evaluate(() => document.querySelector('main').firstElementChild.remove());
  await phase('done');

  // ---------- the accessibility tree: everything a screen reader lands on has a name ----------
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Accessibility.enable');
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const NAMED_ROLES = new Set(['button', 'combobox', 'textbox', 'checkbox', 'slider', 'listbox', 'link', 'radio', 'spinbutton', 'image', 'img', 'table', 'progressbar', 'tab', 'searchbox', 'menuitem', 'option']);
  const named = nodes.filter((n) => !n.ignored && NAMED_ROLES.has(n.role?.value));
  const unnamed = named.filter((n) => !(n.name?.value ?? '').trim());
  const describe = async (n) => {
    if (!n.backendDOMNodeId) return n.role?.value;
    const { node } = await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId });
    const attrs = Object.fromEntries((node.attributes ?? []).reduce((pairs, v, i, all) => (i % 2 ? pairs : [...pairs, [v, all[i + 1]]]), []));
    return `${n.role.value} <${node.localName}${attrs.id ? `#${attrs.id}` : ''}${attrs.class ? `.${attrs.class}` : ''}>`;
  };
  check(`every control, image and table in the accessibility tree has a name (${named.length} checked)`, named.length > 30 && unnamed.length === 0, (await Promise.all(unnamed.map(describe))).join('; '));
  const roles = new Set(named.map((n) => n.role.value));
  check('the tree has the panel’s kinds of control: buttons, a combobox, a slider, a checkbox, images, tables, a progress bar', ['button', 'combobox', 'slider', 'checkbox', 'image', 'progressbar', 'link'].every((r) => roles.has(r)), [...roles].join(', '));
  const live = await page.$$eval('[role="status"], [role="alert"], [aria-live]', (els) => els.map((e) => e.id));
  check('status lines are live regions (training, evaluation, comparison, map, search notes and errors)', ['status', 'evaluation-status', 'compare-status', 'map-status', 'query-error', 'query-note'].every((id) => live.includes(id)), live.join(', '));

  // ---------- the keyboard: Tab reaches every enabled control, and focus is visible ----------
  const focusable = await page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
    };
    const all = [...document.querySelectorAll('button, input, select, textarea, a[href], canvas[tabindex], [tabindex]:not([tabindex="-1"]), vscode-button, vscode-textfield, vscode-checkbox, summary')];
    return all.filter((el) => !el.disabled && !el.hasAttribute('disabled') && visible(el)).map((el, i) => el.id || (el.dataset.a11y = `el-${i}`));
  });
  const reached = [];
  const unringed = [];
  await page.evaluate(() => document.activeElement?.blur());
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      let el = document.activeElement;
      if (!el || el === document.body) return undefined;
      const key = el.id || el.dataset.a11y || el.tagName;
      // A native control must show where the focus is; custom elements draw their ring in their shadow root.
      const native = !el.tagName.includes('-');
      const style = getComputedStyle(el);
      const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? true : style.boxShadow !== 'none';
      return { key, native, ring };
    });
    if (!info) continue;
    if (reached.includes(info.key)) break;
    reached.push(info.key);
    if (info.native && !info.ring) unringed.push(info.key);
  }
  const missed = focusable.filter((key) => !reached.includes(key));
  check(`Tab reaches every enabled control (${focusable.length}) and comes round again`, missed.length === 0 && reached.length >= focusable.length, `missed: ${missed.join(', ')}; reached: ${reached.join(', ')}`);
  equal('every native control shows a focus ring', unringed, []);
  // Tabbing started where the focus last was (the search box): read the cycle from the top of the page.
  const top = reached.indexOf('chart-smoothing');
  const cycle = [...reached.slice(top), ...reached.slice(0, top)];
  check('Tab order follows the page: training, search, evaluation, comparison, map, classifier', ['chart-smoothing', 'query', 'evaluate', 'compare-button', 'map-draw', 'clf-train'].map((id) => cycle.indexOf(id)).every((at, i, all) => at >= 0 && (i === 0 || at > all[i - 1])), cycle.join(', '));

  // ---------- high contrast ----------
  await page.evaluate((vars) => Object.entries(vars).forEach(([k, v]) => document.documentElement.style.setProperty(k, v)), HIGH_CONTRAST);
  await settle();
  const borders = await page.$$eval('#query, #second-model, #map-method', (els) => els.map((e) => getComputedStyle(e).borderTopColor));
  equal('in a high-contrast theme the inputs and selects draw the contrast border', borders, ['rgb(111, 195, 223)', 'rgb(111, 195, 223)', 'rgb(111, 195, 223)']);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'panel-high-contrast.png'), fullPage: false });
  equal('no page errors', errors, []);
} finally {
  await browser.close();
}
finish();
