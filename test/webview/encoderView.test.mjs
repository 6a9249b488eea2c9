// The panel's Encoder section (webview/panel/encoder.ts) in headless Chromium with a mocked
// acquireVsCodeApi: fed a real inspection (a small Transformer with a BPE tokeniser learnt from the
// Lee corpus, inspected by src/core/neural/inspect.ts in a Node child process), it must post only an
// encoder name, sentences and a word, and show the similarities, nearest tokens and an attention
// table of layers × heads by tokens. Screenshot: test-artifacts/panel-encoder.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle, check, equal, finish, launchChromium, openComponentPage, ROOT, testPage } from './harness.mjs';

const TEXTS = ['the government said the bank would cut rates', 'the river bank was flooded after the storm'];
const work = mkdtempSync(join(tmpdir(), 'tl-encoder-view-'));
const script = join(work, 'inspect.ts');
writeFileSync(
  script,
  `import { readFileSync } from 'node:fs';
   import { loadTensorflow } from ${JSON.stringify(join(ROOT, 'src/core/classify/tfBackend'))};
   import { trainBpe } from ${JSON.stringify(join(ROOT, 'src/core/neural/bpe'))};
   import { encoderConfig } from ${JSON.stringify(join(ROOT, 'src/core/neural/config'))};
   import { createEncoder } from ${JSON.stringify(join(ROOT, 'src/core/neural/encoder'))};
   import { inspectWord } from ${JSON.stringify(join(ROOT, 'src/core/neural/inspect'))};
   (async () => {
     const text = readFileSync(${JSON.stringify(join(ROOT, '..', 'shared', 'data', 'gensim', 'lee_background.cor'))}, 'utf8');
     const tokenizer = await trainBpe(text.split('\\n'), { vocabSize: 800 });
     const { tf } = await loadTensorflow();
     const encoder = createEncoder(tf, encoderConfig({ arch: 'transformer', vocabSize: tokenizer.size, width: 32, layers: 2, heads: 2, maxLen: 32 }));
     process.stdout.write(JSON.stringify(inspectWord(encoder, tokenizer, ${JSON.stringify(TEXTS)}, 'bank', 5)));
   })();`,
);
const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
rmSync(work, { recursive: true, force: true });
if (run.status !== 0) throw new Error(`inspection failed: ${run.stderr}`);
const inspection = JSON.parse(run.stdout);

const entry = `
import { ENCODER_SECTION_HTML } from './webview/panel/encoderHtml';
import { EncoderView } from './webview/panel/encoder';
document.querySelector('main').innerHTML = ENCODER_SECTION_HTML;
const vscode = acquireVsCodeApi();
const view = new EncoderView((message) => vscode.postMessage(message));
window.feed = (message) => view.handle(message);
window.ready = true;
`;
const browser = await launchChromium();
try {
  const { page, errors, feed } = await openComponentPage(browser, testPage(await bundle(entry, 'encoder-view-entry.ts')), { viewport: { width: 1000, height: 760 } });
  const posted = () => page.evaluate(() => window.posted);

  check('before any encoder: the controls are disabled', await page.$$eval('#encoder-name, #encoder-word, #encoder-texts', (els) => els.every((e) => e.disabled)));
  await feed({ type: 'encoderList', names: ['transformer-1', 'lstm-1'] });
  equal('the encoders are offered by name', await page.$$eval('#encoder-name option', (o) => o.map((e) => e.value)), ['transformer-1', 'lstm-1']);
  await page.fill('#encoder-texts', TEXTS.join('\n'));
  await page.click('#encoder-inspect');
  check('Inspect without a word says what is missing, posts nothing', (await page.textContent('#encoder-error')) === 'Type the word to look at.' && (await posted()).length === 0);
  await page.fill('#encoder-word', 'bank');
  await page.keyboard.press('Enter');
  const [request] = await posted();
  equal('Enter posts the encoder name, the sentences and the word', request, { type: 'inspectEncoder', requestId: 1, encoder: 'transformer-1', texts: TEXTS, word: 'bank' });
  await feed({ type: 'inspection', requestId: 1, encoder: 'transformer-1', inspection });
  const occurrences = inspection.occurrences.length;
  check('"bank" occurs once in each sentence', occurrences === 2, String(occurrences));
  equal('the similarity between its two occurrences is listed', await page.$$eval('.encoder-similarities li', (l) => l.map((e) => e.textContent)), [`sentence 1 and sentence 2: cosine ${inspection.similarities[0].cosine.toFixed(3)}`]);
  const tables = await page.$$eval('.attention-table', (ts) => ts.map((t) => ({ rows: t.querySelectorAll('tbody tr').length, columns: t.querySelectorAll('thead th').length, label: t.getAttribute('aria-label') })));
  equal('an attention table per occurrence: 2 layers × 2 heads rows, a column per token', tables.map((t) => [t.rows, t.columns]), inspection.tokens.map((row) => [4, row.length + 1]));
  check('the tables are labelled for screen readers', tables.every((t) => t.label === 'Attention from "bank" to each token, per layer and head'));
  const firstRow = await page.$eval('.attention-table', (t) => [...t.querySelectorAll('tbody tr:first-child td')].map((c) => Number(c.textContent)));
  check('each head’s weights over the sentence sum to 1', Math.abs(firstRow.reduce((a, b) => a + b, 0) - 1) < 0.02, JSON.stringify(firstRow));
  check('status names the encoder and the occurrences', /transformer-1: "bank" is one token, found 2 times\./.test(await page.textContent('#encoder-status')), await page.textContent('#encoder-status'));
  await feed({ type: 'inspection', requestId: 0, encoder: 'transformer-1', error: 'stale' });
  check('an answer to an older request is ignored', (await page.textContent('#encoder-error')) === '');
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'test-artifacts', 'panel-encoder.png'), fullPage: true });
  equal('no page errors', errors, []);
} finally {
  await browser.close();
}
finish();
