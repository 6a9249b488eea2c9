// A strict command-line parser: every flag is declared with its type and range, and anything else
// is a UsageError that says what was wrong. No dependency, because the CLI ships in the extension.

export type FlagSpec =
  | { kind: 'string' }
  /** Repeatable: every occurrence is kept, in order (`--similarity a.tsv --similarity b.txt`). */
  | { kind: 'strings' }
  | { kind: 'boolean' }
  | { kind: 'int' | 'number'; min: number; max: number };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | number | boolean | string[]>;
}

/** Accepts `--name value`, `--name=value`, `-k value` (single letter) and `--` to end flags. */
export function parseArgs(argv: string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | number | boolean | string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/.exec(arg);
    if (!match || (arg.startsWith('-') && !arg.startsWith('--') && match[1].length > 1)) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) throw new UsageError(`unknown option ${arg}.`);
      positional.push(arg);
      continue;
    }
    const name = match[1];
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs).map((k) => (k.length === 1 ? `-${k}` : `--${k}`)).join(', ');
      throw new UsageError(`unknown option ${arg.split('=')[0]}. Options here: ${known}.`);
    }
    if (spec.kind === 'boolean') {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value.`);
      flags[name] = true;
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value.`);
    if (spec.kind === 'strings') {
      const previous = flags[name];
      flags[name] = Array.isArray(previous) ? [...previous, value] : [value];
    } else {
      flags[name] = spec.kind === 'string' ? value : parseNumber(name, value, spec);
    }
  }
  return { positional, flags };
}

function parseNumber(name: string, raw: string, spec: { kind: 'int' | 'number'; min: number; max: number }): number {
  const value = Number(raw);
  const label = name.length === 1 ? `-${name}` : `--${name}`;
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${label} must be a number, got "${raw}".`);
  if (spec.kind === 'int' && !Number.isInteger(value)) throw new UsageError(`${label} must be a whole number, got "${raw}".`);
  if (value < spec.min || value > spec.max) throw new UsageError(`${label} must be between ${spec.min} and ${spec.max}, got ${raw}.`);
  return value;
}
