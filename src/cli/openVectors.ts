// Opening what a user names on the command line: a model folder, or a bare vectors file in any of
// the formats we read. Shared by the subcommands that query or compare vectors.
import { promises as fs } from 'node:fs';
import { loadModelVectors } from '../core/modelFolder';
import { readWord2Vec } from '../core/formats/word2vecFormat';
import type { WordVectors } from '../core/vectors';
import { UsageError } from './args';

export async function openVectors(modelPath: string): Promise<{ vectors: WordVectors; lowercase: boolean }> {
  const stat = await fs.stat(modelPath).catch(() => undefined);
  if (!stat) throw new UsageError(`${modelPath} does not exist.`);
  if (stat.isDirectory()) {
    const { manifest, vectors } = await loadModelVectors(modelPath);
    return { vectors, lowercase: manifest.parameters.lowercase !== false };
  }
  const vectors = await readWord2Vec(modelPath);
  // A bare file does not say whether it was lower-cased; guess from its vocabulary.
  const lowercase = !vectors.words.slice(0, 1000).some((w) => w !== w.toLowerCase());
  return { vectors, lowercase };
}
