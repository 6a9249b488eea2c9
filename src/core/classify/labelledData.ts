// Labelled text for classification, read from the layouts such data usually comes in: a folder per
// label, CSV/TSV, JSON Lines, fastText's `__label__` lines, or a folder of train/dev/test files in one
// of those. Line formats are streamed line by line, so a large file is never one string in memory.
// Problems the user can fix throw an Error naming the file, the line, what is wrong and what to do;
// examples that merely carry nothing to learn from (empty text, no label) are skipped and counted.
import { createReadStream, promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';

export type LabelledDataFormat = 'folders' | 'csv' | 'tsv' | 'jsonl' | 'fasttext';

export interface LabelledExample {
  text: string;
  label: string;
  /** `file:line` for line formats, the file path for a folder per label: where to look when it is misclassified. */
  source?: string;
}

export interface SkippedExamples {
  reason: string;
  count: number;
  /** 1-based line numbers of the first few, in `file`; empty when whole files were skipped (see `firstFiles`). */
  firstLines: number[];
  /** The file the line numbers refer to. */
  file?: string;
  /** For a folder per label: the first few files skipped. */
  firstFiles?: string[];
}

export interface LabelledSplits {
  train: LabelledExample[];
  validation?: LabelledExample[];
  test?: LabelledExample[];
}

export interface LabelledDataset {
  /** Every example; with `splits`, train then validation then test. */
  examples: LabelledExample[];
  /** Every label seen, sorted (numerically when all labels are numbers), so label indices are stable. */
  labels: string[];
  format: LabelledDataFormat;
  path: string;
  skipped: SkippedExamples[];
  /** Present when `path` is a folder of train.* / dev.* (or valid*.*) / test.* files. */
  splits?: LabelledSplits;
}

export interface LoadLabelledDataOptions {
  /** CSV/TSV: the text column, as a header name or a 0-based index. Guessed when not given. */
  textColumn?: string | number;
  /** CSV/TSV: the label column, as a header name or a 0-based index. Guessed when not given. */
  labelColumn?: string | number;
  /** CSV/TSV: whether the first row is a header. Detected when not given. */
  header?: boolean;
  /** JSONL: the field holding the text. Default "text". */
  textField?: string;
  /** JSONL: the field holding the label (a string or a number). Default "label". */
  labelField?: string;
  /** Skip and count malformed lines (bad JSON, missing fields, wrong column count) instead of throwing. */
  skipBad?: boolean;
}

const FIRST_FEW = 5;
/** Same rule as corpus.ts (and git, grep): a NUL byte near the start means the file is not text. */
const BINARY_SNIFF_BYTES = 8192;
const TEXT_COLUMN_NAMES = ['text', 'sentence', 'review', 'message', 'content', 'body', 'document', 'comment', 'tweet'];
const LABEL_COLUMN_NAMES = ['label', 'class', 'category', 'target', 'sentiment', 'y'];
const LINE_FORMAT_BY_EXTENSION: Record<string, Exclude<LabelledDataFormat, 'folders'> | undefined> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ft': 'fasttext',
  '.txt': 'fasttext',
};
const SPLIT_FILE = /^(train|dev|valid\w*|test)\.(jsonl|csv|tsv|txt|ft)$/i;

/**
 * Loads labelled examples from `dataPath`, choosing the reader by what the path is: a folder with a
 * train.* file (given splits), a folder with one subfolder per label, or a .csv, .tsv, .jsonl or
 * fastText (.ft, or .txt whose lines start with `__label__`) file.
 */
export async function loadLabelledData(dataPath: string, options: LoadLabelledDataOptions = {}): Promise<LabelledDataset> {
  const stats = await fs.stat(dataPath).catch((error: Error) => {
    throw new Error(`Cannot read ${dataPath}: ${error.message}. Check that the path exists and that you may read it.`);
  });
  let dataset: LabelledDataset;
  if (stats.isDirectory()) {
    const entries = await readDirectory(dataPath);
    const splitFiles = entries.filter((e) => e.isFile() && SPLIT_FILE.test(e.name)).map((e) => e.name);
    if (splitFiles.some((name) => /^train\./i.test(name))) {
      dataset = await loadGivenSplits(dataPath, splitFiles, options);
    } else {
      dataset = await loadLabelFolders(dataPath, entries);
    }
  } else {
    const { examples, skipped, format } = await loadLineFile(dataPath, options);
    dataset = { examples, labels: [], format, path: dataPath, skipped };
  }
  dataset.labels = sortedLabels(dataset.examples);
  checkUsable(dataset);
  return dataset;
}

function checkUsable(dataset: LabelledDataset): void {
  if (dataset.examples.length === 0) {
    const skipped = dataset.skipped.map((s) => `${s.count} ${s.reason}`).join(', ');
    throw new Error(
      `No examples found in ${dataset.path}${skipped ? ` (skipped: ${skipped})` : ''}. ` +
        'Give a folder with one subfolder of text files per label, or a .csv, .tsv, .jsonl or fastText file of labelled texts.',
    );
  }
  if (dataset.labels.length === 1) {
    throw new Error(
      `Only one label (${dataset.labels[0]}) found in ${dataset.path}: a classifier needs at least two. ` +
        'Add examples of another class, or check that the label column/field is the right one.',
    );
  }
}

/** Code-unit order (not locale order, which varies by machine); numeric order when every label is a number. */
export function sortedLabels(examples: readonly LabelledExample[]): string[] {
  const labels = [...new Set(examples.map((e) => e.label))];
  const numeric = labels.every((label) => label.trim() !== '' && Number.isFinite(Number(label)));
  return numeric ? labels.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)) : labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function readDirectory(dir: string): Promise<Dirent[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    // Hidden entries (.DS_Store, .git) are never data.
    return entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    throw new Error(`Cannot read the folder ${dir}: ${(error as Error).message}. Check that you may read it.`);
  }
}

// ---- counting skipped and malformed lines ----------------------------------------------------------

/** Per-reason counts with the first few line numbers (or files) of each reason. */
class Tally {
  readonly byReason = new Map<string, SkippedExamples & { firstDetail?: string }>();
  constructor(private readonly file?: string) {}

  add(reason: string, line?: number, detail?: string, skippedFile?: string): void {
    let entry = this.byReason.get(reason);
    if (!entry) {
      entry = { reason, count: 0, firstLines: [], ...(this.file ? { file: this.file } : {}), firstDetail: detail };
      this.byReason.set(reason, entry);
    }
    entry.count++;
    if (line !== undefined && entry.firstLines.length < FIRST_FEW) entry.firstLines.push(line);
    if (skippedFile !== undefined) {
      entry.firstFiles ??= [];
      if (entry.firstFiles.length < FIRST_FEW) entry.firstFiles.push(skippedFile);
    }
  }

  get total(): number {
    let total = 0;
    for (const entry of this.byReason.values()) total += entry.count;
    return total;
  }

  entries(): SkippedExamples[] {
    return [...this.byReason.values()].map(({ firstDetail: _unused, ...entry }) => entry);
  }
}

/** Lines that are not in the expected format: an error listing them, or (skipBad) skipped entries. */
function settleBadLines(file: string, bad: Tally, skipped: Tally, skipBad: boolean | undefined): void {
  if (bad.total === 0) return;
  if (skipBad) {
    for (const entry of bad.byReason.values()) {
      for (let i = 0; i < entry.count; i++) skipped.add(entry.reason, entry.firstLines[i]);
    }
    return;
  }
  const problems = [...bad.byReason.values()].map((entry) => {
    const lines = entry.firstLines.join(', ') + (entry.count > entry.firstLines.length ? ', …' : '');
    const detail = entry.firstDetail ? ` (line ${entry.firstLines[0]}: ${entry.firstDetail})` : '';
    return `${entry.count} ${entry.count === 1 ? 'line' : 'lines'} ${entry.reason} at line ${lines}${detail}`;
  });
  throw new Error(
    `${file}: ${bad.total} malformed ${bad.total === 1 ? 'line' : 'lines'}: ${problems.join('; ')}. ` +
      'Fix or remove these lines, or load with skipBad to skip and count them.',
  );
}

/** Skips (and counts) examples without a label or without text; keeps the rest. */
function addExample(out: LabelledExample[], skipped: Tally, text: string, label: string, source: string, line?: number): void {
  if (label === '') skipped.add('missing label', line, undefined, line === undefined ? source : undefined);
  else if (text.trim() === '') skipped.add('empty text', line, undefined, line === undefined ? source : undefined);
  else out.push({ text, label, source });
}

// ---- line formats ---------------------------------------------------------------------------------

interface FileResult {
  examples: LabelledExample[];
  skipped: SkippedExamples[];
  format: LabelledDataFormat;
}

async function loadLineFile(file: string, options: LoadLabelledDataOptions): Promise<FileResult> {
  const extension = path.extname(file).toLowerCase();
  const format = LINE_FORMAT_BY_EXTENSION[extension];
  if (!format) {
    throw new Error(
      `Cannot tell how to read ${file}: expected a folder with one subfolder per label, or a .csv, .tsv, .jsonl, ` +
        'or fastText (.ft, or .txt with lines starting __label__) file.',
    );
  }
  if (extension === '.txt') await checkFastTextPrefix(file);
  const examples: LabelledExample[] = [];
  const skipped = new Tally(file);
  const bad = new Tally(file);
  if (format === 'jsonl') await readJsonLines(file, options, examples, skipped, bad);
  else if (format === 'fasttext') await readFastText(file, examples, skipped, bad);
  else await readTable(file, format, options, examples, skipped, bad);
  settleBadLines(file, bad, skipped, options.skipBad);
  return { examples, skipped: skipped.entries(), format };
}

interface NumberedLine {
  text: string;
  number: number;
}

async function* readLines(file: string): AsyncGenerator<NumberedLine> {
  // Opening first turns a missing or unreadable file into a clear error before any stream exists.
  const handle = await fs.open(file, 'r').catch((error: Error) => {
    throw new Error(`Cannot read ${file}: ${error.message}. Check that the file exists and that you may read it.`);
  });
  const stream = handle.createReadStream({ encoding: 'utf8' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      yield { text: number === 1 && line.startsWith('\uFEFF') ? line.slice(1) : line, number };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** A .txt file is only read as fastText when its first non-blank line says so. */
async function checkFastTextPrefix(file: string): Promise<void> {
  for await (const line of readLines(file)) {
    if (line.text.trim() === '') continue;
    if (line.text.trimStart().startsWith('__label__')) return;
    throw new Error(
      `${file} does not look like fastText data: line ${line.number} does not start with __label__. ` +
        'Write lines as "__label__<label> <text>", or put each text in its own file under a folder named after its label.',
    );
  }
}

async function readJsonLines(
  file: string,
  options: LoadLabelledDataOptions,
  out: LabelledExample[],
  skipped: Tally,
  bad: Tally,
): Promise<void> {
  const textField = options.textField ?? 'text';
  const labelField = options.labelField ?? 'label';
  for await (const { text: line, number } of readLines(file)) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      bad.add('not valid JSON', number, (error as Error).message);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      bad.add('not a JSON object', number, `found ${Array.isArray(value) ? 'an array' : typeof value}`);
      continue;
    }
    const record = value as Record<string, unknown>;
    const fields = () => `its fields are ${Object.keys(record).join(', ') || '(none)'}`;
    if (!(textField in record)) {
      bad.add(`without a "${textField}" field`, number, `${fields()}; set textField to the one holding the text`);
      continue;
    }
    if (!(labelField in record)) {
      bad.add(`without a "${labelField}" field`, number, `${fields()}; set labelField to the one holding the label`);
      continue;
    }
    const text = record[textField] ?? '';
    const label = record[labelField] ?? '';
    if (typeof text !== 'string') {
      bad.add(`whose "${textField}" is not a string`, number, `found ${JSON.stringify(text)}`);
      continue;
    }
    if (typeof label !== 'string' && typeof label !== 'number') {
      bad.add(`whose "${labelField}" is not a string or number`, number, `found ${JSON.stringify(label)}`);
      continue;
    }
    addExample(out, skipped, text, String(label).trim(), `${file}:${number}`, number);
  }
}

async function readFastText(file: string, out: LabelledExample[], skipped: Tally, bad: Tally): Promise<void> {
  for await (const { text: line, number } of readLines(file)) {
    if (line.trim() === '') continue;
    const tokens = line.trim().split(/\s+/);
    let labelCount = 0;
    while (labelCount < tokens.length && tokens[labelCount].startsWith('__label__')) labelCount++;
    if (labelCount === 0) {
      bad.add('without a __label__ prefix', number, 'write it as "__label__<label> <text>"');
      continue;
    }
    if (labelCount > 1) {
      // fastText allows several labels per line; a single-label classifier cannot learn from them.
      bad.add('with more than one label', number, `labels ${tokens.slice(0, labelCount).join(' ')}`);
      continue;
    }
    const label = tokens[0].slice('__label__'.length);
    addExample(out, skipped, tokens.slice(1).join(' '), label, `${file}:${number}`, number);
  }
}

interface TableRecord {
  fields: string[];
  line: number;
}

/**
 * CSV records (RFC 4180: quoted fields may hold commas, newlines and doubled quotes) or TSV records
 * (split on tabs, no quoting: TSV files such as the SMS Spam Collection have bare quotes in texts).
 */
async function* tableRecords(file: string, format: 'csv' | 'tsv'): AsyncGenerator<TableRecord> {
  if (format === 'tsv') {
    for await (const { text, number } of readLines(file)) yield { fields: text.split('\t'), line: number };
    return;
  }
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldWasQuoted = false;
  let startLine = 0;
  for await (const { text, number } of readLines(file)) {
    if (inQuotes) {
      field += '\n';
    } else {
      startLine = number;
      fields = [];
      field = '';
      fieldWasQuoted = false;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (inQuotes) {
        if (ch !== '"') field += ch;
        else if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else if (ch === '"' && field === '' && !fieldWasQuoted) {
        inQuotes = true;
        fieldWasQuoted = true;
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        fieldWasQuoted = false;
      } else {
        field += ch;
      }
    }
    if (inQuotes) continue;
    fields.push(field);
    yield { fields, line: startLine };
  }
  if (inQuotes) {
    throw new Error(
      `${file}: the quoted field starting on line ${startLine} is never closed. ` +
        'Check that line for a stray double quote; a quote inside a quoted field is written as "".',
    );
  }
}

interface TableColumns {
  text: number;
  label: number;
}

async function readTable(
  file: string,
  format: 'csv' | 'tsv',
  options: LoadLabelledDataOptions,
  out: LabelledExample[],
  skipped: Tally,
  bad: Tally,
): Promise<void> {
  let columns: TableColumns | undefined;
  let width = 0;
  for await (const { fields, line } of tableRecords(file, format)) {
    if (fields.length === 1 && fields[0].trim() === '') continue;
    if (!columns) {
      const hasHeader = options.header ?? looksLikeHeader(fields, options);
      width = fields.length;
      columns = resolveColumns(file, hasHeader ? fields : undefined, width, options);
      if (hasHeader) continue;
    }
    if (fields.length !== width) {
      const hint = format === 'csv' ? 'quote fields that contain commas' : 'a text may not contain a tab';
      bad.add(`with ${fields.length} columns instead of ${width}`, line, hint);
      continue;
    }
    addExample(out, skipped, fields[columns.text], fields[columns.label].trim(), `${file}:${line}`, line);
  }
}

function isKnownColumnName(name: string): boolean {
  const key = name.trim().toLowerCase();
  return TEXT_COLUMN_NAMES.includes(key) || LABEL_COLUMN_NAMES.includes(key);
}

function looksLikeHeader(fields: string[], options: LoadLabelledDataOptions): boolean {
  if (typeof options.textColumn === 'string' || typeof options.labelColumn === 'string') return true;
  return fields.some(isKnownColumnName);
}

function resolveColumns(file: string, header: string[] | undefined, width: number, options: LoadLabelledDataOptions): TableColumns {
  const describe = header ? `the columns are: ${header.join(', ')}` : `it has ${width} columns and no header row`;
  const find = (kind: 'text' | 'label', given: string | number | undefined): number | undefined => {
    const option = `${kind}Column`;
    if (typeof given === 'number') {
      if (!Number.isInteger(given) || given < 0 || given >= width) {
        throw new Error(`${file}: ${option} ${given} is not a column: ${describe}. Give a 0-based index below ${width}.`);
      }
      return given;
    }
    if (typeof given === 'string') {
      if (!header) {
        throw new Error(`${file} has no header row, so ${option} "${given}" cannot be found by name: give a 0-based index, or set header: true.`);
      }
      const exact = header.indexOf(given);
      const index = exact >= 0 ? exact : header.findIndex((name) => name.trim().toLowerCase() === given.trim().toLowerCase());
      if (index < 0) throw new Error(`${file} has no column named "${given}": ${describe}. Set ${option} to one of them.`);
      return index;
    }
    if (!header) return undefined;
    const names = kind === 'text' ? TEXT_COLUMN_NAMES : LABEL_COLUMN_NAMES;
    const index = header.findIndex((name) => names.includes(name.trim().toLowerCase()));
    return index >= 0 ? index : undefined;
  };
  let text = find('text', options.textColumn);
  let label = find('label', options.labelColumn);
  if (width === 2) {
    // Two columns: whichever is unknown is the other one; with neither known, label then text (the
    // SMS Spam Collection's layout).
    if (text === undefined && label === undefined) [label, text] = [0, 1];
    else if (text === undefined) text = 1 - label!;
    else if (label === undefined) label = 1 - text;
  }
  if (text === undefined || label === undefined) {
    const missing = text === undefined ? 'text' : 'label';
    throw new Error(`${file}: cannot tell which column holds the ${missing}: ${describe}. Set ${missing}Column (a header name or a 0-based index).`);
  }
  if (text === label) throw new Error(`${file}: textColumn and labelColumn are the same column (${text}); they must differ.`);
  return { text, label };
}

// ---- folders --------------------------------------------------------------------------------------

/** One subfolder per label; every text file under it (at any depth) is one example. */
async function loadLabelFolders(dir: string, entries: Dirent[]): Promise<LabelledDataset> {
  const labelDirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  if (labelDirs.length === 0) {
    throw new Error(
      `${dir} has no label subfolders and no train.* file. Put each class's text files in a subfolder named after the class ` +
        '(for example pos/ and neg/), or give a .csv, .tsv, .jsonl or fastText file.',
    );
  }
  const examples: LabelledExample[] = [];
  const skipped = new Tally();
  for (const label of labelDirs) {
    for (const file of await listFiles(path.join(dir, label))) {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch {
        skipped.add('unreadable file', undefined, undefined, file);
        continue;
      }
      if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
        skipped.add('binary file', undefined, undefined, file);
        continue;
      }
      const text = bytes.toString('utf8');
      addExample(examples, skipped, text.startsWith('\uFEFF') ? text.slice(1) : text, label.trim(), file);
    }
  }
  return { examples, labels: [], format: 'folders', path: dir, skipped: skipped.entries() };
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readDirectory(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

// ---- given splits ---------------------------------------------------------------------------------

async function loadGivenSplits(dir: string, names: string[], options: LoadLabelledDataOptions): Promise<LabelledDataset> {
  const pick = (role: string, pattern: RegExp): string | undefined => {
    const matches = names.filter((name) => pattern.test(name));
    if (matches.length > 1) {
      throw new Error(`${dir} has several ${role} files (${matches.join(', ')}): keep one, or point at the one to use.`);
    }
    return matches[0] === undefined ? undefined : path.join(dir, matches[0]);
  };
  const trainFile = pick('training', /^train\./i)!;
  const validationFile = pick('validation', /^(dev|valid\w*)\./i);
  const testFile = pick('test', /^test\./i);
  const train = await loadLineFile(trainFile, options);
  const validation = validationFile ? await loadLineFile(validationFile, options) : undefined;
  const test = testFile ? await loadLineFile(testFile, options) : undefined;
  const splits: LabelledSplits = { train: train.examples };
  if (validation) splits.validation = validation.examples;
  if (test) splits.test = test.examples;
  return {
    examples: [...train.examples, ...(validation?.examples ?? []), ...(test?.examples ?? [])],
    labels: [],
    format: train.format,
    path: dir,
    skipped: [...train.skipped, ...(validation?.skipped ?? []), ...(test?.skipped ?? [])],
    splits,
  };
}

// ---- column preview (for asking the user) ---------------------------------------------------------

export interface ColumnPreview {
  /** The column names (a header row), or "column 1", "column 2"… when the first row is data. */
  columns: string[];
  hasHeader: boolean;
  /** The columns the loader would take by itself; undefined where it cannot tell. */
  text?: number;
  label?: number;
}

/**
 * What a CSV/TSV file's first row says about its columns, so an editor can offer them to pick from
 * (and skip asking when the loader can tell by itself).
 */
export async function previewColumns(file: string): Promise<ColumnPreview> {
  const format = path.extname(file).toLowerCase() === '.tsv' ? 'tsv' : 'csv';
  for await (const { fields } of tableRecords(file, format)) {
    if (fields.length === 1 && fields[0].trim() === '') continue;
    const hasHeader = looksLikeHeader(fields, {});
    const columns = hasHeader ? fields.map((f) => f.trim()) : fields.map((_, i) => `column ${i + 1}`);
    try {
      const { text, label } = resolveColumns(file, hasHeader ? fields : undefined, fields.length, {});
      return { columns, hasHeader, text, label };
    } catch {
      return { columns, hasHeader };
    }
  }
  throw new Error(`${file} is empty: a CSV/TSV file needs a text column and a label column.`);
}

/** The field names of a JSONL file's first object, for picking the text and label fields. */
export async function previewFields(file: string): Promise<string[]> {
  const lines = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const value: unknown = JSON.parse(line);
      return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    }
  } finally {
    lines.close();
  }
  return [];
}
