import type { Ajv } from 'ajv';
import { GradstreamError } from '@gradstream/tensor';
import type { JsonSchema } from './op-plugin.js';
import { formatSchemaErrors, problemLines } from './schema-errors.js';

/** Checks a configuration against an op's schema and returns a copy with defaults applied. */
export type ConfigValidator = (config: unknown, where: string) => Record<string, unknown>;

/**
 * Compiles an op's `paramsSchema` once into a {@link ConfigValidator}. A schema that does not
 * compile is an `INVALID_PLUGIN` error; a configuration that does not match is an `INVALID_CONFIG`
 * error with one line per problem and its JSON path below `where`.
 */
export function compileConfigValidator(ajv: Ajv, plugin: { readonly name: string; readonly paramsSchema: JsonSchema }): ConfigValidator {
  let validate: ReturnType<Ajv['compile']>;
  try {
    validate = ajv.compile(plugin.paramsSchema as object);
  } catch (e) {
    throw new GradstreamError('INVALID_PLUGIN', `op "${plugin.name}": paramsSchema does not compile: ${(e as Error).message}`, {
      op: plugin.name,
    });
  }
  return (config, where) => {
    // ajv's useDefaults writes into the object it checks, so it checks a copy.
    const copy = structuredClone(config ?? {}) as Record<string, unknown>;
    if (!validate(copy)) {
      const problems = formatSchemaErrors(where, validate.errors);
      throw new GradstreamError('INVALID_CONFIG', `invalid configuration for op "${plugin.name}":\n${problemLines(problems)}`, {
        op: plugin.name,
        problems,
      });
    }
    return copy;
  };
}
