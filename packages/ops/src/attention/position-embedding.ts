import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import { GradstreamError, initSpecSchema, type InitSpec } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/**
 * Configuration of {@link positionEmbeddingOp}.
 *
 * @example
 * ```ts
 * import type { PositionEmbeddingConfig } from '@gradstream/ops';
 * const c: PositionEmbeddingConfig = { maxLength: 16 };
 * ```
 */
export interface PositionEmbeddingConfig {
  /** The longest sequence the table has a row for. */
  readonly maxLength: number;
  /** Features per position: the last axis of `x` (default: read off the input). */
  readonly dim?: number;
  /** Initializer of the table (default `glorotUniform`, as Keras' `PositionEmbedding`). */
  readonly init?: InitSpec;
}

function dimOf(c: PositionEmbeddingConfig): number {
  if (c.dim === undefined) throw new GradstreamError('INVALID_CONFIG', 'positionEmbedding: dim must be known (it is read off the input when left out)', { dim: c.dim });
  return c.dim;
}

/**
 * Learned positions: adds row `t` of a trained `[maxLength, dim]` table to every sample's position
 * `t` of `x` (`[batch, T, dim]`, `T ≤ maxLength`). Attention weighs positions by content alone,
 * so without this a sequence and any reordering of it look the same to it.
 *
 * The table's gradient is the sum of the incoming gradient over the batch; rows past `T` get 0.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { multiHeadAttention, mse, positionEmbedding } from '@gradstream/ops';
 * const model = sequential([positionEmbedding({ maxLength: 8 }), multiHeadAttention({ heads: 2 })], { inputShape: [6, 4], loss: mse() });
 * ```
 */
export const positionEmbeddingOp = defineOp({
  name: 'positionEmbedding',
  description: 'adds a learned [maxLength, dim] table of positions to x of [batch, T, dim], T ≤ maxLength',
  paramsSchema: {
    type: 'object',
    properties: {
      maxLength: { type: 'integer', minimum: 1 },
      dim: { type: 'integer', minimum: 1 },
      init: { ...initSpecSchema, default: { type: 'glorotUniform' } },
    },
    required: ['maxLength'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: {},
  fromInputs: ([x], c: PositionEmbeddingConfig) => {
    const [, , last] = x ?? [];
    return x?.length === 3 && c.dim === undefined && last !== undefined ? { dim: last } : {};
  },
  params: (c: PositionEmbeddingConfig) => ({
    table: { shape: [c.maxLength, dimOf(c)], init: c.init ?? { type: 'glorotUniform' }, fanIn: c.maxLength, fanOut: dimOf(c) },
  }),
  outputShape: ([x], c) => {
    if (x === undefined || x.length !== 3 || (c.dim !== undefined && x[2] !== c.dim)) shapeError('x', `[batch,T,${c.dim ?? 'dim'}] (last axis = dim)`, x ?? []);
    const [, time = 0, dim = 0] = x;
    if (time > c.maxLength) shapeError('x', `[batch,T,${dim}] with T ≤ maxLength (${c.maxLength}): the table has no row for later positions`, x);
    return x;
  },
  forward({ inputs: { x }, params: { table }, out, backend }) {
    // The first T rows of the table are its first T·dim values: one row of bias per sample.
    const [batch = 0, time = 0, dim = 0] = x.shape;
    backend.addRowBroadcast(x.data, table.data, out.data, batch, time * dim);
  },
  backward({ dy, dInputs, dParams: { table }, config: c, backend }) {
    const [batch = 0, time = 0, dim = 0] = dy.shape;
    if (dInputs.x) backend.copy(dy.data, dInputs.x.data);
    const short = time < c.maxLength;
    // Rows past T get no gradient: zero all, then add the used rows in.
    if (short) backend.fill(table.data, 0);
    backend.sumRows(dy.data, table.data, batch, time * dim, short);
  },
  gradcheckCase: (rng) => {
    const maxLength = 1 + rng.int(5);
    const dim = 1 + rng.int(4);
    const explicit = rng.next() < 0.5;
    return {
      config: explicit ? { maxLength, dim } : { maxLength },
      inputShapes: [[1 + rng.int(3), 1 + rng.int(maxLength), dim]],
    };
  },
});

/**
 * A {@link positionEmbeddingOp} layer: learned positions added to `[batch, T, dim]`, `dim` read off the input.
 *
 * @example
 * ```ts
 * import { positionEmbedding } from '@gradstream/ops';
 * positionEmbedding({ maxLength: 16 });
 * ```
 */
export function positionEmbedding(config: PositionEmbeddingConfig & LayerOptions): LayerSpec {
  return { op: positionEmbeddingOp.name, ...config };
}
