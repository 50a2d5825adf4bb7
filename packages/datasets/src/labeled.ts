/**
 * A dataset as rows: inputs `x` and targets `y`, aligned by index — the shape `fit` takes.
 *
 * @example
 * ```ts
 * import type { Labeled } from '@gradstream/datasets';
 * const tiny: Labeled = { x: [[0, 1]], y: [[1]] };
 * ```
 */
export interface Labeled {
  readonly x: readonly (readonly number[])[];
  readonly y: readonly (readonly number[])[];
}
