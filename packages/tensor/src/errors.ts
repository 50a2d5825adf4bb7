/**
 * Stable error codes of gradstream. Each code names one kind of failure; the message of the
 * error says what was expected, what came, and where.
 *
 * | code | raised when |
 * | --- | --- |
 * | `SHAPE_MISMATCH` | a kernel or node received arrays whose shapes do not fit together |
 * | `NON_FINITE_INPUT` | an input or target value is NaN or ±Infinity |
 * | `UNKNOWN_OP` | a spec or model names an op that is not registered |
 * | `DUPLICATE_OP` | an op name is registered twice in one registry |
 * | `INVALID_CONFIG` | an op's configuration does not match its JSON schema |
 * | `INVALID_PLUGIN` | a plugin object does not follow the op plugin contract |
 * | `INVALID_MODEL` | a model's nodes are wired wrongly (unknown input, cycle, missing loss) |
 * | `INVALID_SPEC` | a model spec does not match the spec schema |
 * | `INVALID_DATA` | training data is empty, ragged or of the wrong width |
 * | `INVALID_OPTION` | an option passed to a function is out of range |
 * | `GRADIENT_SHAPE` | a plugin's backward returned a gradient whose shape differs from its input |
 * | `GRADIENT_MISMATCH` | a plugin's backward disagrees with finite differences (`checkGradients`) |
 * | `BACKEND_UNAVAILABLE` | the backend asked for cannot run on this platform (the message says why) |
 * | `DEVICE_LOST` | the GPU device a WebGPU backend computes on was lost (driver reset, device destroyed); `details.reason` |
 * | `OUT_OF_MEMORY` | the GPU device ran out of memory for a buffer (`details.bytes`) |
 * | `TOO_LARGE` | a model, plan or buffer needs more memory than the backend may hold |
 * | `DIVERGED` | training produced a non-finite loss or gradient |
 * | `MODEL_BUSY` | a training run was started on a model that another run is training |
 * | `INVALID_COMMAND` | a command sent to a training run is not one it knows, or its values are out of range |
 * | `CHECKPOINT_INVALID` | a checkpoint is truncated, corrupted, of another version or another model, or names an op the registry does not hold |
 * | `FILE_ERROR` | a file cannot be read or written: not found, a directory, permission denied, disk full (`details`: `path`, `operation`, `errno`); or a browser store (IndexedDB, localStorage) cannot keep or give a checkpoint (`details`: `path` such as `indexeddb://xor`, `operation`, `store`, `key`, `reason`: `missing`, `quota`, `unavailable` or `failed`) |
 * | `INVALID_USAGE` | a command-line argument is malformed or names something unknown, e.g. an unknown built-in dataset or setting (the `gradstream` command exits 2) |
 * | `UNSUPPORTED_EXPORT` | a model holds an op that has no ONNX exporter (`details`: `node`, `op`) |
 * | `UNSUPPORTED_IMPORT` | an ONNX model holds a node, an attribute or a graph shape gradstream cannot rebuild (`details`: `node`, `opType`, `supported`) |
 *
 * @example
 * ```ts
 * import { GradstreamError } from '@gradstream/tensor';
 * try {
 *   throw new GradstreamError('SHAPE_MISMATCH', 'matmul: expected [2,3]·[3,4], got [2,3]·[2,4]');
 * } catch (e) {
 *   if (e instanceof GradstreamError && e.code === 'SHAPE_MISMATCH') console.log(e.message);
 * }
 * ```
 */
export type ErrorCode =
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE_INPUT'
  | 'UNKNOWN_OP'
  | 'DUPLICATE_OP'
  | 'INVALID_CONFIG'
  | 'INVALID_PLUGIN'
  | 'INVALID_MODEL'
  | 'INVALID_SPEC'
  | 'INVALID_DATA'
  | 'INVALID_OPTION'
  | 'GRADIENT_SHAPE'
  | 'GRADIENT_MISMATCH'
  | 'BACKEND_UNAVAILABLE'
  | 'DEVICE_LOST'
  | 'OUT_OF_MEMORY'
  | 'TOO_LARGE'
  | 'DIVERGED'
  | 'MODEL_BUSY'
  | 'INVALID_COMMAND'
  | 'CHECKPOINT_INVALID'
  | 'FILE_ERROR'
  | 'INVALID_USAGE'
  | 'UNSUPPORTED_EXPORT'
  | 'UNSUPPORTED_IMPORT';

/**
 * The one error class gradstream throws. `code` is stable across versions and safe to branch on;
 * `details` carries the structured facts (node, input, shapes, JSON paths) the message was built from.
 *
 * @example
 * ```ts
 * import { GradstreamError } from '@gradstream/tensor';
 * const err = new GradstreamError('INVALID_DATA', 'fit: data has no rows', { rows: 0 });
 * console.log(err.code, err.details.rows); // INVALID_DATA 0
 * ```
 */
export class GradstreamError extends Error {
  /** The stable error code; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** Structured facts about the failure, for programs (the message is for people). */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * @param code - the stable error code
   * @param message - what was expected, what came, and where
   * @param details - structured facts about the failure
   */
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'GradstreamError';
    this.code = code;
    this.details = Object.freeze({ ...details });
  }
}
