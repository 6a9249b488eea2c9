// Neighbour queries against saved models. A model is loaded once and kept while it is in use;
// loading reads the vectors file only, never anything the model folder could make us execute.
import { loadModelVectors, type ModelManifest } from '../core/modelFolder';
import type { WordVectors } from '../core/vectors';
import type { Neighbour } from '../shared/protocol';

/** How many loaded models stay in memory; the panel rarely switches between more than two. */
const CACHE_SIZE = 2;

interface LoadedModel {
  manifest: ModelManifest;
  vectors: WordVectors;
}

export class ModelQueries {
  private readonly cache = new Map<string, Promise<LoadedModel>>();

  async neighbours(modelDir: string, query: string, k: number): Promise<Neighbour[]> {
    const { manifest, vectors } = await this.load(modelDir);
    const word = normaliseQuery(query, manifest.parameters.lowercase !== false);
    if (!vectors.has(word)) {
      throw new Error(`"${word}" is not in the vocabulary of ${manifest.name} (${vectors.size.toLocaleString('en-US')} words; words rarer than min count ${manifest.parameters.minCount} are left out).`);
    }
    return vectors.mostSimilar(word, { k });
  }

  /** Drops a cached model, for example after its folder was deleted or replaced. */
  forget(modelDir: string): void {
    this.cache.delete(modelDir);
  }

  private load(modelDir: string): Promise<LoadedModel> {
    let loaded = this.cache.get(modelDir);
    if (!loaded) {
      loaded = loadModelVectors(modelDir);
      // A failed load must not be cached: the user may fix the file and try again.
      loaded.catch(() => this.cache.delete(modelDir));
      this.cache.set(modelDir, loaded);
      while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    } else {
      // Refresh its place as most recently used.
      this.cache.delete(modelDir);
      this.cache.set(modelDir, loaded);
    }
    return loaded;
  }
}

function normaliseQuery(query: string, lowercase: boolean): string {
  const word = query.trim().normalize('NFC');
  return lowercase ? word.toLowerCase() : word;
}
