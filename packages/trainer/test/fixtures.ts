import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import type { ArrayData } from '../src/index.js';

/** XOR truth table. */
export const xor: ArrayData = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };

/** y = sin(x) on 64 evenly spaced points of [−π, π] (deterministic, no randomness needed). */
export function sine(points = 64): ArrayData {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < points; i++) {
    const v = -Math.PI + (2 * Math.PI * i) / (points - 1);
    x.push([v]);
    y.push([Math.sin(v)]);
  }
  return { x, y };
}

/** in → hidden (sigmoid) → out, with MSE loss. */
export function mlp(inFeatures: number, hidden: number, outFeatures: number, seed: number): Model {
  return sequential([linear({ inFeatures, outFeatures: hidden }), sigmoid(), linear({ inFeatures: hidden, outFeatures })], {
    inputShape: [inFeatures],
    loss: mse(),
    seed,
  });
}
