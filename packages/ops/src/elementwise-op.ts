import { defineOp, type ConfigOf, type GradcheckCase, type JsonSchema, type OpPlugin } from '@gradstream/graph';
import { UNARY_OPS, type Rng, type Shape, type UnaryName } from '@gradstream/tensor';

/** What sets one elementwise op apart besides its math (which lives in `UNARY_OPS`). */
export interface ElementwiseOptions<C, Schema extends JsonSchema = JsonSchema> {
  readonly paramsSchema?: Schema;
  /** The function's parameter `p` from the configuration (leaky ReLU's `alpha`). */
  readonly param?: (config: C) => number;
  /** Valid inputs for gradient checks (default uniform in [−1, 1]). */
  readonly fillInput?: GradcheckCase<C>['fillInput'];
  readonly gradcheckConfig?: (rng: Rng) => C;
}

/** The configuration of an elementwise op: its schema's, or none (`object`) without one TypeScript can read. */
type ElementwiseConfig<Schema> = [JsonSchema] extends [Schema] ? object : ConfigOf<Schema>;

/**
 * An op plugin for one function of the elementwise table: forward and backward are one kernel
 * call each, and the fused kernels of `dense` come from the same definition.
 */
export function elementwiseOp<const Schema extends JsonSchema = JsonSchema, C = ElementwiseConfig<Schema>>(
  fn: UnaryName,
  options: ElementwiseOptions<C, Schema> = {},
): OpPlugin<C, 'x', never, 'x', true, string, never, Schema> {
  const def = UNARY_OPS[fn];
  const param = options.param ?? ((): number => 0);
  return defineOp({
    name: fn,
    description: `${def.description}, elementwise`,
    ...(options.paramsSchema === undefined ? {} : { paramsSchema: options.paramsSchema }),
    inputs: ['x'],
    // Backward reads x or y (UNARY_OPS says which); a plan keeps both anyway.
    save: { inputs: ['x'], output: true },
    outputShape: ([x]: readonly Shape[], _c: C) => x ?? [],
    forward({ inputs: { x }, out, config, backend }) {
      backend.unary(fn, x.data, out.data, param(config));
    },
    backward({ dy, saved, dInputs, config, backend }) {
      if (dInputs.x === undefined) return;
      const s = def.saves === 'y' ? saved.output : saved.inputs.x;
      backend.unaryBackward(fn, s.data, dy.data, dInputs.x.data, param(config));
    },
    gradcheckCase: (rng) => ({
      config: options.gradcheckConfig?.(rng) ?? {},
      inputShapes: [[1 + rng.int(5), 1 + rng.int(6)]],
      ...(options.fillInput === undefined ? {} : { fillInput: options.fillInput }),
    }),
  });
}
