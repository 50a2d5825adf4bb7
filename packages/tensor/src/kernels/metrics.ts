import type { TypedArray } from '../dtype.js';

/**
 * `Σ_{i<n} (a[i] − b[i])²`, accumulated in float64 (the squared-error metrics).
 *
 * @example
 * ```ts
 * import { sumSquaredDiff } from '@gradstream/tensor';
 * sumSquaredDiff(new Float32Array([1, 2]), new Float32Array([0, 0]), 2); // 5
 * ```
 */
export function sumSquaredDiff(a: TypedArray, b: TypedArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d * d;
  }
  return s;
}

/**
 * `Σ_{i<n} |a[i] − b[i]|`, accumulated in float64 (the absolute-error metric).
 *
 * @example
 * ```ts
 * import { sumAbsDiff } from '@gradstream/tensor';
 * sumAbsDiff(new Float32Array([1, -2]), new Float32Array([0, 0]), 2); // 3
 * ```
 */
export function sumAbsDiff(a: TypedArray, b: TypedArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s;
}

/**
 * How many of `rows` predictions pick the target's class: the row's largest entry (first one on
 * ties) in both, or, for one column, the same side of 0.5 (accuracy).
 *
 * @example
 * ```ts
 * import { countArgmaxMatches } from '@gradstream/tensor';
 * countArgmaxMatches(new Float32Array([0.1, 0.9, 0.8, 0.2]), new Float32Array([0, 1, 0, 1]), 2, 2); // 1
 * ```
 */
export function countArgmaxMatches(pred: TypedArray, target: TypedArray, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (cols === 1) {
      if ((pred[o] as number) >= 0.5 === (target[o] as number) >= 0.5) hits++;
    } else if (argmax(pred, o, cols) === argmax(target, o, cols)) {
      hits++;
    }
  }
  return hits;
}

function argmax(a: TypedArray, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if ((a[offset + j] as number) > (a[offset + best] as number)) best = j;
  return best;
}
