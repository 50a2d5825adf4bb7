import fc from 'fast-check';
import { GradstreamError, type ErrorCode } from '@gradstream/tensor';
import { recordFigure } from './figures.js';

/**
 * Helpers for test/fuzz.test.ts: the error-code table, the "valid result or GradstreamError"
 * check, prototype-pollution probes and JSON mutations.
 */

/** Every code of the error-code table in packages/tensor/src/errors.ts; the Record type makes it exhaustive. */
const CODE_TABLE: Record<ErrorCode, true> = {
  SHAPE_MISMATCH: true,
  NON_FINITE_INPUT: true,
  UNKNOWN_OP: true,
  DUPLICATE_OP: true,
  INVALID_CONFIG: true,
  INVALID_PLUGIN: true,
  INVALID_MODEL: true,
  INVALID_SPEC: true,
  INVALID_DATA: true,
  INVALID_OPTION: true,
  GRADIENT_SHAPE: true,
  GRADIENT_MISMATCH: true,
  BACKEND_UNAVAILABLE: true,
  DEVICE_LOST: true,
  OUT_OF_MEMORY: true,
  TOO_LARGE: true,
  DIVERGED: true,
  MODEL_BUSY: true,
  INVALID_COMMAND: true,
  CHECKPOINT_INVALID: true,
  FILE_ERROR: true,
  INVALID_USAGE: true,
  UNSUPPORTED_EXPORT: true,
  UNSUPPORTED_IMPORT: true,
};
export const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(CODE_TABLE));

/** Rethrows anything that is not a GradstreamError with a code from the table (or, when given, one of `codes`). */
export function expectGradstream(e: unknown, codes?: readonly ErrorCode[]): GradstreamError {
  if (!(e instanceof GradstreamError)) throw e;
  if (!ERROR_CODES.has(e.code)) throw new Error(`GradstreamError with a code outside the table: ${String(e.code)}: ${e.message}`);
  if (codes !== undefined && !codes.includes(e.code)) throw new Error(`expected code ${codes.join(' or ')}, got ${e.code}: ${e.message}`);
  return e;
}

/** Runs `fn`: its result, or undefined when it threw a GradstreamError; any other exception propagates. */
export function validOrGradstream<T>(fn: () => T, codes?: readonly ErrorCode[]): T | undefined {
  try {
    return fn();
  } catch (e) {
    expectGradstream(e, codes);
    return undefined;
  }
}

/** Async version of {@link validOrGradstream}. */
export async function validOrGradstreamAsync<T>(fn: () => Promise<T>, codes?: readonly ErrorCode[]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    expectGradstream(e, codes);
    return undefined;
  }
}

const prototypeKeys = (): string[] => Reflect.ownKeys(Object.prototype).map(String).sort();
const arrayPrototypeKeys = (): string[] => Reflect.ownKeys(Array.prototype).map(String).sort();
const BEFORE = { object: prototypeKeys(), array: arrayPrototypeKeys() };

/** Throws when Object.prototype (or Array.prototype) gained keys since this module was loaded. */
export function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined) throw new Error(`prototype pollution: ({}).polluted is ${String(probe.polluted)}`);
  const object = prototypeKeys();
  if (object.join() !== BEFORE.object.join()) {
    throw new Error(`prototype pollution: Object.prototype keys now ${object.filter((k) => !BEFORE.object.includes(k)).join(', ')}`);
  }
  const array = arrayPrototypeKeys();
  if (array.join() !== BEFORE.array.join()) {
    throw new Error(`prototype pollution: Array.prototype keys now ${array.filter((k) => !BEFORE.array.includes(k)).join(', ')}`);
  }
}

/** Keys that attack prototypes, mixed into generated objects. */
export const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'polluted'] as const;

/** Object keys: mostly short strings, often a dangerous key, sometimes a field name the target reads. */
export const keyArb = (fieldNames: readonly string[] = []): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 6 }) },
    { weight: 2, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
    ...(fieldNames.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...fieldNames) }] : []),
  );

/**
 * Random JSON values whose objects may carry `__proto__`, `constructor`, `prototype` as own keys.
 * Values go through JSON.parse, which makes `__proto__` an own data property the way a file would.
 */
export const jsonArb = (fieldNames: readonly string[] = [], maxDepth = 3): fc.Arbitrary<unknown> => {
  const plain = fc
    .letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', maxDepth, withCrossShrink: true },
        fc.constant(null),
        fc.boolean(),
        fc.integer({ min: -3, max: 10 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ maxLength: 8 }),
        fc.constantFrom(...fieldNames, ...DANGEROUS_KEYS, 'linear', 'mse', 'sigmoid', 'float32'),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(keyArb(fieldNames), tie('value'), { maxKeys: 4 }),
        fc.constant({ polluted: 'yes' }),
      ),
    }))
    .value.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
  return fc.oneof(
    { weight: 6, arbitrary: plain },
    // A pollution payload spelt the way an attacker writes it in a file.
    { weight: 1, arbitrary: plain.map((v) => JSON.parse(`{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"v":${JSON.stringify(v)}}`) as unknown) },
  );
};

type Path = readonly (string | number)[];

/** Every path to a value inside `json` (the root is []). */
export function paths(json: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(json)) json.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof json === 'object' && json !== null) {
    for (const k of Object.keys(json)) out.push(...paths((json as Record<string, unknown>)[k], [...prefix, k]));
  }
  return out;
}

/** A structural mutation of a JSON document. */
export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'addKey'; readonly at: number; readonly key: string; readonly value: unknown };

export const mutationArb = (fieldNames: readonly string[] = []): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: jsonArb(fieldNames, 2) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('addKey' as const), at: fc.nat(), key: keyArb(fieldNames), value: jsonArb(fieldNames, 2) }),
  );

/** Sets an own data property, `__proto__` included, without touching any prototype. */
function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Applies mutations to a deep copy of `json` (paths picked modulo the number of paths). */
export function mutate(json: unknown, mutations: readonly Mutation[]): unknown {
  let doc = JSON.parse(JSON.stringify(json)) as unknown;
  for (const m of mutations) {
    const all = paths(doc);
    const path = all[m.at % all.length] as Path;
    const parent = path.length === 0 ? undefined : (path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc) as Record<string, unknown>);
    const last = path[path.length - 1] as string | number;
    const target = path.length === 0 ? doc : (parent as Record<string, unknown>)[last];
    switch (m.kind) {
      case 'replace':
        if (parent === undefined) doc = m.value;
        else define(parent, last, m.value);
        break;
      case 'delete':
        if (parent === undefined) doc = undefined;
        else if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
        break;
      case 'addKey':
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) define(target, m.key, m.value);
        else if (Array.isArray(target)) target.push(m.value);
        break;
    }
  }
  return doc;
}

/** A text mutation: a character set at, inserted at or a slice deleted, duplicated or cut off. */
export type TextMutation =
  | { readonly kind: 'set' | 'insert'; readonly at: number; readonly char: string }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'duplicate' | 'remove'; readonly at: number; readonly length: number };

export const textMutationArb = (alphabet: fc.Arbitrary<string>): fc.Arbitrary<TextMutation> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('set' as const, 'insert' as const), at: fc.nat(), char: alphabet }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('duplicate' as const, 'remove' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }) },
  );

export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let t = text;
  for (const m of mutations) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    switch (m.kind) {
      case 'set':
        t = t.slice(0, at) + m.char + t.slice(at + 1);
        break;
      case 'insert':
        t = t.slice(0, at) + m.char + t.slice(at);
        break;
      case 'truncate':
        t = t.slice(0, at);
        break;
      case 'duplicate':
        t = t.slice(0, at + m.length) + t.slice(at, at + m.length) + t.slice(at + m.length);
        break;
      case 'remove':
        t = t.slice(0, at) + t.slice(at + m.length);
        break;
    }
  }
  return t;
}

/** Characters that matter to JSON, CSV and base64, plus a few that break UTF-8 and parsers. */
export const syntaxChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...'{}[]",:0123456789.-+eE \n\t;#\r\\ntfalsuTNIfinyA/=xy'.split('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\ufeff', '\ud800', '\u2028', 'é', '😀') },
);

/** How a fuzz file runs its properties: runs per property, seed, time limit. */
export interface FuzzSettings {
  readonly runs: number;
  readonly seed: number;
  readonly timeLimitMs: number;
}

/**
 * The settings every fuzz file reads from the environment: GRADSTREAM_FUZZ_RUNS (default
 * `defaultRuns`; 10000 for the on-demand run), GRADSTREAM_FUZZ_SEED (default 42) and
 * GRADSTREAM_FUZZ_TIME_MS (each property stops generating after this long, and passes with the runs
 * done so far; default 20 s or 20 ms per run, whichever is longer).
 */
export function fuzzSettings(defaultRuns = 200): FuzzSettings {
  const runs = Number(process.env.GRADSTREAM_FUZZ_RUNS ?? defaultRuns);
  return {
    runs,
    seed: Number(process.env.GRADSTREAM_FUZZ_SEED ?? 42),
    timeLimitMs: Number(process.env.GRADSTREAM_FUZZ_TIME_MS ?? Math.max(20_000, runs * 20)),
  };
}

/**
 * Configures fast-check for a fuzz file (call in `beforeAll`, undo with `fc.resetConfigureGlobal()`
 * in `afterAll`): the seed, runs and time limit of {@link fuzzSettings}, and a reporter that records
 * each property's count of cases run (for the reliability report) and fails as fast-check's own
 * would — with the seed and path that replay the failure.
 */
export function configureFuzz(settings: FuzzSettings): void {
  const report = (details: fc.RunDetails<unknown>): void => {
    recordFigure({ kind: 'fuzz', cases: details.numRuns, skipped: details.numSkips, interrupted: details.interrupted, failed: details.failed, seed: settings.seed });
    if (details.failed) throw new Error(fc.defaultReportMessage(details));
  };
  fc.configureGlobal({
    seed: settings.seed,
    numRuns: settings.runs,
    interruptAfterTimeLimit: settings.timeLimitMs,
    markInterruptAsFailure: false,
    // Used by async properties too (fast-check takes one reporter or the other, not both).
    reporter: report,
  });
}
