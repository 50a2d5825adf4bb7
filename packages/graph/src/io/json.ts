import { GradstreamError } from '@gradstream/tensor';

/**
 * A JSON value: what specs and checkpoints are made of.
 *
 * @example
 * ```ts
 * import type { JsonValue } from '@gradstream/graph';
 * const meta: JsonValue = { run: 'xor', lr: [0.1, 0.05], done: false };
 * ```
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * A deep copy of `value` that is plain JSON, or an `INVALID_OPTION` error naming the first path
 * holding something JSON cannot carry (a typed array, a function, NaN, undefined in an array, a
 * class instance). `JSON.stringify` would silently turn those into `{}` or `null`.
 */
export function jsonCopy(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw notJson(path, String(value));
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => (v === undefined ? fail(`${path}/${i}`, 'undefined') : jsonCopy(v, `${path}/${i}`)));
  }
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw notJson(path, (value as object).constructor?.name ?? 'an object with a prototype');
    const out: Record<string, JsonValue> = {};
    // Defined, not assigned: a key "__proto__" (JSON.parse makes it an own key) would otherwise set
    // the copy's prototype and vanish from it.
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) Object.defineProperty(out, k, { value: jsonCopy(v, `${path}/${k}`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw notJson(path, typeof value);
}

function fail(path: string, what: string): never {
  throw notJson(path, what);
}

function notJson(path: string, what: string): GradstreamError {
  return new GradstreamError('INVALID_OPTION', `${path}: expected a JSON value, got ${what}`, { path });
}

/** Freezes `value` and everything inside it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Where two JSON values differ, one line per differing leaf: `path: <aName> has X, <bName> has Y`.
 * Arrays compare by position, objects by key.
 */
export function jsonDiff(a: unknown, b: unknown, path: string, aName: string, bName: string): string[] {
  const bothObjects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null;
  if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`, aName, bName),
    );
  }
  if (a === b) return [];
  return [`${path}: ${aName} has ${show(a)}, ${bName} has ${show(b)}`];
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
