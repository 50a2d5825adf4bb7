import type { AnyOpPlugin, OnnxExporter } from '@gradstream/graph';

/** The ONNX exporters of the attention ops, by plugin. */
export const ATTENTION_EXPORTERS: ReadonlyArray<readonly [AnyOpPlugin, OnnxExporter]> = [];
