import type { ErrorObject } from 'ajv';
import { didYouMean } from './closest.js';
import type { JsonSchema } from './op-plugin.js';

/**
 * One schema problem: the JSON path of the offending value and what is wrong with it.
 *
 * @example
 * ```ts
 * import type { SchemaProblem } from '@gradstream/graph';
 * const p: SchemaProblem = { path: 'layers/1/outFeatures', message: 'must be >= 1' };
 * ```
 */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Turns ajv errors into one readable problem per line, each with a JSON path below `base`
 * (`layers/1/outFeatures must be >= 1`). Required and unknown properties name the property in the path.
 * A misspelt op, property or enum value gets the closest allowed one
 * (`layers/1/op must be one of [...], got "tanhh" (did you mean "tanh"?)`); unknown properties
 * are matched against the known ones, taken from the error's `parentSchema` (ajv's `verbose`
 * option) or else from `schema`, the schema that was checked, at the error's `schemaPath`.
 *
 * @example
 * ```ts
 * import { formatSchemaErrors } from '@gradstream/graph';
 * formatSchemaErrors('layers/0', [{ instancePath: '/outFeatures', message: 'must be integer', keyword: 'type', schemaPath: '', params: {} }]);
 * // [{ path: 'layers/0/outFeatures', message: 'must be integer' }]
 * ```
 */
export function formatSchemaErrors(base: string, errors: readonly ErrorObject[] | null | undefined, checked: SchemaChecked = {}): SchemaProblem[] {
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of errors ?? []) {
    // oneOf/anyOf report a summary error beside the branch errors; the branches say more.
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
    let path = join(base, e.instancePath);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = join(path, `/${String((e.params as { missingProperty: string }).missingProperty)}`);
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      const property = (e.params as { additionalProperty: string }).additionalProperty;
      path = join(path, `/${String(property)}`);
      const parent = e.parentSchema ?? (checked.schema === undefined ? undefined : pointerAt(checked.schema, e.schemaPath, 1));
      const known = Object.keys((parent as { properties?: object } | undefined)?.properties ?? {});
      message = `is not a known property${didYouMean(property, known)}`;
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const value = 'data' in e ? e.data : pointerAt(checked.data, e.instancePath, 0);
      message = `must be one of ${JSON.stringify(allowed)}${didYouMean(value, allowed)}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    }
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/**
 * What ajv's errors are resolved against when it did not attach it (its `verbose` option): the
 * schema checked, for the properties an unknown one may be a misspelling of, and the value
 * checked, for the enum value that was misspelt.
 *
 * @example
 * ```ts
 * import type { SchemaChecked } from '@gradstream/graph';
 * const checked: SchemaChecked = { schema: { type: 'object', properties: { units: { type: 'integer' } } }, data: { unit: 3 } };
 * ```
 */
export interface SchemaChecked {
  readonly schema?: JsonSchema;
  readonly data?: unknown;
}

/**
 * The value at a JSON pointer (`/a/0`, or `#/a/0` for a schema path), less its last `drop` steps:
 * a schema path ends at the keyword that failed, the schema object holding it is one step up.
 */
function pointerAt(root: unknown, pointer: string, drop: number): unknown {
  const steps = pointer.replace(/^#/, '').split('/').slice(1);
  let at: unknown = root;
  for (const step of steps.slice(0, steps.length - drop)) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[step.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

function join(base: string, pointer: string): string {
  if (pointer === '') return base;
  return base === '' ? pointer.slice(1) : `${base}${pointer}`;
}

/**
 * Renders problems as lines: `path message` (the document itself is `(root)`).
 *
 * @example
 * ```ts
 * import { problemLines } from '@gradstream/graph';
 * problemLines([{ path: 'loss/op', message: 'is required' }]); // 'loss/op is required'
 * ```
 */
export function problemLines(problems: readonly SchemaProblem[]): string {
  return problems.map((p) => `${p.path === '' ? '(root)' : p.path} ${p.message}`).join('\n');
}
