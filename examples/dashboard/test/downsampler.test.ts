import { describe, expect, it } from 'vitest';
import { Downsampler } from '../src/shared/downsampler.js';

describe('Downsampler', () => {
  it('keeps every point while under capacity', () => {
    const d = new Downsampler(4);
    for (const x of [1, 2, 3]) d.push(x, x * 10);
    expect(d.data()).toEqual([
      [1, 2, 3],
      [10, 20, 30],
    ]);
    expect(d.count).toBe(3);
  });

  it('merges pairs into bucket means when an odd bucket overflows', () => {
    const d = new Downsampler(4);
    for (let x = 1; x <= 9; x++) d.push(x, x * 10);
    // Buckets of 4 points: means of 1…4 and 5…8, then 9 alone.
    expect(d.data()).toEqual([
      [2.5, 6.5, 9],
      [25, 65, 90],
    ]);
    expect(d.bucketWidth).toBe(4);
    expect(d.count).toBe(9);
  });

  it('weights a partly filled bucket by the points it holds', () => {
    const d = new Downsampler(3);
    for (let x = 1; x <= 7; x++) d.push(x, -x);
    // 1…4 in one bucket, then 5, 6, 7 (three of four points) in the last.
    expect(d.data()).toEqual([
      [2.5, 6],
      [-2.5, -6],
    ]);
    d.push(8, -8);
    expect(d.data()).toEqual([
      [2.5, 6.5],
      [-2.5, -6.5],
    ]);
  });

  it('keeps several series aligned and starts over on clear', () => {
    const d = new Downsampler(2, 2);
    d.push(0, 1, 100);
    d.push(2, 3, 300);
    d.push(4, 5, 500);
    expect(d.data()).toEqual([
      [1, 4],
      [2, 5],
      [200, 500],
    ]);
    d.clear();
    expect(d.data()).toEqual([[], [], []]);
    expect(d.count).toBe(0);
  });

  it('refuses a capacity below 2', () => {
    expect(() => new Downsampler(1)).toThrow(/capacity must be an integer ≥ 2, got 1/);
  });
});
