import { GradstreamError } from './errors.js';

/**
 * A tensor shape: the length of each axis, outermost first (row-major).
 *
 * @example
 * ```ts
 * import type { Shape } from '@gradstream/tensor';
 * const batchOfImages: Shape = [64, 784];
 * ```
 */
export type Shape = readonly number[];

/**
 * Number of elements of a tensor of the given shape (1 for the scalar shape `[]`).
 *
 * @example
 * ```ts
 * import { sizeOf } from '@gradstream/tensor';
 * sizeOf([2, 3]); // 6
 * ```
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Formats a shape the way error messages print it: `[2,3]`.
 *
 * @example
 * ```ts
 * import { formatShape } from '@gradstream/tensor';
 * formatShape([64, 784]); // '[64,784]'
 * ```
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * True when two shapes have the same rank and the same length on every axis.
 *
 * @example
 * ```ts
 * import { shapesEqual } from '@gradstream/tensor';
 * shapesEqual([2, 3], [2, 3]); // true
 * ```
 */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Throws a `SHAPE_MISMATCH` {@link GradstreamError} unless `actual` equals `expected`.
 *
 * @param operation - what was being done, e.g. `'add'` or `'linear_1 input x'`
 * @example
 * ```ts
 * import { assertShape } from '@gradstream/tensor';
 * assertShape('add', [2, 3], [2, 3]); // passes
 * ```
 */
export function assertShape(operation: string, expected: Shape, actual: Shape): void {
  if (!shapesEqual(expected, actual)) {
    throw new GradstreamError(
      'SHAPE_MISMATCH',
      `${operation}: expected shape ${formatShape(expected)}, got ${formatShape(actual)}`,
      { operation, expected: [...expected], actual: [...actual] },
    );
  }
}

/**
 * Checks that a shape is a list of non-negative integers and returns a frozen copy.
 *
 * @example
 * ```ts
 * import { checkShape } from '@gradstream/tensor';
 * checkShape([2, 3]); // [2, 3]
 * ```
 */
export function checkShape(shape: Shape): Shape {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new GradstreamError('SHAPE_MISMATCH', `invalid shape ${formatShape(shape)}: axes must be non-negative integers`, {
        shape: [...shape],
      });
    }
  }
  return Object.freeze([...shape]);
}
