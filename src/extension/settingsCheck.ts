// Says in plain words which `transferLab.*` settings cannot be used as written and what is used
// instead. VS Code underlines a bad value in settings.json but still hands it to the extension;
// config.ts then clamps it or falls back to the default, and without this the user would never
// know their window of 0 became 1. No `vscode` import: checked against package.json in unit tests.

/** The part of a contributes.configuration property this check reads. */
export interface SettingSchema {
  type?: string | string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  items?: { type?: string };
}

export interface SettingProblem {
  key: string;
  /** One sentence: what is wrong and what is used instead. */
  message: string;
}

/**
 * The problems of `values` (setting key → value as read; undefined when unset) against `schema`
 * (package.json's contributes.configuration.properties). Unset settings are fine.
 */
export function checkSettings(schema: Record<string, SettingSchema>, values: Record<string, unknown>): SettingProblem[] {
  const problems: SettingProblem[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const value = values[key];
    if (value === undefined || value === null) continue;
    const message = checkOne(spec, value);
    if (message) problems.push({ key, message: `${key} ${message}` });
  }
  problems.push(...contradictions(values));
  return problems;
}

function checkOne(spec: SettingSchema, value: unknown): string | undefined {
  const fallback = `the default ${show(spec.default)} is used`;
  const type = Array.isArray(spec.type) ? spec.type[0] : spec.type;
  switch (type) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `is ${show(value)}, not a number; ${fallback}.`;
      const used = type === 'integer' ? Math.round(value) : value;
      if (spec.minimum !== undefined && used < spec.minimum) return `is ${show(value)}; it must be at least ${show(spec.minimum)}, so ${show(spec.minimum)} is used.`;
      if (spec.maximum !== undefined && used > spec.maximum) return `is ${show(value)}; it can be at most ${show(spec.maximum)}, so ${show(spec.maximum)} is used.`;
      if (used !== value) return `is ${show(value)}; it must be a whole number, so ${show(used)} is used.`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `is ${show(value)}; it must be true or false, so ${fallback}.`;
    case 'string':
      if (typeof value !== 'string') return `is ${show(value)}, not text; ${fallback}.`;
      if (spec.enum && !spec.enum.includes(value)) return `is ${show(value)}; it must be one of ${spec.enum.map(show).join(', ')}, so ${fallback}.`;
      if (value.trim() === '' && typeof spec.default === 'string' && spec.default !== '') return `is empty; ${fallback}.`;
      return undefined;
    case 'array':
      if (!Array.isArray(value)) return `is ${show(value)}, not a list; ${fallback}.`;
      if (spec.items?.type === 'string') {
        const bad = value.filter((item) => typeof item !== 'string' || item.trim() === '');
        if (bad.length > 0) return `has ${bad.length === 1 ? 'an entry' : `${bad.length} entries`} that ${bad.length === 1 ? 'is' : 'are'} not a pattern (${bad.map(show).join(', ')}); ${bad.length === 1 ? 'it is' : 'they are'} left out.`;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Settings each in range that contradict each other, as config.ts settles them. */
function contradictions(values: Record<string, unknown>): SettingProblem[] {
  const number = (key: string) => (typeof values[key] === 'number' ? (values[key] as number) : undefined);
  const problems: SettingProblem[] = [];
  const minn = number('transferLab.training.minn') ?? 3;
  const maxn = number('transferLab.training.maxn');
  if (maxn !== undefined && maxn !== 0 && maxn < minn) {
    problems.push({ key: 'transferLab.training.maxn', message: `transferLab.training.maxn (${maxn}) is below minn (${minn}); character n-grams of length ${minn} only are used. Set maxn to 0 to turn n-grams off.` });
  }
  const alpha = number('transferLab.training.alpha') ?? 0.025;
  const minAlpha = number('transferLab.training.minAlpha');
  if (minAlpha !== undefined && minAlpha > alpha) {
    problems.push({ key: 'transferLab.training.minAlpha', message: `transferLab.training.minAlpha (${minAlpha}) is above alpha (${alpha}); the learning rate stays at ${alpha}.` });
  }
  if (values['transferLab.training.negative'] === 0 && values['transferLab.training.hs'] !== true) {
    problems.push({ key: 'transferLab.training.negative', message: 'transferLab.training.negative is 0 and hs is off, which would leave nothing to learn from; 5 negative samples are used. Turn hs on to train with hierarchical softmax alone.' });
  }
  return problems;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 10 });
  return JSON.stringify(value) ?? String(value);
}
