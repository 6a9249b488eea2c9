// The public API of the core library: tokenizing, reading corpora, vocabularies, word vectors and
// their evaluation, the word2vec and Embedding Projector file formats, and word2vec and GloVe training.
export { tokenize, SentenceSplitter, DEFAULT_MAX_SENTENCE_LENGTH } from './tokenizer';
export type { TokenizerOptions, SentenceSplitterOptions } from './tokenizer';
export { FileCorpus, listCorpusFiles, DEFAULT_CORPUS_EXTENSIONS, DEFAULT_MAX_FILE_BYTES, DEFAULT_CHUNK_BYTES } from './corpus';
export type { TextCorpus, SkipReason, SkippedFile, CorpusScanReport, FileCorpusOptions, ListCorpusFilesOptions } from './corpus';
export { Vocabulary, VocabularyBuilder } from './vocab';
export type { VocabularyBuilderOptions, VocabularyBuildOptions } from './vocab';
export { WordVectors, COSMUL_EPSILON } from './vectors';
export type { Neighbour, MostSimilarOptions } from './vectors';
export {
  evaluateAnalogies,
  evaluateSimilarity,
  pearsonCorrelation,
  spearmanCorrelation,
  averageRanks,
  ANALOGY_DEFAULT_RESTRICT_VOCAB,
  SIMILARITY_DEFAULT_RESTRICT_VOCAB,
} from './evaluation';
export type {
  EvaluationSource,
  AnalogyOptions,
  AnalogyScore,
  AnalogySection,
  AnalogyResult,
  SimilarityOptions,
  SimilarityResult,
} from './evaluation';
export { writeProjectorTsv, readProjectorTsv, escapeProjectorLabel, unescapeProjectorLabel } from './formats/projectorTsv';
export { readWord2Vec, readWord2VecWithInfo, writeWord2Vec, formatFloat32, MAX_DIM } from './formats/word2vecFormat';
export type { ReadWord2VecOptions, WriteWord2VecOptions, Word2VecFileInfo } from './formats/word2vecFormat';
export { writeFileAtomic } from './atomicWrite';
export { trainWord2Vec, resolveWord2VecOptions, WORD2VEC_DEFAULTS } from './word2vec';
export type { Word2VecOptions, TrainingProgress, TrainCallbacks, TrainedWord2Vec } from './word2vec';
export { trainGlove, resolveGloveOptions, GLOVE_DEFAULTS } from './glove/glove';
export type { GloveOptions, TrainedGlove } from './glove/glove';
