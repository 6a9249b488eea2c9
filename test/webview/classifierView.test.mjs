// The panel's Classifier section (webview/panel/classifier.ts) in headless Chromium: bundles the view
// and its markup with esbuild into a page with a mocked acquireVsCodeApi, feeds it the messages the
// extension host sends (checked by the protocol's own validator first), and asserts the DOM and the
// requests it posts. Saves a screenshot to test-artifacts/classifier-view.png.
// Run: node test/webview/classifierView.test.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { bundle, check, equal, finish, launchChromium, openComponentPage, ROOT, testPage } from './harness.mjs';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SCREENSHOT = join(ROOT, 'test-artifacts', 'classifier-view.png');


// ---------- the bundle ----------

const entry = `
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { CLASSIFIER_SECTION_HTML } from './webview/panel/classifierHtml';
import { ClassifierView } from './webview/panel/classifier';
import { parseClassifierPanelMessage } from './src/shared/classifierProtocol';
document.querySelector('main').innerHTML = CLASSIFIER_SECTION_HTML; // static markup of the test page
const vscode = acquireVsCodeApi();
const view = new ClassifierView((message) => vscode.postMessage(message));
window.feed = (message) => {
  if (!parseClassifierPanelMessage(message)) throw new Error('invalid panel message: ' + message.type);
  view.handle(message);
};
window.ready = true;
`;
const script = await bundle(entry, 'classifier-test-entry.ts');

const page0 = testPage(script);

// ---------- realistic messages ----------

const dataset2 = {
  path: '/home/user/data/reviews',
  examples: 2400,
  labels: ['negative', 'positive'],
  counts: [1180, 1220],
  train: 1536,
  validation: 384,
  test: 480,
  givenSplit: false,
  skipped: [{ reason: 'empty texts', count: 3 }, { reason: 'unreadable files', count: 0 }],
};
const epochs = [
  { epoch: 1, trainLoss: 0.662, trainAccuracy: 0.61, validationLoss: 0.58, validationAccuracy: 0.72, elapsedMs: 4100, examplesPerSecond: 1830 },
  { epoch: 2, trainLoss: 0.41, trainAccuracy: 0.83, validationLoss: 0.39, validationAccuracy: 0.846, elapsedMs: 8000, examplesPerSecond: 1910 },
  { epoch: 3, trainLoss: 0.29, trainAccuracy: 0.9, validationLoss: 0.41, validationAccuracy: 0.838, elapsedMs: 11900, examplesPerSecond: 1902 },
];
const longText = 'This film had everything going for it: a great cast, a director at the top of her game and a score that stays with you. '.repeat(4);
const misclassified2 = Array.from({ length: 120 }, (_, i) => ({
  text: i === 0 ? longText : `Review number ${i}: not bad at all, though the ending dragged.`,
  label: i % 2 ? 'positive' : 'negative',
  predicted: i % 2 ? 'negative' : 'positive',
  confidence: 0.99 - i * 0.004,
  ...(i % 3 ? { source: `/home/user/data/reviews/${i % 2 ? 'positive' : 'negative'}/review-${100 + i}.txt` } : {}),
}));
const result2 = {
  name: 'reviews-cnn',
  classifierDir: '/home/user/models/reviews-cnn',
  arch: 'cnn',
  embeddings: 'tuned',
  vectorsName: 'workspace-w2v',
  coverage: { found: 8123, total: 9410 },
  backend: 'tfjs-node (CPU)',
  dataset: dataset2,
  report: {
    accuracy: 0.85,
    macroF1: 0.849,
    perClass: [
      { label: 'negative', precision: 0.86, recall: 0.83, f1: 0.845, support: 236 },
      { label: 'positive', precision: 0.84, recall: 0.869, f1: 0.854, support: 244 },
    ],
    confusion: [
      [196, 40],
      [32, 212],
    ],
  },
  misclassified: misclassified2,
  bestEpoch: 2,
  history: epochs,
  trainSeconds: 11.9,
};
const labels6 = ['business', 'entertainment', 'politics', 'sport', 'tech', 'science & health'];
const confusion6 = labels6.map((_, t) => labels6.map((__, p) => (t === p ? 60 + t * 3 : (t * 7 + p * 3) % 5)));
const dataset6 = { path: '/home/user/data/news.jsonl', examples: 3000, labels: labels6, counts: [500, 480, 520, 510, 490, 500], train: 2000, validation: 400, test: 600, givenSplit: true, skipped: [] };
const result6 = {
  name: 'news-bilstm',
  classifierDir: '/home/user/models/news-bilstm',
  arch: 'bilstm',
  embeddings: 'frozen',
  vectorsName: 'glove-100',
  backend: 'wasm',
  dataset: dataset6,
  report: {
    accuracy: 0.912,
    macroF1: 0.905,
    perClass: labels6.map((label, i) => ({ label, precision: 0.85 + i * 0.02, recall: 0.88 + i * 0.01, f1: 0.86 + i * 0.015, support: confusion6[i].reduce((a, b) => a + b, 0) })),
    confusion: confusion6,
  },
  misclassified: misclassified2.slice(0, 7).map((m, i) => ({ ...m, label: labels6[i % 6], predicted: labels6[(i + 1) % 6] })),
  bestEpoch: 3,
  history: epochs,
  trainSeconds: 74.5,
};
const curvePoints = [];
for (const [size, scratch, frozen, tuned] of [
  [50, 0.52, 0.71, 0.68],
  [200, 0.63, 0.77, 0.79],
  [800, 0.78, 0.8, 0.84],
  [1536, 0.86, 0.82, 0.85],
]) {
  curvePoints.push({ size, variant: 'random', accuracy: scratch, macroF1: scratch - 0.01, trainSeconds: 2 + size / 100 });
  curvePoints.push({ size, variant: 'frozen', accuracy: frozen, macroF1: frozen - 0.01, trainSeconds: 1 + size / 200 });
  curvePoints.push({ size, variant: 'tuned', accuracy: tuned, macroF1: tuned - 0.02, trainSeconds: 3 + size / 90 });
}

// ---------- the run ----------

const browser = await launchChromium();
try {
  const { page, errors, feed } = await openComponentPage(browser, page0, { viewport: { width: 1000, height: 900 } });
  const posted = () => page.evaluate(() => window.posted);
  const clearPosted = () => page.evaluate(() => (window.posted = []));
  const text = (selector) => page.$eval(selector, (el) => el.textContent ?? '');
  const attr = (selector, name) => page.$eval(selector, (el, n) => el.getAttribute(n), name);
  const count = (selector) => page.$$eval(selector, (els) => els.length);
  const disabled = (selector) => page.$eval(selector, (el) => el.disabled === true);
  const points = (selector, n) => page.waitForFunction(([s, want]) => document.querySelector(s)?.dataset.points === String(want), [selector, n], { timeout: 3000 }).then(() => true, () => false);

  // Initial state.
  check('initial status explains the section', (await text('#clf-status')).startsWith('Train a text classifier on labelled data'));
  equal('status is a polite live region', [await attr('#clf-status', 'role'), await attr('#clf-status', 'aria-live')], ['status', 'polite']);
  check('cancel disabled before any run', await disabled('#clf-cancel'));
  equal('chart starts empty', await attr('#clf-chart', 'data-points'), '0');
  equal('canvases and plots are images with labels', await page.$$eval('#clf-chart, #clf-curve-plot', (els) => els.map((e) => e.getAttribute('role') === 'img' && (e.getAttribute('aria-label') ?? '').length > 10)), [true, true]);
  check('every table has an aria-label', await page.$$eval('.clf table', (ts) => ts.length >= 4 && ts.every((t) => (t.getAttribute('aria-label') ?? '').length > 0)));

  await page.click('#clf-train');
  await page.click('#clf-curve');
  equal('the buttons post trainClassifier and drawCurve', await posted(), [{ type: 'trainClassifier' }, { type: 'drawCurve' }]);
  await clearPosted();
  await page.focus('#clf-train');
  await page.keyboard.press('Tab');
  check('buttons are keyboard reachable', await page.evaluate(() => document.activeElement?.id === 'clf-curve'));
  await page.keyboard.press('Enter');
  equal('Enter on a focused button posts', await posted(), [{ type: 'drawCurve' }]);
  await clearPosted();

  // A three-epoch training run.
  await feed({ type: 'classifierRunStarted', run: { runId: 'r1', kind: 'train', title: 'reviews-cnn', dataPath: '/home/user/data/reviews', arch: 'cnn', embeddings: 'tuned', vectorsName: 'workspace-w2v' } });
  check('cancel enabled while running', !(await disabled('#clf-cancel')));
  equal('status data-status running', await attr('#clf-status', 'data-status'), 'running');
  let info = await text('#clf-info');
  check('info names architecture and embeddings', info.includes('CNN (Kim 2014)') && info.includes('fine-tuned, from workspace-w2v') && info.includes('/home/user/data/reviews'), info);
  await feed({ type: 'classifierDataset', dataset: dataset2, backend: 'tfjs-node (CPU)' });
  info = await text('#clf-info');
  check('info shows the dataset summary', ['2,400 examples', 'negative 1,180', 'positive 1,220', 'train 1,536', 'validation 384', 'test 480', '3 empty texts', 'tfjs-node (CPU)'].every((s) => info.includes(s)), info);
  check('zero skipped counts are left out', !info.includes('unreadable'));
  for (const [i, epoch] of epochs.entries()) {
    await feed({ type: 'classifierEpoch', epoch });
    check(`data-points is ${i + 1} after epoch ${i + 1}`, await points('#clf-chart', i + 1));
  }
  equal('epoch table has a row per epoch', await count('#clf-epochs tbody tr'), 3);
  check('epoch stats line shows the last epoch', (await text('#clf-epoch-stats')).includes('Epoch 3') && (await text('#clf-epoch-stats')).includes('1,902 examples/s'));
  check('canvas label describes the data', (await attr('#clf-chart', 'aria-label')).includes('validation accuracy 83.8%'));
  await page.click('#clf-cancel');
  equal('cancel posts cancelClassifier', await posted(), [{ type: 'cancelClassifier' }]);
  await clearPosted();

  // The result: two classes.
  await feed({ type: 'classifierResult', result: result2 });
  equal('big numbers', [await text('#clf-accuracy'), await text('#clf-macro-f1')], ['85.0%', '0.849']);
  equal('per-class table: one row per class', await count('#clf-per-class tbody tr'), 2);
  equal('per-class cells', await page.$$eval('#clf-per-class tbody tr:first-child > *', (c) => c.map((e) => e.textContent)), ['negative', '0.860', '0.830', '0.845', '236']);
  equal('confusion: 2×2 cells', await page.$$eval('#clf-confusion tbody tr', (rows) => rows.map((r) => r.querySelectorAll('td').length)), [2, 2]);
  equal('confusion diagonal highlighted', await page.$$eval('#clf-confusion td.clf-diagonal', (c) => c.map((e) => e.textContent)), ['196', '212']);
  equal('confusion share of row', await page.$eval('#clf-confusion tbody tr:first-child td', (td) => td.style.getPropertyValue('--share')), '0.831');
  check('shading applied from --share', await page.$eval('#clf-confusion td.clf-diagonal', (td) => getComputedStyle(td).backgroundColor !== 'rgba(0, 0, 0, 0)'));
  const notes = await text('#clf-result-notes');
  check('notes show coverage, best epoch and time', ['8,123 of the task', '9,410 words (86.3%)', 'best epoch 2 of 3', 'trained in 12s'].every((s) => notes.includes(s)), notes);
  check('best epoch marked in the table', (await text('#clf-epochs tbody tr.clf-best th')) === '2 (best)');
  check('chart keeps 3 points after the result', await points('#clf-chart', 3));
  check('canvas label names the best epoch', (await attr('#clf-chart', 'aria-label')).includes('Best epoch: 2'));
  equal('50 misclassified shown at first', await count('#clf-misclassified button'), 50);
  const first = await page.$eval('#clf-misclassified button', (b) => ({ text: b.querySelector('.clf-mis-text').textContent, title: b.title, verdict: b.querySelector('.clf-mis-verdict').textContent }));
  check('long text truncated with the full text in title', first.text.length <= 201 && first.text.endsWith('…') && first.title === longText);
  equal('verdict: true → predicted (confidence)', first.verdict, 'negative → positive (99%)');
  check('source shown', (await page.$$eval('#clf-misclassified .clf-mis-source', (s) => s.map((e) => e.textContent)))[1].endsWith('review-101.txt'));
  await page.click('#clf-more');
  equal('show more adds 50', await count('#clf-misclassified button'), 100);
  await page.click('#clf-more');
  equal('then the rest', await count('#clf-misclassified button'), 120);
  check('show more hidden when all shown', await page.$eval('#clf-more', (b) => b.hidden && getComputedStyle(b).display === 'none'));
  await page.click('#clf-misclassified li:nth-child(8) button');
  await page.click('#clf-misclassified li:nth-child(111) button');
  equal('clicking an example posts openMisclassified with its index', await posted(), [{ type: 'openMisclassified', index: 7 }, { type: 'openMisclassified', index: 110 }]);
  await clearPosted();
  await feed({ type: 'classifierRunEnded', status: 'done', message: 'Trained reviews-cnn: 85.0% test accuracy.' });
  check('cancel disabled after the run', await disabled('#clf-cancel'));
  equal('run ended: status and data-status', [await text('#clf-status'), await attr('#clf-status', 'data-status')], ['Trained reviews-cnn: 85.0% test accuracy.', 'done']);
  await page.click('#clf-cancel', { force: true }).catch(() => {});
  equal('a disabled cancel posts nothing', await posted(), []);

  // A second run: six classes, given split, the result replacing the first.
  await feed({ type: 'classifierRunStarted', run: { runId: 'r2', kind: 'train', title: 'news-bilstm', dataPath: '/home/user/data/news.jsonl', arch: 'bilstm', embeddings: 'frozen', vectorsName: 'glove-100' } });
  check('a new run hides the old result and resets the chart', (await page.$eval('#clf-results', (e) => e.hidden)) && (await points('#clf-chart', 0)));
  await feed({ type: 'classifierDataset', dataset: dataset6, backend: 'wasm' });
  check('given split noted', (await text('#clf-info')).includes('test split as given'));
  check('BiLSTM named', (await text('#clf-info')).includes('BiLSTM + attention'));
  await feed({ type: 'classifierResult', result: result6 });
  equal('6-class per-class rows', await count('#clf-per-class tbody tr'), 6);
  equal('6-class confusion: 6 rows of 6 cells', await page.$$eval('#clf-confusion tbody tr', (rows) => rows.map((r) => r.querySelectorAll('td').length)), [6, 6, 6, 6, 6, 6]);
  equal('6-class confusion header', await page.$$eval('#clf-confusion thead th.clf-predicted', (c) => c.map((e) => e.textContent)), labels6);
  equal('6 diagonal cells', await count('#clf-confusion td.clf-diagonal'), 6);
  check('no coverage note without coverage', !(await text('#clf-result-notes')).includes('knew'));
  equal('7 misclassified, no show more', [await count('#clf-misclassified button'), await page.$eval('#clf-more', (b) => b.hidden)], [7, true]);
  await feed({ type: 'classifierRunEnded', status: 'done', message: 'Trained news-bilstm: 91.2% test accuracy.' });

  // The transfer-gain curve, point by point.
  await feed({ type: 'classifierRunStarted', run: { runId: 'r3', kind: 'curve', title: 'transfer-gain curve', dataPath: '/home/user/data/reviews', arch: 'cnn', vectorsName: 'workspace-w2v' } });
  check('curve block shown, export hidden', !(await page.$eval('#clf-curve-block', (e) => e.hidden)) && (await page.$eval('#clf-export', (e) => e.hidden && getComputedStyle(e).display === 'none')));
  check('the training result stays while a curve is drawn', !(await page.$eval('#clf-results', (e) => e.hidden)));
  await feed({ type: 'classifierDataset', dataset: dataset2, backend: 'wasm' });
  await feed({ type: 'classifierEpoch', epoch: epochs[0] });
  check('epochs of a curve run do not touch the training chart', await points('#clf-chart', 3));
  for (const [i, point] of curvePoints.slice(0, 7).entries()) {
    await feed({ type: 'curvePoint', point });
    check(`curve data-points is ${i + 1}`, await points('#clf-curve-plot', i + 1));
  }
  equal('curve table rows so far', await count('#clf-curve-table tbody tr'), 3);
  equal('circles drawn so far', await page.waitForFunction(() => document.querySelectorAll('#clf-curve-plot circle').length === 7, null, { timeout: 3000 }).then(() => 7, async () => count('#clf-curve-plot circle')), 7);
  await feed({ type: 'curveResult', curve: { arch: 'cnn', vectorsName: 'workspace-w2v', backend: 'wasm', dataset: dataset2, points: curvePoints } });
  check('curve data-points is 12 after the result', await points('#clf-curve-plot', 12));
  equal('curve table: one row per size', await count('#clf-curve-table tbody tr'), 4);
  equal('curve table header', await page.$$eval('#clf-curve-table thead th', (c) => c.map((e) => e.textContent)), ['Labelled examples', 'from scratch', 'frozen', 'fine-tuned', 'Gain']);
  equal('curve first row', await page.$$eval('#clf-curve-table tbody tr:first-child > *', (c) => c.map((e) => e.textContent)), ['50', '52.0%', '71.0%', '68.0%', '+19.0 pts']);
  equal('gain coloured up/down', await page.$$eval('#clf-curve-table td.change', (c) => c.map((e) => e.classList.contains('up') ? 'up' : e.classList.contains('down') ? 'down' : '')), ['up', 'up', 'up', 'down']);
  equal('one line per variant', await count('#clf-curve-plot path.clf-line'), 3);
  check('curve label describes the data', (await attr('#clf-curve-plot', 'aria-label')).includes('from scratch: 50 → 52.0%'));
  check('export visible once a curve exists', !(await page.$eval('#clf-export', (e) => e.hidden)));
  await page.click('#clf-export');
  equal('export posts exportCurve', await posted(), [{ type: 'exportCurve' }]);
  await feed({ type: 'classifierRunEnded', status: 'failed', message: 'The trainer stopped: out of memory.' });
  equal('failed run', [await attr('#clf-status', 'data-status'), await disabled('#clf-cancel')], ['failed', true]);
  equal('failed in the error colour', await page.$eval('#clf-status', (e) => getComputedStyle(e).color), 'rgb(248, 81, 73)');
  await feed({ type: 'classifierRunEnded', status: 'cancelled', message: 'Cancelled.' });
  equal('cancelled run', await attr('#clf-status', 'data-status'), 'cancelled');
  await feed({ type: 'classifierRunEnded', status: 'done', message: 'Drew the transfer-gain curve: 4 sizes, 3 variants.' });

  // Text never becomes markup.
  await feed({ type: 'curvePoint', point: { size: 3000, variant: 'random', accuracy: 0.9, macroF1: 0.9, trainSeconds: 1 } });
  await feed({ type: 'classifierResult', result: { ...result2, misclassified: [{ text: '<img src=x onerror="window.pwned=1">', label: '<b>x</b>', predicted: 'y', confidence: 0.5 }] } });
  check('HTML in texts stays text', (await count('#clf-misclassified img, #clf-misclassified b')) === 0 && (await page.evaluate(() => window.pwned)) === undefined);
  await feed({ type: 'classifierResult', result: result2 });
  await feed({ type: 'curveResult', curve: { arch: 'cnn', vectorsName: 'workspace-w2v', backend: 'wasm', dataset: dataset2, points: curvePoints } });

  equal('no page errors', errors, []);
  await page.waitForTimeout(200);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`screenshot: ${SCREENSHOT}`);
} catch (error) {
  check('the run completed without an exception', false, String(error.stack ?? error));
} finally {
  await browser.close();
}
finish();
