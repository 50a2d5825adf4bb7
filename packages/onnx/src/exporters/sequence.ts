import type { AnyOpPlugin, OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import { concatOp, embeddingOp, gruOp, lstmOp } from '@gradstream/ops';
import { INT64 } from '../constants.js';

/*
 * Embeddings, concatenation and the recurrent layers as ONNX (opset 17) nodes. The recurrent
 * layers' parameters are written as they are (so a file comes back bit for bit through its
 * initializers) and rearranged by nodes into what ONNX's GRU and LSTM read: gates in ONNX's order,
 * a num_directions axis in front, both biases in one tensor, and the sequence time-major
 * (`[steps, batch, ·]`, a Transpose in and out).
 */

/** `value`'s `gates` blocks along axis 0, in `order` (indices of gradstream's blocks). */
function reorderGates(ctx: OnnxExportContext, value: string, gates: number, order: readonly number[]): string[] {
  const parts = ctx.node('Split', [value], gates, { axis: { int: 0 } });
  return order.map((i) => parts[i] as string);
}

/** One value of the blocks joined along axis 0, with a num_directions axis of 1 in front. */
function directions(ctx: OnnxExportContext, blocks: readonly string[]): string {
  const [joined] = ctx.node('Concat', blocks, 1, { axis: { int: 0 } });
  const [out] = ctx.node('Unsqueeze', [joined as string, ctx.intConstant('direction_axis', [0])]);
  return out as string;
}

/** `[batch, steps, features]` as ONNX's `[steps, batch, features]`, and back. */
const swapBatchAndTime = (ctx: OnnxExportContext, value: string, out?: string): string =>
  ctx.node('Transpose', [value], out === undefined ? 1 : [out], { perm: { ints: [1, 0, 2] } })[0] as string;

/**
 * Writes a recurrent node's output from ONNX's Y (`[steps, 1, batch, units]`) or Y_h
 * (`[1, batch, units]`): every step's state batch-major, or the last one.
 */
function recurrentOutput(ctx: OnnxExportContext, y: string, yLast: string): void {
  if (ctx.config.returnSequences === true) {
    const [steps] = ctx.node('Squeeze', [y, ctx.intConstant('direction_axis', [1])]);
    swapBatchAndTime(ctx, steps as string, ctx.output);
  } else {
    ctx.node('Squeeze', [yLast, ctx.intConstant('direction_axis', [0])], [ctx.output]);
  }
}

/** Ids (floats in the model's input) cast to int64, then the table's rows: `Gather` along axis 0. */
const embeddingToOnnx: OnnxExporter = (ctx) => {
  const [ids] = ctx.node('Cast', [ctx.inputs[0] as string], 1, { to: { int: INT64 } });
  ctx.node('Gather', [ctx.initializer('weight', ctx.params.weight!), ids as string], [ctx.output], { axis: { int: 0 } });
};

/** `Concat` along the configured axis (ONNX counts a negative axis from the end too). */
const concatToOnnx: OnnxExporter = (ctx) => {
  const axis = typeof ctx.config.axis === 'number' ? ctx.config.axis : -1;
  ctx.node('Concat', ctx.inputs, [ctx.output], { axis: { int: axis } });
};

/** ONNX's GRU with `linear_before_reset = 1` (PyTorch's equations): gates r, z, n reordered to z, r, h. */
const gruToOnnx: OnnxExporter = (ctx) => {
  const p = ctx.params;
  const zrh = [1, 0, 2];
  const w = directions(ctx, reorderGates(ctx, ctx.initializer('weight', p.weight!), 3, zrh));
  const r = directions(ctx, reorderGates(ctx, ctx.initializer('recurrentWeight', p.recurrentWeight!), 3, zrh));
  const b = directions(ctx, [
    ...reorderGates(ctx, ctx.initializer('bias', p.bias!), 3, zrh),
    ...reorderGates(ctx, ctx.initializer('recurrentBias', p.recurrentBias!), 3, zrh),
  ]);
  const [y, yLast] = ctx.node('GRU', [swapBatchAndTime(ctx, ctx.inputs[0] as string), w, r, b], 2, {
    hidden_size: { int: Number(ctx.config.units) },
    linear_before_reset: { int: 1 },
  });
  recurrentOutput(ctx, y as string, yLast as string);
};

/**
 * ONNX's LSTM: gates i, f, g, o reordered to i, o, f, c; the input bias Wb is `bias` with
 * `forgetBias` added to its f block, the recurrent bias Rb zeros.
 */
const lstmToOnnx: OnnxExporter = (ctx) => {
  const p = ctx.params;
  const units = Number(ctx.config.units);
  const iofc = [0, 3, 1, 2];
  const w = directions(ctx, reorderGates(ctx, ctx.initializer('weight', p.weight!), 4, iofc));
  const r = directions(ctx, reorderGates(ctx, ctx.initializer('recurrentWeight', p.recurrentWeight!), 4, iofc));
  const [i, o, f, c] = reorderGates(ctx, ctx.initializer('bias', p.bias!), 4, iofc) as [string, string, string, string];
  const [forget] = ctx.node('Add', [f, ctx.initializer('forgetBias', p.forgetBias!)]);
  const b = directions(ctx, [i, o, forget as string, c, ctx.constant('recurrent_bias', new Array<number>(4 * units).fill(0), [4 * units])]);
  const [y, yLast] = ctx.node('LSTM', [swapBatchAndTime(ctx, ctx.inputs[0] as string), w, r, b], 3, { hidden_size: { int: units } });
  recurrentOutput(ctx, y as string, yLast as string);
};

/** The ONNX exporters of the sequence ops, by plugin. */
export const SEQUENCE_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [
  [embeddingOp, embeddingToOnnx],
  [concatOp, concatToOnnx],
  [gruOp, gruToOnnx],
  [lstmOp, lstmToOnnx],
];
