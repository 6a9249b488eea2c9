// Typed access to the `transferLab.*` settings. Every setting is read through here, validated, and
// clamped to its documented range, so the rest of the extension never sees a nonsense value.
import * as vscode from 'vscode';
import type { TrainingParameters } from '../shared/protocol';

const SECTION = 'transferLab';

export const DEFAULT_INCLUDE = '**/*.{txt,text,md,markdown,rst,tex,org,adoc,csv,tsv,jsonl}';
export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/.git/**', '**/.transfer-lab/**', '**/.vscode/**'];
export const DEFAULT_MODELS_FOLDER = '.transfer-lab/models';

interface Range {
  min: number;
  max: number;
  integer: boolean;
}

// Defaults as gensim's Word2Vec, except epochs: 5 passes over a small workspace is still quick.
const TRAINING_SETTINGS: Record<keyof Omit<TrainingParameters, 'lowercase'>, { default: number } & Range> = {
  dim: { default: 100, min: 2, max: 1000, integer: true },
  window: { default: 5, min: 1, max: 50, integer: true },
  negative: { default: 5, min: 1, max: 50, integer: true },
  epochs: { default: 5, min: 1, max: 1000, integer: true },
  minCount: { default: 5, min: 1, max: 1_000_000, integer: true },
  sample: { default: 1e-3, min: 0, max: 1, integer: false },
  alpha: { default: 0.025, min: 1e-6, max: 1, integer: false },
  minAlpha: { default: 0.0001, min: 0, max: 1, integer: false },
  seed: { default: 1, min: 0, max: 2 ** 31 - 1, integer: true },
};

export interface CorpusSettings {
  include: string;
  exclude: string[];
  maxFileBytes: number;
}

export class Config {
  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  get corpus(): CorpusSettings {
    const s = this.section;
    const include = s.get<string>('corpus.include', DEFAULT_INCLUDE).trim() || DEFAULT_INCLUDE;
    const exclude = s.get<string[]>('corpus.exclude', DEFAULT_EXCLUDE);
    const maxMB = clampNumber(s.get<number>('corpus.maxFileSizeMB', 50), { min: 0.001, max: 100_000, integer: false }, 50);
    return {
      include,
      exclude: Array.isArray(exclude) ? exclude.filter((g) => typeof g === 'string' && g.trim() !== '') : DEFAULT_EXCLUDE,
      maxFileBytes: Math.round(maxMB * 1024 * 1024),
    };
  }

  /** Relative to the first workspace folder. Absolute paths are honoured only in a trusted workspace. */
  get modelsFolder(): string {
    const value = this.section.get<string>('modelsFolder', DEFAULT_MODELS_FOLDER).trim();
    return value || DEFAULT_MODELS_FOLDER;
  }

  get trainingParameters(): TrainingParameters {
    const s = this.section;
    const out = { lowercase: s.get<boolean>('training.lowercase', true) } as TrainingParameters;
    for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
      (out as unknown as Record<string, number>)[key] = clampNumber(s.get<number>(`training.${key}`, spec.default), spec, spec.default);
    }
    return out;
  }
}

/** Applies caller overrides (from the API) with the same ranges as the settings. */
export function withOverrides(base: TrainingParameters, overrides: Partial<TrainingParameters>): TrainingParameters {
  const out = { ...base };
  for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
    const value = (overrides as Record<string, unknown>)[key];
    if (typeof value === 'number') (out as unknown as Record<string, number>)[key] = clampNumber(value, spec, spec.default);
  }
  if (typeof overrides.lowercase === 'boolean') out.lowercase = overrides.lowercase;
  return out;
}

function clampNumber(value: unknown, range: Range, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const v = range.integer ? Math.round(value) : value;
  return Math.min(range.max, Math.max(range.min, v));
}

/** Exported so a test can keep package.json's documented ranges in step with the ones enforced here. */
export const TRAINING_SETTING_SPECS = TRAINING_SETTINGS;
