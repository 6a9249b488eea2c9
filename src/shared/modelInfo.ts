// Algorithm and training mode of a saved model, read from its model.json. Models written before
// these were recorded ('word2vec-sgns', no mode) came from the skip-gram-only engine.
import type { ModelManifest } from '../core/modelFolder';
import type { ModelAlgorithm, TrainingMode } from './protocol';

export function manifestAlgorithm(manifest: Pick<ModelManifest, 'algorithm' | 'parameters' | 'source'>): { algorithm: ModelAlgorithm; mode?: TrainingMode } {
  // Imported vectors were trained elsewhere: shown as GloVe or Word2Vec by their file format, with no mode.
  if (manifest.algorithm === 'imported') return { algorithm: manifest.source?.format === 'glove-text' ? 'glove' : 'word2vec' };
  const algorithm: ModelAlgorithm = manifest.algorithm === 'word2vec-sgns' ? 'word2vec' : manifest.algorithm;
  if (algorithm === 'glove') return { algorithm };
  const mode = manifest.parameters?.mode;
  return { algorithm, mode: mode === 'cbow' || mode === 'sg' ? mode : 'sg' };
}
