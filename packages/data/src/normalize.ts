import { GradstreamError } from '@gradstream/tensor';

/**
 * The ways input features are rescaled (the command line's `--normalize`): `standard` (subtract
 * the mean, divide by the standard deviation) or `minmax` (subtract the minimum, divide by the
 * range, so values fall in [0, 1]).
 *
 * @example
 * ```ts
 * import { NORMALIZE_METHODS } from '@gradstream/data';
 * NORMALIZE_METHODS; // ['standard', 'minmax']
 * ```
 */
export const NORMALIZE_METHODS = Object.freeze(['standard', 'minmax'] as const);

/**
 * Per-feature statistics of input rows, fitted by {@link fitNormalization} and applied by
 * {@link applyNormalization}; plain JSON (the command line keeps it in a checkpoint's
 * `meta.preprocessing.normalize`).
 *
 * @example
 * ```ts
 * import type { Normalization } from '@gradstream/data';
 * const n: Normalization = { method: 'standard', mean: [5.8, 3.1], std: [0.8, 0.4] };
 * ```
 */
export type Normalization =
  | { readonly method: 'standard'; readonly mean: readonly number[]; readonly std: readonly number[] }
  | { readonly method: 'minmax'; readonly min: readonly number[]; readonly max: readonly number[] };

/**
 * Fits per-feature statistics on input rows (the training samples only, so nothing is learnt from
 * held-out data): the mean and the population standard deviation for `standard`, the minimum and
 * maximum for `minmax`.
 *
 * @param x - input rows, all of one width
 * @param method - `standard` or `minmax`
 * @example
 * ```ts
 * import { fitNormalization } from '@gradstream/data';
 * fitNormalization([[1, 10], [3, 10]], 'standard'); // { method: 'standard', mean: [2, 10], std: [1, 0] }
 * ```
 */
export function fitNormalization(x: readonly (readonly number[])[], method: Normalization['method']): Normalization {
  const width = x[0]?.length ?? 0;
  if (x.length === 0) throw new GradstreamError('INVALID_DATA', 'fitNormalization: no rows to fit', {});
  const column = (j: number): number[] => x.map((row) => row[j] as number);
  if (method === 'minmax') {
    const min: number[] = [];
    const max: number[] = [];
    for (let j = 0; j < width; j++) {
      const values = column(j);
      min.push(values.reduce((a, b) => Math.min(a, b)));
      max.push(values.reduce((a, b) => Math.max(a, b)));
    }
    return { method, min, max };
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < width; j++) {
    const values = column(j);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean.push(m);
    std.push(Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / values.length));
  }
  return { method, mean, std };
}

/**
 * Rescales input rows with fitted statistics: `(v − mean) / std` or `(v − min) / (max − min)`,
 * feature by feature. A feature that did not vary (a standard deviation or range of 0) is only
 * shifted, not divided. Rows must be as wide as the statistics (an `INVALID_DATA` error otherwise).
 *
 * @param x - input rows
 * @param n - statistics from {@link fitNormalization}
 * @example
 * ```ts
 * import { applyNormalization } from '@gradstream/data';
 * applyNormalization([[3, 10]], { method: 'minmax', min: [1, 10], max: [5, 10] }); // [[0.5, 0]]
 * ```
 */
export function applyNormalization(x: readonly (readonly number[])[], n: Normalization): number[][] {
  const [shift, spread] = n.method === 'standard' ? [n.mean, n.std] : [n.min, n.max.map((v, j) => v - (n.min[j] as number))];
  return x.map((row, i) => {
    if (row.length !== shift.length) {
      throw new GradstreamError('INVALID_DATA', `row ${i + 1} has ${row.length} input value(s), but the ${n.method} normalization was fitted on ${shift.length}`, {
        row: i + 1,
      });
    }
    return row.map((v, j) => {
      const s = spread[j] as number;
      return (v - (shift[j] as number)) / (s > 0 ? s : 1);
    });
  });
}
