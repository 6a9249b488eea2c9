// The models of the models folder as a family tree (the "Models" view in the sidebar): a model
// fine-tuned from another listed model sits under it. Pure (no vscode import), so unit tests load it.
import * as path from 'node:path';
import { describeLock } from '../core/lockFactors';
import type { ModelManifest } from '../core/modelFolder';
import { describeAlgorithm } from '../shared/labels';
import { manifestAlgorithm } from '../shared/modelInfo';

export interface FamilyMember {
  modelDir: string;
  manifest: ModelManifest;
}

export interface FamilyNode {
  modelDir: string;
  manifest: ModelManifest;
  /** The parent's folder when the manifest names one that is not listed (moved or deleted); the node is then a root. */
  missingParent?: string;
  children: FamilyNode[];
}

/** Folder paths compared as the file system does: resolved, and case-insensitively on Windows and macOS. */
function folderKey(p: string, platform: NodeJS.Platform = process.platform): string {
  const resolved = path.resolve(p);
  return platform === 'win32' || platform === 'darwin' ? resolved.toLowerCase() : resolved;
}

/**
 * Nests `models` by `manifest.parent.path`. Order is kept (listModels gives newest first) among the
 * roots and among the children of each model. A model whose parent is not in `models` is a root
 * (with `missingParent`); a model named as its own parent, or a cycle of parents (hand-edited
 * manifests), is cut at its first member in input order, which becomes a root. Duplicated folders
 * are listed once.
 */
export function buildModelFamily(models: readonly FamilyMember[], platform: NodeJS.Platform = process.platform): FamilyNode[] {
  const nodes: FamilyNode[] = [];
  const byKey = new Map<string, number>();
  for (const model of models) {
    const key = folderKey(model.modelDir, platform);
    if (byKey.has(key)) continue;
    byKey.set(key, nodes.length);
    nodes.push({ modelDir: model.modelDir, manifest: model.manifest, children: [] });
  }

  // parentOf[i]: index of the listed parent, or -1.
  const parentOf = nodes.map((node, i) => {
    const parentPath = node.manifest.parent?.path;
    if (typeof parentPath !== 'string' || parentPath === '') return -1;
    const parent = byKey.get(folderKey(parentPath, platform));
    if (parent === undefined) {
      node.missingParent = parentPath;
      return -1;
    }
    return parent === i ? -1 : parent;
  });

  // Break cycles: walk each chain of parents once; 2 = known to end at a root, 1 = on the current walk.
  const state = new Uint8Array(nodes.length);
  for (let start = 0; start < nodes.length; start++) {
    const walk: number[] = [];
    let at = start;
    while (at !== -1 && state[at] === 0) {
      state[at] = 1;
      walk.push(at);
      at = parentOf[at];
    }
    if (at !== -1 && state[at] === 1) {
      // The walk came back to itself: cut the cycle at its member that comes first in the input.
      const cycle = walk.slice(walk.indexOf(at));
      parentOf[Math.min(...cycle)] = -1;
    }
    for (const i of walk) state[i] = 2;
  }

  const roots: FamilyNode[] = [];
  nodes.forEach((node, i) => (parentOf[i] === -1 ? roots : nodes[parentOf[i]].children).push(node));
  return roots;
}

/** "Word2Vec skip-gram · 12,345 words · 2026-05-01 14:03" (the date in local time). */
export function describeModel(manifest: ModelManifest): string {
  const { algorithm, mode } = manifestAlgorithm(manifest);
  const kind = manifest.algorithm === 'imported' ? `imported ${describeAlgorithm(algorithm)}` : describeAlgorithm(algorithm, mode);
  const words = typeof manifest.vocabularySize === 'number' ? `${manifest.vocabularySize.toLocaleString('en-US')} words` : undefined;
  return [kind, words, formatDate(manifest.createdAt)].filter(Boolean).join(' · ');
}

/** The hover text of a model: what it is, what it was trained on, where it came from. */
export function modelTooltip(node: Pick<FamilyNode, 'modelDir' | 'manifest' | 'missingParent'>): string {
  const m = node.manifest;
  const lines = [m.name, `${describeModel(m)} · ${m.dim} dimensions`];
  if (m.source) {
    lines.push(`Imported from ${m.source.path} (${m.source.format}${m.source.gzip ? ', gzip' : ''}, ${m.source.words.toLocaleString('en-US')} words)`);
  }
  const corpus = m.corpus;
  if (corpus && typeof corpus.filesRead === 'number' && m.algorithm !== 'imported') {
    const files = corpus.files?.length === 1 ? corpus.files[0] : `${corpus.filesRead.toLocaleString('en-US')} files`;
    lines.push(`Corpus: ${files}, ${(corpus.corpusWords ?? 0).toLocaleString('en-US')} words`);
  }
  if (m.parent) {
    const lock = describeLock(String(m.parent.lock));
    lines.push(`Fine-tuned from ${m.parent.name} (${lock})`);
    if (node.missingParent) lines.push(`The parent is no longer in the models folder: ${node.missingParent}`);
  }
  lines.push(node.modelDir);
  return lines.join('\n');
}

function formatDate(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A few frequent (but not the most frequent) words, offered as examples in the panel's search box (as the trainer picks them). */
export function exampleWords(wordsByFrequency: readonly string[], count = 12): string[] {
  const start = Math.min(100, Math.floor(wordsByFrequency.length / 10));
  return wordsByFrequency
    .slice(start, start + 200)
    .filter((w) => /^\p{L}{4,}$/u.test(w))
    .slice(0, count);
}
