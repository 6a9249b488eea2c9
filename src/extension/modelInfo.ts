// Algorithm and training mode of a saved model, read from its model.json. Models written before
// these were recorded ('word2vec-sgns', no mode) came from the skip-gram-only engine.
import type { ModelManifest } from '../core/modelFolder';
import type { ModelAlgorithm, TrainingMode } from '../shared/protocol';

export function manifestAlgorithm(manifest: Pick<ModelManifest, 'algorithm' | 'parameters'>): { algorithm: ModelAlgorithm; mode?: TrainingMode } {
  const algorithm: ModelAlgorithm = manifest.algorithm === 'word2vec-sgns' ? 'word2vec' : manifest.algorithm;
  if (algorithm === 'glove') return { algorithm };
  const mode = manifest.parameters?.mode;
  return { algorithm, mode: mode === 'cbow' || mode === 'sg' ? mode : 'sg' };
}
