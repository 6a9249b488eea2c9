// How algorithms and training modes are named to people, the same in the panel, the quick picks
// and the output channel. Settings and files keep the short machine names (word2vec, sg).

const ALGORITHM_NAMES: Record<string, string> = {
  word2vec: 'Word2Vec',
  'word2vec-sgns': 'Word2Vec',
  fasttext: 'FastText',
  glove: 'GloVe',
};

const MODE_NAMES: Record<string, string> = {
  sg: 'skip-gram',
  cbow: 'CBOW',
};

/** "FastText skip-gram", "Word2Vec CBOW", "GloVe"; unknown names are shown as written. */
export function describeAlgorithm(algorithm: string, mode?: string): string {
  const name = ALGORITHM_NAMES[algorithm] ?? algorithm;
  return mode ? `${name} ${MODE_NAMES[mode] ?? mode}` : name;
}
