import type { ErrorObject } from 'ajv';
import { didYouMean } from './closest.js';

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
 * are matched against the schema's, which ajv attaches to errors only with its `verbose` option.
 *
 * @example
 * ```ts
 * import { formatSchemaErrors } from '@gradstream/graph';
 * formatSchemaErrors('layers/0', [{ instancePath: '/outFeatures', message: 'must be integer', keyword: 'type', schemaPath: '', params: {} }]);
 * // [{ path: 'layers/0/outFeatures', message: 'must be integer' }]
 * ```
 */
export function formatSchemaErrors(base: string, errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
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
      // The known names come from the object's schema, which ajv attaches only when `verbose`.
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      message = `is not a known property${didYouMean(property, known)}`;
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${JSON.stringify(allowed)}${didYouMean(e.data, allowed)}`;
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    } else if (e.keyword === 'discriminator') {
      ({ path, message } = discriminatorProblem(path, e));
    }
    const key = `${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/**
 * ajv's `discriminator` reports at the object ("value of tag "op" must be in oneOf"); the
 * problem is the tag itself, so the line names the tag's path and, when the error carries its
 * schema (ajv's `verbose`), the values the branches accept.
 */
function discriminatorProblem(path: string, e: ErrorObject): SchemaProblem {
  const { error, tag, tagValue } = e.params as { error: string; tag: string; tagValue: unknown };
  const tagPath = join(path, `/${tag}`);
  if (tagValue === undefined) return { path: tagPath, message: 'is required' };
  if (error === 'tag') return { path: tagPath, message: 'must be string' };
  const branches = (e.parentSchema as { oneOf?: unknown } | undefined)?.oneOf;
  const allowed = Array.isArray(branches) ? branches.flatMap((b) => tagValues(b, tag)) : [];
  const got = `got ${JSON.stringify(tagValue)}`;
  return {
    path: tagPath,
    message: allowed.length > 0 ? `must be one of ${JSON.stringify(allowed)}, ${got}${didYouMean(tagValue, allowed)}` : `matches no oneOf branch, ${got}`,
  };
}

function tagValues(branch: unknown, tag: string): unknown[] {
  const prop = (branch as { properties?: Record<string, { const?: unknown; enum?: unknown[] }> } | null)?.properties?.[tag];
  if (prop === undefined) return [];
  if ('const' in prop) return [prop.const];
  return Array.isArray(prop.enum) ? prop.enum : [];
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
