/*
 * The numbers of the format, in a module of their own: the package's declarations reach them
 * without reaching onnx-proto's, whose types a consumer's compiler would have to resolve too.
 */

/**
 * The opset of the default domain models are written with.
 *
 * @example
 * ```ts
 * import { OPSET } from '@gradstream/onnx';
 * console.log(`ONNX opset ${OPSET}`); // ONNX opset 17
 * ```
 */
export const OPSET = 17;
/** The IR version that goes with {@link OPSET}. */
export const IR_VERSION = 8;

/** `TensorProto.DataType` codes used here. */
export const FLOAT = 1;
export const INT64 = 7;

/** The metadata key under which an exported model keeps its gradstream spec. */
export const SPEC_KEY = 'gradstream.spec';
