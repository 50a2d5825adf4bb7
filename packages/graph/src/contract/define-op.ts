import { GradstreamError, formatShape, type Shape } from '@gradstream/tensor';
import type { JsonSchema, OpPlugin } from './op-plugin.js';
import { paramsOf } from './no-params.js';

/**
 * What {@link defineOp} takes: an {@link OpPlugin} whose `paramsSchema` may be left out (then the
 * op takes no configuration).
 *
 * @example
 * ```ts
 * import type { OpDefinition } from '@gradstream/graph';
 * type SigmoidDef = OpDefinition<object, 'x', never, never>;
 * ```
 */
export type OpDefinition<C, I extends string, P extends string, S extends I, O extends boolean = boolean, K extends string = string> = Omit<
  OpPlugin<C, I, P, S, O, K>,
  'paramsSchema'
> & {
  readonly paramsSchema?: JsonSchema;
};

/**
 * Defines an op plugin: checks it follows the contract, fills defaults and freezes it. TypeScript
 * infers the input names from `inputs`, the saved inputs from `save`, the parameter names from
 * `params` and the configuration type from the annotation of `params` or `outputShape`.
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
  C extends object = Record<string, never>,
  const I extends string = string,
  P extends string = never,
  const S extends I = never,
  const O extends boolean = false,
  K extends string = never,
>(def: OpDefinition<C, I, P, S, O, K>): OpPlugin<C, I, P, S, O, K> {
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
  const plugin = {
    ...def,
    ...paramsOf(def),
    inputs: Object.freeze([...def.inputs]),
    save: Object.freeze({ ...def.save, inputs: Object.freeze([...(def.save?.inputs ?? [])]) }),
  };
  return Object.freeze(plugin) as OpPlugin<C, I, P, S, O, K>;
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
