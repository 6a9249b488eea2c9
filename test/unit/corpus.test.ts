import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FileCorpus, listCorpusFiles } from '../../src/core/corpus';

async function readAll(corpus: FileCorpus, signal?: AbortSignal): Promise<string> {
  let text = '';
  for await (const chunk of corpus.chunks(signal)) text += chunk;
  return text;
}

describe('FileCorpus', () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-corpus-'));
    writeFileSync(file('plain.txt'), 'first line\nsecond line');
    writeFileSync(file('bom.txt'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('après le BOM\n')]));
    const binary = Buffer.alloc(900, 0x41);
    binary[500] = 0;
    writeFileSync(file('image.txt'), binary);
    writeFileSync(file('big.txt'), 'x '.repeat(2000));
    // Two invalid sequences (a lone 0xFF, a 3-byte lead cut short by a space) and one real U+FFFD.
    writeFileSync(file('latin1.txt'), Buffer.concat([
      Buffer.from('caf'), Buffer.from([0xff]), Buffer.from(' na'), Buffer.from([0xe2, 0x82]), Buffer.from(' real '),
      Buffer.from('\ufffd', 'utf8'), Buffer.from(' end\n'),
    ]));
    writeFileSync(file('packed.txt.gz'), gzipSync(Buffer.from('compressed words here\n')));
    writeFileSync(file('bomb.txt.gz'), gzipSync(Buffer.from('y '.repeat(5000))));
    mkdirSync(file('folder.txt'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('concatenates files, each followed by a newline, and strips the BOM', async () => {
    const corpus = new FileCorpus([file('plain.txt'), file('bom.txt'), file('packed.txt.gz')]);
    assert.equal(await readAll(corpus), 'first line\nsecond line\naprès le BOM\n\ncompressed words here\n\n');
    assert.deepEqual(corpus.report, {
      filesRead: 3,
      bytesRead: 22 + 3 + Buffer.byteLength('après le BOM\n') + 22,
      skipped: [],
      replacedCharacters: 0,
    });
  });

  it('skips binary, too-large, missing and non-file paths with a reason, without throwing', async () => {
    const corpus = new FileCorpus(
      [file('image.txt'), file('big.txt'), file('missing.txt'), file('folder.txt'), file('bomb.txt.gz'), file('plain.txt')],
      { maxFileBytes: 1000 },
    );
    assert.equal(await readAll(corpus), 'first line\nsecond line\n');
    const reasons = corpus.report.skipped.map((s) => [path.basename(s.path), s.reason]);
    assert.deepEqual(reasons, [
      ['image.txt', 'binary'],
      ['big.txt', 'too-large'],
      ['missing.txt', 'unreadable'],
      ['folder.txt', 'not-a-file'],
      ['bomb.txt.gz', 'too-large'],
    ]);
    assert.match(corpus.report.skipped[0].detail, /NUL byte at offset 500/);
    assert.match(corpus.report.skipped[2].detail, /ENOENT/);
    assert.match(corpus.report.skipped[4].detail, /more than 1000 bytes when decompressed/);
    assert.equal(corpus.report.filesRead, 1);
  });

  it('counts characters replaced while decoding invalid UTF-8, but not real U+FFFD', async () => {
    const corpus = new FileCorpus([file('latin1.txt')]);
    const text = await readAll(corpus);
    assert.equal(text, 'caf\ufffd na\ufffd real \ufffd end\n\n');
    assert.equal(corpus.report.replacedCharacters, 2);
  });

  it('decodes multi-byte characters split across tiny chunks', async () => {
    writeFileSync(file('multi.txt'), 'é東\ufffd🙂 ok\n'.repeat(50));
    for (const chunkBytes of [1, 2, 3, 7]) {
      const corpus = new FileCorpus([file('multi.txt')], { chunkBytes });
      assert.equal(await readAll(corpus), 'é東\ufffd🙂 ok\n'.repeat(50) + '\n');
      assert.equal(corpus.report.replacedCharacters, 0, `chunkBytes ${chunkBytes}`);
    }
  });

  it('looks for NUL bytes in the first 8 KiB only, even when that spans several chunks', async () => {
    const early = Buffer.alloc(12000, 0x62);
    early[8000] = 0;
    const late = Buffer.alloc(12000, 0x62);
    late[9000] = 0;
    writeFileSync(file('early.txt'), early);
    writeFileSync(file('late.txt'), late);
    const corpus = new FileCorpus([file('early.txt'), file('late.txt')], { chunkBytes: 1000 });
    const text = await readAll(corpus);
    assert.deepEqual(corpus.report.skipped.map((s) => [path.basename(s.path), s.reason]), [['early.txt', 'binary']]);
    assert.equal(text.length, 12000 + 1);
  });

  it('gives the same text on every pass and keeps the first pass report', async () => {
    const corpus = new FileCorpus([file('plain.txt'), file('image.txt')]);
    const first = await readAll(corpus);
    const report = corpus.report;
    assert.equal(await readAll(corpus), first);
    assert.equal(corpus.report, report);
    assert.equal(report.skipped.length, 1);
  });

  it('skips a damaged .gz file as unreadable without gluing its text to the next file', async () => {
    const packed = gzipSync(Buffer.from('alpha beta gamma delta\n'.repeat(5000) + 'tail'));
    const corrupted = Buffer.from(packed);
    for (let i = 200; i < 260; i++) corrupted[i] ^= 0x5a; // damage inside the deflate data
    writeFileSync(file('corrupted.txt.gz'), corrupted);
    writeFileSync(file('truncated.txt.gz'), packed.subarray(0, packed.length - 100));
    const corpus = new FileCorpus([file('corrupted.txt.gz'), file('truncated.txt.gz'), file('plain.txt')], { chunkBytes: 1024 });
    const text = await readAll(corpus);
    assert.ok(text.endsWith('\nfirst line\nsecond line\n'), 'the next file starts on a new line');
    assert.deepEqual(corpus.report.skipped.map((s) => [path.basename(s.path), s.reason]), [
      ['corrupted.txt.gz', 'unreadable'],
      ['truncated.txt.gz', 'unreadable'],
    ]);
    assert.equal(corpus.report.filesRead, 1);
  });

  it('stops with an AbortError when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const corpus = new FileCorpus([file('plain.txt')]);
    await assert.rejects(readAll(corpus, controller.signal), { name: 'AbortError' });
  });
});

describe('listCorpusFiles', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-list-'));
    for (const name of ['b.txt', 'a.md', 'c.jpg', 'notes.TXT', 'd.txt.gz', 'sub/z.txt', 'sub/deeper/y.rst', '.git/x.txt', 'node_modules/m.txt', '.hidden/h.txt']) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), 'text');
    }
    symlinkSync(dir, path.join(dir, 'sub', 'loop'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('walks folders in sorted order, keeping text extensions and skipping dot folders, node_modules and loops', async () => {
    const files = (await listCorpusFiles(dir)).map((f) => path.relative(dir, f).split(path.sep).join('/'));
    assert.deepEqual(files, ['a.md', 'b.txt', 'd.txt.gz', 'notes.TXT', 'sub/deeper/y.rst', 'sub/z.txt']);
  });

  it('honours a custom extension list and returns a single file as is', async () => {
    const files = (await listCorpusFiles(dir, { extensions: ['.jpg'] })).map((f) => path.basename(f));
    assert.deepEqual(files, ['c.jpg']);
    assert.deepEqual(await listCorpusFiles(path.join(dir, 'c.jpg')), [path.join(dir, 'c.jpg')]);
  });

  it('throws a clear error for a path that does not exist', async () => {
    await assert.rejects(listCorpusFiles(path.join(dir, 'nope')), /nope: no such file or folder/);
  });
});
