// The panel's Nearest neighbours section (webview/panel/explorer.ts) in headless Chromium with a
// mocked acquireVsCodeApi. The test plays the host: it answers the section's 'complete' and 'query'
// requests from real GloVe vectors with the extension's own code (completeWord, answerQuery), and
// checks completion by keyboard and mouse as an ARIA combobox, that the suggestion list moves nothing
// on the page, and two models side by side with their shared words marked.
// Screenshots: test-artifacts/explorer-completion.png, test-artifacts/explorer-side-by-side.png.
// Run: node test/webview/explorerView.test.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import * as esbuild from 'esbuild';
import { bundle, check, equal, finish, launchChromium, openComponentPage, ROOT, testPage } from './harness.mjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const GLOVE = resolve(ROOT, '..', 'shared', 'data', 'vectors', 'glove.6B.100d.top10k.txt');

// ---------- the host's side, from the extension's own code on real vectors ----------

const core = await esbuild.build({
  stdin: {
    contents: `export { answerQuery, completeWord } from './src/extension/vectorQueries'; export { WordVectors } from './src/core/vectors';`,
    resolveDir: ROOT,
    loader: 'ts',
    sourcefile: 'explorer-test-core.ts',
  },
  bundle: true,
  write: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'silent',
});
const { answerQuery, completeWord, WordVectors } = await import(`data:text/javascript;base64,${Buffer.from(core.outputFiles[0].text).toString('base64')}`);
const lines = readFileSync(GLOVE, 'utf8').split('\n').filter(Boolean);
const dim = lines[0].split(' ').length - 1;
const words = lines.map((line) => line.slice(0, line.indexOf(' ')));
const data = new Float32Array(lines.length * dim);
lines.forEach((line, r) => line.split(' ').slice(1).forEach((v, d) => (data[r * dim + d] = Number(v))));
const glove = new WordVectors(words, dim, data);
// The "second model": the same vectors restricted to the 3,000 most frequent words, so its lists differ.
const small = new WordVectors(words.slice(0, 3000), dim, data.slice(0, 3000 * dim));
const answer = (vectors, name, text) => answerQuery({ name, vectors, lowercase: true }, text, 10);

const model = { name: 'glove-100', modelDir: '/models/glove-100', vocabularySize: words.length, dim, algorithm: 'imported', exampleWords: ['king', 'paris', 'good'] };

// ---------- the page ----------

const entry = `
import { EXPLORER_SECTION_HTML } from './webview/panel/explorerHtml';
import { ExplorerView } from './webview/panel/explorer';
document.querySelector('main').innerHTML = EXPLORER_SECTION_HTML + '<section id="below"><h2>Evaluation</h2><p>Below the search</p></section>';
const vscode = acquireVsCodeApi();
const view = new ExplorerView((message) => vscode.postMessage(message));
window.feed = (message) => view.handle(message);
window.ready = true;
`;
const page0 = testPage(await bundle(entry, 'explorer-test-entry.ts'));

const browser = await launchChromium();
try {
  const { page, errors, feed } = await openComponentPage(browser, page0, { viewport: { width: 900, height: 640 } });
  const posted = () => page.evaluate(() => window.posted);
  const clearPosted = () => page.evaluate(() => (window.posted = []));
  const attr = (selector, name) => page.$eval(selector, (el, n) => el.getAttribute(n), name);
  const value = () => page.$eval('#query', (el) => el.value);
  const optionTexts = () => page.$$eval('#query-suggestions [role="option"]', (o) => o.map((e) => e.textContent));
  const listShown = () => page.$eval('#query-suggestions', (el) => !el.hidden && el.children.length > 0);
  /** Answers the newest request of `type` as the host would; returns it. */
  const answerLatest = async (type, reply) => {
    const request = await page.waitForFunction((t) => [...window.posted].reverse().find((m) => m.type === t), type, { timeout: 3000 }).then((h) => h.jsonValue());
    await feed(reply(request));
    return request;
  };
  const completions = (request) => ({ type: 'completions', requestId: request.requestId, prefix: request.prefix, words: completeWord(words, request.prefix, 8, true) });
  const neighbours = (request, second) => {
    const a = answer(glove, 'glove-100', request.word);
    const out = { type: 'neighbours', requestId: request.requestId, word: a.label, results: a.results };
    if (second) out.second = { model: 'glove-3k', results: answer(small, 'glove-3k', request.word).results };
    return out;
  };

  // Before a model: disabled, and a combobox from the start.
  equal('before a model the field and the side-by-side select are disabled', await page.$$eval('#query, #second-model', (els) => els.map((e) => e.disabled)), [true, true]);
  equal('the field is an ARIA combobox controlling the list', [await attr('#query', 'role'), await attr('#query', 'aria-autocomplete'), await attr('#query', 'aria-controls'), await attr('#query', 'aria-expanded')], ['combobox', 'list', 'query-suggestions', 'false']);
  await feed({ type: 'model', model });
  await feed({ type: 'modelList', names: ['glove-3k'], second: null });
  equal('with a model and another one, both are enabled', await page.$$eval('#query, #second-model', (els) => els.map((e) => e.disabled)), [false, false]);
  equal('the select offers no other model and the listed one', await page.$$eval('#second-model option', (o) => o.map((e) => [e.value, e.textContent])), [['', 'no other model'], ['glove-3k', 'glove-3k']]);

  // Completion by keyboard.
  const belowBefore = await page.$eval('#below', (el) => el.getBoundingClientRect().top);
  await page.click('#query');
  await page.keyboard.type('kin');
  const request = await answerLatest('complete', completions);
  equal('typing asks once, for the word typed (debounced)', (await posted()).filter((m) => m.type === 'complete').map((m) => m.prefix), ['kin']);
  await page.waitForFunction(() => !document.getElementById('query-suggestions').hidden);
  const expected = completeWord(words, 'kin', 8, true);
  equal('the suggestions are the vocabulary words starting with "kin", most frequent first', await optionTexts(), expected);
  check('8 suggestions at most, the first is "king"', expected.length > 2 && expected.length <= 8 && expected[0] === 'king', JSON.stringify(expected));
  equal('aria-expanded is true while the list shows', await attr('#query', 'aria-expanded'), 'true');
  equal('opening the list moves nothing below it (it overlays)', await page.$eval('#below', (el) => el.getBoundingClientRect().top), belowBefore);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'explorer-completion.png') });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  equal('ArrowDown twice: the second option is active', [await attr('#query', 'aria-activedescendant'), await attr('#suggestion-1', 'aria-selected'), await attr('#suggestion-0', 'aria-selected')], ['suggestion-1', 'true', 'false']);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  equal('ArrowUp from the first wraps to the last', await attr('#query', 'aria-activedescendant'), `suggestion-${expected.length - 1}`);
  await page.keyboard.press('ArrowDown');
  await clearPosted();
  await page.keyboard.press('Enter');
  equal('Enter on a suggestion puts it in the field', await value(), 'king');
  check('and closes the list', !(await listShown()) && (await attr('#query', 'aria-expanded')) === 'false');
  const query = await answerLatest('query', (r) => neighbours(r));
  equal('a one-word query is searched at once', { type: query.type, word: query.word, k: query.k }, { type: 'query', word: 'king', k: 10 });
  const shown = await page.$$eval('#neighbours .neighbour .word', (w) => w.map((e) => e.textContent));
  equal('the neighbours of king, from the real vectors', shown, answer(glove, 'glove-100', 'king').results.map((n) => n.word));

  // Completion inside word arithmetic, Escape, a stale answer, and the mouse.
  await page.fill('#query', '');
  await clearPosted();
  await page.keyboard.type('paris - france + ita');
  const arithmetic = await answerLatest('complete', completions);
  equal('inside an expression only the word at the caret is completed', arithmetic.prefix, 'ita');
  await page.waitForFunction(() => !document.getElementById('query-suggestions').hidden);
  await feed({ type: 'completions', requestId: arithmetic.requestId - 1, prefix: 'it', words: ['it', 'its'] });
  equal('an answer to an older request is ignored', (await optionTexts())[0], completeWord(words, 'ita', 8, true)[0]);
  await page.keyboard.press('Escape');
  check('Escape closes the list and keeps the text', !(await listShown()) && (await value()) === 'paris - france + ita');
  await clearPosted();
  await page.keyboard.type('l');
  await answerLatest('complete', completions);
  await page.waitForFunction(() => !document.getElementById('query-suggestions').hidden);
  await clearPosted();
  await page.click('#query-suggestions [role="option"] >> text=italy');
  equal('clicking a suggestion replaces only the word being typed', await value(), 'paris - france + italy');
  equal('an expression is not searched on completion: the user may go on typing', (await posted()).filter((m) => m.type === 'query').length, 0);
  check('the field keeps the focus after a click on a suggestion', await page.evaluate(() => document.activeElement?.id === 'query'));
  await page.keyboard.press('Enter');
  const rome = await answerLatest('query', (r) => neighbours(r));
  equal('Enter with no suggestion active searches the whole expression', rome.word, 'paris - france + italy');
  check('and rome is the answer', (await page.$eval('#neighbours .neighbour .word', (e) => e.textContent)) === 'rome');

  // Two models side by side.
  await clearPosted();
  await page.selectOption('#second-model', 'glove-3k');
  const afterSelect = await posted();
  equal('choosing a model posts its name, then searches again', afterSelect.map((m) => m.type), ['setSecondModel', 'query']);
  equal('by name, never a path', afterSelect[0], { type: 'setSecondModel', name: 'glove-3k' });
  await feed({ type: 'modelList', names: ['glove-3k'], second: 'glove-3k' });
  await feed(neighbours(afterSelect[1], true));
  await page.waitForSelector('#second-column:not([hidden])');
  const first = answer(glove, 'glove-100', 'paris - france + italy').results.map((n) => n.word);
  const second = answer(small, 'glove-3k', 'paris - france + italy').results.map((n) => n.word);
  const sharedWords = first.filter((w) => second.includes(w));
  equal('the second column lists the second model’s answer', await page.$$eval('#second-neighbours .word', (w) => w.map((e) => e.textContent)), second);
  equal('the headings name both models and the shared count', await page.$$eval('#first-heading, #second-heading', (h) => h.map((e) => e.textContent)), ['In glove-100', `In glove-3k · ${sharedWords.length} shared`]);
  equal('shared words are marked in both lists', await page.$$eval('#neighbours .shared .word, #second-neighbours .shared .word', (w) => w.map((e) => e.textContent)), [...sharedWords, ...second.filter((w) => sharedWords.includes(w))]);
  check('some but not all words are shared (the 3k model lacks rarer words)', sharedWords.length > 0 && sharedWords.length < 10, JSON.stringify({ first, second }));
  const columns = await page.$$eval('.explore-column', (c) => c.map((e) => e.getBoundingClientRect().left));
  check('the columns stand side by side', columns.length === 2 && columns[1] > columns[0] + 200, JSON.stringify(columns));
  await page.screenshot({ path: join(ARTIFACTS, 'explorer-side-by-side.png') });

  await clearPosted();
  await page.selectOption('#second-model', '');
  const none = await posted();
  equal('"no other model" posts null', none[0], { type: 'setSecondModel', name: null });
  await feed(neighbours(none[1]));
  check('one column again', await page.$eval('#second-column', (el) => el.hidden) && (await page.$eval('#first-heading', (el) => el.hidden)));

  // A word the model does not know: the host's message, in plain words.
  await page.fill('#query', 'zzqqxx');
  await page.keyboard.press('Enter');
  await answerLatest('query', (r) => {
    try {
      return neighbours(r);
    } catch (error) {
      return { type: 'neighbours', requestId: r.requestId, word: r.word, results: [], error: error.message };
    }
  });
  check('an unknown word shows why', /"zzqqxx" is not in the vocabulary/.test(await page.$eval('#query-error', (e) => e.textContent)), await page.$eval('#query-error', (e) => e.textContent));
  equal('no page errors', errors, []);
} finally {
  await browser.close();
}
finish();
