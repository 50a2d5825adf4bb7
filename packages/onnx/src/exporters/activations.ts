import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';
import { geluOp, softplusOp } from '@gradstream/ops';
import { elementwise } from './common.js';

/** The ONNX exporters of the activations ops, by plugin. */
export const ACTIVATION_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [
  [geluOp, elementwise('gelu')],
  [softplusOp, elementwise('softplus')],
];
