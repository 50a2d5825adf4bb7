import type { Shape } from '@gradstream/tensor';

/**
 * The rows a loss averages over: every index of the axes before the last, so `[batch, classes]`
 * gives the batch and `[batch, T, classes]` gives batch·T (one row per time step); a loss sums
 * over the last axis. A rank-1 input `[batch]` holds one value per row.
 *
 * @example
 * ```ts
 * import { lossRows } from '@gradstream/ops';
 * lossRows([4, 7, 10]); // 28
 * ```
 */
export function lossRows(shape: Shape): number {
  // Read in forward and backward: a loop, not shape.slice, so nothing is allocated per step.
  let rows = 1;
  for (let i = 0, end = Math.max(shape.length - 1, 1); i < end; i++) rows *= shape[i] ?? 1;
  return rows;
}
