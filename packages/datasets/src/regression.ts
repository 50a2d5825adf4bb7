import { Rng } from '@gradstream/tensor';
import type { Labeled } from './labeled.js';
import type { ToyOptions } from './toy.js';

/**
 * Points spread uniformly over [−1, 1]², each with a real target computed from its coordinates
 * plus Gaussian noise of standard deviation `noise` (default 0.1).
 */
function regression(options: ToyOptions, target: (a: number, b: number) => number): Labeled {
  const { samples = 200, noise = 0.1, seed = 0 } = options;
  const rng = Rng.fromSeed(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    x.push([a, b]);
    y.push([target(a, b) + noise * rng.normal()]);
  }
  return { x, y };
}

/**
 * A tilted plane to regress, as TensorFlow Playground's: target `(x + y) / 2` (in [−1, 1]) plus
 * noise, for points in [−1, 1]².
 *
 * @example
 * ```ts
 * import { plane } from '@gradstream/datasets';
 * const data = plane({ samples: 300, noise: 0, seed: 1 });
 * data.y[0]![0] === (data.x[0]![0]! + data.x[0]![1]!) / 2; // true
 * ```
 */
export function plane(options: ToyOptions = {}): Labeled {
  return regression(options, (a, b) => (a + b) / 2);
}

/** Centres and signs of the bumps of {@link gaussians}. */
const BUMPS: readonly (readonly [number, number, number])[] = [
  [-0.5, 0.5, 1],
  [0.5, 0.5, -1],
  [-0.5, -0.5, -1],
  [0.5, -0.5, 1],
  [0, 0, 1],
];

/**
 * Several Gaussian bumps, up and down, to regress, as TensorFlow Playground's multi-Gaussian set:
 * target `Σ ±exp(−‖p − c‖² / 0.08)` over five centres (in [−1, 1]) plus noise, for points in [−1, 1]².
 *
 * @example
 * ```ts
 * import { gaussians } from '@gradstream/datasets';
 * const data = gaussians({ samples: 400, seed: 2 });
 * ```
 */
export function gaussians(options: ToyOptions = {}): Labeled {
  return regression(options, (a, b) => {
    let sum = 0;
    for (const [cx, cy, sign] of BUMPS) sum += sign * Math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / 0.08);
    return Math.max(-1, Math.min(1, sum));
  });
}
