/*
 * The ONNX protobuf messages, from the `onnx-proto` package (the published onnx.proto compiled
 * with protobufjs): no encoder or decoder of our own.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;

export { FLOAT, INT64, IR_VERSION, OPSET, SPEC_KEY } from './constants.js';
