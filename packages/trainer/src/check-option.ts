import { GradstreamError } from '@gradstream/tensor';

/** The allowed range of a numeric option; open bounds use `above`/`below`, closed ones `atLeast`/`atMost`. */
export interface OptionRange {
  readonly above?: number;
  readonly atLeast?: number;
  readonly below?: number;
  readonly atMost?: number;
  readonly integer?: boolean;
}

function describe(range: OptionRange): string {
  const kind = range.integer ? 'an integer' : 'a finite number';
  const lo = range.above ?? range.atLeast;
  const hi = range.below ?? range.atMost;
  if (lo !== undefined && hi !== undefined) {
    return `${kind} in ${range.above !== undefined ? '(' : '['}${lo}, ${hi}${range.below !== undefined ? ')' : ']'}`;
  }
  if (lo !== undefined) return `${kind} ${range.above !== undefined ? '>' : '>='} ${lo}`;
  if (hi !== undefined) return `${kind} ${range.below !== undefined ? '<' : '<='} ${hi}`;
  return kind;
}

function inRange(v: number, r: OptionRange): boolean {
  if (!Number.isFinite(v) || (r.integer === true && !Number.isInteger(v))) return false;
  if (r.above !== undefined && !(v > r.above)) return false;
  if (r.atLeast !== undefined && !(v >= r.atLeast)) return false;
  if (r.below !== undefined && !(v < r.below)) return false;
  if (r.atMost !== undefined && !(v <= r.atMost)) return false;
  return true;
}

/**
 * Any value as text for an error message: a number as written, a BigInt with its `n`, JSON where
 * it has one, else its type. Never throws: JSON.stringify does on a BigInt inside an object or a
 * cycle, and String does on a null-prototype object or a symbol, which would turn a message about
 * a bad option into a TypeError.
 *
 * @example
 * ```ts
 * describeValue(Number.NaN); // 'NaN'
 * describeValue(10n); // '10n'
 * describeValue({ lr: 1n }); // '[object Object]'
 * ```
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Returns `value` (or `fallback` when it is undefined) if it is a number in `range`; otherwise
 * throws `INVALID_OPTION` naming the owner (`adam`, `cosineDecay`) and the option.
 */
export function numberOption(owner: string, option: string, value: unknown, range: OptionRange, fallback?: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !inRange(v, range)) {
    const got = v === undefined ? 'nothing' : describeValue(v);
    throw new GradstreamError('INVALID_OPTION', `${owner}: ${option} must be ${describe(range)}, got ${got}`, { owner, option, value: v });
  }
  return v;
}

/** Like {@link numberOption} for a boolean. */
export function booleanOption(owner: string, option: string, value: unknown, fallback: boolean): boolean {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'boolean') {
    throw new GradstreamError('INVALID_OPTION', `${owner}: ${option} must be a boolean, got ${describeValue(v)}`, { owner, option, value: v });
  }
  return v;
}

/** Throws `INVALID_OPTION` for the first key of `options` not in `known` (a misspelt option would otherwise be ignored). */
export function knownOptions(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new GradstreamError('INVALID_OPTION', `${owner}: unknown option "${key}" (known: ${known.join(', ')})`, { owner, option: key, known: [...known] });
    }
  }
}

/** Reads the options of one object, naming the owner and the JSON path in every error. */
export interface OptionReader {
  number(option: string, range: OptionRange, fallback?: number): number;
  boolean(option: string, fallback: boolean): boolean;
}

/**
 * An {@link OptionReader} over `source`; `path` prefixes option names in messages (`config.` when
 * reading a saved state), so `adam.setState: config.beta1 must be …` points at the bad field.
 */
export function optionReader(owner: string, source: object, path = ''): OptionReader {
  const values = source as Readonly<Record<string, unknown>>;
  return {
    number: (option, range, fallback) => numberOption(owner, path + option, values[option], range, fallback),
    boolean: (option, fallback) => booleanOption(owner, path + option, values[option], fallback),
  };
}
