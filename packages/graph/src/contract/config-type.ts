import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Shape } from '@gradstream/tensor';
import type { CompositePlugin } from './composite.js';
import type { JsonSchema, OpPlugin } from './op-plugin.js';

// Types only: json-schema-to-ts adds nothing to a bundle, and the JSON schema stays the one source
// of an op's configuration, for validation, editors and TypeScript alike.

/**
 * The configuration a schema's validation hands an op: each property's type, and a property with
 * a `default` always present (validation writes it in). A schema typed only as {@link JsonSchema}
 * says nothing TypeScript can read, and gives `Record<string, never>`, as an op without one.
 *
 * @example
 * ```ts
 * import type { ConfigOf } from '@gradstream/graph';
 * const schema = { type: 'object', properties: { rate: { type: 'number', default: 0.5 } }, additionalProperties: false } as const;
 * const c: ConfigOf<typeof schema> = { rate: 0.2 }; // rate: number, present after validation
 * ```
 */
export type ConfigOf<S> = JsonSchema extends S ? Record<string, never> : S extends JSONSchema ? FromSchema<S> : Record<string, never>;

/**
 * What a layer may write for a schema: as {@link ConfigOf}, but a property with a `default` may
 * be left out (validation fills it in).
 *
 * @example
 * ```ts
 * import type { LayerConfigOf } from '@gradstream/graph';
 * const schema = { type: 'object', properties: { rate: { type: 'number', default: 0.5 } }, additionalProperties: false } as const;
 * const c: LayerConfigOf<typeof schema> = {}; // rate may be left out
 * ```
 */
export type LayerConfigOf<S> = JsonSchema extends S
  ? Record<string, never>
  : S extends JSONSchema
    ? FromSchema<S, { keepDefaultedPropertiesOptional: true }>
    : Record<string, never>;

/**
 * A configuration whose fields `F`, filled in from the input shapes before the op sees it, are
 * known to be present (linear's `inFeatures`): what `defineOp` gives an op's functions when its
 * `fromInputs` is written as {@link InputFields}.
 *
 * @example
 * ```ts
 * import type { FilledConfig } from '@gradstream/graph';
 * const c: FilledConfig<{ inFeatures?: number; outFeatures: number }, 'inFeatures'> = { inFeatures: 3, outFeatures: 1 };
 * c.inFeatures; // number
 * ```
 */
export type FilledConfig<C, F extends string> = [F] extends [never] ? C : C & { readonly [k in NoInfer<F> & keyof C]-?: Exclude<C[k], undefined> };

/**
 * A configuration before its fields `F` are read off the inputs: those may be missing. What each
 * function of {@link InputFields} is handed.
 *
 * @example
 * ```ts
 * import type { UnfilledConfig } from '@gradstream/graph';
 * const c: UnfilledConfig<{ inFeatures: number; outFeatures: number }, 'inFeatures'> = { outFeatures: 1 };
 * ```
 */
export type UnfilledConfig<C, F extends string> = [F] extends [never] ? C : Omit<C, F> & Partial<Pick<C, F & keyof C>>;

/**
 * Scratch buffers by name, each shaped like one of the op's inputs (`{ gate: 'x' }`) or as a
 * function of the input shapes and the configuration says (`{ dz: ([x], c) => [x![0]!, c.units] }`).
 * Written this way, the names are known to `forward` and `backward` wherever the field stands in
 * the definition.
 *
 * @example
 * ```ts
 * import type { ScratchShapes } from '@gradstream/graph';
 * const scratch: ScratchShapes<{ units: number }, 'x', 'gate' | 'dz'> = { gate: 'x', dz: ([x], c) => [x?.[0] ?? 0, c.units] };
 * ```
 */
export type ScratchShapes<C, I extends string, K extends string> = {
  readonly [k in K]: NoInfer<I> | ((inputShapes: readonly Shape[], config: C) => Shape);
};

/**
 * Configuration fields read off the input shapes, one function per field: its value, or
 * `undefined` when the shapes do not say (then `outputShape` reports the input). Each runs only
 * where the layer left its field out; the op's other functions see the field as present.
 *
 * @example
 * ```ts
 * import type { InputFields } from '@gradstream/graph';
 * const fill: InputFields<{ features?: number }, 'features'> = { features: ([x]) => x?.at(-1) };
 * ```
 */
export type InputFields<C, F extends string> = {
  readonly [k in F]: (inputShapes: readonly Shape[], config: C) => (k extends keyof C ? NoInfer<C[k]> : never) | undefined;
};

/**
 * The configuration an op's functions see: validated, defaults applied, fields read off the
 * inputs filled in. For a composite, the configuration its `layers` receive.
 *
 * @example
 * ```ts
 * import type { OpConfig } from '@gradstream/graph';
 * import { dropoutOp } from '@gradstream/ops';
 * const c: OpConfig<typeof dropoutOp> = { rate: 0.2 };
 * ```
 */
export type OpConfig<Op> =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Op extends OpPlugin<infer C, any, any, any, any, any, any, any> ? C : Op extends CompositePlugin<infer C> ? C : never;

/**
 * What a layer of an op may write in a spec or `sequential`: its schema's properties, those with a
 * `default` or read off the inputs optional. An op whose schema TypeScript cannot read (typed
 * {@link JsonSchema}) takes its {@link OpConfig}.
 *
 * @example
 * ```ts
 * import type { LayerConfig } from '@gradstream/graph';
 * import { dropoutOp } from '@gradstream/ops';
 * const c: LayerConfig<typeof dropoutOp> = {}; // rate defaults to 0.5
 * ```
 */
export type LayerConfig<Op> = Op extends { readonly paramsSchema: infer S } ? (JsonSchema extends S ? OpConfig<Op> : LayerConfigOf<S>) : never;
