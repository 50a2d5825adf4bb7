import type { OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import type { UnaryName } from '@gradstream/tensor';

/* What the built-in ops' exporters share: elementwise functions, Gemm, the batch size, one-node ops. */

/** Each function of `UNARY_OPS` as its ONNX operator: a Record, so a function added there without one here does not compile. */
export const UNARY_ONNX: Readonly<Record<UnaryName, string>> = { identity: 'Identity', sigmoid: 'Sigmoid', relu: 'Relu', leakyRelu: 'LeakyRelu', tanh: 'Tanh' };

/** An elementwise function of `UNARY_OPS` from `x` to `out`, `p` its parameter (leaky ReLU's α). */
export function unaryToOnnx(ctx: OnnxExportContext, fn: UnaryName, x: string, out: string, p: number): void {
  ctx.node(UNARY_ONNX[fn], [x], [out], fn === 'leakyRelu' ? { alpha: p } : {});
}

/** `z = x·Wᵀ + b` as one Gemm, W kept as gradstream stores it (`[outFeatures, inFeatures]`, so `transB`). */
export function gemmToOnnx(ctx: OnnxExportContext, out: string): void {
  const { weight, bias } = ctx.params;
  ctx.node('Gemm', [ctx.inputs[0] as string, ctx.initializer('weight', weight!), ctx.initializer('bias', bias!)], [out], { transB: { int: 1 } });
}

/** The batch size of `value` as a float scalar: losses are means over the rows. */
export function rows(ctx: OnnxExportContext, value: string): string {
  const [shape] = ctx.node('Shape', [value]);
  const [n] = ctx.node('Gather', [shape!, ctx.intConstant('batch_axis', [0], [])], 1, { axis: { int: 0 } });
  const [f] = ctx.node('Cast', [n!], 1, { to: { int: 1 } });
  return f!;
}

/** A one-input op written as one ONNX node of the same input and output. */
export const single =
  (opType: string, attributes = {}): OnnxExporter =>
  (ctx) =>
    void ctx.node(opType, ctx.inputs, [ctx.output], attributes);

export const elementwise = (fn: UnaryName, p: (config: Readonly<Record<string, unknown>>) => number = () => 0): OnnxExporter => (ctx) =>
  unaryToOnnx(ctx, fn, ctx.inputs[0] as string, ctx.output, p(ctx.config));
