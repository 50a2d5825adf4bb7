import type { AnyOpPlugin, OnnxExportContext, OnnxExporter } from '@gradstream/graph';
import { batchNormOp, layerNormOp } from '@gradstream/ops';
import { GradstreamError, type Tensor } from '@gradstream/tensor';

/** A number of the node's configuration (the schema filled in every default, so it is there). */
function configNumber(ctx: OnnxExportContext, key: string): number {
  const v = ctx.config[key];
  if (typeof v !== 'number') throw unexportable(ctx, `no number ${key} in its configuration`);
  return v;
}

/** A tensor of the node's parameters or state, by name. */
function tensorOf(ctx: OnnxExportContext, from: Readonly<Record<string, Tensor>>, name: string): Tensor {
  const t = from[name];
  if (t === undefined) throw unexportable(ctx, `no tensor ${name}`);
  return t;
}

function unexportable(ctx: OnnxExportContext, why: string): GradstreamError {
  return new GradstreamError('UNSUPPORTED_EXPORT', `toOnnx: node "${ctx.name}" has ${why}`, { node: ctx.name });
}

/**
 * Batch normalization in inference, as elementwise nodes over the last axis (they broadcast over
 * every other axis, so an NHWC image needs no Transpose around ONNX's channels-first
 * BatchNormalization): `(x − movingMean) · (gamma / √(movingVariance + ε)) + beta`. The moving
 * statistics are written as they are, initializers named after the node, so importing the model
 * gives them back bit for bit.
 */
const batchNormToOnnx: OnnxExporter = (ctx) => {
  const mean = ctx.initializer('movingMean', tensorOf(ctx, ctx.state, 'movingMean'));
  const variance = ctx.initializer('movingVariance', tensorOf(ctx, ctx.state, 'movingVariance'));
  const gamma = ctx.initializer('gamma', tensorOf(ctx, ctx.params, 'gamma'));
  const beta = ctx.initializer('beta', tensorOf(ctx, ctx.params, 'beta'));
  const [shifted] = ctx.node('Add', [variance, ctx.constant('epsilon', [configNumber(ctx, 'epsilon')])]);
  const [std] = ctx.node('Sqrt', [shifted!]);
  const [scale] = ctx.node('Div', [gamma, std!]);
  const [centred] = ctx.node('Sub', [ctx.inputs[0]!, mean]);
  const [scaled] = ctx.node('Mul', [centred!, scale!]);
  ctx.node('Add', [scaled!, beta], [ctx.output]);
};

/** Layer normalization as opset 17's LayerNormalization over the last axis. */
const layerNormToOnnx: OnnxExporter = (ctx) => {
  const gamma = ctx.initializer('gamma', tensorOf(ctx, ctx.params, 'gamma'));
  const beta = ctx.initializer('beta', tensorOf(ctx, ctx.params, 'beta'));
  ctx.node('LayerNormalization', [ctx.inputs[0]!, gamma, beta], [ctx.output], { axis: { int: -1 }, epsilon: configNumber(ctx, 'epsilon') });
};

/** The ONNX exporters of the norm ops, by plugin. */
export const NORM_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [
  [batchNormOp, batchNormToOnnx],
  [layerNormOp, layerNormToOnnx],
];
