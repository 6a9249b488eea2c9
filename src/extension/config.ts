// Typed access to the `transferLab.*` settings. Every setting is read through here, validated, and
// clamped to its documented range, so the rest of the extension never sees a nonsense value.
import * as vscode from 'vscode';
import type { TrainingParameters } from '../shared/protocol';
import { GLOVE_DEFAULTS } from '../core/glove/glove';
import { resolveInsideWorkspace } from './folderSettings';

const SECTION = 'transferLab';

export const DEFAULT_INCLUDE = '**/*.{txt,text,md,markdown,rst,tex,org,adoc,csv,tsv,jsonl}';
export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/.git/**', '**/.transfer-lab/**', '**/.vscode/**'];
export const DEFAULT_MODELS_FOLDER = '.transfer-lab/models';
export const DEFAULT_CLASSIFIERS_FOLDER = '.transfer-lab/classifiers';

/** The classifier settings (transferLab.classifier.*) with their ranges. */
export const CLASSIFIER_SETTING_SPECS = {
  epochs: { default: 10, min: 1, max: 1000, integer: true },
  batchSize: { default: 50, min: 1, max: 10_000, integer: true },
  maxLength: { default: 64, min: 4, max: 2048, integer: true },
  patience: { default: 3, min: 1, max: 1000, integer: true },
  seed: { default: 1, min: 0, max: 2 ** 31 - 1, integer: true },
};
export const CLASSIFIER_ARCHITECTURES = ['bag', 'bilstm', 'cnn'] as const;

export interface ClassifierDefaults {
  arch: (typeof CLASSIFIER_ARCHITECTURES)[number];
  epochs: number;
  batchSize: number;
  maxLen: number;
  patience: number;
  seed: number;
}

interface Range {
  min: number;
  max: number;
  integer: boolean;
}

type NumericParameter = { [K in keyof TrainingParameters]-?: TrainingParameters[K] extends number ? K : never }[keyof TrainingParameters];
type BooleanParameter = 'lowercase' | 'hs' | 'cbowMean';

// Defaults as the core's (gensim's, with skip-gram as the mode).
const TRAINING_SETTINGS: Record<NumericParameter, { default: number } & Range> = {
  dim: { default: 100, min: 2, max: 1000, integer: true },
  window: { default: 5, min: 1, max: 50, integer: true },
  negative: { default: 5, min: 0, max: 50, integer: true },
  epochs: { default: 5, min: 1, max: 1000, integer: true },
  minCount: { default: 5, min: 1, max: 1_000_000, integer: true },
  sample: { default: 1e-3, min: 0, max: 1, integer: false },
  alpha: { default: 0.025, min: 1e-6, max: 1, integer: false },
  minAlpha: { default: 0.0001, min: 0, max: 1, integer: false },
  seed: { default: 1, min: 0, max: 2 ** 31 - 1, integer: true },
  threads: { default: 0, min: 0, max: 256, integer: true },
  minn: { default: 3, min: 1, max: 20, integer: true },
  maxn: { default: 6, min: 0, max: 20, integer: true },
  bucket: { default: 2_000_000, min: 1_000, max: 20_000_000, integer: true },
};

/** gensim's restrict_vocab for evaluate_word_analogies, also what `transfer-lab eval` uses for both kinds of test set. */
export const EVALUATION_RESTRICT_VOCAB = { default: 30_000, min: 1, max: 10_000_000, integer: true };

/** Stanford's GloVe values where they differ from word2vec's. */
const GLOVE_SPECIFIC_DEFAULTS = { window: GLOVE_DEFAULTS.window, epochs: GLOVE_DEFAULTS.epochs };

const BOOLEAN_SETTINGS: Record<BooleanParameter, boolean> = { lowercase: true, hs: false, cbowMean: true };
const CHOICE_SETTINGS = {
  algorithm: { default: 'word2vec', choices: ['word2vec', 'fasttext', 'glove'] },
  mode: { default: 'sg', choices: ['sg', 'cbow'] },
} as const;

export interface CorpusSettings {
  include: string;
  exclude: string[];
  maxFileBytes: number;
}

export class Config {
  /** Ignored folder settings already reported: each is said once, not at every read. */
  private readonly reported = new Set<string>();

  /** @param onIgnored told (once per value) when a folder setting is ignored in an untrusted workspace. */
  constructor(private readonly onIgnored?: (message: string) => void) {}

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
    return this.folderSetting('modelsFolder', DEFAULT_MODELS_FOLDER);
  }

  /** Minutes of training between checkpoints; 0 for none. */
  get checkpointMinutes(): number {
    return clampNumber(this.section.get<number>('training.checkpointMinutes', 5), { min: 0, max: 1440, integer: false }, 5);
  }

  /** Hovers list a word's neighbours in the active model. */
  get hoverEnabled(): boolean {
    return this.section.get<boolean>('hover.enabled', true) !== false;
  }

  /** Where trained classifiers are saved, relative to the first workspace folder; as modelsFolder in an untrusted workspace. */
  get classifiersFolder(): string {
    return this.folderSetting('classifiersFolder', DEFAULT_CLASSIFIERS_FOLDER);
  }

  // VS Code already drops workspace values of these settings in Restricted Mode (package.json
  // restrictedConfigurations); this is the second line, should a value still come through.
  private folderSetting(key: 'modelsFolder' | 'classifiersFolder', fallback: string): string {
    const value = this.section.get<string>(key, fallback);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '.';
    const setting = resolveInsideWorkspace(root, typeof value === 'string' ? value : '', vscode.workspace.isTrusted, fallback);
    if (setting.ignored) {
      const message = `transferLab.${key} is "${value}", and ${setting.ignored}. This workspace is not trusted, so Transfer Lab uses "${fallback}" instead. Trust the workspace to use the setting, or name a folder inside the workspace.`;
      if (!this.reported.has(message)) {
        this.reported.add(message);
        this.onIgnored?.(message);
      }
    }
    return setting.path;
  }

  get classifier(): ClassifierDefaults {
    const s = this.section;
    const number = (key: keyof typeof CLASSIFIER_SETTING_SPECS) => {
      const spec = CLASSIFIER_SETTING_SPECS[key];
      return clampNumber(s.get<number>(`classifier.${key}`, spec.default), spec, spec.default);
    };
    const arch = s.get<string>('classifier.architecture', 'bag');
    return {
      arch: (CLASSIFIER_ARCHITECTURES as readonly string[]).includes(arch) ? (arch as ClassifierDefaults['arch']) : 'bag',
      epochs: number('epochs'),
      batchSize: number('batchSize'),
      maxLen: number('maxLength'),
      patience: number('patience'),
      seed: number('seed'),
    };
  }

  /** Only the N most frequent words count in an evaluation, for questions, answers and word pairs. */
  get evaluationRestrictVocab(): number {
    return clampNumber(this.section.get<number>('evaluation.restrictVocab', EVALUATION_RESTRICT_VOCAB.default), EVALUATION_RESTRICT_VOCAB, EVALUATION_RESTRICT_VOCAB.default);
  }

  get trainingParameters(): TrainingParameters {
    const s = this.section;
    const out = {} as Record<string, unknown>;
    for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
      out[key] = clampNumber(s.get<number>(`training.${key}`, spec.default), spec, spec.default);
    }
    for (const [key, fallback] of Object.entries(BOOLEAN_SETTINGS)) {
      const value = s.get<boolean>(`training.${key}`, fallback);
      out[key] = typeof value === 'boolean' ? value : fallback;
    }
    for (const [key, spec] of Object.entries(CHOICE_SETTINGS)) {
      const value = s.get<string>(`training.${key}`, spec.default);
      out[key] = (spec.choices as readonly string[]).includes(value) ? value : spec.default;
    }
    if (out.algorithm === 'glove') {
      // GloVe wants a wider window and more passes than word2vec: its own defaults apply unless
      // the user set these explicitly.
      for (const [key, gloveDefault] of Object.entries(GLOVE_SPECIFIC_DEFAULTS)) {
        const set = s.inspect(`training.${key}`);
        const explicit = set?.globalValue ?? set?.workspaceValue ?? set?.workspaceFolderValue;
        if (explicit === undefined) out[key] = gloveDefault;
      }
    }
    return consistent(out as unknown as TrainingParameters);
  }
}

/** Applies caller overrides (from the API) with the same ranges as the settings. */
export function withOverrides(base: TrainingParameters, overrides: Partial<TrainingParameters>): TrainingParameters {
  const out = { ...base };
  for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
    const value = (overrides as Record<string, unknown>)[key];
    if (typeof value === 'number') (out as unknown as Record<string, number>)[key] = clampNumber(value, spec, spec.default);
  }
  for (const key of Object.keys(BOOLEAN_SETTINGS) as BooleanParameter[]) {
    if (typeof overrides[key] === 'boolean') out[key] = overrides[key];
  }
  if (overrides.algorithm && CHOICE_SETTINGS.algorithm.choices.includes(overrides.algorithm)) out.algorithm = overrides.algorithm;
  if (overrides.mode && CHOICE_SETTINGS.mode.choices.includes(overrides.mode)) out.mode = overrides.mode;
  return consistent(out);
}

/** Settings that are each in range can still contradict each other; settle them the forgiving way. */
function consistent(parameters: TrainingParameters): TrainingParameters {
  const out = { ...parameters };
  if (out.negative === 0 && !out.hs) out.negative = TRAINING_SETTINGS.negative.default;
  if (out.maxn !== 0 && out.maxn < out.minn) out.maxn = out.minn;
  if (out.minAlpha > out.alpha) out.minAlpha = out.alpha;
  return out;
}

function clampNumber(value: unknown, range: Range, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const v = range.integer ? Math.round(value) : value;
  return Math.min(range.max, Math.max(range.min, v));
}

/** Exported so a test can keep package.json's documented ranges in step with the ones enforced here. */
export const TRAINING_SETTING_SPECS = TRAINING_SETTINGS;
