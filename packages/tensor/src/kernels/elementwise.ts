import type { TypedArray } from '../dtype.js';

/**
 * `out[i] = a[i] + b[i]` for every element of `out`.
 *
 * @example
 * ```ts
 * import { add } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * add(new Float32Array([1, 2]), new Float32Array([3, 4]), out); // out = [4, 6]
 * ```
 */
export function add(a: TypedArray, b: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) + (b[i] as number);
}

/**
 * `out[i] = a[i] - b[i]` for every element of `out`.
 *
 * @example
 * ```ts
 * import { sub } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * sub(new Float32Array([5]), new Float32Array([3]), out); // out = [2]
 * ```
 */
export function sub(a: TypedArray, b: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) - (b[i] as number);
}

/**
 * `out[i] = a[i] * b[i]` for every element of `out`.
 *
 * @example
 * ```ts
 * import { mul } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * mul(new Float32Array([2]), new Float32Array([3]), out); // out = [6]
 * ```
 */
export function mul(a: TypedArray, b: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) * (b[i] as number);
}

/**
 * `out[i] = s * a[i]` for every element of `out`.
 *
 * @example
 * ```ts
 * import { scale } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * scale(new Float32Array([1, 2]), 0.5, out); // out = [0.5, 1]
 * ```
 */
export function scale(a: TypedArray, s: number, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = s * (a[i] as number);
}

/**
 * In place `y[i] += alpha * x[i]` (BLAS axpy): the gradient-descent update `w += -lr·g`.
 *
 * @example
 * ```ts
 * import { axpy } from '@gradstream/tensor';
 * const w = new Float32Array([1]);
 * axpy(-0.1, new Float32Array([2]), w); // w = [0.8]
 * ```
 */
export function axpy(alpha: number, x: TypedArray, y: TypedArray): void {
  for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + alpha * (x[i] as number);
}

/**
 * `out[i] = f(a[i])`: the generic elementwise unary kernel (specialised kernels are faster).
 *
 * @example
 * ```ts
 * import { map } from '@gradstream/tensor';
 * const out = new Float64Array(2);
 * map(new Float64Array([1, 4]), Math.sqrt, out); // out = [1, 2]
 * ```
 */
export function map(a: TypedArray, f: (v: number) => number, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = f(a[i] as number);
}

/**
 * `out[i] = f(a[i], b[i])`: the generic elementwise binary kernel.
 *
 * @example
 * ```ts
 * import { zip } from '@gradstream/tensor';
 * const out = new Float64Array(1);
 * zip(new Float64Array([2]), new Float64Array([3]), Math.pow, out); // out = [8]
 * ```
 */
export function zip(a: TypedArray, b: TypedArray, f: (x: number, y: number) => number, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = f(a[i] as number, b[i] as number);
}

/**
 * `out[r, c] = x[r, c] + bias[c]`: adds a row vector to every row of a `rows×cols` matrix.
 *
 * @example
 * ```ts
 * import { addRowBroadcast } from '@gradstream/tensor';
 * const out = new Float32Array(4);
 * addRowBroadcast(new Float32Array([1, 2, 3, 4]), new Float32Array([10, 20]), out, 2, 2); // [11, 22, 13, 24]
 * ```
 */
export function addRowBroadcast(x: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[o + c] = (x[o + c] as number) + (bias[c] as number);
  }
}
