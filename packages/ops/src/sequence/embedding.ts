import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import { initSpecSchema, type InitSpec, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/**
 * Configuration of {@link embeddingOp}.
 *
 * @example
 * ```ts
 * import type { EmbeddingConfig } from '@gradstream/ops';
 * const c: EmbeddingConfig = { vocabSize: 13, dim: 16 };
 * ```
 */
export interface EmbeddingConfig {
  /** How many tokens there are: ids run from 0 to `vocabSize − 1`. */
  readonly vocabSize: number;
  /** Values per token (the output's last axis). */
  readonly dim: number;
  /** Initializer of the table (default `{ type: 'uniform', min: -0.05, max: 0.05 }`, as Keras'). */
  readonly weightInit?: InitSpec;
}

const DEFAULT_INIT: InitSpec = { type: 'uniform', min: -0.05, max: 0.05 };

/**
 * A learned vector for each token: ids `[batch, steps]` → `[batch, steps, dim]`, row `id` of the
 * table `weight`, `[vocabSize, dim]`.
 *
 * Token ids are numbers in the input (the model's input is a float tensor like any other), each an
 * integer in `[0, vocabSize)`; any other value — a fraction, a negative, NaN, an id past the table —
 * is an `INVALID_DATA` error naming the op, the position `[b, t]` and the value, never a silent
 * clamp. The ids get no gradient (they are `nonDifferentiable`); the table's gradient adds each
 * position's incoming gradient to its token's row, so a token used several times gets the sum.
 * The table starts uniform in ±0.05, as Keras' does.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { dense, embedding, lstm, softmaxCrossEntropy } from '@gradstream/ops';
 * // "12+345" as 6 character ids out of 13 → the first digit of the sum
 * const model = sequential([embedding({ vocabSize: 13, dim: 8 }), lstm({ units: 32 }), dense({ inFeatures: 32, outFeatures: 10 })], {
 *   inputShape: [6], loss: softmaxCrossEntropy(),
 * });
 * ```
 */
export const embeddingOp = defineOp({
  name: 'embedding',
  description: 'token ids [batch, steps] → rows of a learned table [vocabSize, dim]',
  paramsSchema: {
    type: 'object',
    properties: {
      vocabSize: { type: 'integer', minimum: 1 },
      dim: { type: 'integer', minimum: 1 },
      weightInit: { ...initSpecSchema, default: DEFAULT_INIT },
    },
    required: ['vocabSize', 'dim'],
    additionalProperties: false,
  },
  inputs: ['ids'],
  nonDifferentiable: ['ids'],
  save: { inputs: ['ids'] },
  params: (c: EmbeddingConfig) => ({
    weight: { shape: [c.vocabSize, c.dim], init: c.weightInit ?? DEFAULT_INIT, fanIn: c.vocabSize, fanOut: c.dim },
  }),
  outputShape: ([ids]: readonly Shape[], c) => {
    if (ids === undefined || ids.length !== 2) shapeError('ids', '[batch,steps] (token ids)', ids ?? []);
    return [ids[0] ?? 0, ids[1] ?? 0, c.dim];
  },
  forward({ inputs: { ids }, params: { weight }, out, config: c, backend }) {
    backend.gatherRows(weight.data, ids.data, out.data, ids.shape[0] ?? 0, ids.shape[1] ?? 0, c.dim, c.vocabSize, 'embedding');
  },
  backward({ dy, saved, dParams, config: c, backend }) {
    const ids = saved.inputs.ids;
    backend.fill(dParams.weight.data, 0);
    backend.scatterAddRows(dy.data, ids.data, dParams.weight.data, ids.shape[0] ?? 0, ids.shape[1] ?? 0, c.dim, c.vocabSize, 'embedding');
  },
  gradcheckCase: (rng) => {
    const vocabSize = 1 + rng.int(6);
    return {
      config: { vocabSize, dim: 1 + rng.int(4) },
      inputShapes: [[1 + rng.int(4), 1 + rng.int(5)]],
      // Token ids, with repeats whenever the sequence is longer than the vocabulary.
      fillInput: (_i, d, r) => {
        for (let j = 0; j < d.length; j++) d[j] = r.int(vocabSize);
      },
    };
  },
});

/**
 * An {@link embeddingOp} layer.
 *
 * @example
 * ```ts
 * import { embedding } from '@gradstream/ops';
 * embedding({ vocabSize: 13, dim: 16 }); // { op: 'embedding', vocabSize: 13, dim: 16 }
 * ```
 */
export function embedding(config: EmbeddingConfig & LayerOptions): LayerSpec {
  return { op: embeddingOp.name, ...config };
}
