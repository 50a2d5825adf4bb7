import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';
import {
  activationOf,
  activationParam,
  addOp,
  denseOp,
  dropoutOp,
  identityOp,
  leakyReluOp,
  linearOp,
  mseOp,
  reluOp,
  sigmoidOp,
  softmaxCrossEntropyOp,
  softmaxOp,
  tanhOp,
  type DenseConfig,
} from '@gradstream/ops';
import { elementwise, gemmToOnnx, lossRows, single, unaryToOnnx } from './exporters/common.js';
import { IMAGE_EXPORTERS } from './exporters/image.js';
import { NORM_EXPORTERS } from './exporters/norm.js';
import { SEQUENCE_EXPORTERS } from './exporters/sequence.js';
import { ATTENTION_EXPORTERS } from './exporters/attention.js';
import { ACTIVATION_EXPORTERS } from './exporters/activations.js';
import { LOSS_EXPORTERS } from './exporters/losses.js';

/*
 * The built-in ops as ONNX (opset 17) nodes, one table. They live here rather than on the plugins
 * so that what only an export needs is not carried by every page that trains (the browser bundle
 * has a size budget); an op of one's own carries its exporter as its plugin's `toOnnx`. Losses
 * are written for an export that asks for the loss as an output.
 */

/** `½ · (1/rows) · Σ (pred − target)²`, as the `mse` kernel computes it (rows: all axes but the last). */
const mseToOnnx: OnnxExporter = (ctx) => {
  const [pred, target] = ctx.inputs as [string, string];
  const [d] = ctx.node('Sub', [pred, target]);
  const [sq] = ctx.node('Mul', [d!, d!]);
  const [sum] = ctx.node('ReduceSum', [sq!], 1, { keepdims: { int: 0 } });
  const [mean] = ctx.node('Div', [sum!, lossRows(ctx, pred)]);
  ctx.node('Mul', [mean!, ctx.constant('half', [0.5])], [ctx.output]);
};

/** `(1/rows) · Σ_r −Σ_j target · log softmax(logits)` over the last axis, as the fused kernel computes it. */
const softmaxCrossEntropyToOnnx: OnnxExporter = (ctx) => {
  const [logits, target] = ctx.inputs as [string, string];
  const [logp] = ctx.node('LogSoftmax', [logits], 1, { axis: { int: -1 } });
  const [prod] = ctx.node('Mul', [logp!, target]);
  const [sum] = ctx.node('ReduceSum', [prod!], 1, { keepdims: { int: 0 } });
  const [mean] = ctx.node('Div', [sum!, lossRows(ctx, logits)]);
  ctx.node('Neg', [mean!], [ctx.output]);
};

/**
 * The exporter of each built-in op plugin, by plugin (not by name: an op of one's own may share a
 * built-in's name in its registry).
 */
export const BUILTIN_EXPORTERS: ReadonlyMap<AnyOpPlugin, OnnxExporter> = new Map<AnyOpPlugin, OnnxExporter>([
  [linearOp, (ctx) => gemmToOnnx(ctx, ctx.output)],
  [
    denseOp,
    (ctx) => {
      const c = ctx.config as unknown as DenseConfig;
      const fn = activationOf(c);
      if (fn === 'identity') return gemmToOnnx(ctx, ctx.output);
      const pre = `${ctx.output}/z`;
      gemmToOnnx(ctx, pre);
      // The activation's parameter as dense's kernels take it.
      unaryToOnnx(ctx, fn, pre, ctx.output, activationParam(c));
    },
  ],
  [sigmoidOp, elementwise('sigmoid')],
  [reluOp, elementwise('relu')],
  [tanhOp, elementwise('tanh')],
  [identityOp, elementwise('identity')],
  [leakyReluOp, elementwise('leakyRelu', (c) => (c.alpha as number | undefined) ?? 0.01)],
  [softmaxOp, single('Softmax', { axis: { int: -1 } })],
  // Written for inference, where dropout passes its input through.
  [dropoutOp, single('Identity')],
  [addOp, single('Add')],
  [mseOp, mseToOnnx],
  [softmaxCrossEntropyOp, softmaxCrossEntropyToOnnx],
  ...IMAGE_EXPORTERS,
  ...NORM_EXPORTERS,
  ...SEQUENCE_EXPORTERS,
  ...ATTENTION_EXPORTERS,
  ...ACTIVATION_EXPORTERS,
  ...LOSS_EXPORTERS,
]);
