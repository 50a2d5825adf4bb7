import { shapeError } from '@gradstream/graph';
import { sizeOf, type Rng, type Shape } from '@gradstream/tensor';

/* What batchNorm and layerNorm share: both normalize over the features of the last axis. */

/** The schema of `features`: left out, it is read off the input's last axis. */
export const FEATURES_PROPERTY = {
  features: { type: 'integer', minimum: 1, description: 'width of the last axis of x (default: read off the input)' },
} as const;

/** `features` where a layer leaves it out: the last axis of x, as the previous layer made it. */
export const FEATURES_FROM_INPUT = { features: ([x]: readonly Shape[]) => (x !== undefined && x.length >= 2 ? x[x.length - 1] : undefined) };

/** `x` itself: `[batch, …, features]`, at least two axes, the last one `features`. */
export function lastAxisShape([x]: readonly Shape[], features: number): Shape {
  if (x === undefined || x.length < 2 || x[x.length - 1] !== features) {
    shapeError('x', `[batch,…,${features}] (last axis = features)`, x ?? []);
  }
  return x;
}

/** Rows of `x` seen as a `rows×features` matrix: every axis but the last. */
export function rowsOf(x: Shape, features: number): number {
  return sizeOf(x) / features;
}

/**
 * Inputs for a gradient check whose groups alternate in sign around ±0.5: every normalized group
 * then has a variance of at least about 0.01, so the central differences stay far from the steep
 * region of 1/√(variance + ε).
 *
 * @param groupOf - which of the alternating groups element `i` belongs to
 */
export function spreadInput(groupOf: (i: number) => number): (index: number, data: Float64Array, rng: Rng) => void {
  return (_index, data, rng) => {
    for (let i = 0; i < data.length; i++) data[i] = (groupOf(i) % 2 === 0 ? 0.5 : -0.5) + rng.uniform(-0.4, 0.4);
  };
}
