// Neighbour queries against saved models. A model is loaded once and kept while it is in use;
// loading reads the vectors file (and a FastText model's n-gram rows) only, never anything the model
// folder could make us execute.
import { loadModelVectors, type ModelManifest } from '../core/modelFolder';
import type { SubwordVectors } from '../core/subwords';
import type { WordVectors } from '../core/vectors';
import type { ModelSummary, Neighbour } from '../shared/protocol';
import { exampleWords } from './modelFamily';
import { manifestAlgorithm } from '../shared/modelInfo';
import { answerQuery, completeWord, type QueryAnswer } from './vectorQueries';

/** How many loaded models stay in memory: the panel's model, its side-by-side model and the two it compares. */
const CACHE_SIZE = 4;

interface LoadedModel {
  manifest: ModelManifest;
  vectors: WordVectors;
  subwords?: SubwordVectors;
}

export class ModelQueries {
  private readonly cache = new Map<string, Promise<LoadedModel>>();

  /** A word or word arithmetic ("king - man + woman"); see answerQuery. */
  async query(modelDir: string, text: string, k: number): Promise<QueryAnswer> {
    const { manifest, vectors, subwords } = await this.load(modelDir);
    const minCount = manifest.parameters.minCount;
    return answerQuery(
      {
        name: manifest.name,
        vectors,
        subwords,
        lowercase: manifest.parameters.lowercase !== false,
        minCount: typeof minCount === 'number' ? minCount : undefined,
      },
      text,
      k,
    );
  }

  /** Vocabulary words that start with `prefix`, most frequent first (the search box's completion). */
  async complete(modelDir: string, prefix: string, limit: number): Promise<string[]> {
    const { manifest, vectors } = await this.load(modelDir);
    return completeWord(vectors.words, prefix, limit, manifest.parameters.lowercase !== false);
  }

  async neighbours(modelDir: string, text: string, k: number): Promise<Neighbour[]> {
    return (await this.query(modelDir, text, k)).results;
  }

  /**
   * The `candidates` (for example the words of a document) most similar to `word`, by cosine, most
   * similar first; candidates the model does not know are left out. Undefined when `word` is unknown.
   */
  async similarAmong(modelDir: string, word: string, candidates: Iterable<string>, k: number): Promise<Neighbour[] | undefined> {
    const { manifest, vectors } = await this.load(modelDir);
    const lowercase = manifest.parameters.lowercase !== false;
    const key = (w: string) => (lowercase ? w.toLowerCase() : w);
    const target = key(word);
    if (!vectors.has(target)) return undefined;
    const seen = new Set<string>([target]);
    const scored: Neighbour[] = [];
    for (const candidate of candidates) {
      const w = key(candidate);
      if (seen.has(w) || !vectors.has(w)) continue;
      seen.add(w);
      scored.push({ word: w, similarity: vectors.similarity(target, w) });
    }
    return scored.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  /** What the panel shows of a saved model (as a finished run reports it), loading it for queries on the way. */
  async summary(modelDir: string): Promise<ModelSummary> {
    const { manifest, vectors } = await this.load(modelDir);
    return {
      name: manifest.name,
      modelDir,
      vocabularySize: vectors.words.length,
      dim: vectors.dim,
      ...manifestAlgorithm(manifest),
      exampleWords: exampleWords(vectors.words),
    };
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
