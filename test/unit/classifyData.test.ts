import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadLabelledData, previewColumns, previewFields, type LabelledExample } from '../../src/core/classify/labelledData';
import { toFastTextLines } from '../../src/core/classify/fastTextFormat';

const DATA = path.resolve(__dirname, '../../../shared/data/classification');

function countLabels(examples: LabelledExample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of examples) counts[e.label] = (counts[e.label] ?? 0) + 1;
  return counts;
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'classify-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('MR: 10,662 sentences, half negative, half positive, with file:line sources', async () => {
  const data = await loadLabelledData(path.join(DATA, 'mr/mr.jsonl'));
  assert.equal(data.format, 'jsonl');
  assert.equal(data.examples.length, 10662);
  assert.deepEqual(data.labels, ['negative', 'positive']);
  assert.deepEqual(countLabels(data.examples), { negative: 5331, positive: 5331 });
  assert.deepEqual(data.examples[0], { text: 'simplistic , silly and tedious .', label: 'negative', source: `${DATA}/mr/mr.jsonl:1` });
  assert.deepEqual(data.skipped, []);
  assert.equal(data.splits, undefined);
});

test('SST-2: a folder of train/dev/test files gives those splits', async () => {
  const data = await loadLabelledData(path.join(DATA, 'sst2'));
  assert.equal(data.format, 'jsonl');
  assert.ok(data.splits);
  assert.equal(data.splits.train.length, 6920);
  assert.equal(data.splits.validation?.length, 872);
  assert.equal(data.splits.test?.length, 1821);
  assert.equal(data.examples.length, 6920 + 872 + 1821);
  assert.deepEqual(data.labels, ['negative', 'positive']);
  assert.equal(data.splits.validation?.[0].source, `${DATA}/sst2/dev.jsonl:1`);
  assert.equal(data.splits.validation?.[0].text, 'one long string of cliches .');
});

test('TREC: train and test only, six question classes', async () => {
  const data = await loadLabelledData(path.join(DATA, 'trec'));
  assert.equal(data.splits?.train.length, 5452);
  assert.equal(data.splits?.test?.length, 500);
  assert.equal(data.splits?.validation, undefined);
  assert.deepEqual(data.labels, ['ABBR', 'DESC', 'ENTY', 'HUM', 'LOC', 'NUM']);
  assert.equal(data.splits?.test?.[0].label, 'NUM');
});

test('SUBJ: 10,000 sentences, two classes', async () => {
  const data = await loadLabelledData(path.join(DATA, 'subj/subj.jsonl'));
  assert.equal(data.examples.length, 10000);
  assert.deepEqual(data.labels, ['objective', 'subjective']);
  assert.deepEqual(countLabels(data.examples), { objective: 5000, subjective: 5000 });
});

test('SMS Spam Collection: headerless TSV read as label then text, bare quotes kept', async () => {
  const data = await loadLabelledData(path.join(DATA, 'sms-spam/SMSSpamCollection.tsv'));
  assert.equal(data.format, 'tsv');
  assert.equal(data.examples.length, 5574);
  assert.deepEqual(countLabels(data.examples), { ham: 4827, spam: 747 });
  assert.equal(data.examples[1].text, 'Ok lar... Joking wif u oni...');
  assert.equal(data.examples[1].source, `${DATA}/sms-spam/SMSSpamCollection.tsv:2`);
  // Texts with a double quote are not mistaken for CSV quoting (which would swallow following lines).
  assert.ok(data.examples.some((e) => e.text.includes('"')));
});

test('a folder per label: every text file is one example, binary and empty files skipped and counted', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'pos', 'nested'), { recursive: true });
  mkdirSync(path.join(dir, 'neg'));
  writeFileSync(path.join(dir, 'pos', 'a.txt'), 'a wonderful film\n');
  writeFileSync(path.join(dir, 'pos', 'b.md'), 'loved every minute');
  writeFileSync(path.join(dir, 'pos', 'nested', 'c.txt'), 'great cast');
  writeFileSync(path.join(dir, 'pos', '.DS_Store'), Buffer.from([0, 1, 2]));
  writeFileSync(path.join(dir, 'neg', 'a.txt'), 'dull and long');
  writeFileSync(path.join(dir, 'neg', 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
  writeFileSync(path.join(dir, 'neg', 'empty.txt'), '  \n');
  writeFileSync(path.join(dir, 'README.txt'), 'not an example');
  const data = await loadLabelledData(dir);
  assert.equal(data.format, 'folders');
  assert.deepEqual(data.labels, ['neg', 'pos']);
  assert.deepEqual(
    data.examples.map((e) => [e.label, e.text, path.relative(dir, e.source!)]),
    [
      ['neg', 'dull and long', 'neg/a.txt'],
      ['pos', 'a wonderful film\n', 'pos/a.txt'],
      ['pos', 'loved every minute', 'pos/b.md'],
      ['pos', 'great cast', 'pos/nested/c.txt'],
    ],
  );
  assert.deepEqual(data.skipped, [
    { reason: 'empty text', count: 1, firstLines: [], firstFiles: [path.join(dir, 'neg', 'empty.txt')] },
    { reason: 'binary file', count: 1, firstLines: [], firstFiles: [path.join(dir, 'neg', 'image.png')] },
  ]);
});

test('CSV with a header: quoted commas, newlines and doubled quotes; columns guessed by name', async (t) => {
  const file = path.join(tempDir(t), 'reviews.csv');
  writeFileSync(
    file,
    '\uFEFFid,review,sentiment\r\n' +
      '1,"Good, not great",pos\r\n' +
      '2,"Two lines:\r\nthe second one",neg\r\n' +
      '3,"He said ""wow""",pos\r\n' +
      '\r\n' +
      '4,plain text,neg\r\n',
  );
  const data = await loadLabelledData(file);
  assert.equal(data.format, 'csv');
  assert.deepEqual(
    data.examples.map((e) => [e.text, e.label, e.source]),
    [
      ['Good, not great', 'pos', `${file}:2`],
      ['Two lines:\nthe second one', 'neg', `${file}:3`],
      ['He said "wow"', 'pos', `${file}:5`],
      ['plain text', 'neg', `${file}:7`],
    ],
  );
});

test('CSV columns given by name or index; header forced on or off', async (t) => {
  const dir = tempDir(t);
  const named = path.join(dir, 'named.csv');
  writeFileSync(named, 'body_text,topic,extra\nhello there,greeting,x\nbye now,farewell,y\n');
  const byName = await loadLabelledData(named, { textColumn: 'body_text', labelColumn: 'TOPIC' });
  assert.deepEqual(byName.examples.map((e) => [e.text, e.label]), [['hello there', 'greeting'], ['bye now', 'farewell']]);
  const byIndex = await loadLabelledData(named, { textColumn: 0, labelColumn: 1, header: true });
  assert.deepEqual(byIndex.examples.map((e) => e.label), ['greeting', 'farewell']);
  const bare = path.join(dir, 'bare.csv');
  writeFileSync(bare, 'x,hello there,greeting\ny,bye now,farewell\n');
  const noHeader = await loadLabelledData(bare, { textColumn: 1, labelColumn: 2, header: false });
  assert.deepEqual(noHeader.examples.map((e) => [e.text, e.label]), [['hello there', 'greeting'], ['bye now', 'farewell']]);
  await assert.rejects(loadLabelledData(bare), /bare\.csv: cannot tell which column holds the text: it has 3 columns and no header row\. Set textColumn/);
});

test('an unknown column name lists the columns there are', async (t) => {
  const file = path.join(tempDir(t), 'data.csv');
  writeFileSync(file, 'text,label\nhello,a\nbye,b\n');
  await assert.rejects(
    loadLabelledData(file, { labelColumn: 'class' }),
    (error: Error) => error.message.includes('data.csv has no column named "class": the columns are: text, label. Set labelColumn to one of them.'),
  );
});

test('empty texts and missing labels are skipped and counted, with their lines', async (t) => {
  const file = path.join(tempDir(t), 'gaps.csv');
  writeFileSync(file, 'text,label\nfine,a\n,b\n   ,a\nno label,\nalso fine,b\nmore,  \n');
  const data = await loadLabelledData(file);
  assert.deepEqual(data.examples.map((e) => e.text), ['fine', 'also fine']);
  assert.deepEqual(data.skipped, [
    { reason: 'empty text', count: 2, firstLines: [3, 4], file },
    { reason: 'missing label', count: 2, firstLines: [5, 7], file },
  ]);
  const jsonl = path.join(path.dirname(file), 'gaps.jsonl');
  writeFileSync(jsonl, '{"text":"x","label":1}\n{"text":"y","label":null}\n{"text":"","label":2}\n{"text":"z","label":2}\n');
  const fromJson = await loadLabelledData(jsonl);
  assert.deepEqual(fromJson.labels, ['1', '2']);
  assert.deepEqual(fromJson.skipped.map((s) => [s.reason, s.count, s.firstLines]), [['missing label', 1, [2]], ['empty text', 1, [3]]]);
});

test('a line that is not JSON stops loading with its line number, or is skipped with skipBad', async (t) => {
  const file = path.join(tempDir(t), 'broken.jsonl');
  const lines = ['{"text":"good","label":"a"}', '{"text":"bad",', '{"text":"fine","label":"b"}', 'not json', '[1,2]', '{"txt":"typo","label":"a"}', '{"txt":"other","label":"b"}'];
  writeFileSync(file, lines.join('\n') + '\n');
  await assert.rejects(loadLabelledData(file), (error: Error) => {
    assert.match(error.message, /broken\.jsonl: 5 malformed lines/);
    assert.match(error.message, /2 lines not valid JSON at line 2, 4 \(line 2: /);
    assert.match(error.message, /1 line not a JSON object at line 5/);
    assert.match(error.message, /2 lines without a "text" field at line 6, 7 \(line 6: its fields are txt, label; set textField/);
    assert.match(error.message, /or load with skipBad/);
    return true;
  });
  const data = await loadLabelledData(file, { skipBad: true });
  assert.deepEqual(data.examples.map((e) => e.text), ['good', 'fine']);
  assert.deepEqual(
    data.skipped.map((s) => [s.reason, s.count, s.firstLines]),
    [['not valid JSON', 2, [2, 4]], ['not a JSON object', 1, [5]], ['without a "text" field', 2, [6, 7]]],
  );
  const renamed = await loadLabelledData(file, { skipBad: true, textField: 'txt' });
  assert.deepEqual(renamed.examples.map((e) => e.text), ['typo', 'other']);
  assert.deepEqual(
    renamed.skipped.map((s) => [s.reason, s.count, s.firstLines]),
    [['without a "txt" field', 2, [1, 3]], ['not valid JSON', 2, [2, 4]], ['not a JSON object', 1, [5]]],
  );
});

test('the error for many bad lines gives the first few line numbers and the count', async (t) => {
  const file = path.join(tempDir(t), 'many.jsonl');
  const lines = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? `{"text":"t${i}","label":"${i % 8 ? 'a' : 'b'}"}` : '{oops'));
  writeFileSync(file, lines.join('\n'));
  await assert.rejects(loadLabelledData(file), /30 lines not valid JSON at line 2, 3, 4, 6, 7, …/);
  const data = await loadLabelledData(file, { skipBad: true });
  assert.equal(data.examples.length, 10);
  assert.deepEqual(data.skipped, [{ reason: 'not valid JSON', count: 30, firstLines: [2, 3, 4, 6, 7], file }]);
});

test('one class only, no examples, unreadable paths and unknown kinds are errors that say what to do', async (t) => {
  const dir = tempDir(t);
  const oneClass = path.join(dir, 'one.jsonl');
  writeFileSync(oneClass, '{"text":"a","label":"spam"}\n{"text":"b","label":"spam"}\n');
  await assert.rejects(loadLabelledData(oneClass), new RegExp(`^Error: Only one label \\(spam\\) found in ${oneClass}: a classifier needs at least two`));
  const empty = path.join(dir, 'empty.jsonl');
  writeFileSync(empty, '{"text":"","label":"a"}\n\n');
  await assert.rejects(loadLabelledData(empty), /No examples found in .*empty\.jsonl \(skipped: 1 empty text\)/);
  await assert.rejects(loadLabelledData(path.join(dir, 'missing.csv')), /Cannot read .*missing\.csv: ENOENT.*Check that the path exists/);
  const other = path.join(dir, 'data.xml');
  writeFileSync(other, '<x/>');
  await assert.rejects(loadLabelledData(other), /Cannot tell how to read .*data\.xml/);
  const prose = path.join(dir, 'prose.txt');
  writeFileSync(prose, '\nJust some prose.\n');
  await assert.rejects(loadLabelledData(prose), /prose\.txt does not look like fastText data: line 2 does not start with __label__/);
  const unclosed = path.join(dir, 'unclosed.csv');
  writeFileSync(unclosed, 'text,label\nok,a\n"never closed,b\nmore,a\n');
  await assert.rejects(loadLabelledData(unclosed), /unclosed\.csv: the quoted field starting on line 3 is never closed/);
  const ragged = path.join(dir, 'ragged.csv');
  writeFileSync(ragged, 'text,label\nok,a\nfine, really,b\nyes,b\n');
  await assert.rejects(loadLabelledData(ragged), /1 line with 3 columns instead of 2 at line 3 \(line 3: quote fields that contain commas\)/);
  if (process.getuid?.() !== 0) {
    const locked = path.join(dir, 'locked.jsonl');
    writeFileSync(locked, '{"text":"a","label":"b"}\n');
    chmodSync(locked, 0o000);
    await assert.rejects(loadLabelledData(locked), /Cannot read .*locked\.jsonl: EACCES/);
  }
});

test('fastText lines: written by toFastTextLines, read back by the loader', async (t) => {
  const examples: LabelledExample[] = [
    { text: 'first line\nsecond line', label: 'very good' },
    { text: 'talks about __label__ tokens', label: 'bad' },
    { text: 'plain', label: 'bad' },
  ];
  const lines = toFastTextLines(examples);
  assert.deepEqual(lines, ['__label__very_good first line second line', '__label__bad talks about _label_ tokens', '__label__bad plain']);
  const file = path.join(tempDir(t), 'train.txt');
  writeFileSync(file, lines.join('\n') + '\n__label__a __label__b two labels\nno label here\n');
  await assert.rejects(loadLabelledData(file), /1 line with more than one label at line 4.*1 line without a __label__ prefix at line 5/);
  const data = await loadLabelledData(file, { skipBad: true });
  assert.equal(data.format, 'fasttext');
  assert.deepEqual(data.examples.map((e) => [e.label, e.text]), [['very_good', 'first line second line'], ['bad', 'talks about _label_ tokens'], ['bad', 'plain']]);
  // A folder holding train.txt is read as given splits in fastText format.
  const asFolder = await loadLabelledData(path.dirname(file), { skipBad: true });
  assert.equal(asFolder.splits?.train.length, 3);
  assert.equal(asFolder.splits?.test, undefined);
});

test('numeric labels sort as numbers', async (t) => {
  const file = path.join(tempDir(t), 'stars.tsv');
  writeFileSync(file, 'text\tlabel\nmeh\t10\nok\t2\nbad\t1\n');
  const data = await loadLabelledData(file);
  assert.deepEqual(data.labels, ['1', '2', '10']);
});

test('previewColumns says which columns the loader would take, and lists them when it cannot tell', async (t) => {
  const sms = await previewColumns(path.join(DATA, 'sms-spam/SMSSpamCollection.tsv'));
  assert.deepEqual(sms, { columns: ['column 1', 'column 2'], hasHeader: false, text: 1, label: 0 });
  const dir = tempDir(t);
  const named = path.join(dir, 'reviews.csv');
  writeFileSync(named, 'id,review,stars,sentiment\n1,"Great, really",5,pos\n');
  assert.deepEqual(await previewColumns(named), { columns: ['id', 'review', 'stars', 'sentiment'], hasHeader: true, text: 1, label: 3 });
  const unnamed = path.join(dir, 'unnamed.csv');
  writeFileSync(unnamed, '1,Great film,pos\n2,Dull,neg\n');
  assert.deepEqual(await previewColumns(unnamed), { columns: ['column 1', 'column 2', 'column 3'], hasHeader: false });
  // What the user then picks loads: by index without a header.
  const loaded = await loadLabelledData(unnamed, { textColumn: 1, labelColumn: 2 });
  assert.deepEqual(loaded.examples.map((e) => [e.text, e.label]), [['Great film', 'pos'], ['Dull', 'neg']]);
  const empty = path.join(dir, 'empty.csv');
  writeFileSync(empty, '\n');
  await assert.rejects(previewColumns(empty), /empty\.csv is empty/);
});

test('previewFields lists the fields of a JSONL file’s first object', async (t) => {
  assert.deepEqual(await previewFields(path.join(DATA, 'mr/mr.jsonl')), ['text', 'label']);
  const dir = tempDir(t);
  const file = path.join(dir, 'tickets.jsonl');
  writeFileSync(file, '\n{"body": "printer on fire", "team": "hardware", "id": 7}\n');
  assert.deepEqual(await previewFields(file), ['body', 'team', 'id']);
});
