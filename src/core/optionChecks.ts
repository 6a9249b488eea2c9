// Checks for training options, with messages that say what is allowed and what was given. The
// trainers share them so every option error reads the same.

export function requireChoice(name: string, value: unknown, choices: readonly string[]): void {
  if (typeof value !== 'string' || !choices.includes(value)) {
    throw new Error(`${name} must be one of ${choices.join(', ')}, got ${String(value)}`);
  }
}

export function requireBoolean(name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new Error(`${name} must be true or false, got ${String(value)}`);
}

export function requireInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a positive integer` : `an integer between ${min} and ${max}`;
    const rangeText = min === Number.MIN_SAFE_INTEGER ? 'an integer' : range;
    throw new Error(`${name} must be ${rangeText}, got ${String(value)}`);
  }
}

export function requireNumber(name: string, value: unknown, min: number, max: number, description: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be ${description}, got ${String(value)}`);
  }
}
