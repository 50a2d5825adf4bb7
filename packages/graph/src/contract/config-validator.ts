import type { ErrorObject } from 'ajv';
import { GradstreamError } from '@gradstream/tensor';
import type { JsonSchema } from './op-plugin.js';
import { compileSchema, UnsupportedSchemaError } from './schema-check.js';
import { formatSchemaErrors, problemLines, type SchemaProblem } from './schema-errors.js';

/**
 * A JSON Schema compiled to a function, in the shape of ajv's: true when the value matches (with
 * the schema's defaults written into it), else false with the problems in `errors`. Made by
 * {@link compileSchema}, by ajv, or by ajv's standalone code ahead of time.
 *
 * @example
 * ```ts
 * import type { CompiledSchema } from '@gradstream/graph';
 * const anyObject: CompiledSchema = Object.assign((v: unknown) => typeof v === 'object' && v !== null, { errors: null });
 * ```
 */
export interface CompiledSchema {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * Compiles a JSON Schema with keywords {@link compileSchema} does not check (a `format`, a
 * `patternProperties`, …), for ops whose plugin brings no `validateParams`.
 *
 * @example
 * ```ts
 * import { Ajv } from 'ajv';
 * import type { SchemaCompiler } from '@gradstream/graph';
 * const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
 * const compile: SchemaCompiler = (schema) => ajv.compile(schema);
 * ```
 */
export type SchemaCompiler = (schema: JsonSchema) => CompiledSchema;

let runtimeCompiler: SchemaCompiler | undefined;

/**
 * Sets how a schema with keywords {@link compileSchema} does not check is compiled. In Node the
 * package's entry installs ajv; a browser build carries no compiler (ajv's makes code with
 * `new Function`, which strict pages forbid, and would be the larger half of the bundle), so there
 * such an op brings `validateParams` (for instance ajv's standalone code, made at build time) or
 * the page installs ajv here. Built-in ops, custom ops within those keywords, and the spec and
 * checkpoint formats never need it.
 *
 * @example
 * ```ts
 * import { Ajv } from 'ajv';
 * import { setSchemaCompiler } from '@gradstream/graph';
 * const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
 * setSchemaCompiler((schema) => ajv.compile(schema));
 * ```
 */
export function setSchemaCompiler(compiler: SchemaCompiler | undefined): void {
  runtimeCompiler = compiler;
}

/** Checks a configuration against an op's schema and returns a copy with defaults applied, or the problems. */
export interface ConfigValidator {
  /** The copy with defaults; an `INVALID_CONFIG` error with one line per problem below `where`. */
  (config: unknown, where: string): Record<string, unknown>;
  /** The problems, each with its JSON path below `where` (none when the configuration is valid). */
  problems(config: unknown, where: string): SchemaProblem[];
}

/** What of a plugin (an op's or a composite's) its configuration is checked with. */
interface Configurable {
  readonly name: string;
  readonly paramsSchema: JsonSchema;
  readonly validateParams?: CompiledSchema;
}

/** Validators by plugin: a plugin in several registries, or checked outside any, compiles once. */
const validators = new WeakMap<Configurable, ConfigValidator>();

/**
 * The {@link ConfigValidator} of an op: its own `validateParams`, else its `paramsSchema` through
 * {@link compileSchema}, else (a keyword that does not check) through the installed
 * {@link SchemaCompiler}. A schema that does not compile, or no way to check it, is an
 * `INVALID_PLUGIN` error.
 */
export function configValidator(plugin: Configurable): ConfigValidator {
  let validator = validators.get(plugin);
  if (validator === undefined) {
    validator = makeValidator(plugin.name, plugin.paramsSchema, compiled(plugin));
    validators.set(plugin, validator);
  }
  return validator;
}

function compiled(plugin: Configurable): CompiledSchema {
  if (plugin.validateParams !== undefined) return plugin.validateParams;
  let unsupported: UnsupportedSchemaError;
  try {
    return compileSchema(plugin.paramsSchema);
  } catch (e) {
    if (!(e instanceof UnsupportedSchemaError)) throw e;
    unsupported = e;
  }
  if (runtimeCompiler === undefined) {
    throw new GradstreamError(
      'INVALID_PLUGIN',
      `op "${plugin.name}": paramsSchema ${unsupported.message}, and none is installed (give the op validateParams, or see setSchemaCompiler)`,
      { op: plugin.name, keyword: unsupported.keyword },
    );
  }
  try {
    return runtimeCompiler(plugin.paramsSchema);
  } catch (e) {
    throw new GradstreamError('INVALID_PLUGIN', `op "${plugin.name}": paramsSchema does not compile: ${(e as Error).message}`, { op: plugin.name });
  }
}

function makeValidator(op: string, schema: JsonSchema, validate: CompiledSchema): ConfigValidator {
  // Defaults are written into the value checked, so each check works on a copy.
  const check = (config: unknown, where: string): { copy: Record<string, unknown>; problems: SchemaProblem[] } => {
    const copy = structuredClone(config ?? {}) as Record<string, unknown>;
    return { copy, problems: validate(copy) ? [] : formatSchemaErrors(where, validate.errors, { schema, data: copy }) };
  };
  const validator = (config: unknown, where: string): Record<string, unknown> => {
    const { copy, problems } = check(config, where);
    if (problems.length > 0) {
      throw new GradstreamError('INVALID_CONFIG', `invalid configuration for op "${op}":\n${problemLines(problems)}`, { op, problems });
    }
    return copy;
  };
  return Object.assign(validator, { problems: (config: unknown, where: string) => check(config, where).problems });
}
