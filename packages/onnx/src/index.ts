/**
 * ONNX in and out: {@link toOnnx} writes a model for onnxruntime (Node, web, mobile, servers),
 * PyTorch and any ONNX runtime; {@link fromOnnx} reads one back, or one made elsewhere from the
 * operators gradstream has, with its weights as parameters to fine-tune here. Opset 17, float32,
 * the batch axis symbolic.
 *
 * @packageDocumentation
 */
export { BATCH_DIM, toOnnx, type ToOnnxOptions } from './export.js';
export { SUPPORTED_IMPORTS, fromOnnx, type FromOnnxOptions } from './import.js';
export { OPSET } from './constants.js';
