import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';

/** The ONNX exporters of the image ops, by plugin. */
export const IMAGE_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [];
