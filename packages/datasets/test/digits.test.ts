import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { DIGIT_PIXELS, digits, type DigitSplit } from '../src/digits.js';

/** The package itself, read independently of `digits()`: image (as a string key) → its digit. */
const mnist = createRequire(import.meta.url)('mnist') as Record<number, { raw: number[] }>;
const digitOf = new Map<string, number>();
const perClass: number[] = [];
for (let d = 0; d < 10; d++) {
  const raw = (mnist[d] as { raw: number[] }).raw;
  perClass.push(raw.length / DIGIT_PIXELS);
  for (let s = 0; s < raw.length; s += DIGIT_PIXELS) digitOf.set(raw.slice(s, s + DIGIT_PIXELS).join(','), d);
}

const key = (row: readonly number[]): string => row.join(',');
const label = (row: readonly number[]): number => row.indexOf(1);

describe('digits', () => {
  let split: DigitSplit;
  beforeAll(() => {
    split = digits();
  });

  it('splits 8000 / 2000 images of 784 pixels with one-hot targets of 10 by default', () => {
    expect(split.train.x).toHaveLength(8000);
    expect(split.train.y).toHaveLength(8000);
    expect(split.test.x).toHaveLength(2000);
    expect(split.test.y).toHaveLength(2000);
    for (const set of [split.train, split.test]) {
      expect(set.x.filter((row) => row.length !== 784)).toEqual([]);
      const notOneHot = set.y.filter((row) => row.length !== 10 || row.filter((v) => v === 1).length !== 1 || row.filter((v) => v === 0).length !== 9);
      expect(notOneHot).toEqual([]);
    }
  });

  it('keeps every pixel in [0, 1]', () => {
    let outside = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const set of [split.train, split.test]) {
      for (const row of set.x) {
        for (const v of row) {
          if (!(v >= 0 && v <= 1)) outside++;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    expect(outside).toBe(0);
    // Ink and background are both there: the range is used, not collapsed.
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThan(0.99);
  });

  it('never puts an image in both sets, and 8000 + 2000 uses each of the 10,000 images once', () => {
    // The package holds no two identical images (checked here), so comparing contents compares images.
    expect(digitOf.size).toBe(10_000);
    const trainKeys = new Set(split.train.x.map(key));
    expect(trainKeys.size).toBe(8000);
    const testKeys = split.test.x.map(key);
    expect(new Set(testKeys).size).toBe(2000);
    expect(testKeys.filter((k) => trainKeys.has(k))).toEqual([]);
  });

  it('labels every image with the digit the package files it under', () => {
    for (const set of [split.train, split.test]) {
      const wrong = set.x.filter((row, i) => label(set.y[i] as number[]) !== digitOf.get(key(row)));
      expect(wrong).toHaveLength(0);
    }
  });

  it('has every class in the test set, and the class counts of both sets add up to the package counts', () => {
    const count = (ys: readonly (readonly number[])[]): number[] => {
      const c = new Array<number>(10).fill(0);
      for (const y of ys) c[label(y)]! += 1;
      return c;
    };
    const test = count(split.test.y);
    const train = count(split.train.y);
    for (const c of test) expect(c).toBeGreaterThan(0);
    expect(train.map((c, d) => c + (test[d] as number))).toEqual(perClass);
  });

  it('gives the same split for the same seed and another split for another seed', () => {
    const again = digits({ seed: 0 });
    expect(again.test.x.map(key)).toEqual(split.test.x.map(key));
    expect(again.train.y).toEqual(split.train.y);
    const other = digits({ seed: 1 });
    const otherTest = new Set(other.test.x.map(key));
    // A fresh random 2000 of 10,000 shares about 2000 · 0.2 = 400 images with the first test set.
    const shared = split.test.x.filter((row) => otherTest.has(key(row))).length;
    expect(shared).toBeGreaterThan(250);
    expect(shared).toBeLessThan(550);
  });

  it('honours smaller sizes and rejects bad ones', () => {
    const small = digits({ seed: 3, train: 100, test: 50 });
    expect(small.train.x).toHaveLength(100);
    expect(small.test.x).toHaveLength(50);
    expect(() => digits({ train: 9000, test: 1001 })).toThrow(/train \+ test must be at most 10000, got 9000 \+ 1001 = 10001/);
    expect(() => digits({ train: -1 })).toThrow(GradstreamError);
    expect(() => digits({ test: 1.5 })).toThrow(/test must be a non-negative integer, got 1.5/);
  });
});
