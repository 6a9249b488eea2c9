import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { WordVectors } from '../../src/core/vectors';
import { readWord2Vec } from '../../src/core/formats/word2vecFormat';
import {
  averageRanks,
  evaluateAnalogies,
  evaluateSimilarity,
  pearsonCorrelation,
  spearmanCorrelation,
  type AnalogyResult,
} from '../../src/core/evaluation';

const DATA = path.resolve(__dirname, '../../../shared/data');
const QUESTIONS = path.join(DATA, 'word-eval/questions-words.txt');
const WORDSIM = path.join(DATA, 'word-eval/wordsim353.tsv');
const SIMLEX = path.join(DATA, 'word-eval/simlex999.txt');

function vectors(rows: [string, number[]][]): WordVectors {
  return new WordVectors(rows.map(([w]) => w), rows[0][1].length, Float32Array.from(rows.flatMap(([, v]) => v)));
}

function sectionCounts(result: AnalogyResult): [string, number, number][] {
  return result.sections.map((s) => [s.name, s.correct, s.total]);
}

/**
 * The referee's numbers for ../shared/data/vectors/glove.6B.100d.top10k.txt, computed once with
 * gensim 4.2 (/usr/bin/python3) when these tests were written. GloVe files have no header, so a copy
 * with the line "10000 100" prepended was loaded with KeyedVectors.load_word2vec_format, then:
 *   acc, sections = kv.evaluate_word_analogies(questions-words.txt, restrict_vocab=R, case_insensitive=True)
 *   pearson, spearman, oov = kv.evaluate_word_pairs(wordsim353.tsv | simlex999.txt, restrict_vocab=R, case_insensitive=True)
 * For R = 30000 these are also what ../shared/bench/evaluate.py prints (analogy 0.728, WS-353 0.568
 * with 21.2% OOV, SimLex 0.3167 with 28.6% OOV).
 */
const GENSIM = {
  30000: {
    sections: [
      ['capital-common-countries', 435, 462], ['capital-world', 801, 884], ['currency', 26, 106],
      ['city-in-state', 192, 615], ['family', 191, 210], ['gram1-adjective-to-adverb', 129, 420],
      ['gram2-opposite', 9, 56], ['gram3-comparative', 452, 552], ['gram4-superlative', 118, 156],
      ['gram5-present-participle', 475, 600], ['gram6-nationality-adjective', 1132, 1161],
      ['gram7-past-tense', 598, 992], ['gram8-plural', 415, 552], ['gram9-plural-verbs', 151, 272],
    ],
    total: [5124, 7038],
    accuracy: 0.7280477408354646,
    wordsim: { pearson: 0.5928858975365001, spearman: 0.568017169938085, oov: 21.246458923512748 },
    simlex: { pearson: 0.35327398030188634, spearman: 0.3167449193103434, oov: 28.628628628628626 },
  },
  5000: {
    sections: [
      ['capital-common-countries', 168, 182], ['capital-world', 125, 141], ['currency', 3, 28],
      ['city-in-state', 73, 204], ['family', 117, 132], ['gram1-adjective-to-adverb', 56, 182],
      ['gram2-opposite', 2, 12], ['gram3-comparative', 195, 240], ['gram4-superlative', 87, 110],
      ['gram5-present-participle', 161, 210], ['gram6-nationality-adjective', 777, 791],
      ['gram7-past-tense', 368, 506], ['gram8-plural', 165, 210], ['gram9-plural-verbs', 95, 156],
    ],
    total: [2392, 3104],
    accuracy: 0.770618556701031,
    wordsim: { pearson: 0.5987896248440181, spearman: 0.5812359356932498, oov: 43.05949008498583 },
    simlex: { pearson: 0.31715676703632756, spearman: 0.28096474322188597, oov: 60.46046046046046 },
  },
} as const;

describe('evaluation against gensim on real GloVe vectors', () => {
  let glove: WordVectors;
  before(async () => {
    glove = await readWord2Vec(path.join(DATA, 'vectors/glove.6B.100d.top10k.txt'));
  });

  for (const restrictVocab of [30000, 5000] as const) {
    const reference = GENSIM[restrictVocab];

    it(`analogies, restrictVocab ${restrictVocab}: the same count in every section`, async () => {
      const result = await evaluateAnalogies(glove, QUESTIONS, { restrictVocab });
      assert.deepEqual(sectionCounts(result), reference.sections);
      assert.deepEqual([result.total.correct, result.total.total], reference.total);
      assert.equal(result.accuracy, reference.accuracy);
      assert.equal(result.questions, 19544);
      assert.equal(result.oovQuestions, 19544 - reference.total[1]);
      assert.equal(result.restrictVocab, Math.min(restrictVocab, 10000));
      const semantic = reference.sections.filter(([name]) => !name.startsWith('gram'));
      assert.equal(result.semantic.correct, semantic.reduce((n, s) => n + s[1], 0));
      assert.equal(result.semantic.total, semantic.reduce((n, s) => n + s[2], 0));
      assert.equal(result.syntactic.total + result.semantic.total, result.total.total);
    });

    it(`word pairs, restrictVocab ${restrictVocab}: Spearman, Pearson and OOV share`, async () => {
      for (const [file, expected] of [[WORDSIM, reference.wordsim], [SIMLEX, reference.simlex]] as const) {
        const result = await evaluateSimilarity(glove, file, { restrictVocab });
        assert.ok(Math.abs(result.spearman - expected.spearman) < 1e-6, `${file}: Spearman ${result.spearman}`);
        // gensim's model similarities are float32, ours float64: the correlations differ in the 8th digit.
        assert.ok(Math.abs(result.pearson - expected.pearson) < 1e-6, `${file}: Pearson ${result.pearson}`);
        assert.ok(Math.abs(result.oovRatio - expected.oov) < 1e-9, `${file}: OOV ${result.oovRatio}`);
        assert.equal(result.oovPairs + result.pairs, file === WORDSIM ? 353 : 999);
      }
    });
  }
});

describe('analogies', () => {
  // Dimensions: royalty, maleness, femaleness, fruit.
  const royals: [string, number[]][] = [
    ['King', [1, 1, 0, 0]],
    ['queen', [1, 0, 1, 0.1]],
    ['man', [0, 1, 0, 0]],
    ['woman', [0, 0, 1, 0]],
    ['apple', [0, 0, 0, 1]],
    ['king', [0, 0.2, 0, 1]],
    ['prince', [1, 1, 0, 0.6]],
  ];
  const run = (text: string, rows = royals, options = {}) => evaluateAnalogies(vectors(rows), { text, name: 'questions.txt' }, options);

  it('answers a constructed question, counting sections, OOV and the semantic/syntactic split', async () => {
    const text = [
      ': family',
      'man woman king queen',
      'man woman king apple',
      'man woman king unicorn',
      ': empty',
      ': gram-royalty',
      'woman man queen king',
      '',
    ].join('\n');
    const result = await run(text);
    assert.deepEqual(sectionCounts(result), [['family', 1, 2], ['empty', 0, 0], ['gram-royalty', 1, 1]]);
    assert.equal(result.questions, 4);
    assert.equal(result.oovQuestions, 1);
    assert.equal(result.oovRatio, 25);
    assert.deepEqual(result.semantic, { correct: 1, total: 2, accuracy: 0.5 });
    assert.deepEqual(result.syntactic, { correct: 1, total: 1, accuracy: 1 });
    assert.deepEqual(result.total, { correct: 2, total: 3, accuracy: 2 / 3 });
    assert.equal(result.accuracy, 2 / 3);
  });

  it('upper-cases both sides, the first row of a spelling wins, and the answer skips any spelling of a question word', async () => {
    // KING is row 0 ("King", royal); the later row "king" is a fruit. Case-insensitive, b - a + c is
    // King - man + woman = [1, 0, 1, 0], whose nearest rows are queen, then prince.
    assert.deepEqual(sectionCounts(await run(': s\nMAN Woman king QUEEN')), [['s', 1, 1]]);
    // Case-sensitive, "king" is the fruit row and "MAN", "Woman", "QUEEN" are unknown.
    const sensitive = await run(': s\nman woman king queen\nMAN woman king queen', royals, { caseInsensitive: false });
    assert.deepEqual(sectionCounts(sensitive), [['s', 0, 1]]);
    assert.equal(sensitive.oovQuestions, 1);
    // A row spelled like a question word once upper-cased is passed over, as gensim does: here the
    // nearest row to the query is "KING" (row 2), a different row from "king" (row 0).
    const twin: [string, number[]][] = [
      ['king', [1, 1, 0, 0]],
      ['queen', [1, 0, 0.9, 0.3]],
      ['KING', [1, 0, 1, 0]],
      ['man', [0, 1, 0, 0]],
      ['woman', [0, 0, 1, 0]],
    ];
    assert.deepEqual(sectionCounts(await run(': s\nman woman king queen', twin)), [['s', 1, 1]]);
    assert.deepEqual(sectionCounts(await run(': s\nman woman king queen', twin, { caseInsensitive: false })), [['s', 0, 1]]);
  });

  it('restricts questions and answers to the first rows', async () => {
    // With 4 rows, "apple" (row 4) is out of the vocabulary; with 2, so are man and woman.
    const text = ': s\nman woman King queen\nman woman King apple\n';
    assert.deepEqual(sectionCounts(await run(text, royals, { restrictVocab: 4 })), [['s', 1, 1]]);
    const tiny = await run(text, royals, { restrictVocab: 2 });
    assert.equal(tiny.oovQuestions, 2);
    assert.equal(tiny.total.total, 0);
    assert.equal(tiny.accuracy, 0);
    await assert.rejects(run(text, royals, { restrictVocab: 0 }), /restrictVocab must be a positive whole number/);
  });

  it('malformed files: errors name the file and the line', async () => {
    await assert.rejects(run(': s\nman woman king\n'), /^Error: questions\.txt line 2: expected a question of 4 words \("a b c d"\) or a ": section" line, found 3 words: "man woman king"$/);
    await assert.rejects(run('man woman king queen\n'), /questions\.txt line 1: a question before the first ": section" line/);
    await assert.rejects(evaluateAnalogies(vectors(royals), '/nonexistent/questions.txt'), /\/nonexistent\/questions\.txt: cannot read the file/);
  });
});

describe('word-pair similarity', () => {
  const rows: [string, number[]][] = [
    ['cat', [1, 0.2, 0]],
    ['dog', [0.9, 0.4, 0]],
    ['car', [0, 1, 0.3]],
    ['truck', [0.1, 0.9, 0.5]],
    ['idea', [0, 0, 1]],
    ['Cat', [0, 0, -1]],
  ];
  const run = (text: string, options = {}) => evaluateSimilarity(vectors(rows), { text, name: 'pairs.tsv' }, options);

  it('correlates with the model, skipping comments, a header row and OOV pairs', async () => {
    const v = vectors(rows);
    const text = [
      '# a comment',
      'Word 1\tWord 2\tHuman (mean)',
      'CAT\tdog\t9',
      'car\ttruck\t8.5\r',
      'cat\tidea\t1',
      'dog\tidea\t2',
      '',
      'car\tunicorn\t5',
    ].join('\n');
    const result = await run(text);
    // "CAT" is the first row spelled CAT once upper-cased: "cat", not the later "Cat".
    const model = [v.similarity('cat', 'dog'), v.similarity('car', 'truck'), v.similarity('cat', 'idea'), v.similarity('dog', 'idea')];
    const gold = [9, 8.5, 1, 2];
    assert.equal(result.pairs, 4);
    assert.equal(result.oovPairs, 1);
    assert.equal(result.oovRatio, 20);
    assert.ok(Math.abs(result.pearson - pearsonCorrelation(gold, model)) < 1e-12);
    assert.ok(Math.abs(result.spearman - spearmanCorrelation(gold, model)) < 1e-12);
    assert.equal((await run('car\ttruck\t1\ncat\tdog\t2\n', { restrictVocab: 3 })).oovPairs, 1);
  });

  it('malformed lines: errors name the file and the line', async () => {
    await assert.rejects(run('cat\tdog\t9\ncar truck 8\n'), /^Error: pairs\.tsv line 2: expected 3 tab-separated fields \(word, word, score\), found 1: "car truck 8"$/);
    await assert.rejects(run('# c\ncat\tdog\t9\ncar\ttruck\tvery\n'), /^Error: pairs\.tsv line 3: the score "very" is not a number$/);
    await assert.rejects(run('cat\tdog\t9\tx\n'), /pairs\.tsv line 1: expected 3 tab-separated fields/);
    await assert.rejects(run('unicorn\tdragon\t9\n'), /pairs\.tsv: no pair could be evaluated \(1 pairs with words not among the first 6/);
  });
});

describe('correlation', () => {
  it('averages the ranks of ties', () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 20, 30])), [1, 2.5, 2.5, 4]);
    assert.deepEqual(Array.from(averageRanks([3, 1, 2, 1, 3, 3])), [5, 1.5, 3, 1.5, 5, 5]);
  });

  it('matches scipy on data with ties', () => {
    // scipy.stats.spearmanr / pearsonr([1,2,2,3,4,4,4], [2,1,3,3,5,4,6]), computed with scipy 1.x when written.
    const x = [1, 2, 2, 3, 4, 4, 4];
    const y = [2, 1, 3, 3, 5, 4, 6];
    assert.ok(Math.abs(spearmanCorrelation(x, y) - 0.8779838352573822) < 1e-12);
    assert.ok(Math.abs(pearsonCorrelation(x, y) - 0.8325612101067414) < 1e-12);
  });

  it('perfect, inverse and undefined correlations', () => {
    assert.equal(spearmanCorrelation([1, 2, 3], [10, 100, 1000]), 1);
    assert.equal(spearmanCorrelation([1, 2, 3], [3, 2, 1]), -1);
    assert.ok(Number.isNaN(pearsonCorrelation([1, 1, 1], [1, 2, 3])), 'a constant list has no correlation');
    assert.throws(() => pearsonCorrelation([1, 2], [1]), /equal length/);
  });
});
