import { interval, map, take, type Observable } from 'rxjs';
import { Rng } from '@gradstream/tensor';
import type { Sample } from '@gradstream/trainer';

/** The line the samples scatter around, and how much. */
export interface LineOptions {
  /** Number of samples (default 512). */
  readonly samples?: number;
  /** Slope of the line (default 2). */
  readonly slope?: number;
  /** Intercept of the line (default 1). */
  readonly intercept?: number;
  /** Standard deviation of the Gaussian noise on y (default 0.1). */
  readonly noise?: number;
  /** Seed of x and of the noise (default 7). */
  readonly seed?: number;
}

/** Samples of y = slope·x + intercept + noise, x uniform in [−1, 1], from a seeded generator. */
export function noisyLine(options: LineOptions = {}): Sample[] {
  const { samples = 512, slope = 2, intercept = 1, noise = 0.1, seed = 7 } = options;
  const rng = Rng.fromSeed(seed);
  const out: Sample[] = [];
  for (let i = 0; i < samples; i++) {
    const x = rng.uniform(-1, 1);
    out.push({ x: [x], y: [slope * x + intercept + noise * rng.normal()] });
  }
  return out;
}

/** The samples as a stream that delivers one every `paceMs` milliseconds, in order, then completes. */
export function arrivals$(samples: readonly Sample[], paceMs: number): Observable<Sample> {
  return interval(paceMs).pipe(
    take(samples.length),
    map((i) => samples[i] as Sample),
  );
}
