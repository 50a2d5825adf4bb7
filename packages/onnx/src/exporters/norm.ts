import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';

/** The ONNX exporters of the norm ops, by plugin. */
export const NORM_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [];
