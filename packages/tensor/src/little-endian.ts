import type { DType, TypedArray } from './dtype.js';

/*
 * Numbers as little-endian bytes and back: the byte order checkpoints and ONNX files keep tensors
 * in, whatever the host's.
 */

/**
 * The values as little-endian float32 or float64 bytes (float64 values rounded for float32).
 *
 * @example
 * ```ts
 * import { littleEndianBytes } from '@gradstream/tensor';
 * littleEndianBytes([1], 'float32'); // Uint8Array [0, 0, 128, 63]
 * ```
 */
export function littleEndianBytes(values: ArrayLike<number>, dtype: DType): Uint8Array {
  const width = dtype === 'float32' ? 4 : 8;
  const view = new DataView(new ArrayBuffer(values.length * width));
  if (width === 4) for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  else for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
  return new Uint8Array(view.buffer);
}

/**
 * Reads little-endian bytes into `out`, as float32 or float64 by `out`'s own type; `bytes` holds
 * exactly `out.length` of them.
 *
 * @example
 * ```ts
 * import { readLittleEndian } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * readLittleEndian(new Uint8Array([0, 0, 128, 63]), out); // out = [1]
 * ```
 */
export function readLittleEndian(bytes: Uint8Array, out: TypedArray): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (out.BYTES_PER_ELEMENT === 4) for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
}
