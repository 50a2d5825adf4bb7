import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import { GradstreamError, formatShape, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/**
 * Configuration of {@link concatOp}.
 *
 * @example
 * ```ts
 * import type { ConcatConfig } from '@gradstream/ops';
 * const c: ConcatConfig = { axis: -1 };
 * ```
 */
export interface ConcatConfig {
  /** The axis to join along; negative counts from the end (default −1, the last). Never the batch axis. */
  readonly axis?: number;
}

/** The axis as a non-negative index into shapes of `rank` axes. */
function axisOf(c: ConcatConfig, rank: number): number {
  const given = c.axis ?? -1;
  return given < 0 ? given + rank : given;
}

/** Product of `shape`'s axes from `from` to `to`. */
function product(shape: Shape, from: number, to: number): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i] ?? 0;
  return p;
}

/**
 * Joins two values along one axis: `a` of `[…, m, …]` and `b` of `[…, n, …]` give `[…, m + n, …]`,
 * every other axis equal. `axis` counts from the front, or from the end when negative (default
 * −1, the last); it may not be the batch axis. Backward hands each input its part of the incoming
 * gradient.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { concat, dense, mse } from '@gradstream/ops';
 * // the input beside its projection: [batch, 4] and [batch, 8] → [batch, 12]
 * const model = sequential([dense({ inFeatures: 4, outFeatures: 8, activation: 'tanh' }), concat({ inputs: ['x', 'dense_1'] }), dense({ inFeatures: 12, outFeatures: 1 })], {
 *   inputShape: [4], loss: mse(),
 * });
 * ```
 */
export const concatOp = defineOp({
  name: 'concat',
  description: 'joins a and b along one axis (not the batch axis), the other axes equal',
  paramsSchema: {
    type: 'object',
    properties: { axis: { type: 'integer', default: -1 } },
    additionalProperties: false,
  },
  inputs: ['a', 'b'],
  save: {},
  outputShape: ([a, b]: readonly Shape[], c: ConcatConfig) => {
    const sa = a ?? [];
    const sb = b ?? [];
    const axis = axisOf(c, sa.length);
    if (axis === 0) throw new GradstreamError('INVALID_CONFIG', `axis ${c.axis ?? -1} is the batch axis of ${formatShape(sa)}; concat joins along another axis`, { axis: c.axis });
    if (axis < 0 || axis >= sa.length) shapeError('a', `a value with axis ${c.axis ?? -1} besides the batch axis`, sa);
    const mismatch = sb.length !== sa.length || sa.some((d, i) => i !== axis && d !== sb[i]);
    if (mismatch) shapeError('b', `the shape of a, ${formatShape(sa)}, apart from axis ${axis}`, sb);
    return sa.map((d, i) => (i === axis ? d + (sb[i] ?? 0) : d));
  },
  forward({ inputs: { a, b }, out, config: c, backend }) {
    const axis = axisOf(c, a.shape.length);
    const outer = product(a.shape, 0, axis);
    const inA = product(a.shape, axis, a.shape.length);
    const inB = product(b.shape, axis, b.shape.length);
    backend.copyBlocks(a.data, out.data, outer, inA, inA, inA + inB, 0, 0);
    backend.copyBlocks(b.data, out.data, outer, inB, inB, inA + inB, 0, inA);
  },
  backward({ dy, dInputs, config: c, backend }) {
    const axis = axisOf(c, dy.shape.length);
    const outer = product(dy.shape, 0, axis);
    const row = product(dy.shape, axis, dy.shape.length);
    const { a: da, b: db } = dInputs;
    // Each input's part of a row: its own, or what the other leaves.
    const inA = da ? product(da.shape, axis, da.shape.length) : row - (db ? product(db.shape, axis, db.shape.length) : 0);
    if (da) backend.copyBlocks(dy.data, da.data, outer, inA, row, inA, 0, 0);
    if (db) backend.copyBlocks(dy.data, db.data, outer, row - inA, row, row - inA, inA, 0);
  },
  gradcheckCase: (rng) => {
    const rank = 2 + rng.int(3);
    const shape = [1 + rng.int(3), ...Array.from({ length: rank - 1 }, () => 1 + rng.int(3))];
    const at = 1 + rng.int(rank - 1);
    const b = shape.map((d, i) => (i === at ? 1 + rng.int(3) : d));
    // The axis counted from the front or from the end.
    return { config: { axis: rng.next() < 0.5 ? at : at - rank }, inputShapes: [shape, b] };
  },
});

/**
 * A {@link concatOp} layer; `inputs` names the two values to join (node names, or `x`).
 *
 * @example
 * ```ts
 * import { concat } from '@gradstream/ops';
 * concat({ inputs: ['lstm_1', 'lstm_2'] }); // { op: 'concat', inputs: ['lstm_1', 'lstm_2'] }
 * ```
 */
export function concat(options: ConcatConfig & LayerOptions & { readonly inputs: readonly [string, string] }): LayerSpec {
  return { op: concatOp.name, ...options };
}
