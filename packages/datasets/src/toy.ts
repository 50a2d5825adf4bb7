import { Rng } from '@gradstream/tensor';
import type { Labeled } from './labeled.js';

/**
 * The XOR truth table: inputs in {0, 1}², target 1 when exactly one input is 1.
 *
 * @example
 * ```ts
 * import { xor } from '@gradstream/datasets';
 * xor().y; // [[0], [1], [1], [0]]
 * ```
 */
export function xor(): Labeled {
  return { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
}

/**
 * y = sin(x) on `points` evenly spaced x in [−π, π] (no randomness).
 *
 * @example
 * ```ts
 * import { sine } from '@gradstream/datasets';
 * sine(64).x.length; // 64
 * ```
 */
export function sine(points = 64): Labeled {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < points; i++) {
    const v = -Math.PI + (2 * Math.PI * i) / Math.max(1, points - 1);
    x.push([v]);
    y.push([Math.sin(v)]);
  }
  return { x, y };
}

/**
 * Options of the 2-D classification sets.
 *
 * @example
 * ```ts
 * import type { ToyOptions } from '@gradstream/datasets';
 * const o: ToyOptions = { samples: 400, noise: 0.1, seed: 7 };
 * ```
 */
export interface ToyOptions {
  /** Number of points (default 200). */
  readonly samples?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.1). */
  readonly noise?: number;
  /** Seed of the generator (default 0): the same seed always gives the same points. */
  readonly seed?: number;
}

/** Points with labels 0/1 as one-hot-free binary targets `[label]`. */
function binary(points: [number, number, number][]): Labeled {
  return { x: points.map(([a, b]) => [a, b]), y: points.map(([, , l]) => [l]) };
}

/**
 * Two interleaved spirals (binary labels), as in TensorFlow Playground; coordinates about in [−1, 1].
 *
 * @example
 * ```ts
 * import { spirals } from '@gradstream/datasets';
 * const data = spirals({ samples: 300, seed: 1 });
 * ```
 */
export function spirals(options: ToyOptions = {}): Labeled {
  const { samples = 200, noise = 0.1, seed = 0 } = options;
  const rng = Rng.fromSeed(seed);
  const points: [number, number, number][] = [];
  for (let i = 0; i < samples; i++) {
    const label = i % 2;
    const r = (Math.floor(i / 2) / Math.ceil(samples / 2)) * 0.9 + 0.05;
    const t = 1.75 * r * 2 * Math.PI + label * Math.PI;
    points.push([r * Math.sin(t) + noise * rng.normal() * 0.5, r * Math.cos(t) + noise * rng.normal() * 0.5, label]);
  }
  return binary(points);
}

/**
 * A disc inside a ring (label 1 inside radius 0.5, 0 in the ring from 0.7 to 1).
 *
 * @example
 * ```ts
 * import { circles } from '@gradstream/datasets';
 * const data = circles({ seed: 2 });
 * ```
 */
export function circles(options: ToyOptions = {}): Labeled {
  const { samples = 200, noise = 0.1, seed = 0 } = options;
  const rng = Rng.fromSeed(seed);
  const points: [number, number, number][] = [];
  for (let i = 0; i < samples; i++) {
    const inside = i % 2 === 0;
    const r = inside ? rng.uniform(0, 0.5) : rng.uniform(0.7, 1);
    const a = rng.uniform(0, 2 * Math.PI);
    points.push([r * Math.cos(a) + noise * rng.normal() * 0.2, r * Math.sin(a) + noise * rng.normal() * 0.2, inside ? 1 : 0]);
  }
  return binary(points);
}

/**
 * Two interleaving half circles ("moons"), scaled into about [−1, 1]².
 *
 * @example
 * ```ts
 * import { moons } from '@gradstream/datasets';
 * const data = moons({ samples: 300, noise: 0.05 });
 * ```
 */
export function moons(options: ToyOptions = {}): Labeled {
  const { samples = 200, noise = 0.1, seed = 0 } = options;
  const rng = Rng.fromSeed(seed);
  const points: [number, number, number][] = [];
  for (let i = 0; i < samples; i++) {
    const label = i % 2;
    const t = rng.uniform(0, Math.PI);
    const [cx, cy] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    points.push([(cx - 0.5) / 1.5 + noise * rng.normal() * 0.3, (cy - 0.25) / 1.5 + noise * rng.normal() * 0.3, label]);
  }
  return binary(points);
}

/**
 * XOR as a point cloud: points in [−1, 1]², label 1 where x·y < 0 (the quadrant pattern).
 *
 * @example
 * ```ts
 * import { xorCloud } from '@gradstream/datasets';
 * const data = xorCloud({ samples: 400, seed: 3 });
 * ```
 */
export function xorCloud(options: ToyOptions = {}): Labeled {
  const { samples = 200, noise = 0.1, seed = 0 } = options;
  const rng = Rng.fromSeed(seed);
  const points: [number, number, number][] = [];
  for (let i = 0; i < samples; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    points.push([a + noise * rng.normal() * 0.1, b + noise * rng.normal() * 0.1, a * b < 0 ? 1 : 0]);
  }
  return binary(points);
}
