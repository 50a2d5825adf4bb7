import { toCheckpoint, type Model } from '@gradstream/graph';
import { toOnnx } from '@gradstream/onnx';
import type { ExportFormat } from '../shared/protocol.js';

/**
 * The model as a file to download: a checkpoint (the JSON that `loadCheckpoint` and the CLI read
 * back) or an ONNX model (for onnxruntime and any other ONNX runtime).
 */
export function exportModel(model: Model, format: ExportFormat, stem: string): { readonly filename: string; readonly bytes: Uint8Array } {
  if (format === 'onnx') return { filename: `${stem}.onnx`, bytes: toOnnx(model) };
  return { filename: `${stem}.checkpoint.json`, bytes: new TextEncoder().encode(JSON.stringify(toCheckpoint(model))) };
}
