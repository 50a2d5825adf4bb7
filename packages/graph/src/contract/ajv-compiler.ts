import { Ajv } from 'ajv';
import type { CompiledSchema, SchemaCompiler } from './config-validator.js';
import type { JsonSchema } from './op-plugin.js';

/**
 * ajv as the run-time {@link SchemaCompiler}, with the options the precompiled validators are
 * made with (test/support/standalone-validators.ts): every problem at once, schema defaults
 * written into the value.
 */
export function ajvCompiler(): SchemaCompiler {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  const compiled = new WeakMap<JsonSchema, CompiledSchema>();
  return (schema) => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      // Without its $id: two plugins, or one in two registries, may carry schemas with the same one.
      const { $id: _id, ...rest } = schema as Record<string, unknown>;
      validate = ajv.compile(rest);
      compiled.set(schema, validate);
    }
    return validate;
  };
}
