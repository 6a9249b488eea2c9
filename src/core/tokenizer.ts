// Turns text into word tokens, and a stream of text chunks into sentences (one line = one sentence,
// as word2vec.c and gensim's LineSentence treat it).

export interface TokenizerOptions {
  lowercase: boolean;
}

const DEFAULT_TOKENIZER_OPTIONS: TokenizerOptions = { lowercase: true };

/** word2vec.c's MAX_SENTENCE_LENGTH and gensim's MAX_WORDS_IN_BATCH. */
export const DEFAULT_MAX_SENTENCE_LENGTH = 10000;

// Han ideographs are single-character tokens because Chinese and Japanese text has no spaces between
// words; splitting per character is what BERT's basic tokenizer does and keeps the vocabulary finite.
// Kana and Hangul are left to form runs. Apostrophes (' and ’) and hyphens join two runs of word
// characters ("don't", "well-known"); at a token's edge they are punctuation and dropped.
// The `v` flag is needed for set subtraction (letters minus Han); it is built with `new RegExp` so
// the TypeScript target does not have to know the flag.
const HAN = String.raw`[\p{Script=Han}&&[\p{L}\p{N}]]`;
const WORD_START = String.raw`[[\p{L}\p{N}]--\p{Script=Han}]`;
const WORD_CHAR = String.raw`[[\p{L}\p{M}\p{N}]--\p{Script=Han}]`;
const JOINER = String.raw`['\u2019\-\u2010\u2011]`;
const TOKEN_SOURCE = `${HAN}|${WORD_START}${WORD_CHAR}*(?:${JOINER}${WORD_CHAR}+)*`;
const TOKEN_PATTERN = new RegExp(TOKEN_SOURCE, 'gv');

// Pure-ASCII lines are by far the most common input and need neither NFC nor Unicode classes.
const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_TOKEN_PATTERN = /[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*/g;

/**
 * Longest token, in UTF-16 code units; a longer run of word characters is cut into pieces of this
 * length. word2vec.c caps words at MAX_STRING (100 bytes) for the same reason: a base64 blob or a
 * megabyte line without spaces is not a word, and as one token it would make a vocabulary key of
 * unbounded size. Pieces rather than truncation keep every character of the text, as before.
 */
export const MAX_TOKEN_LENGTH = 100;

/**
 * Cuts an over-long token into pieces of at most MAX_TOKEN_LENGTH, never inside a surrogate pair.
 * Each piece is copied out: a slice would keep the whole (up to a megabyte) matched text alive for
 * as long as the vocabulary keeps the piece.
 */
function forEachPiece(token: string, onPiece: (piece: string) => void): void {
  let start = 0;
  while (start < token.length) {
    let end = Math.min(token.length, start + MAX_TOKEN_LENGTH);
    const last = token.charCodeAt(end - 1);
    if (end < token.length && last >= 0xd800 && last <= 0xdbff) end--;
    onPiece(token.slice(start, end).split('').join(''));
    start = end;
  }
}

function capTokenLength(tokens: string[]): string[] {
  if (tokens.every((token) => token.length <= MAX_TOKEN_LENGTH)) return tokens;
  const capped: string[] = [];
  for (const token of tokens) {
    if (token.length <= MAX_TOKEN_LENGTH) capped.push(token);
    else forEachPiece(token, (piece) => capped.push(piece));
  }
  return capped;
}

export function tokenize(text: string, options?: Partial<TokenizerOptions>): string[] {
  const lowercase = options?.lowercase ?? DEFAULT_TOKENIZER_OPTIONS.lowercase;
  let prepared = lowercase ? text.toLowerCase() : text;
  let pattern: RegExp;
  if (NON_ASCII.test(prepared)) {
    // Lower-casing can produce decomposed sequences (İ → i + U+0307), so normalise after it.
    prepared = prepared.normalize('NFC');
    pattern = TOKEN_PATTERN;
  } else {
    pattern = ASCII_TOKEN_PATTERN;
  }
  return capTokenLength(prepared.match(pattern) ?? []);
}

export interface SentenceSplitterOptions extends TokenizerOptions {
  maxSentenceLength?: number;
}

const ASCII_TOKEN_OR_LINE_BREAK = /[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*|\r\n?|\n/g;

/**
 * Calls `onToken` for each token of `text` (whole lines) and `onSentenceEnd` after each sentence,
 * exactly as SentenceSplitter splits the same text. Pure-ASCII text, by far the most common, takes
 * one pass over the whole text with no per-line arrays: the training threads tokenize every epoch.
 */
export function forEachToken(text: string, options: SentenceSplitterOptions, onToken: (word: string) => void, onSentenceEnd: () => void): void {
  const max = options.maxSentenceLength ?? DEFAULT_MAX_SENTENCE_LENGTH;
  if (NON_ASCII.test(text)) {
    const splitter = new SentenceSplitter(options);
    for (const sentence of [...splitter.push(text), ...splitter.end()]) {
      for (const word of sentence) onToken(word);
      onSentenceEnd();
    }
    return;
  }
  const prepared = options.lowercase ? text.toLowerCase() : text;
  const pattern = new RegExp(ASCII_TOKEN_OR_LINE_BREAK);
  let length = 0;
  for (let match = pattern.exec(prepared); match !== null; match = pattern.exec(prepared)) {
    const word = match[0];
    const first = word.charCodeAt(0);
    if (first === 10 || first === 13) {
      if (length > 0) onSentenceEnd();
      length = 0;
      continue;
    }
    if (word.length > MAX_TOKEN_LENGTH) {
      forEachPiece(word, (piece) => {
        onToken(piece);
        if (++length === max) {
          onSentenceEnd();
          length = 0;
        }
      });
      continue;
    }
    onToken(word);
    if (++length === max) {
      onSentenceEnd();
      length = 0;
    }
  }
  if (length > 0) onSentenceEnd();
}

const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;
/** A pending partial line longer than this is tokenized up to its last whitespace. */
const MAX_PENDING_CHARS = 1 << 20;

/**
 * Streaming sentence splitter: text arrives in chunks cut at arbitrary places; every complete line
 * becomes one sentence (its tokens), cut into pieces of at most `maxSentenceLength` tokens.
 * Memory stays bounded by one partial line of at most ~1 M characters plus one partial sentence.
 */
export class SentenceSplitter {
  private readonly lowercase: boolean;
  private readonly maxSentenceLength: number;
  private pending = '';
  /** Tokens of the current, unfinished line that were already taken out of `pending`. */
  private lineTokens: string[] = [];

  constructor(options: SentenceSplitterOptions) {
    this.lowercase = options.lowercase;
    const max = options.maxSentenceLength ?? DEFAULT_MAX_SENTENCE_LENGTH;
    if (!Number.isInteger(max) || max < 1) {
      throw new Error(`maxSentenceLength must be a positive integer, got ${max}`);
    }
    this.maxSentenceLength = max;
  }

  push(chunk: string): string[][] {
    const sentences: string[][] = [];
    const text = this.pending + chunk;
    const lastBreak = lastLineBreak(text);
    if (lastBreak < 0) {
      this.pending = text;
    } else {
      const lines = text.slice(0, lastBreak).split(LINE_BREAK);
      this.pending = text.slice(lastBreak + 1);
      // "\r\n" cut between chunks yields an empty line, which produces no sentence: harmless.
      for (const line of lines) {
        this.addTokens(tokenize(line, { lowercase: this.lowercase }), sentences);
        this.finishLine(sentences);
      }
    }
    if (this.pending.length > MAX_PENDING_CHARS) this.drainLongLine(sentences);
    return sentences;
  }

  end(): string[][] {
    const sentences: string[][] = [];
    this.addTokens(tokenize(this.pending, { lowercase: this.lowercase }), sentences);
    this.pending = '';
    this.finishLine(sentences);
    return sentences;
  }

  // Whitespace never occurs inside a token, so cutting there tokenizes exactly as the whole line would.
  private drainLongLine(sentences: string[][]): void {
    const text = this.pending;
    let cut = text.length - 1;
    while (cut >= 0 && !isWhitespace(text.charCodeAt(cut))) cut--;
    if (cut < 0) {
      // One "word" of a megabyte: no token boundary to respect, so it is cut where it is.
      cut = text.length;
    }
    this.addTokens(tokenize(text.slice(0, cut), { lowercase: this.lowercase }), sentences);
    this.pending = text.slice(cut);
  }

  private addTokens(tokens: string[], sentences: string[][]): void {
    if (tokens.length === 0) return;
    const max = this.maxSentenceLength;
    let current = this.lineTokens;
    if (current.length === 0 && tokens.length <= max) {
      // Common case: a short line arrives whole; keep its array instead of copying.
      this.lineTokens = tokens;
      if (tokens.length === max) this.emitCurrent(sentences);
      return;
    }
    for (const token of tokens) {
      current.push(token);
      if (current.length === max) {
        sentences.push(current);
        current = [];
      }
    }
    this.lineTokens = current;
  }

  private emitCurrent(sentences: string[][]): void {
    sentences.push(this.lineTokens);
    this.lineTokens = [];
  }

  private finishLine(sentences: string[][]): void {
    if (this.lineTokens.length > 0) this.emitCurrent(sentences);
  }
}

function lastLineBreak(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i;
  }
  return -1;
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 12 || code === 11 || code === 0xa0 || code === 0x3000 ||
    (code >= 0x2000 && code <= 0x200a) || code === 0x1680 || code === 0x202f || code === 0x205f;
}
