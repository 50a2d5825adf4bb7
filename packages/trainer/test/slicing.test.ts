import { describe, expect, it } from 'vitest';
import { from, lastValueFrom } from 'rxjs';
import { end$, fit, sgd, type Sample, type TrainData } from '../src/index.js';
import { mlp } from './fixtures.js';

/**
 * One driver for all data: whatever the samples come from, the run computes for about `sliceMs`,
 * then lets the event loop run. A 5 ms interval timer keeps firing while it trains.
 */
const SAMPLES = 200_000;
const samples: Sample[] = Array.from({ length: SAMPLES }, (_, i) => {
  const x = (i / SAMPLES) * 6 - 3;
  return { x: [x], y: [Math.sin(x)] };
});

const kinds: readonly [string, () => TrainData][] = [
  ['arrays', () => ({ x: samples.map((s) => s.x as number[]), y: samples.map((s) => s.y as number[]) })],
  ['an iterable', () => samples.values()],
  [
    'an async iterable',
    () =>
      (async function* () {
        yield* samples;
      })(),
  ],
  ['an Observable (from(samples))', () => from(samples)],
];

describe('sliceMs holds for every kind of data', () => {
  for (const [name, data] of kinds) {
    it(`${name}: a 5 ms timer keeps firing while ${SAMPLES} samples train`, async () => {
      const ticks: number[] = [];
      const timer = setInterval(() => ticks.push(performance.now()), 5);
      let started = Number.NaN;
      try {
        const run$ = fit(mlp(1, 16, 1, 1), data(), { epochs: 1, batchSize: 16, optimizer: sgd({ lr: 0.1 }), sliceMs: 5 });
        run$.subscribe((e) => e.type === 'start' && (started = performance.now()));
        const end = await lastValueFrom(end$(run$));
        expect(end).toMatchObject({ reason: 'completed', steps: SAMPLES / 16 });
      } finally {
        clearInterval(timer);
      }
      // Counted from the start event: reading the data into arrays comes before it, in one piece.
      const training = performance.now() - started;
      const during = ticks.filter((t) => t > started).length;
      // A loop that never yielded would let the timer fire once at most. Slices of 5 ms and a
      // timer of 5 ms give about one tick per 5–10 ms; a loaded machine gets less.
      expect(training).toBeGreaterThan(30);
      expect(during).toBeGreaterThanOrEqual(Math.floor(training / 20));
    });
  }
});
