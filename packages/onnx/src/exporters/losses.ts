import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';

/** The ONNX exporters of the losses ops, by plugin. */
export const LOSS_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [];
