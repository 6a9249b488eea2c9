// The panel's Map section (webview/panel/map.ts) in headless Chromium: bundles the view and its markup
// with esbuild into a page with a mocked acquireVsCodeApi, feeds it a real map (PCA of the 5,000 and
// 10,000 most frequent GloVe words, computed here with src/core/projection.ts), and checks the
// requests it posts, hovering, searching, clicking, zooming and the keyboard. Measures the frames per
// second while dragging the 5k and 10k maps for 2 s each (printed, not asserted: it depends on the
// machine). Saves a screenshot to test-artifacts/map-view.png.
// Run: node test/webview/mapView.test.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import * as esbuild from 'esbuild';
import { bundle, check, equal, finish, launchChromium, openComponentPage, ROOT, testPage } from './harness.mjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const SCREENSHOT = join(ROOT, 'test-artifacts', 'map-view.png');
const GLOVE = resolve(ROOT, '..', 'shared', 'data', 'vectors', 'glove.6B.100d.top10k.txt');

const near = (a, b, tolerance) => Math.abs(a - b) <= tolerance;

// ---------- real map data: PCA of GloVe's most frequent words ----------

const core = await esbuild.build({
  stdin: { contents: `export { projectPca } from './src/core/projection'; export { WordVectors } from './src/core/vectors';`, resolveDir: ROOT, loader: 'ts', sourcefile: 'map-test-core.ts' },
  bundle: true,
  write: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'silent',
});
const { projectPca, WordVectors } = await import(`data:text/javascript;base64,${Buffer.from(core.outputFiles[0].text).toString('base64')}`);
const lines = readFileSync(GLOVE, 'utf8').split('\n').filter(Boolean);
const dim = lines[0].split(' ').length - 1;
const gloveWords = [];
const gloveData = new Float32Array(lines.length * dim);
lines.forEach((line, r) => {
  const parts = line.split(' ');
  gloveWords.push(parts[0]);
  for (let d = 0; d < dim; d++) gloveData[r * dim + d] = Number(parts[d + 1]);
});
const glove = new WordVectors(gloveWords, dim, gloveData);
const mapMessage = (n, extra = {}) => ({ type: 'map', words: gloveWords.slice(0, n), coords: Array.from(projectPca(glove, n)), method: 'pca', elapsedMs: 1234, modelName: 'glove-100', ...extra });
const map5k = mapMessage(5000);
const map10k = mapMessage(10000);

// ---------- the bundle ----------

const entry = `
import { MAP_SECTION_HTML } from './webview/panel/mapHtml';
import { MapView } from './webview/panel/map';
document.querySelector('main').innerHTML = MAP_SECTION_HTML; // static markup of the test page
const vscode = acquireVsCodeApi();
const view = new MapView((message) => vscode.postMessage(message));
window.view = view;
window.feed = (message) => view.handle(message);
window.ready = true;
`;
const script = await bundle(entry, 'map-test-entry.ts');

const page0 = testPage(script, 'body { background: #181818; color: #ccc; font-family: system-ui, sans-serif; font-size: 13px; }');

// ---------- the run ----------

const fps = {};
const browser = await launchChromium();
try {
  const { page, errors, feed } = await openComponentPage(browser, page0, { viewport: { width: 1000, height: 760 }, deviceScaleFactor: 2 });
  const posted = () => page.evaluate(() => window.posted);
  const clearPosted = () => page.evaluate(() => (window.posted = []));
  const text = (selector) => page.$eval(selector, (el) => el.textContent ?? '');
  const attr = (selector, name) => page.$eval(selector, (el, n) => el.getAttribute(n), name);
  const data = (name) => page.$eval('#map-canvas', (el, n) => el.dataset[n], name);
  const scale = async () => Number(await data('scale'));
  const frames = async () => Number((await data('frames')) ?? 0);
  const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const box = await page.$eval('#map-canvas', (el) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, width: r.width, height: r.height }; });
  /** A word's position in page coordinates, where the mouse goes. */
  const at = async (word) => {
    const p = await page.evaluate((w) => window.view.screenPosition(w), word);
    return p && { x: box.x + p.x, y: box.y + p.y };
  };
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };

  // Initial state.
  check('initial status explains the section', (await text('#map-status')).startsWith("Draw the model's most frequent words"));
  equal('status is a polite live region', [await attr('#map-status', 'role'), await attr('#map-status', 'aria-live')], ['status', 'polite']);
  equal('nothing drawn yet', await attr('#map-canvas', 'data-points'), '0');
  check('canvas is a labelled image', (await attr('#map-canvas', 'role')) === 'img' && (await attr('#map-canvas', 'aria-label')).length > 10);
  check('canvas is device-pixel-ratio aware', await page.$eval('#map-canvas', (c) => c.width === Math.round(c.clientWidth * 2) && c.height === Math.round(c.clientHeight * 2)));
  check('export disabled before a map exists', await page.$eval('#map-export', (b) => b.disabled === true));
  equal('the selects offer PCA/UMAP and 1,000/5,000/10,000', await page.$$eval('#map-method option, #map-points option', (o) => o.map((e) => e.textContent)), ['PCA', 'UMAP', '1,000', '5,000', '10,000']);

  // Requests.
  await page.click('#map-draw');
  await page.selectOption('#map-method', 'umap');
  await page.selectOption('#map-points', '10000');
  await page.click('#map-draw');
  await page.selectOption('#map-points', '1000');
  await page.click('#map-draw');
  await page.click('#map-export', { force: true }).catch(() => {});
  equal('Draw posts drawMap with the chosen method and points; a disabled export posts nothing', await posted(), [
    { type: 'drawMap', method: 'pca', points: 5000 },
    { type: 'drawMap', method: 'umap', points: 10000 },
    { type: 'drawMap', method: 'umap', points: 1000 },
  ]);
  await clearPosted();
  await page.selectOption('#map-method', 'pca');
  await page.selectOption('#map-points', '5000');

  // Progress, then the 5k map.
  await feed({ type: 'mapState', state: 'running', message: 'Drawing the map of glove-100 (UMAP)…', fraction: 0.42 });
  equal('running: status with the percentage', [await text('#map-status'), await attr('#map-status', 'data-status')], ['Drawing the map of glove-100 (UMAP)… 42%', 'running']);
  await feed(map5k);
  check('data-points is 5000', await page.waitForFunction(() => document.querySelector('#map-canvas').dataset.points === '5000', null, { timeout: 3000 }).then(() => true, () => false));
  equal('status describes the map', await text('#map-status'), 'PCA of the 5,000 most frequent words of glove-100, computed in 1.2s.');
  check('aria-label names the most frequent words', (await attr('#map-canvas', 'aria-label')).includes('The most frequent: the, ,, ., of, to'));
  check('export enabled with a map', await page.$eval('#map-export', (b) => !b.disabled));
  await page.click('#map-export');
  equal('export posts exportMap', await posted(), [{ type: 'exportMap' }]);
  await clearPosted();
  equal('fitted view has scale 1', await scale(), 1);

  // Hover: the mouse on a word's point labels that word.
  for (const word of ['france', 'january', 'computer']) {
    const p = await at(word);
    await page.mouse.move(p.x, p.y);
    await settle();
    equal(`hovering "${word}" shows it`, await data('hover'), word);
  }
  await page.mouse.move(box.x + 2, box.y + 2);
  await settle();
  equal('hovering empty space shows nothing', await data('hover'), '');

  // Search: highlight and centre.
  await page.click('#map-search');
  await page.keyboard.type('tokyo');
  await page.keyboard.press('Enter');
  await settle();
  equal('search highlights the word', await data('highlight'), 'tokyo');
  const tokyo = await at('tokyo');
  check('search centres the word', near(tokyo.x, centre.x, 1) && near(tokyo.y, centre.y, 1), JSON.stringify({ tokyo, centre }));
  check('search zooms in', (await scale()) >= 4, String(await scale()));
  check('status names the found word', (await text('#map-status')).includes('"tokyo" is word'));
  await page.$eval('#map-search', (f) => (f.value = ''));
  await page.click('#map-search');
  await page.keyboard.type('Paris');
  await page.keyboard.press('Enter');
  equal('search falls back to a case-insensitive match', await data('highlight'), 'paris');
  await page.$eval('#map-search', (f) => (f.value = ''));
  await page.click('#map-search');
  await page.keyboard.type('qwertyzzz');
  await page.keyboard.press('Enter');
  equal('an unknown word: not found', [await data('highlight'), await attr('#map-status', 'data-status')], ['', 'not-found']);
  check('status says it is not on the map', (await text('#map-status')).includes('"qwertyzzz" is not among the 5,000 words'));

  // Wheel zoom around the cursor.
  await page.dblclick('#map-canvas', { position: { x: 5, y: 5 } });
  await settle();
  equal('double-click fits', await scale(), 1);
  const before = await at('london');
  await page.mouse.move(before.x, before.y);
  await page.mouse.wheel(0, -400);
  await settle();
  const zoomed = await scale();
  check('wheel up zooms in', zoomed > 1.2, String(zoomed));
  const after = await at('london');
  check('the point under the cursor stays put', near(after.x, before.x, 1) && near(after.y, before.y, 1), JSON.stringify({ before, after }));
  equal('hover still works when zoomed', await data('hover'), 'london');
  await page.mouse.wheel(0, 200);
  await settle();
  check('wheel down zooms out', (await scale()) < zoomed);

  // A click centres the point under it; a drag pans without clicking.
  const berlin = await at('berlin');
  await page.mouse.click(berlin.x, berlin.y);
  await settle();
  const centred = await at('berlin');
  check('click centres the point', near(centred.x, centre.x, 1) && near(centred.y, centre.y, 1), JSON.stringify({ centred, centre }));
  equal('and highlights it', await data('highlight'), 'berlin');
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 60, centre.y + 30, { steps: 5 });
  await page.mouse.up();
  await settle();
  const dragged = await at('berlin');
  check('drag pans by the distance dragged', near(dragged.x, centre.x + 60, 1) && near(dragged.y, centre.y + 30, 1), JSON.stringify(dragged));
  equal('a drag is not a click', await data('highlight'), 'berlin');

  // Keyboard.
  await page.focus('#map-canvas');
  await page.keyboard.press('0');
  await settle();
  equal('0 fits', await scale(), 1);
  await page.keyboard.press('+');
  await settle();
  check('+ zooms in', (await scale()) > 1);
  const k0 = await at('berlin');
  await page.keyboard.press('ArrowRight');
  await settle();
  const k1 = await at('berlin');
  check('arrow keys pan', near(k1.x, k0.x - 40, 1), JSON.stringify({ k0, k1 }));
  await page.keyboard.press('0');

  // Frames per second while dragging (reported, not asserted), at 5k and 10k points.
  // Programmatic panning: a pointer drag moved on every animation frame for 2 s, in the page.
  const measure = async (label) => {
    await page.keyboard.press('0');
    await settle();
    const result = await page.evaluate(async ({ cx, cy }) => {
      const canvas = document.getElementById('map-canvas');
      const fire = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type, { pointerId: 7, button: 0, buttons: 1, clientX: x, clientY: y, bubbles: true }));
      const frames = () => Number(canvas.dataset.frames ?? 0);
      fire('pointerdown', cx, cy);
      const f0 = frames();
      const t0 = performance.now();
      let ticks = 0;
      let drawMs = 0;
      await new Promise((done) => {
        const tick = () => {
          const t = (performance.now() - t0) / 1000;
          if (t >= 2) return done();
          ticks++;
          fire('pointermove', cx + 150 * Math.sin(t * 3), cy + 100 * Math.cos(t * 3));
          drawMs = Math.max(drawMs, Number(canvas.dataset.drawMs ?? 0));
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      const seconds = (performance.now() - t0) / 1000;
      fire('pointerup', cx, cy);
      return { fps: Math.round(((frames() - f0) / seconds) * 10) / 10, ticks, seconds, maxDrawMs: drawMs };
    }, { cx: centre.x, cy: centre.y });
    fps[label] = result;
    console.log(`info ${label}: ${result.fps} frames/s drawn while panning (${result.ticks} animation frames in ${result.seconds.toFixed(1)}s; slowest frame drawn in ${result.maxDrawMs} ms)`);
  };
  await measure('5,000 points');
  await feed(map10k);
  check('data-points is 10000', await page.waitForFunction(() => document.querySelector('#map-canvas').dataset.points === '10000', null, { timeout: 3000 }).then(() => true, () => false));
  equal('a new map keeps the highlighted word', await data('highlight'), 'berlin');
  await measure('10,000 points');
  const hoverStarted = await page.evaluate(() => {
    const view = window.view;
    const t0 = performance.now();
    for (let i = 0; i < 10000; i++) view.nearest(Math.random() * 900, Math.random() * 480);
    return (performance.now() - t0) / 10000;
  });
  console.log(`info hover lookup at 10,000 points: ${(hoverStarted * 1000).toFixed(1)} µs`);
  check('hover lookup is fast (grid index)', hoverStarted < 0.2, `${hoverStarted} ms`);

  // Failure states and a malformed map.
  await feed({ type: 'mapState', state: 'failed', message: 'UMAP can map at most 20,000 points; got 30,000. Use PCA for more.' });
  equal('failed in the error colour', [await attr('#map-status', 'data-status'), await page.$eval('#map-status', (e) => getComputedStyle(e).color)], ['failed', 'rgb(248, 81, 73)']);
  await feed({ type: 'mapState', state: 'cancelled', message: 'Cancelled.' });
  equal('cancelled', [await text('#map-status'), await attr('#map-status', 'data-status')], ['Cancelled.', 'cancelled']);
  await feed({ type: 'map', words: ['a', 'b'], coords: [1, 2, 3], method: 'pca', elapsedMs: 1, modelName: 'm' });
  check('a malformed map is refused and the old one kept', (await attr('#map-status', 'data-status')) === 'failed' && (await data('points')) === '10000');

  // The picture: the 5k map, a searched word and a hovered one.
  await feed(map5k);
  await page.$eval('#map-search', (f) => (f.value = ''));
  await page.click('#map-search');
  await page.keyboard.type('music');
  await page.keyboard.press('Enter');
  await page.$eval('#map-canvas', (c) => c.focus());
  await page.keyboard.press('0');
  await settle();
  const hovered = await at('film');
  if (hovered) await page.mouse.move(hovered.x, hovered.y);
  await settle();

  equal('no page errors', errors, []);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`screenshot: ${SCREENSHOT}`);
} catch (error) {
  check('the run completed without an exception', false, String(error.stack ?? error));
} finally {
  await browser.close();
}
finish();
