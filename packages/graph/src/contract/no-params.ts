import type { CompiledSchema } from './config-validator.js';
import type { JsonSchema } from './op-plugin.js';

/** The schema of an op or composite that takes no configuration: an object with no properties. */
export const NO_PARAMS_SCHEMA: JsonSchema = Object.freeze({ type: 'object', properties: {}, additionalProperties: false });

/** The `paramsSchema` of a definition (the empty one when it declares none), and its `validateParams` if it brings one. */
export function paramsOf(def: { readonly paramsSchema?: JsonSchema; readonly validateParams?: CompiledSchema }): {
  paramsSchema: JsonSchema;
  validateParams?: CompiledSchema;
} {
  const paramsSchema = def.paramsSchema ?? NO_PARAMS_SCHEMA;
  return def.validateParams === undefined ? { paramsSchema } : { paramsSchema, validateParams: def.validateParams };
}
