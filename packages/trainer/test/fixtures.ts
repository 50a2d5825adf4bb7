import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { sine as toySine, xor as toyXor } from '@gradstream/datasets';
import type { ArrayData } from '../src/index.js';

/** XOR truth table. */
export const xor: ArrayData = toyXor();

/** y = sin(x) on evenly spaced points of [−π, π] (64 by default). */
export const sine = (points = 64): ArrayData => toySine(points);

/** in → hidden (sigmoid) → out, with MSE loss. */
export function mlp(inFeatures: number, hidden: number, outFeatures: number, seed: number): Model {
  return sequential([linear({ inFeatures, outFeatures: hidden }), sigmoid(), linear({ inFeatures: hidden, outFeatures })], {
    inputShape: [inFeatures],
    loss: mse(),
    seed,
  });
}
