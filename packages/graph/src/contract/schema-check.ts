import type { ErrorObject } from 'ajv';
import type { CompiledSchema } from './config-validator.js';
import type { JsonSchema } from './op-plugin.js';

/*
 * JSON Schema checked by walking it: no code is made from the schema, so pages whose
 * Content-Security-Policy forbids `unsafe-eval` check specs, checkpoints and configurations too,
 * custom ops' included. It covers the draft-07 keywords gradstream's own schemas and op plugins use
 * and answers as ajv does with `allErrors` and `useDefaults`: the same errors (keyword, instance
 * path, schema path, params, message) and the same defaults written into the value — a test
 * holds it to ajv on every schema of the registry and on random values. A schema with a keyword
 * outside that set is refused when it is compiled, so nothing is half-checked; in Node, ajv itself
 * then compiles it (see setSchemaCompiler).
 *
 * Why not ajv's standalone code made at build time: it is about 7 kB gzipped for the built-in
 * schemas and grows with each op, where this walker is a fixed 2 kB, and it cannot check a
 * schema only known at run time (a custom op's) where code may not be made.
 */

/** A schema keyword outside the set {@link compileSchema} checks. */
export class UnsupportedSchemaError extends Error {
  constructor(
    readonly keyword: string,
    readonly path: string,
  ) {
    super(`uses "${keyword}" at ${path}, a keyword checked only by a schema compiler`);
  }
}

type Schema = Record<string, unknown>;
type Errors = ErrorObject[];

const CHECKED = new Set([
  'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern',
  'minItems', 'maxItems', 'items', 'properties', 'required', 'additionalProperties', 'maxProperties', 'propertyNames',
  'oneOf', 'anyOf', 'allOf', '$ref',
]);
/** Keywords that say something about a schema without constraining values (ajv's `discriminator` only speeds up a `oneOf`). */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'definitions', '$defs', 'readOnly', 'writeOnly', 'deprecated', 'discriminator']);
/** Subschemas under each keyword: one schema, a list of them, or a map of names to them. */
const ONE = new Set(['items', 'additionalProperties', 'propertyNames']);
const LIST = new Set(['oneOf', 'anyOf', 'allOf']);
const MAP = new Set(['properties', 'definitions', '$defs']);

const LIMITS: readonly (readonly [string, string, (x: number, bound: number) => boolean])[] = [
  ['minimum', '>=', (x, b) => x >= b],
  ['maximum', '<=', (x, b) => x <= b],
  ['exclusiveMinimum', '>', (x, b) => x > b],
  ['exclusiveMaximum', '<', (x, b) => x < b],
];

/**
 * A schema as a {@link CompiledSchema}, checked by walking it. Throws {@link UnsupportedSchemaError}
 * for a keyword outside the covered set, a `$ref` other than a local `#/…` pointer, or a tuple `items`.
 *
 * @example
 * ```ts
 * import { compileSchema } from './schema-check.js';
 * const validate = compileSchema({ type: 'object', properties: { units: { type: 'integer', minimum: 1, default: 8 } } });
 * const config: Record<string, unknown> = {};
 * validate(config); // true, and config.units is 8
 * ```
 */
export function compileSchema(root: JsonSchema): CompiledSchema {
  const refs = new Map<string, Schema>();
  vet(root as Schema, '#', root as Schema, refs);
  const validate = (data: unknown): boolean => {
    const errors: Errors = [];
    check(root as Schema, data, '', '#', { errors, refs, defaults: true });
    validate.errors = errors.length > 0 ? errors : null;
    return errors.length === 0;
  };
  validate.errors = null as Errors | null;
  return validate;
}

/** Refuses, once, a schema this walker would not check in full; resolves its `$ref`s into `refs`. */
function vet(schema: unknown, path: string, root: Schema, refs: Map<string, Schema>): void {
  if (typeof schema === 'boolean') return;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new UnsupportedSchemaError('(not a schema)', path);
  for (const [k, v] of Object.entries(schema)) {
    if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) throw new UnsupportedSchemaError(k, path);
    if (k === '$ref') {
      const target = typeof v === 'string' ? resolve(root, v) : undefined;
      if (target === undefined) throw new UnsupportedSchemaError('$ref', `${path} (${String(v)})`);
      refs.set(v as string, target);
    }
    if (k === 'items' && Array.isArray(v)) throw new UnsupportedSchemaError('items (a tuple)', path);
    if (ONE.has(k) && typeof v !== 'boolean') vet(v, `${path}/${k}`, root, refs);
    else if (LIST.has(k) && Array.isArray(v)) v.forEach((s, i) => vet(s, `${path}/${k}/${i}`, root, refs));
    else if (MAP.has(k) && typeof v === 'object' && v !== null) for (const [n, s] of Object.entries(v)) vet(s, `${path}/${k}/${escape(n)}`, root, refs);
  }
}

function resolve(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let at: unknown = root;
  for (const step of ref.slice(1).split('/').slice(1)) {
    at = typeof at === 'object' && at !== null ? (at as Schema)[step.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return typeof at === 'object' && at !== null ? (at as Schema) : undefined;
}

/** A key as a JSON pointer step (`~` and `/` escaped); most keys have neither. */
const escape = (key: string): string => (key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Deep equality of JSON values, key order aside (as ajv's `enum` and `const` compare). */
const equal = (a: unknown, b: unknown): boolean =>
  a === b ||
  (typeof a === 'object' &&
    typeof b === 'object' &&
    a !== null &&
    b !== null &&
    Array.isArray(a) === Array.isArray(b) &&
    Object.keys(a).length === Object.keys(b).length &&
    Object.keys(a).every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])));

function typeOk(type: string, x: unknown): boolean {
  switch (type) {
    case 'integer':
      // ajv's test without strictNumbers: Infinity passes, NaN does not.
      return typeof x === 'number' && !(x % 1) && !Number.isNaN(x);
    case 'number':
      return typeof x === 'number';
    case 'object':
      return isObject(x);
    case 'array':
      return Array.isArray(x);
    case 'null':
      return x === null;
    default:
      return typeof x === type;
  }
}

/** One check's state: where errors go, the resolved `$ref`s, and whether `default`s are written here (ajv ignores them under `oneOf` and `anyOf`). */
interface Context {
  readonly errors: Errors;
  readonly refs: ReadonlyMap<string, Schema>;
  readonly defaults: boolean;
}

function fail(cx: Context, at: string, path: string, keyword: string, params: Record<string, unknown>, message: string): void {
  cx.errors.push({ instancePath: at, schemaPath: `${path}/${keyword}`, keyword, params, message });
}

/** Checks `data` against `schema` at instance path `at` and schema path `path`, pushing ajv-shaped errors. */
function check(schema: Schema | boolean, data: unknown, at: string, path: string, cx: Context): void {
  if (schema === true) return;
  if (schema === false) return fail(cx, at, path, 'false schema', {}, 'boolean schema is false');
  if (typeof schema.$ref === 'string') check(cx.refs.get(schema.$ref) as Schema, data, at, schema.$ref, cx);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeOk(t, data))) fail(cx, at, path, 'type', { type: schema.type }, `must be ${types.join(',')}`);
  }
  if (typeof data === 'number') {
    for (const [keyword, comparison, ok] of LIMITS) {
      const bound = schema[keyword];
      if (typeof bound === 'number' && !ok(data, bound)) fail(cx, at, path, keyword, { comparison, limit: bound }, `must be ${comparison} ${bound}`);
    }
  }
  if (typeof data === 'string') {
    limit(schema, 'maxLength', 'minLength', data.length, 'characters', at, path, cx);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(data)) {
      fail(cx, at, path, 'pattern', { pattern: schema.pattern }, `must match pattern "${schema.pattern}"`);
    }
  }
  if (Array.isArray(data)) {
    limit(schema, 'maxItems', 'minItems', data.length, 'items', at, path, cx);
    const items = schema.items as Schema | boolean | undefined;
    if (items !== undefined) {
      const itemsPath = `${path}/items`;
      for (let i = 0; i < data.length; i++) check(items, data[i], `${at}/${i}`, itemsPath, cx);
    }
  }
  if (isObject(data)) checkObject(schema, data, at, path, cx);
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((v) => equal(v, data))) {
    fail(cx, at, path, 'enum', { allowedValues: schema.enum }, 'must be equal to one of the allowed values');
  }
  if ('const' in schema && !equal(schema.const, data)) fail(cx, at, path, 'const', { allowedValue: schema.const }, 'must be equal to constant');
  if (Array.isArray(schema.allOf)) schema.allOf.forEach((s, i) => check(s as Schema, data, at, `${path}/allOf/${i}`, cx));
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) branches(schema, data, at, path, cx);
}

function limit(schema: Schema, max: string, min: string, n: number, what: string, at: string, path: string, cx: Context): void {
  if (typeof schema[max] === 'number' && n > (schema[max] as number)) fail(cx, at, path, max, { limit: schema[max] }, `must NOT have more than ${schema[max]} ${what}`);
  if (typeof schema[min] === 'number' && n < (schema[min] as number)) fail(cx, at, path, min, { limit: schema[min] }, `must NOT have fewer than ${schema[min]} ${what}`);
}

function checkObject(schema: Schema, data: Record<string, unknown>, at: string, path: string, cx: Context): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema | boolean>;
  if (cx.defaults && schema.properties !== undefined) {
    for (const key in properties) {
      const sub = properties[key];
      if (data[key] === undefined && typeof sub === 'object' && sub.default !== undefined) data[key] = structuredClone(sub.default);
    }
  }
  if (schema.required !== undefined) {
    for (const key of schema.required as string[]) {
      if (data[key] === undefined) fail(cx, at, path, 'required', { missingProperty: key }, `must have required property '${key}'`);
    }
  }
  const keys = Object.keys(data);
  limit(schema, 'maxProperties', '', keys.length, 'properties', at, path, cx);
  if (schema.propertyNames !== undefined) {
    for (const key of keys) {
      const inner: Errors = [];
      check(schema.propertyNames as Schema, key, at, `${path}/propertyNames`, { ...cx, errors: inner, defaults: false });
      if (inner.length > 0) {
        cx.errors.push(...inner.map((e) => ({ ...e, propertyName: key })));
        fail(cx, at, path, 'propertyNames', { propertyName: key }, 'property name must be valid');
      }
    }
  }
  const extra = schema.additionalProperties as Schema | boolean | undefined;
  for (const key of keys) {
    if (Object.hasOwn(properties, key)) check(properties[key] as Schema, data[key], `${at}/${escape(key)}`, `${path}/properties/${escape(key)}`, cx);
    else if (extra === false) fail(cx, at, path, 'additionalProperties', { additionalProperty: key }, 'must NOT have additional properties');
    else if (extra !== undefined && extra !== true) check(extra, data[key], `${at}/${escape(key)}`, `${path}/additionalProperties`, cx);
  }
}

/** `oneOf` and `anyOf`: each branch's errors are kept only when the keyword fails, as ajv keeps them. */
function branches(schema: Schema, data: unknown, at: string, path: string, cx: Context): void {
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (!Array.isArray(list)) continue;
    const inner: Errors = [];
    const passing: number[] = [];
    list.forEach((s, i) => {
      const before = inner.length;
      check(s as Schema, data, at, `${path}/${keyword}/${i}`, { ...cx, errors: inner, defaults: false });
      if (inner.length === before) passing.push(i);
    });
    if (keyword === 'anyOf' && passing.length === 0) {
      cx.errors.push(...inner);
      fail(cx, at, path, keyword, {}, 'must match a schema in anyOf');
    }
    if (keyword === 'oneOf' && passing.length !== 1) {
      if (passing.length === 0) cx.errors.push(...inner);
      fail(cx, at, path, keyword, { passingSchemas: passing.length === 0 ? null : passing.slice(0, 2) }, 'must match exactly one schema in oneOf');
    }
  }
}
