import type { AnyOpPlugin, OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import { huberOp, maeOp, sigmoidCrossEntropyOp } from '@gradstream/ops';
import { lossRows } from './common.js';

/* Each loss as its kernels compute it: the sum of the per-element terms, divided by the rows. */

/** `Σ terms / rows` into the node's output. */
function meanOverRows(ctx: OnnxExportContext, terms: string, like: string): void {
  const [sum] = ctx.node('ReduceSum', [terms], 1, { keepdims: { int: 0 } });
  ctx.node('Div', [sum!, lossRows(ctx, like)], [ctx.output]);
}

/** `max(z, 0) − z·y + log(1 + e^(−|z|))`: ONNX's Softplus of −|z| is the last term (there is no Log1p). */
const sigmoidCrossEntropyToOnnx: OnnxExporter = (ctx) => {
  const [z, y] = ctx.inputs as [string, string];
  const [relu] = ctx.node('Relu', [z]);
  const [zy] = ctx.node('Mul', [z, y]);
  const [negAbs] = ctx.node('Neg', [ctx.node('Abs', [z])[0]!]);
  const [soft] = ctx.node('Softplus', [negAbs!]);
  const [terms] = ctx.node('Add', [ctx.node('Sub', [relu!, zy!])[0]!, soft!]);
  meanOverRows(ctx, terms!, z);
};

const maeToOnnx: OnnxExporter = (ctx) => {
  const [pred, target] = ctx.inputs as [string, string];
  const [terms] = ctx.node('Abs', [ctx.node('Sub', [pred, target])[0]!]);
  meanOverRows(ctx, terms!, pred);
};

/** `½d²` where `|d| ≤ δ`, else `δ·(|d| − ½δ)`. */
const huberToOnnx: OnnxExporter = (ctx) => {
  const [pred, target] = ctx.inputs as [string, string];
  const delta = (ctx.config.delta as number | undefined) ?? 1;
  const [d] = ctx.node('Sub', [pred, target]);
  const [a] = ctx.node('Abs', [d!]);
  const [quad] = ctx.node('Mul', [ctx.node('Mul', [d!, d!])[0]!, ctx.constant('half', [0.5])]);
  const [lin] = ctx.node('Mul', [ctx.node('Sub', [a!, ctx.constant('half_delta', [0.5 * delta])])[0]!, ctx.constant('delta', [delta])]);
  const [inside] = ctx.node('LessOrEqual', [a!, ctx.constant('delta', [delta])]);
  const [terms] = ctx.node('Where', [inside!, quad!, lin!]);
  meanOverRows(ctx, terms!, pred);
};

/** The ONNX exporters of the losses ops, by plugin. */
export const LOSS_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [
  [sigmoidCrossEntropyOp, sigmoidCrossEntropyToOnnx],
  [maeOp, maeToOnnx],
  [huberOp, huberToOnnx],
];
