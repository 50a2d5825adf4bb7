import { GradstreamError, type Rng } from '@gradstream/tensor';
import type { ConfigOf } from './config-type.js';
import type { CompiledSchema } from './config-validator.js';
import { paramsOf } from './no-params.js';
import type { GradcheckCase, JsonSchema } from './op-plugin.js';
import type { Registry } from './registry.js';
import type { LayerSpec } from '../model/spec.js';

/**
 * What {@link defineComposite} takes: a name, a configuration schema, input names, and the small
 * graph of existing ops the layer is made of, as layer specs built from the configuration.
 *
 * @example
 * ```ts
 * import type { CompositeDefinition } from '@gradstream/graph';
 * type Dense = CompositeDefinition<{ inFeatures: number; outFeatures: number }>;
 * ```
 */
export interface CompositeDefinition<C> {
  readonly name: string;
  readonly description?: string;
  readonly paramsSchema?: JsonSchema;
  /** `paramsSchema` compiled ahead of time (as an op plugin's `validateParams`). */
  readonly validateParams?: CompiledSchema;
  /** Input names of the composite (default `['x']`). */
  readonly inputs?: readonly string[];
  /**
   * The parts, in evaluation order. A part reads the previous part's output unless its `inputs`
   * name composite inputs or earlier parts; the last part's output is the composite's output.
   */
  readonly layers: (config: C) => readonly LayerSpec[];
  /** Where the parts' ops are looked up (default: the registry the model is built with). */
  readonly registry?: Registry;
  readonly gradcheckCase?: (rng: Rng) => GradcheckCase<C>;
}

/**
 * A layer made of other layers, registered like an op. Models expand it when they are built: each
 * part becomes a node of the model's graph named `composite.part` (`res_1.linear_1`), so it is
 * compiled, profiled and traced like any node, and its parameters keep their dotted ids
 * (`res_1.linear_1.weight`). Specs and checkpoints keep the composite as one layer.
 *
 * @example
 * ```ts
 * import { defineComposite, isComposite } from '@gradstream/graph';
 * const block = defineComposite({ name: 'twice', layers: () => [{ op: 'tanh' }, { op: 'tanh' }] });
 * isComposite(block); // true
 * ```
 */
export interface CompositePlugin<C = object, Schema extends JsonSchema = JsonSchema> {
  readonly kind: 'composite';
  readonly name: string;
  readonly description?: string;
  readonly paramsSchema: Schema;
  /** `paramsSchema` compiled ahead of time (as an op plugin's `validateParams`). */
  readonly validateParams?: CompiledSchema;
  readonly inputs: readonly string[];
  /** The parts for a configuration (see {@link CompositeDefinition.layers}). */
  readonly expand: (config: C) => readonly LayerSpec[];
  readonly registry?: Registry;
  readonly gradcheckCase?: (rng: Rng) => GradcheckCase<C>;
}

/**
 * Defines a layer as a small graph of existing ops — `dense = linear → activation`, a residual
 * block, a gated unit — registered like an op. No gradient code is written for it: when a model
 * is built, the composite is replaced by its parts, wired as {@link CompositeDefinition.layers}
 * says, and the parts' own forward and backward do the work. It passes `checkGradients` because
 * its parts do. As with `defineOp`, the configuration type is read from `paramsSchema` written in
 * place unless the annotation of `layers` names one.
 *
 * @example
 * ```ts
 * import { defineComposite, defaultRegistry } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const block = defineComposite({
 *   name: 'sigmoidLayer',
 *   paramsSchema: {
 *     type: 'object',
 *     properties: { inFeatures: { type: 'integer', minimum: 1 }, outFeatures: { type: 'integer', minimum: 1 } },
 *     required: ['inFeatures', 'outFeatures'],
 *   },
 *   layers: (c) => [{ op: 'linear', inFeatures: c.inFeatures, outFeatures: c.outFeatures }, { op: 'sigmoid' }],
 * });
 * defaultRegistry.register(block);
 * ```
 */
export function defineComposite<const Schema extends JsonSchema = JsonSchema, C = ConfigOf<Schema>>(
  def: CompositeDefinition<C> & { readonly paramsSchema?: Schema },
): CompositePlugin<C, Schema> {
  const fail = (why: string): never => {
    throw new GradstreamError('INVALID_PLUGIN', `defineComposite(${JSON.stringify(def?.name ?? '?')}): ${why}`, { op: def?.name });
  };
  if (typeof def !== 'object' || def === null) fail('expected a definition object');
  if (typeof def.name !== 'string' || !/^[A-Za-z][\w-]*$/.test(def.name)) fail('name must be a non-empty identifier without dots');
  if (typeof def.layers !== 'function') fail('layers must be a function of the configuration');
  const inputs = def.inputs ?? ['x'];
  if (inputs.length === 0 || new Set(inputs).size !== inputs.length) fail('inputs must be unique names, at least one');
  return Object.freeze({
    kind: 'composite' as const,
    name: def.name,
    description: def.description ?? `composite of ${def.name}'s parts`,
    ...paramsOf(def),
    inputs: Object.freeze([...inputs]),
    expand: def.layers,
    ...(def.registry === undefined ? {} : { registry: def.registry }),
    ...(def.gradcheckCase === undefined ? {} : { gradcheckCase: def.gradcheckCase }),
  }) as CompositePlugin<C, Schema>;
}

/**
 * True for a {@link CompositePlugin} (as opposed to an op plugin).
 *
 * @example
 * ```ts
 * import { defaultRegistry, isComposite } from '@gradstream/graph';
 * const composites = defaultRegistry.plugins().filter(isComposite);
 * ```
 */
export function isComposite(plugin: unknown): plugin is CompositePlugin {
  return typeof plugin === 'object' && plugin !== null && (plugin as { kind?: unknown }).kind === 'composite';
}
