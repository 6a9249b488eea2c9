// How far a fine-tuned parent's vectors may move, as one factor per parent word between 0 (frozen)
// and 1 (free) that scales its gradient, like gensim's `vectors_lockf`. Users state it as a preset
// ('none', 'old'), one factor for every old word, and optionally a word list that overrides single
// words (for example "keep these 200 domain terms fixed while the rest adapts").
import type { WordVectors } from './vectors';

/** 'none' = every old vector free, 'old' = every old vector fixed, a number = that factor for all of them. */
export type LockSetting = 'none' | 'old' | number;

export interface LockWord {
  word: string;
  factor: number;
}

/** What a run's kernel takes: a preset, or one factor per parent word. */
export type LockFactors = 'none' | 'old' | Float32Array;

export function parseLockSetting(text: string): LockSetting {
  const trimmed = text.trim();
  if (trimmed === 'none' || trimmed === 'old') return trimmed;
  const factor = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(factor) || factor < 0 || factor > 1) {
    throw new Error(`the lock is none (old vectors free), old (old vectors fixed) or a factor from 0 (fixed) to 1 (free); got "${text}"`);
  }
  return factor;
}

/**
 * A lock-word list: one word per line, optionally followed by whitespace and its factor (default 0,
 * fixed). Blank lines and lines starting with # are ignored. Errors name the line.
 */
export function parseLockWords(text: string, file: string): LockWord[] {
  const words: LockWord[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts.length > 2) throw new Error(`${file}:${i + 1}: expected "word" or "word factor", got ${parts.length} fields: "${line.slice(0, 80)}"`);
    const factor = parts.length === 2 ? Number(parts[1]) : 0;
    if (!Number.isFinite(factor) || factor < 0 || factor > 1) {
      throw new Error(`${file}:${i + 1}: the factor of "${parts[0]}" must be a number from 0 (fixed) to 1 (free), got "${parts[1]}"`);
    }
    words.push({ word: parts[0], factor });
  });
  return words;
}

export interface ResolvedLock {
  factors: LockFactors;
  /** Listed words that are not in the parent (they are new, so they learn freely). */
  unknownWords: string[];
  /** For the manifest and the log: "old", "0.25", "none + 12 words from terms.txt". */
  description: string;
}

/**
 * The factors for a parent's words. Words in `words` are matched exactly first, then
 * case-insensitively when the parent has no exact match (models are usually lowercased).
 */
export function resolveLockFactors(parent: WordVectors, setting: LockSetting, words: LockWord[] = [], wordsLabel = 'the word list'): ResolvedLock {
  const base = typeof setting === 'number' ? String(setting) : setting;
  if (words.length === 0) {
    if (typeof setting !== 'number') return { factors: setting, unknownWords: [], description: base };
    return { factors: new Float32Array(parent.size).fill(setting), unknownWords: [], description: base };
  }
  const fill = setting === 'none' ? 1 : setting === 'old' ? 0 : setting;
  const factors = new Float32Array(parent.size).fill(fill);
  const unknownWords: string[] = [];
  let matched = 0;
  for (const { word, factor } of words) {
    let id = parent.indexOf(word);
    if (id < 0) id = parent.indexOf(word.toLowerCase());
    if (id < 0) {
      unknownWords.push(word);
      continue;
    }
    factors[id] = factor;
    matched++;
  }
  return { factors, unknownWords, description: `${base} + ${matched} word${matched === 1 ? '' : 's'} from ${wordsLabel}` };
}

/** A lock description (ResolvedLock.description, kept in model.json) in words, for logs and tooltips. */
export function describeLock(description: string): string {
  const [base, ...rest] = description.split(' + ');
  const factor = Number(base);
  const head =
    base === 'old' ? 'old vectors kept fixed' : base === 'none' ? 'old vectors free to move' : Number.isFinite(factor) ? `old vectors move at ${factor} of the rate` : `lock ${base}`;
  return rest.length > 0 ? `${head}, except ${rest.join(' + ')}` : head;
}
