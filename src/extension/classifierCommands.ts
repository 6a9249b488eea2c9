// The classifier commands: Train Classifier…, Transfer-Gain Curve…, Classify File, Classify
// Selection and Classify Folder into CSV…. Each asks for what it was not given (data, model or
// encoder, architecture, classifier) and hands the work to the ClassifierController.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLASSIFIER_FILE } from '../core/classify/classifierFormat';
import { ENCODER_CLASSIFIER_FORMAT } from '../core/neural/encoderClassifierFolder';
import { listCorpusFiles } from '../core/corpus';
import { listModels } from '../core/modelFolder';
import { previewColumns, previewFields } from '../core/classify/labelledData';
import type { Architecture, DataReadOptions, EmbeddingMode, EncoderTraining, Prediction } from '../shared/classifierProtocol';
import type { ClassifierController } from './classifierController';
import type { Config } from './config';
import { describeModel } from './modelEvaluator';
import { ENCODERS_FOLDER } from './runController';

// What each one is worth, as measured in BENCHMARKS.md (text classification).
const ARCHITECTURES: (vscode.QuickPickItem & { arch: Architecture })[] = [
  { arch: 'bag', label: 'Averaged embeddings', detail: 'fastText-style: the mean of the word vectors and a linear layer. Trains in seconds; within 1–3 points of the best here.' },
  { arch: 'bilstm', label: 'BiLSTM with attention', detail: 'Reads the text in both directions and weighs the words that matter. The most accurate here, and the slowest: minutes per few thousand sentences.' },
  { arch: 'cnn', label: 'CNN (Kim 2014)', detail: 'Filter widths 3, 4 and 5, max-pooling, dropout. Minutes per few thousand sentences on a CPU.' },
];

const SCRATCH = 'From scratch (random embeddings)';

// Fine-tuning every weight first: the recommended default, as for `transfer-lab classify train --encoder`.
const ENCODER_TRAININGS: (vscode.QuickPickItem & { training: EncoderTraining })[] = [
  { training: 'all', label: 'Fine-tune all weights', description: 'recommended', detail: 'The whole encoder keeps learning with the classifier. Usually the most accurate; the slowest.' },
  { training: 'top', label: 'Fine-tune the top layer only', detail: 'The encoder’s top layer and the classifier learn; the layers below stay as pretrained.' },
  { training: 'frozen', label: 'Keep the encoder frozen', detail: 'Only the softmax layer learns, on the encoder’s text vectors. The fastest; often enough with very few examples.' },
  { training: 'scratch', label: 'The same network from scratch', detail: 'The baseline: the encoder’s architecture with random weights, trained on your labelled data only.' },
];

/** What the classifier reads the text with: a model's word vectors, random embeddings, or a pretrained encoder. */
type Start = { vectorsDir: string | null } | { encoderDir: string };

/** Where labelled data comes from: the explorer's selection, else a dialog. */
async function pickData(target: vscode.Uri | undefined): Promise<string | undefined> {
  if (target) {
    if (target.scheme !== 'file') {
      void vscode.window.showErrorMessage('Transfer Lab: labelled data must be on this machine’s disk.');
      return undefined;
    }
    return target.fsPath;
  }
  const uris = await vscode.window.showOpenDialog({
    title: 'Labelled data: a folder with a subfolder per label, a CSV/TSV or a JSONL file',
    openLabel: 'Use This Data',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'Labelled data': ['csv', 'tsv', 'jsonl', 'txt', 'ft'], 'All files': ['*'] },
  });
  return uris?.[0]?.scheme === 'file' ? uris[0].fsPath : undefined;
}

/** A model whose vectors start the embeddings; `allowScratch` adds "from scratch" (returns null). */
async function pickVectors(config: Config, allowScratch: boolean): Promise<string | null | undefined> {
  const picked = await pickStart(config, allowScratch, []);
  return picked && 'vectorsDir' in picked ? picked.vectorsDir : undefined;
}

/**
 * pickVectors with the workspace's encoders offered too (after the models and "from scratch"): a
 * workspace with encoders but no model may still train a classifier on word vectors from scratch.
 */
async function pickStart(config: Config, allowScratch: boolean, encoders: { name: string; encoderDir: string; arch: string | undefined }[]): Promise<Start | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const models = folder ? await listModels(path.resolve(folder.uri.fsPath, config.modelsFolder)) : [];
  if (models.length === 0 && !allowScratch) {
    const choice = await vscode.window.showErrorMessage(
      'Transfer Lab: the curve compares pretrained vectors with none; there is no model yet. Train one on your text or import pretrained vectors first.',
      'Import Pretrained Vectors…',
      'Pretrain Word Vectors on Workspace',
    );
    if (choice === 'Import Pretrained Vectors…') void vscode.commands.executeCommand('transferLab.importVectors');
    if (choice === 'Pretrain Word Vectors on Workspace') void vscode.commands.executeCommand('transferLab.pretrainWorkspace');
    return undefined;
  }
  const items: (vscode.QuickPickItem & { start?: Start })[] = models.map(({ modelDir, manifest }) => ({
    label: manifest.name,
    description: describeModel(manifest),
    start: { vectorsDir: modelDir },
  }));
  if (allowScratch) items.push({ label: SCRATCH, description: 'the baseline: no pretraining', start: { vectorsDir: null } });
  if (encoders.length > 0) {
    items.push({ label: 'Pretrained encoders', kind: vscode.QuickPickItemKind.Separator });
    for (const { name, encoderDir, arch } of encoders) items.push({ label: name, description: `${arch ?? 'neural'} encoder · reads the text instead of word vectors`, start: { encoderDir } });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: encoders.length > 0 ? 'Read the text with which word vectors or encoder?' : 'Start the embeddings from which model’s word vectors?',
    placeHolder: encoders.length > 0 ? `Models in the models folder, newest first; then the encoders of ${ENCODERS_FOLDER}` : 'Models in the models folder, newest first',
    matchOnDescription: true,
  });
  return picked?.start;
}

async function pickEncoderTraining(): Promise<EncoderTraining | undefined> {
  return (await vscode.window.showQuickPick(ENCODER_TRAININGS, { title: 'How should the encoder train with the classifier?' }))?.training;
}

async function pickArchitecture(config: Config): Promise<Architecture | undefined> {
  const preferred = config.classifier.arch;
  const items = [...ARCHITECTURES].sort((a, b) => Number(b.arch === preferred) - Number(a.arch === preferred));
  return (await vscode.window.showQuickPick(items, { title: 'Which classifier?', placeHolder: `transferLab.classifier.architecture: ${preferred}` }))?.arch;
}

async function pickEmbeddings(): Promise<EmbeddingMode | undefined> {
  const items: (vscode.QuickPickItem & { mode: EmbeddingMode })[] = [
    { mode: 'tuned', label: 'Fine-tune the vectors', detail: 'The word vectors keep learning with the classifier (Kim’s non-static). Usually best with a few thousand examples.' },
    { mode: 'frozen', label: 'Keep the vectors frozen', detail: 'Only the classifier learns (Kim’s static); the vectors stay exactly as pretrained. Often best with very few examples.' },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'May the word vectors change while the classifier trains?' }))?.mode;
}

function trusted(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage('Transfer Lab trains classifiers only in a trusted workspace: training reads your data and writes into the folder. Trust the workspace first.');
  return false;
}

/**
 * For a CSV/TSV or JSONL file, which column or field holds the text and which the label: asked only
 * when the loader could not tell by itself (no header names it knows, more than two columns).
 */
async function pickColumns(dataPath: string): Promise<DataReadOptions | undefined> {
  const extension = path.extname(dataPath).toLowerCase();
  try {
    if (extension === '.csv' || extension === '.tsv') {
      const preview = await previewColumns(dataPath);
      if (preview.text !== undefined && preview.label !== undefined) return {};
      const items = preview.columns.map((name, index) => ({ label: name, index }));
      const text = await vscode.window.showQuickPick(items, { title: `${path.basename(dataPath)}: which column holds the text?` });
      if (!text) return undefined;
      const label = await vscode.window.showQuickPick(items.filter((c) => c.index !== text.index), { title: `${path.basename(dataPath)}: which column holds the label?` });
      if (!label) return undefined;
      return preview.hasHeader ? { textColumn: text.label, labelColumn: label.label } : { textColumn: text.index, labelColumn: label.index };
    }
    if (extension === '.jsonl' || extension === '.ndjson') {
      const fields = await previewFields(dataPath);
      if (fields.includes('text') && fields.includes('label')) return {};
      const text = await vscode.window.showQuickPick(fields, { title: `${path.basename(dataPath)}: which field holds the text?` });
      if (!text) return undefined;
      const label = await vscode.window.showQuickPick(fields.filter((f) => f !== text), { title: `${path.basename(dataPath)}: which field holds the label?` });
      return label ? { textField: text, labelField: label } : undefined;
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`Transfer Lab cannot read ${dataPath}: ${(error as Error).message}`);
    return undefined;
  }
  return {};
}

export async function trainClassifierCommand(controller: ClassifierController, config: Config, target?: vscode.Uri) {
  if (!trusted()) return undefined;
  const dataPath = await pickData(target);
  if (!dataPath) return undefined;
  const data = await pickColumns(dataPath);
  if (!data) return undefined;
  const start = await pickStart(config, true, await controller.encoders());
  if (!start) return undefined;
  const defaults = config.classifier;
  if ('encoderDir' in start) {
    const encoderTraining = await pickEncoderTraining();
    if (!encoderTraining) return undefined;
    // The encoder's own defaults for the rest (fineTune.ts): the word-vector classifier's maxLen and
    // epochs do not carry over (an encoder reads at most its maxLen tokens; an epoch costs far more).
    return controller.train({ dataPath, data, encoderDir: start.encoderDir, encoderTraining, settings: { patience: defaults.patience, seed: defaults.seed } });
  }
  const { vectorsDir } = start;
  const arch = await pickArchitecture(config);
  if (!arch) return undefined;
  const embeddings = vectorsDir === null ? 'random' : await pickEmbeddings();
  if (!embeddings) return undefined;
  return controller.train({
    dataPath,
    data,
    ...(vectorsDir !== null && { vectorsDir }),
    settings: { arch, embeddings, epochs: defaults.epochs, batchSize: defaults.batchSize, maxLen: defaults.maxLen, patience: defaults.patience, seed: defaults.seed },
  });
}

export async function transferGainCurveCommand(controller: ClassifierController, config: Config, target?: vscode.Uri) {
  if (!trusted()) return undefined;
  const dataPath = await pickData(target);
  if (!dataPath) return undefined;
  const data = await pickColumns(dataPath);
  if (!data) return undefined;
  const vectorsDir = await pickVectors(config, false);
  if (!vectorsDir) return undefined;
  const arch = await pickArchitecture(config);
  if (!arch) return undefined;
  const defaults = config.classifier;
  return controller.curve({ dataPath, data, vectorsDir, settings: { arch, epochs: defaults.epochs, batchSize: defaults.batchSize, maxLen: defaults.maxLen, patience: defaults.patience, seed: defaults.seed } });
}

interface ClassifierEntry {
  dir: string;
  name: string;
  description: string;
  mtime: number;
}

/** The classifiers folder's classifiers, newest first, described from their classifier.json. */
export async function listClassifiers(config: Config): Promise<ClassifierEntry[]> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return [];
  const root = path.resolve(folder.uri.fsPath, config.classifiersFolder);
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const entries: ClassifierEntry[] = [];
  for (const name of names) {
    const file = path.join(root, name, CLASSIFIER_FILE);
    try {
      const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
      const m = JSON.parse(text) as { format?: string; arch?: string; training?: string; labels?: string[]; embeddings?: string; vectorsSource?: string; metrics?: { accuracy?: number } | null };
      const accuracy = typeof m.metrics?.accuracy === 'number' ? ` · test accuracy ${(100 * m.metrics.accuracy).toFixed(1)}%` : '';
      const labels = Array.isArray(m.labels) ? `${m.labels.length} labels (${m.labels.slice(0, 4).join(', ')}${m.labels.length > 4 ? ', …' : ''})` : '';
      // A classifier on a pretrained encoder names the encoder's architecture ("transformer"), not a classifier's: said as such.
      const kind = m.format === ENCODER_CLASSIFIER_FORMAT ? `${m.arch ?? '?'} encoder, ${m.training ?? '?'}` : (m.arch ?? '?');
      entries.push({ dir: path.join(root, name), name, description: `${kind} · ${labels}${accuracy}`, mtime: stat.mtimeMs });
    } catch {
      // Not a classifier (or a half-written one from another tool): not offered.
    }
  }
  return entries.sort((a, b) => b.mtime - a.mtime);
}

async function pickClassifier(config: Config): Promise<string | undefined> {
  const classifiers = await listClassifiers(config);
  if (classifiers.length === 0) {
    const choice = await vscode.window.showErrorMessage('Transfer Lab: no classifier yet. Train one on labelled data first.', 'Train Classifier…');
    if (choice) void vscode.commands.executeCommand('transferLab.trainClassifier');
    return undefined;
  }
  if (classifiers.length === 1) return classifiers[0].dir;
  const picked = await vscode.window.showQuickPick(
    classifiers.map((c) => ({ label: c.name, description: c.description, dir: c.dir })),
    { title: 'Classify with which classifier?', placeHolder: 'Classifiers in the classifiers folder, newest first', matchOnDescription: true },
  );
  return picked?.dir;
}

function describePrediction(p: Prediction): string {
  const others = p.ranked.slice(1, 3).map((r) => `${r.label} ${(100 * r.probability).toFixed(1)}%`);
  return `${p.label} (${(100 * p.confidence).toFixed(1)}%)${others.length ? `; then ${others.join(', ')}` : ''}`;
}

export async function classifyFileCommand(controller: ClassifierController, config: Config, target?: vscode.Uri) {
  const uri = target ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Transfer Lab: open a text file, or right-click one in the explorer, to classify it.');
    return undefined;
  }
  const classifierDir = await pickClassifier(config);
  if (!classifierDir) return undefined;
  // An open editor may hold unsaved changes: classify what the user sees.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const outcome = open?.isDirty
    ? await controller.predict(classifierDir, [], [{ id: uri.fsPath, text: open.getText() }])
    : await controller.predict(classifierDir, [uri.fsPath]);
  const prediction = outcome.value?.[0];
  if (prediction) void vscode.window.showInformationMessage(`Transfer Lab: ${path.basename(uri.fsPath)} is ${describePrediction(prediction)} — ${path.basename(classifierDir)}`);
  return prediction;
}

export async function classifySelectionCommand(controller: ClassifierController, config: Config) {
  const editor = vscode.window.activeTextEditor;
  const text = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
  if (!text.trim()) {
    void vscode.window.showErrorMessage('Transfer Lab: select some text to classify first.');
    return undefined;
  }
  const classifierDir = await pickClassifier(config);
  if (!classifierDir) return undefined;
  const outcome = await controller.predict(classifierDir, [], [{ id: 'selection', text }]);
  const prediction = outcome.value?.[0];
  if (prediction) void vscode.window.showInformationMessage(`Transfer Lab: the selection is ${describePrediction(prediction)} — ${path.basename(classifierDir)}`);
  return prediction;
}

export async function classifyFolderCommand(controller: ClassifierController, config: Config, target?: vscode.Uri, out?: vscode.Uri) {
  let folderUri = target;
  if (!folderUri) {
    const picked = await vscode.window.showOpenDialog({ title: 'Classify the text files of which folder?', canSelectFiles: false, canSelectFolders: true, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    folderUri = picked?.[0];
  }
  if (!folderUri || folderUri.scheme !== 'file') return undefined;
  const files = await listCorpusFiles(folderUri.fsPath);
  if (files.length === 0) {
    void vscode.window.showErrorMessage(`Transfer Lab: no text files in ${folderUri.fsPath}.`);
    return undefined;
  }
  const classifierDir = await pickClassifier(config);
  if (!classifierDir) return undefined;
  const csvUri =
    out ??
    (await vscode.window.showSaveDialog({
      title: `Save the labels of ${files.length} files as CSV`,
      defaultUri: vscode.Uri.file(`${folderUri.fsPath}-${path.basename(classifierDir)}.csv`),
      filters: { CSV: ['csv'] },
    }));
  if (!csvUri) return undefined;
  const outcome = await controller.predict(classifierDir, files);
  if (!outcome.value) return undefined;
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const labels = outcome.value[0]?.ranked.map((r) => r.label).sort() ?? [];
  const header = ['file', 'label', 'confidence', ...labels.map((l) => `p_${l}`)].map(cell).join(',');
  const rows = outcome.value.map((p) => {
    const probability = new Map(p.ranked.map((r) => [r.label, r.probability]));
    return [cell(path.relative(folderUri.fsPath, p.id)), cell(p.label), p.confidence.toFixed(4), ...labels.map((l) => (probability.get(l) ?? 0).toFixed(4))].join(',');
  });
  await vscode.workspace.fs.writeFile(csvUri, Buffer.from(`${[header, ...rows].join('\n')}\n`));
  const counts = new Map<string, number>();
  for (const p of outcome.value) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
  const summary = [...counts].map(([label, n]) => `${label} ${n}`).join(', ');
  void vscode.window.showInformationMessage(`Transfer Lab: classified ${files.length} files (${summary}) into ${path.basename(csvUri.fsPath)}.`, 'Open CSV').then((choice) => {
    if (choice) void vscode.window.showTextDocument(csvUri);
  });
  return { csv: csvUri.fsPath, predictions: outcome.value };
}
