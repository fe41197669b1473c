/**
 * Parsers of command-line flag values for commander (`.option('--epochs <n>', '…', intFlag(1))`).
 * A bad value throws commander's InvalidArgumentError, so the CLI prints
 * `option '--epochs <n>' argument 'abc' is invalid. expected an integer ≥ 1` before any work starts.
 * Defaults given to commander are not passed through the parser: give them as typed values.
 */
import { InvalidArgumentError } from 'commander';

/** Bounds of a numeric flag (inclusive unless `exclusiveMin`). */
export interface NumberBounds {
  min?: number;
  max?: number;
  /** The value must be strictly greater than `min`. */
  exclusiveMin?: boolean;
}

function describe(kind: string, b: NumberBounds): string {
  const parts: string[] = [];
  if (b.min !== undefined) parts.push(`${b.exclusiveMin ? '>' : '≥'} ${b.min}`);
  if (b.max !== undefined) parts.push(`≤ ${b.max}`);
  return `expected ${kind}${parts.length ? ` ${parts.join(' and ')}` : ''}`;
}

function checkNumber(v: string, integer: boolean, b: NumberBounds): number {
  const n = Number(v);
  const ok =
    v.trim() !== '' &&
    Number.isFinite(n) &&
    (!integer || Number.isInteger(n)) &&
    (b.min === undefined || (b.exclusiveMin ? n > b.min : n >= b.min)) &&
    (b.max === undefined || n <= b.max);
  if (!ok) throw new InvalidArgumentError(describe(integer ? 'an integer' : 'a number', b));
  return n;
}

/** An integer flag within bounds (default: any integer). */
export function intFlag(min?: number, max?: number): (v: string) => number {
  return (v) => checkNumber(v, true, { min, max });
}

/** A finite number within bounds. */
export function numberFlag(b: NumberBounds = {}): (v: string) => number {
  return (v) => checkNumber(v, false, b);
}

/** A number > 0. */
export const positiveFlag = numberFlag({ min: 0, exclusiveMin: true });

/** One of `choices`. */
export function choiceFlag<T extends string>(choices: readonly T[]): (v: string) => T {
  return (v) => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return v as T;
  };
}

/** A comma-separated list of numbers within bounds (at least one). */
export function numberListFlag(b: NumberBounds = {}): (v: string) => number[] {
  return (v) => {
    const parts = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length === 0) throw new InvalidArgumentError('expected comma-separated numbers');
    return parts.map((p) => {
      try {
        return checkNumber(p, false, b);
      } catch {
        throw new InvalidArgumentError(`'${p}': ${describe('comma-separated numbers', b)}`);
      }
    });
  };
}

/** A comma-separated list of `choices` (at least one, no repeats). */
export function choiceListFlag<T extends string>(choices: readonly T[]): (v: string) => T[] {
  return (v) => {
    const parts = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${choices.join(', ')}`);
    for (const p of parts)
      if (!(choices as readonly string[]).includes(p)) throw new InvalidArgumentError(`unknown '${p}' (expected ${choices.join(', ')})`);
    return [...new Set(parts)] as T[];
  };
}
