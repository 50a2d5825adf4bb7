import type { TypedArray } from '../dtype.js';
import type { Rng } from '../rng.js';

/**
 * Draws an inverted-dropout mask: each element is 0 with probability `rate`, else `1 / (1 − rate)`,
 * so `x ⊙ mask` keeps the expected value of `x`. One `rng.next()` per element, in order, so the
 * same generator state gives the same mask on every backend.
 *
 * @param rate - probability of dropping an element, in [0, 1)
 * @example
 * ```ts
 * import { Rng, dropoutMask } from '@gradstream/tensor';
 * const mask = new Float32Array(8);
 * dropoutMask(Rng.fromSeed(1), 0.5, mask); // each entry 0 or 2
 * ```
 */
export function dropoutMask(rng: Rng, rate: number, mask: TypedArray): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keep;
}
