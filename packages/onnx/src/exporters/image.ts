import type { AnyOpPlugin, OnnxAttribute, OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import { activationOf, activationParam, avgPool2dOp, conv2dOp, flattenOp, globalAvgPoolOp, maxPool2dOp, reshapeOp, type Conv2dConfig, type Pool2dConfig, type ReshapeConfig, type Size2 } from '@gradstream/ops';
import { single, unaryToOnnx } from './common.js';

/*
 * gradstream's images are NHWC; ONNX's Conv, MaxPool and AveragePool take NCHW. Each of them is
 * written between two Transposes (to NCHW and back), which runtimes fuse or fold away. 'same'
 * padding is ONNX's auto_pad SAME_UPPER: ceil(size / stride) outputs with the odd row and column
 * of padding at the end, TF's rule. (Explicit pads would need the image's size, which an exporter
 * is not told.) onnxruntime refuses SAME_UPPER on a dilated Conv: there the pads are computed in
 * the graph from the input's shape, by the same rule, and a Pad writes them.
 */

const TO_NCHW: OnnxAttribute = { ints: [0, 3, 1, 2] };
const TO_NHWC: OnnxAttribute = { ints: [0, 2, 3, 1] };

const pair = (s: Size2): readonly [number, number] => (typeof s === 'number' ? [s, s] : s);

/** The attributes ONNX's windowed operators share: kernel_shape, strides, and the padding rule. */
function windowAttributes(kernel: Size2, strides: Size2, padding: 'valid' | 'same' | undefined): Record<string, OnnxAttribute> {
  return {
    kernel_shape: { ints: [...pair(kernel)] },
    strides: { ints: [...pair(strides)] },
    ...(padding === 'same' ? { auto_pad: 'SAME_UPPER' } : {}),
  };
}

/** Writes `write`'s operator on the node's input turned NCHW, and its result turned back to NHWC as `out`. */
function inNchw(ctx: OnnxExportContext, out: string, write: (nchw: string) => string): void {
  const [nchw] = ctx.node('Transpose', [ctx.inputs[0]!], 1, { perm: TO_NCHW });
  ctx.node('Transpose', [write(nchw!)], [out], { perm: TO_NHWC });
}

/**
 * TF's 'same' padding of NCHW `x` computed from the NHWC input's height and width, then a Pad of
 * zeros: `total = max((ceil(size / stride) − 1)·stride + span − size, 0)`, half of it (rounded
 * down) before, the rest after.
 */
function padSame(ctx: OnnxExportContext, x: string, span: readonly [number, number], strides: readonly [number, number]): string {
  const [size] = ctx.node('Shape', [ctx.inputs[0]!], 1, { start: { int: 1 }, end: { int: 3 } });
  const ints = (name: string, values: readonly number[]): string => ctx.intConstant(name, values);
  const stride = ints('strides', strides);
  const [rounded] = ctx.node('Add', [size!, ints('stride_minus_1', strides.map((s) => s - 1))]);
  const [out] = ctx.node('Div', [rounded!, stride]);
  const [covered] = ctx.node('Mul', [out!, stride]);
  const [reach] = ctx.node('Add', [covered!, ints('span_minus_stride', span.map((k, i) => k - strides[i]!))]);
  const [over] = ctx.node('Sub', [reach!, size!]);
  const [total] = ctx.node('Max', [over!, ints('zero', [0, 0])]);
  const [before] = ctx.node('Div', [total!, ints('two', [2, 2])]);
  const [after] = ctx.node('Sub', [total!, before!]);
  const none = ints('no_padding', [0, 0]);
  const [pads] = ctx.node('Concat', [none, before!, none, after!], 1, { axis: { int: 0 } });
  return ctx.node('Pad', [x, pads!])[0]!;
}

/**
 * Conv with the bias, then the activation. The weight initializer keeps gradstream's layout,
 * `[filters, kh, kw, in]`, so that importing the file reads it back unchanged; a Transpose of it
 * gives Conv its `[filters, in, kh, kw]` (a constant, folded by runtimes when they load the model).
 */
const conv2dToOnnx: OnnxExporter = (ctx) => {
  // The contract hands exporters their configuration untyped; conv2dOp's schema checked it.
  const c = ctx.config as unknown as Conv2dConfig;
  const { weight, bias } = ctx.params;
  const fn = activationOf(c);
  const pre = fn === 'identity' ? ctx.output : `${ctx.output}/z`;
  const [kh, kw] = pair(c.kernelSize);
  const strides = pair(c.strides ?? 1);
  const dilation = pair(c.dilation ?? 1);
  const padInGraph = c.padding === 'same' && (dilation[0] > 1 || dilation[1] > 1);
  inNchw(ctx, pre, (nchw) => {
    const x = padInGraph ? padSame(ctx, nchw, [(kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1], strides) : nchw;
    const [w] = ctx.node('Transpose', [ctx.initializer('weight', weight!)], 1, { perm: TO_NCHW });
    const attributes = { ...windowAttributes([kh, kw], strides, padInGraph ? 'valid' : c.padding), dilations: { ints: [...dilation] } };
    return ctx.node('Conv', [x, w!, ctx.initializer('bias', bias!)], 1, attributes)[0]!;
  });
  // The activation's parameter as conv2d's kernels take it.
  if (fn !== 'identity') unaryToOnnx(ctx, fn, pre, ctx.output, activationParam(c));
};

/** MaxPool or AveragePool (padding not counted, as avgPool2d) over NCHW. */
const poolToOnnx =
  (opType: 'MaxPool' | 'AveragePool'): OnnxExporter =>
  (ctx) => {
    const c = ctx.config as unknown as Pool2dConfig;
    const attributes = { ...windowAttributes(c.poolSize, c.strides ?? c.poolSize, c.padding), ...(opType === 'AveragePool' ? { count_include_pad: { int: 0 } } : {}) };
    inNchw(ctx, ctx.output, (x) => ctx.node(opType, [x], 1, attributes)[0]!);
  };

/** The mean over height and width of NHWC, `[batch, channels]`. */
const globalAvgPoolToOnnx: OnnxExporter = (ctx) => void ctx.node('ReduceMean', ctx.inputs, [ctx.output], { axes: { ints: [1, 2] }, keepdims: { int: 0 } });

/** Reshape to `[batch, ...shape]`: 0 keeps the batch axis, -1 is ONNX's as ours. */
const reshapeToOnnx: OnnxExporter = (ctx) => {
  const c = ctx.config as unknown as ReshapeConfig;
  ctx.node('Reshape', [ctx.inputs[0]!, ctx.intConstant('shape', [0, ...c.shape])], [ctx.output]);
};

/** The ONNX exporters of the image ops, by plugin. */
export const IMAGE_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [
  [conv2dOp, conv2dToOnnx],
  [maxPool2dOp, poolToOnnx('MaxPool')],
  [avgPool2dOp, poolToOnnx('AveragePool')],
  [globalAvgPoolOp, globalAvgPoolToOnnx],
  // NHWC rows flatten in the same order in ONNX: nothing to transpose.
  [flattenOp, single('Flatten', { axis: { int: 1 } })],
  [reshapeOp, reshapeToOnnx],
];
