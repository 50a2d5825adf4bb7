import type { TypedArray } from '../dtype.js';

/**
 * Logistic sigmoid `out[i] = 1 / (1 + e^(−x[i]))`, computed without overflow for large |x|.
 *
 * @example
 * ```ts
 * import { sigmoid } from '@gradstream/tensor';
 * const out = new Float64Array(1);
 * sigmoid(new Float64Array([0]), out); // out = [0.5]
 * ```
 */
export function sigmoid(x: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i] as number;
    if (v >= 0) {
      out[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[i] = e / (1 + e);
    }
  }
}

/**
 * Sigmoid backward from its saved output: `dx[i] = dy[i] · y[i] · (1 − y[i])`.
 *
 * @example
 * ```ts
 * import { sigmoidBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(1);
 * sigmoidBackward(new Float64Array([0.5]), new Float64Array([1]), dx); // dx = [0.25]
 * ```
 */
export function sigmoidBackward(y: TypedArray, dy: TypedArray, dx: TypedArray): void {
  for (let i = 0; i < dx.length; i++) {
    const s = y[i] as number;
    dx[i] = (dy[i] as number) * s * (1 - s);
  }
}
