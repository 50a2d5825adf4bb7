import type { OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import type { UnaryName } from '@gradstream/tensor';

/* What the built-in ops' exporters share: elementwise functions, Gemm, the batch size, one-node ops. */

/** Writes one elementwise function as ONNX nodes from `x` to `out`, `p` its parameter. */
export type UnaryToOnnx = (ctx: OnnxExportContext, x: string, out: string, p: number) => void;

const operator =
  (opType: string): UnaryToOnnx =>
  (ctx, x, out) =>
    void ctx.node(opType, [x], [out]);

/**
 * GELU's tanh form, which opset 17 has no operator for (Gelu came in opset 20), written as the
 * kernels compute it: ½(1 + tanh(u)) = σ(2u), so `x · Sigmoid(x·(K + K₂·x²))` with K = 2·√(2/π),
 * K₂ = 0.044715·K — the tanh written out would cancel to 0 for x ≪ 0.
 */
const geluToOnnx: UnaryToOnnx = (ctx, x, out) => {
  const k = 2 * Math.sqrt(2 / Math.PI);
  const [xx] = ctx.node('Mul', [x, x]);
  const [cubic] = ctx.node('Mul', [xx!, ctx.constant('gelu_k2', [0.044715 * k])]);
  const [slope] = ctx.node('Add', [cubic!, ctx.constant('gelu_k', [k])]);
  const [v] = ctx.node('Mul', [x, slope!]);
  const [s] = ctx.node('Sigmoid', [v!]);
  ctx.node('Mul', [x, s!], [out]);
};

/** Each function of `UNARY_OPS` as ONNX nodes: a Record, so a function added there without one here does not compile. */
export const UNARY_ONNX: Readonly<Record<UnaryName, UnaryToOnnx>> = {
  identity: operator('Identity'),
  sigmoid: operator('Sigmoid'),
  relu: operator('Relu'),
  leakyRelu: (ctx, x, out, p) => void ctx.node('LeakyRelu', [x], [out], { alpha: p }),
  tanh: operator('Tanh'),
  gelu: geluToOnnx,
  softplus: operator('Softplus'),
};

/** An elementwise function of `UNARY_OPS` from `x` to `out`, `p` its parameter (leaky ReLU's α). */
export function unaryToOnnx(ctx: OnnxExportContext, fn: UnaryName, x: string, out: string, p: number): void {
  UNARY_ONNX[fn](ctx, x, out, p);
}

/** `z = x·Wᵀ + b` as one Gemm, W kept as gradstream stores it (`[outFeatures, inFeatures]`, so `transB`). */
export function gemmToOnnx(ctx: OnnxExportContext, out: string): void {
  const { weight, bias } = ctx.params;
  const [x] = ctx.inputs as [string];
  const w = ctx.initializer('weight', weight!);
  const b = ctx.initializer('bias', bias!);
  if ((ctx.inputShapes[0]?.length ?? 2) <= 2) {
    ctx.node('Gemm', [x, w, b], [out], { transB: { int: 1 } });
    return;
  }
  // Gemm takes matrices only: over [batch, T, features] the same product is MatMul with Wᵀ, then the bias.
  const [wt] = ctx.node('Transpose', [w], 1, { perm: { ints: [1, 0] } });
  const [z] = ctx.node('MatMul', [x, wt!]);
  ctx.node('Add', [z!, b], [out]);
}

/**
 * The rows a loss averages over, as a float scalar: the product of every axis of `value` but the
 * last (the batch for `[batch, outputs]`, batch·T for `[batch, T, outputs]`), or its one axis for
 * `[batch]` — what `lossRows` of @gradstream/ops counts, read from the shape at run time.
 */
export function lossRows(ctx: OnnxExportContext, value: string): string {
  const [shape] = ctx.node('Shape', [value]);
  const [rank] = ctx.node('Size', [shape!]);
  const one = ctx.intConstant('one', [1], [1]);
  const [lead] = ctx.node('Max', [ctx.node('Sub', [rank!, one])[0]!, one]);
  const [axes] = ctx.node('Slice', [shape!, ctx.intConstant('zero', [0], [1]), lead!]);
  const [dims] = ctx.node('Cast', [axes!], 1, { to: { int: 1 } });
  const [n] = ctx.node('ReduceProd', [dims!], 1, { keepdims: { int: 0 } });
  return n!;
}

/** A one-input op written as one ONNX node of the same input and output. */
export const single =
  (opType: string, attributes = {}): OnnxExporter =>
  (ctx) =>
    void ctx.node(opType, ctx.inputs, [ctx.output], attributes);

export const elementwise = (fn: UnaryName, p: (config: Readonly<Record<string, unknown>>) => number = () => 0): OnnxExporter => (ctx) =>
  unaryToOnnx(ctx, fn, ctx.inputs[0] as string, ctx.output, p(ctx.config));
