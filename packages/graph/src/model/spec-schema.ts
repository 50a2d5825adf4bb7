import type { JsonSchema } from '../contract/op-plugin.js';
import { defaultRegistry, type RegisteredPlugin, type Registry } from '../contract/registry.js';
import { SPEC_VERSION } from './spec.js';

/**
 * The most a model spec may hold, checked by {@link specSchema} (an `INVALID_SPEC` error naming
 * the path) before any model is wired: the memory limit bounds how large a model's buffers are,
 * not how many layers, axes or characters a file spells out, and building a model takes time
 * growing faster than its layer count, so a spec file cannot make a build run for hours or its
 * names fill the generated code. Far beyond any model gradstream trains.
 *
 * @example
 * ```ts
 * import { SPEC_LIMITS } from '@gradstream/graph';
 * const fits = (spec: { layers: unknown[] }) => spec.layers.length <= SPEC_LIMITS.layers;
 * ```
 */
export const SPEC_LIMITS = Object.freeze({
  /** Layers in `layers` (the loss besides). */
  layers: 10_000,
  /** Axes of `inputShape`. */
  rank: 32,
  /** Values one layer's `inputs` names. */
  inputs: 64,
  /** Characters of a node name, of each name in `inputs`, and of `output`. */
  nameLength: 256,
});

/**
 * The JSON Schema (draft-07) of a whole model spec for the ops of a registry: `version`, the
 * per-sample `inputShape`, the `layers`, the `loss`, and optionally `output` and `dtype`. A layer is
 * a union discriminated on `op`: one branch per registered op, made of the op's `paramsSchema`
 * plus `op`, an optional node `name` and optional `inputs`. The `loss` is the same union over the
 * registry's losses only: ops of two inputs whose second, the target, takes no gradient
 * (`nonDifferentiable`), such as `mse`.
 *
 * The result is a fresh plain JSON object: write it to a file and point an editor at it to get
 * completion and validation while writing specs. The `discriminator` keyword is ajv's (editors
 * ignore it; the plain `oneOf` still holds).
 *
 * @param registry - whose ops layers may name (default: {@link defaultRegistry})
 * @returns a JSON-serializable schema object
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { specSchema } from '@gradstream/graph';
 * import '@gradstream/ops';
 * writeFileSync('gradstream-spec.schema.json', JSON.stringify(specSchema(), null, 2));
 * ```
 * @see {@link validateSpec}
 */
export function specSchema(registry: Registry = defaultRegistry): JsonSchema {
  return specSchemaOf(registry.plugins());
}

/**
 * {@link specSchema} over a list of plugins: validating a spec that names only some of a
 * registry's ops against the schema of those alone gives the same answer, from a validator that
 * compiles several times faster.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from '../contract/registry.js';
 * import { specSchemaOf } from './spec-schema.js';
 * specSchemaOf([defaultRegistry.get('linear'), defaultRegistry.get('mse')]);
 * ```
 */
export function specSchemaOf(plugins: readonly RegisteredPlugin[]): JsonSchema {
  return specSchemaWith(union(plugins), union(plugins.filter(isLoss)));
}

/**
 * The spec's own fields, with layers checked only for the fields every layer has (`op`, `name`,
 * `inputs`): what is checked before each layer's configuration is checked against its op's schema.
 * It names no op, so it is compiled once for every registry.
 */
export function specEnvelopeSchema(): JsonSchema {
  return specSchemaWith(anyLayer(), anyLayer());
}

function specSchemaWith(layer: JsonSchema, loss: JsonSchema): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'gradstream model spec',
    type: 'object',
    required: ['version', 'inputShape', 'layers', 'loss'],
    additionalProperties: false,
    properties: {
      version: { const: SPEC_VERSION, description: 'format version of the spec' },
      inputShape: {
        type: 'array',
        maxItems: SPEC_LIMITS.rank,
        items: { type: 'integer', minimum: 1 },
        description: 'shape of one input sample, without the batch axis',
      },
      layers: { type: 'array', minItems: 1, maxItems: SPEC_LIMITS.layers, items: { $ref: '#/definitions/layer' } },
      loss: { $ref: '#/definitions/loss' },
      output: { type: 'string', minLength: 1, maxLength: SPEC_LIMITS.nameLength, description: 'the value the model predicts (default: the last layer)' },
      dtype: { enum: ['float32', 'float64'], description: 'element type of parameters and activations (default float32)' },
    },
    definitions: { layer, loss },
  };
}

/** The only `op` a position without registered plugins lists: no op name can equal it. */
export const NONE_REGISTERED = '(none registered: import @gradstream/ops or register plugins)';

/** One branch per plugin, told apart by `op`. */
function union(plugins: readonly RegisteredPlugin[]): JsonSchema {
  // With no plugin (an empty registry, or one without losses) no layer is accepted. JSON Schema
  // forbids an empty enum, so the one value listed says why every op is refused, at the op's path.
  if (plugins.length === 0) return { type: 'object', required: ['op'], properties: { op: { type: 'string', enum: [NONE_REGISTERED] } } };
  return {
    type: 'object',
    required: ['op'],
    properties: { op: { type: 'string' } },
    discriminator: { propertyName: 'op' },
    oneOf: plugins.map(layerBranch),
  };
}

/**
 * A loss, by the contract's convention: an op of two inputs, the second (wired to the target `y`)
 * never receiving a gradient. Only such ops may stand in a spec's `loss`.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from '../contract/registry.js';
 * import { isLoss } from './spec-schema.js';
 * isLoss(defaultRegistry.get('mse')); // true
 * ```
 */
export function isLoss(plugin: RegisteredPlugin): boolean {
  // Composites declare no nonDifferentiable inputs, so none is a loss.
  if (!('nonDifferentiable' in plugin) || plugin.inputs.length !== 2) return false;
  return (plugin.nonDifferentiable ?? []).includes(plugin.inputs[1] as string);
}

/** The fields every layer may carry, whatever its op. */
const LAYER_FIELDS = {
  name: { type: 'string', minLength: 1, maxLength: SPEC_LIMITS.nameLength, description: 'node name, unique in the model (default: op_N)' },
  inputs: {
    type: 'array',
    maxItems: SPEC_LIMITS.inputs,
    items: { type: 'string', maxLength: SPEC_LIMITS.nameLength },
    description: 'names of the values the node reads',
  },
};

/** A layer of any op: its op named, its common fields checked, the rest left to the op's schema. */
function anyLayer(): JsonSchema {
  return { type: 'object', required: ['op'], properties: { op: { type: 'string' }, ...LAYER_FIELDS } };
}

/** The op's own schema, widened by the fields every layer may carry. */
function layerBranch(plugin: RegisteredPlugin): JsonSchema {
  // A copy through JSON: the plugin's schema is frozen and may share objects with other plugins.
  const own = JSON.parse(JSON.stringify(plugin.paramsSchema)) as Record<string, unknown>;
  // A nested $schema or $id would make ajv treat the branch as a separate document.
  delete own.$schema;
  delete own.$id;
  const properties = (own.properties ?? {}) as Record<string, unknown>;
  const required = Array.isArray(own.required) ? (own.required as unknown[]).filter((r) => r !== 'op') : [];
  return {
    ...own,
    title: plugin.name,
    ...(plugin.description === undefined || own.description !== undefined ? {} : { description: plugin.description }),
    type: 'object',
    properties: {
      ...properties,
      op: { const: plugin.name },
      ...LAYER_FIELDS,
    },
    required: ['op', ...required],
  };
}
