import type { AnyOpPlugin, OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import { multiHeadAttentionOp, positionEmbeddingOp } from '@gradstream/ops';
import { GradstreamError, type Tensor } from '@gradstream/tensor';

/* Attention as MatMul, Add, Reshape, Transpose and Softmax nodes; the sequence length stays symbolic like the batch. */

/** ONNX's BOOL element type, for Cast. */
const BOOL = 9;

/** A parameter the exporter cannot do without (the plugin always declares it). */
function param(ctx: OnnxExportContext, name: string): Tensor {
  const t = ctx.params[name];
  if (t === undefined) throw new GradstreamError('UNSUPPORTED_EXPORT', `toOnnx: node "${ctx.name}" has no parameter ${name}`, { node: ctx.name, op: '' });
  return t;
}

/** `x·Wᵀ + b` over the last axis of `x` (any leading axes), W kept as gradstream stores it (`[out, in]`). */
function project(ctx: OnnxExportContext, x: string, prefix: string, output?: string): string {
  const w = ctx.initializer(`${prefix}Weight`, param(ctx, `${prefix}Weight`));
  const [wt] = ctx.node('Transpose', [w], 1, { perm: { ints: [1, 0] } });
  const [xw] = ctx.node('MatMul', [x, wt!]);
  const [y] = ctx.node('Add', [xw!, ctx.initializer(`${prefix}Bias`, param(ctx, `${prefix}Bias`))], output === undefined ? 1 : [output]);
  return y!;
}

/**
 * Scores where position i may see position j (j ≤ i) kept, the rest −∞: the mask is the lower
 * triangle (Trilu) of a T×T block of ones shaped after the scores, so T stays symbolic.
 */
function causalMask(ctx: OnnxExportContext, scores: string): string {
  const [square] = ctx.node('Shape', [scores], 1, { start: { int: 2 } });
  const [zeros] = ctx.node('ConstantOfShape', [square!]);
  const [ones] = ctx.node('Add', [zeros!, ctx.constant('one', [1])]);
  const [lower] = ctx.node('Trilu', [ones!], 1, { upper: { int: 0 } });
  const [keep] = ctx.node('Cast', [lower!], 1, { to: { int: BOOL } });
  const [masked] = ctx.node('Where', [keep!, scores, ctx.constant('minus_infinity', [-Infinity])]);
  return masked!;
}

/** `[batch, T, dim]` → `[batch, T, dim]`, each head as `softmax(Q·Kᵀ/√keyDim [+ mask])·V`, as the op's forward. */
const multiHeadAttentionToOnnx: OnnxExporter = (ctx) => {
  const [x = ''] = ctx.inputs;
  const heads = Number(ctx.config.heads);
  // The projections' width is heads·keyDim, whatever keyDim was given or inferred as.
  const [width = 0] = param(ctx, 'queryWeight').shape;
  const keyDim = width / heads;
  const split = ctx.intConstant('heads_shape', [0, 0, heads, keyDim]);
  // [batch, T, heads, keyDim], laid out as `perm`.
  const perHead = (prefix: string, perm: readonly number[]): string => {
    const [h] = ctx.node('Reshape', [project(ctx, x, prefix), split]);
    return ctx.node('Transpose', [h!], 1, { perm: { ints: perm } })[0]!;
  };
  const q = perHead('query', [0, 2, 1, 3]);
  const kt = perHead('key', [0, 2, 3, 1]);
  const v = perHead('value', [0, 2, 1, 3]);
  const [qk] = ctx.node('MatMul', [q, kt]);
  const [scaled] = ctx.node('Mul', [qk!, ctx.constant('inv_sqrt_key_dim', [1 / Math.sqrt(keyDim)])]);
  const scores = ctx.config.causal === true ? causalMask(ctx, scaled!) : scaled!;
  const [weights] = ctx.node('Softmax', [scores], 1, { axis: { int: -1 } });
  const [o] = ctx.node('MatMul', [weights!, v]);
  const [merged] = ctx.node('Transpose', [o!], 1, { perm: { ints: [0, 2, 1, 3] } });
  const [flat] = ctx.node('Reshape', [merged!, ctx.intConstant('merged_shape', [0, 0, width])]);
  project(ctx, flat!, 'output', ctx.output);
};

/** `x + table[:T]`: the first T rows sliced off the table, T read off `x`. */
const positionEmbeddingToOnnx: OnnxExporter = (ctx) => {
  const [x = ''] = ctx.inputs;
  const [time] = ctx.node('Shape', [x], 1, { start: { int: 1 }, end: { int: 2 } });
  const [rows] = ctx.node('Slice', [ctx.initializer('table', param(ctx, 'table')), ctx.intConstant('starts', [0]), time!, ctx.intConstant('axes', [0])]);
  ctx.node('Add', [x, rows!], [ctx.output]);
};

/** The ONNX exporters of the attention ops, by plugin. */
export const ATTENTION_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [
  [multiHeadAttentionOp, multiHeadAttentionToOnnx],
  [positionEmbeddingOp, positionEmbeddingToOnnx],
];
