import { GradstreamError, formatShape, type Rng, type Shape } from '@gradstream/tensor';
import type { ConfigOf, FilledConfig, InputFields, ScratchShapes, UnfilledConfig } from './config-type.js';
import type { OnnxExporter } from './onnx-export.js';
import type { GradcheckCase, JsonSchema, OpPlugin } from './op-plugin.js';
import { paramsOf } from './no-params.js';

/**
 * What {@link defineOp} takes: an {@link OpPlugin} whose `paramsSchema` may be left out (then the
 * op takes no configuration), whose `scratch` may also be written as {@link ScratchShapes} and
 * whose `fromInputs` as {@link InputFields} (one function per field, `F` their names).
 *
 * @example
 * ```ts
 * import type { OpDefinition } from '@gradstream/graph';
 * type SigmoidDef = OpDefinition<object, 'x', never, never>;
 * ```
 */
export type OpDefinition<
  C,
  I extends string,
  P extends string,
  S extends I,
  O extends boolean = boolean,
  K extends string = string,
  T extends string = never,
  Schema extends JsonSchema = JsonSchema,
  F extends string = never,
> = Omit<OpPlugin<C, I, P, S, O, K, T>, 'paramsSchema' | 'scratch' | 'fromInputs' | 'gradcheckCase' | 'toOnnx'> & {
  /** As the plugin's; written in place, it is where TypeScript reads the configuration type from. */
  readonly paramsSchema?: Schema;
  /** As the plugin's, or one shape per buffer ({@link ScratchShapes}), whose names are known wherever it stands. */
  readonly scratch?: ((inputShapes: readonly Shape[], config: C) => Readonly<Record<K, Shape>>) | ScratchShapes<C, I, K>;
  /**
   * As the plugin's, or one function per field ({@link InputFields}), whose fields the op's other
   * functions then see as present. What it returns follows from the configuration type and never
   * decides it (`NoInfer`).
   */
  readonly fromInputs?: ((inputShapes: readonly Shape[], config: C) => Partial<NoInfer<C>>) | InputFields<UnfilledConfig<C, F>, F>;
  /**
   * As the plugin's; the case's configuration is checked against the schema when the case runs
   * (defaults and the fields `fromInputs` reads filled in), so TypeScript neither checks it nor
   * infers the configuration type from it.
   */
  readonly gradcheckCase?: (rng: Rng) => GradcheckCase<unknown>;
  /** As the plugin's, with `ctx.params` typed by the op's parameter names. */
  readonly toOnnx?: OnnxExporter<P>;
};

/**
 * Defines an op plugin: checks it follows the contract, fills defaults and freezes it. TypeScript
 * infers the input names from `inputs`, the saved inputs from `save`, the parameter names from
 * `params`, the state names from `state`, the scratch names from `scratch`, and the configuration
 * type from `paramsSchema` written in place (see {@link ConfigOf}: a property with a `default` is
 * present, and the fields of a `fromInputs` written as {@link InputFields} too) unless the
 * annotation of `params`, `outputShape` or another function names one, which wins.
 *
 * Scratch names are known to `forward` and `backward` wherever `scratch` stands when it is
 * written as {@link ScratchShapes} (`{ gate: 'x' }`). TypeScript reads a definition's functions
 * in order, so `params` (and `scratch` written as one function) of unannotated parameters must
 * come before the `forward` and `backward` that use their names, as they do in every op here.
 *
 * @example
 * ```ts
 * import { defineOp } from '@gradstream/graph';
 * export const square = defineOp({
 *   name: 'square',
 *   description: 'y = x²',
 *   inputs: ['x'],
 *   save: { inputs: ['x'] },
 *   outputShape: ([x]) => x!,
 *   forward: ({ inputs, out, backend }) => backend.mul(inputs.x.data, inputs.x.data, out.data),
 *   backward: ({ dy, saved, dInputs, backend }) => {
 *     if (dInputs.x) {
 *       backend.mul(saved.inputs.x.data, dy.data, dInputs.x.data);
 *       backend.scale(dInputs.x.data, 2, dInputs.x.data);
 *     }
 *   },
 * });
 * ```
 * @returns the frozen plugin, ready for `registry.register`
 */
export function defineOp<
  // The schema comes first so that the configuration's default can be read from it.
  const Schema extends JsonSchema = JsonSchema,
  C = ConfigOf<Schema>,
  const I extends string = string,
  P extends string = never,
  const S extends I = never,
  const O extends boolean = false,
  K extends string = never,
  T extends string = never,
  F extends string = never,
>(def: OpDefinition<FilledConfig<C, F>, I, P, S, O, K, T, Schema, F>): OpPlugin<FilledConfig<C, F>, I, P, S, O, K, T, Schema> {
  const fail = (why: string): never => {
    throw new GradstreamError('INVALID_PLUGIN', `defineOp(${JSON.stringify(def?.name ?? '?')}): ${why}`, { op: def?.name });
  };
  if (typeof def !== 'object' || def === null) fail('expected a plugin object');
  if (typeof def.name !== 'string' || !/^[A-Za-z][\w.-]*$/.test(def.name)) fail('name must be a non-empty identifier');
  if (!Array.isArray(def.inputs) || def.inputs.length === 0) fail('inputs must list at least one input name');
  if (new Set(def.inputs).size !== def.inputs.length) fail('input names must be unique');
  for (const fn of ['outputShape', 'forward', 'backward'] as const) {
    if (typeof def[fn] !== 'function') fail(`${fn} must be a function`);
  }
  for (const s of def.save?.inputs ?? []) {
    if (!def.inputs.includes(s)) fail(`save.inputs names "${s}", which is not one of its inputs [${def.inputs.join(', ')}]`);
  }
  for (const s of def.nonDifferentiable ?? []) {
    if (!def.inputs.includes(s)) fail(`nonDifferentiable names "${s}", which is not one of its inputs`);
  }
  const { scratch, fromInputs } = def;
  const plugin = {
    ...def,
    ...paramsOf(def),
    inputs: Object.freeze([...def.inputs]),
    save: Object.freeze({ ...def.save, inputs: Object.freeze([...(def.save?.inputs ?? [])]) }),
    // The record forms become the functions the engine calls, so nothing past defineOp sees them.
    ...(typeof scratch === 'object' && scratch !== null ? { scratch: scratchFunction(scratch, def.inputs, fail) } : {}),
    ...(typeof fromInputs === 'object' && fromInputs !== null ? { fromInputs: fromInputsFunction(fromInputs, fail) } : {}),
  };
  return Object.freeze(plugin) as OpPlugin<FilledConfig<C, F>, I, P, S, O, K, T, Schema>;
}

type ShapeOf = (inputShapes: readonly Shape[], config: never) => Shape;

/** {@link ScratchShapes} as the function `scratch` is: each buffer shaped like its input, or as its function says. */
function scratchFunction(shapes: Readonly<Record<string, string | ShapeOf>>, inputs: readonly string[], fail: (why: string) => never) {
  const entries = Object.entries(shapes);
  for (const [name, s] of entries) {
    if (typeof s !== 'function' && !inputs.includes(s)) fail(`scratch.${name} names "${String(s)}", which is neither a function nor one of its inputs [${inputs.join(', ')}]`);
  }
  return (inputShapes: readonly Shape[], config: never): Readonly<Record<string, Shape>> =>
    Object.fromEntries(entries.map(([name, s]) => [name, typeof s === 'function' ? s(inputShapes, config) : (inputShapes[inputs.indexOf(s)] ?? [])]));
}

/** {@link InputFields} as the function `fromInputs` is: the fields the layer left out that the shapes tell. */
function fromInputsFunction(fields: Readonly<Record<string, (inputShapes: readonly Shape[], config: never) => unknown>>, fail: (why: string) => never) {
  const entries = Object.entries(fields);
  for (const [name, f] of entries) if (typeof f !== 'function') fail(`fromInputs.${name} must be a function of the input shapes`);
  return (inputShapes: readonly Shape[], config: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const filled: Record<string, unknown> = {};
    for (const [name, f] of entries) {
      if (config[name] !== undefined) continue;
      const value = f(inputShapes, config as never);
      if (value !== undefined) filled[name] = value;
    }
    return filled;
  };
}

/**
 * Throws the `SHAPE_MISMATCH` error an op's `outputShape` raises for a bad input; the engine adds
 * the node's name to the message.
 *
 * @param input - the input's name, e.g. `'x'`
 * @param expected - what was expected, e.g. `'[batch,3] (last axis = inFeatures)'`
 * @param actual - the shape that came
 * @example
 * ```ts
 * import { shapeError } from '@gradstream/graph';
 * const outputShape = ([x]: readonly (readonly number[])[]) => {
 *   if (x!.length !== 2) shapeError('x', '[batch,features]', x!);
 *   return x!;
 * };
 * ```
 */
export function shapeError(input: string, expected: string, actual: Shape): never {
  throw new GradstreamError('SHAPE_MISMATCH', `input ${input}: expected ${expected}, got ${formatShape(actual)}`, {
    input,
    expected,
    actual: [...actual],
  });
}

/**
 * Checks an input is a batch of rows with `features` columns (`[batch, features]`).
 *
 * @example
 * ```ts
 * import { expectRows } from '@gradstream/graph';
 * expectRows('x', [4, 3], 3); // returns 4, the batch size
 * ```
 * @returns the batch size
 */
export function expectRows(input: string, shape: Shape | undefined, features: number): number {
  if (shape === undefined || shape.length !== 2 || shape[1] !== features) {
    shapeError(input, `[batch,${features}]`, shape ?? []);
  }
  return shape[0] as number;
}

/**
 * Checks two inputs have the same shape (elementwise ops, losses).
 *
 * @example
 * ```ts
 * import { expectSameShape } from '@gradstream/graph';
 * expectSameShape('pred', [4, 1], 'target', [4, 1]);
 * ```
 */
export function expectSameShape(a: string, shapeA: Shape | undefined, b: string, shapeB: Shape | undefined): void {
  const sa = shapeA ?? [];
  const sb = shapeB ?? [];
  if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
    shapeError(b, `${formatShape(sa)} (the shape of ${a})`, sb);
  }
}
