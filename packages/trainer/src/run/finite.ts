import type { Backend, TypedArray } from '@gradstream/tensor';

/** Arrays up to this many values are scanned in place: a kernel call would cost more than they do. */
export const SMALL = 64;

/**
 * Index of the first NaN or ±Infinity among the first `length` values of `data`, or −1: a small
 * array scanned here, a large one by the backend's kernel (SIMD on wasm).
 */
export function firstNonFinite(data: TypedArray, backend: Backend, length = data.length): number {
  if (length <= SMALL) {
    for (let i = 0; i < length; i++) {
      const v = data[i] as number;
      // v - v is NaN exactly for NaN and ±Infinity.
      if (v - v !== 0) return i;
    }
    return -1;
  }
  return backend.firstNonFinite(length === data.length ? data : data.subarray(0, length));
}
