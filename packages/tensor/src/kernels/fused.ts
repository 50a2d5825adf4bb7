import type { TypedArray } from '../dtype.js';

/**
 * Activation functions the fused kernels know, by code: `0` identity, `1` sigmoid, `2` relu, `3` tanh.
 *
 * @example
 * ```ts
 * import { ACTIVATIONS } from '@gradstream/tensor';
 * ACTIVATIONS.indexOf('relu'); // 2
 * ```
 */
export const ACTIVATIONS = Object.freeze(['identity', 'sigmoid', 'relu', 'tanh'] as const);

/**
 * Name of an activation a fused kernel can apply.
 *
 * @example
 * ```ts
 * import type { ActivationName } from '@gradstream/tensor';
 * const a: ActivationName = 'tanh';
 * ```
 */
export type ActivationName = (typeof ACTIVATIONS)[number];

/**
 * Fused bias and activation, in one pass over a `rows×cols` matrix: `out[r,c] = f(z[r,c] + bias[c])`.
 * `out` may be `z` itself. One pass instead of two halves the memory traffic after a matmul.
 *
 * @param activation - code from {@link ACTIVATIONS}
 * @example
 * ```ts
 * import { biasActivation } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * biasActivation(new Float32Array([-1, 1]), new Float32Array([0.5, 0.5]), out, 1, 2, 2); // relu → [0, 1.5]
 * ```
 */
export function biasActivation(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, activation: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    switch (activation) {
      case 1:
        for (let c = 0; c < cols; c++) {
          const v = (z[o + c] as number) + (bias[c] as number);
          if (v >= 0) out[o + c] = 1 / (1 + Math.exp(-v));
          else {
            const e = Math.exp(v);
            out[o + c] = e / (1 + e);
          }
        }
        break;
      case 2:
        for (let c = 0; c < cols; c++) {
          const v = (z[o + c] as number) + (bias[c] as number);
          out[o + c] = v > 0 ? v : 0;
        }
        break;
      case 3:
        for (let c = 0; c < cols; c++) out[o + c] = Math.tanh((z[o + c] as number) + (bias[c] as number));
        break;
      default:
        for (let c = 0; c < cols; c++) out[o + c] = (z[o + c] as number) + (bias[c] as number);
    }
  }
}

/**
 * Fused activation backward and bias gradient, from the activation's output `a`:
 * `dz = dy ⊙ f′` (f′ written in terms of a: a(1−a) for sigmoid, [a>0] for relu, 1−a² for tanh)
 * and `dbias[c] = Σ_r dz[r,c]`, in one pass.
 *
 * @param activation - code from {@link ACTIVATIONS}
 * @example
 * ```ts
 * import { activationBiasBackward } from '@gradstream/tensor';
 * const dz = new Float32Array(2), db = new Float32Array(2);
 * activationBiasBackward(new Float32Array([0, 1.5]), new Float32Array([3, 4]), dz, db, 1, 2, 2); // dz = db = [0, 4]
 * ```
 */
export function activationBiasBackward(
  a: TypedArray,
  dy: TypedArray,
  dz: TypedArray,
  dbias: TypedArray,
  rows: number,
  cols: number,
  activation: number,
): void {
  dbias.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const y = a[o + c] as number;
      const g = dy[o + c] as number;
      const d = activation === 1 ? g * y * (1 - y) : activation === 2 ? (y > 0 ? g : 0) : activation === 3 ? g * (1 - y * y) : g;
      dz[o + c] = d;
      dbias[c] = (dbias[c] as number) + d;
    }
  }
}
