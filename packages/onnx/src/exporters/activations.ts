import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';

/** The ONNX exporters of the activations ops, by plugin. */
export const ACTIVATION_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [];
