import { describe, expect, it } from 'vitest';
import { GradstreamError, Rng } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

/** A fixed mix of every kind of draw, so a test sees the whole API consume the stream. */
function drawMix(rng: Rng, rounds = 50): number[] {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    out.push(rng.next(), rng.normal(), rng.int(1000), rng.uniform(-2, 3));
    out.push(...rng.shuffle([0, 1, 2, 3, 4, 5, 6, 7]));
  }
  return out;
}

function nexts(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

function meanVar(xs: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  const mean = s / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += ((xs[i] as number) - mean) ** 2;
  return { mean, variance: ss / (xs.length - 1) };
}

describe('Rng determinism', () => {
  it('gives identical next() sequences for the same seed', () => {
    expect(nexts(Rng.fromSeed(42), 1000)).toEqual(nexts(Rng.fromSeed(42), 1000));
  });

  it('gives identical normal(), int() and shuffle() results for the same seed', () => {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    expect(Array.from({ length: 200 }, () => a.normal())).toEqual(Array.from({ length: 200 }, () => b.normal()));
    expect(Array.from({ length: 200 }, () => a.int(37))).toEqual(Array.from({ length: 200 }, () => b.int(37)));
    const xs = Uint32Array.from({ length: 50 }, (_, i) => i);
    const ys = Uint32Array.from({ length: 50 }, (_, i) => i);
    expect(Array.from(a.shuffle(xs))).toEqual(Array.from(b.shuffle(ys)));
    expect(drawMix(a)).toEqual(drawMix(b));
  });

  it('gives different sequences for different seeds', () => {
    for (const [s, t] of [
      [1, 2],
      [0, 1],
      [42, -42],
    ] as const) {
      const a = nexts(Rng.fromSeed(s), 100);
      const b = nexts(Rng.fromSeed(t), 100);
      // Two independent 53-bit uniforms coincide with probability 2^-53; demand no coincidences at all.
      expect(a.filter((v, i) => v === b[i])).toEqual([]);
    }
    expect(Array.from(Rng.fromSeed(3).shuffle(Uint32Array.from({ length: 20 }, (_, i) => i)))).not.toEqual(
      Array.from(Rng.fromSeed(4).shuffle(Uint32Array.from({ length: 20 }, (_, i) => i))),
    );
  });
});

describe('Rng state and fromState', () => {
  it('resumes the exact sequence from a saved state', () => {
    const a = Rng.fromSeed(123);
    drawMix(a, 10);
    const saved = a.state();
    const expected = drawMix(a);
    const resumed = Rng.fromState(saved);
    expect(drawMix(resumed)).toEqual(expected);
  });

  it('survives a JSON round trip (checkpoint format)', () => {
    const a = Rng.fromSeed(9);
    nexts(a, 17);
    const json = JSON.stringify(a.state());
    const b = Rng.fromState(JSON.parse(json) as number[]);
    expect(nexts(b, 100)).toEqual(nexts(a, 100));
  });

  it('does not advance the generator and returns a copy', () => {
    const a = Rng.fromSeed(5);
    const s1 = a.state();
    const s2 = a.state();
    expect(s1).toEqual(s2);
    expect(s1).toHaveLength(4);
    s1[0] = (s1[0] as number) + 1;
    expect(a.state()).toEqual(s2);
    expect(a.next()).toBe(Rng.fromSeed(5).next());
  });

  it('changes as draws are made', () => {
    const a = Rng.fromSeed(5);
    const before = a.state();
    a.next();
    expect(a.state()).not.toEqual(before);
  });
});

describe('Rng#fork', () => {
  it('gives a child whose sequence differs from the parent, a second fork, and an unforked twin', () => {
    const parent = Rng.fromSeed(11);
    const child1 = parent.fork();
    const child2 = parent.fork();
    const c1 = nexts(child1, 100);
    const c2 = nexts(child2, 100);
    const p = nexts(parent, 100);
    const twin = nexts(Rng.fromSeed(11), 100);
    const coincide = (a: number[], b: number[]): number => a.filter((v, i) => v === b[i]).length;
    expect(coincide(c1, p)).toBe(0);
    expect(coincide(c2, p)).toBe(0);
    expect(coincide(c1, c2)).toBe(0);
    expect(coincide(c1, twin)).toBe(0);
    expect(coincide(c2, twin)).toBe(0);
  });

  it('is deterministic: the same seed forks into the same children', () => {
    const a = Rng.fromSeed(11);
    const b = Rng.fromSeed(11);
    expect(nexts(a.fork(), 50)).toEqual(nexts(b.fork(), 50));
    expect(nexts(a.fork(), 50)).toEqual(nexts(b.fork(), 50));
    expect(nexts(a, 50)).toEqual(nexts(b, 50));
  });

  it('does not share state between parent and child', () => {
    const parent = Rng.fromSeed(11);
    const child = parent.fork();
    const childState = child.state();
    nexts(parent, 10);
    expect(child.state()).toEqual(childState);
  });
});

describe('Rng#int', () => {
  it('stays in [0, n) and returns integers', () => {
    const rng = Rng.fromSeed(2024);
    for (const n of [1, 2, 3, 7, 10, 1000, 2 ** 31]) {
      const bad: number[] = [];
      let max = 0;
      for (let i = 0; i < 5000; i++) {
        const v = rng.int(n);
        if (!Number.isInteger(v) || v < 0 || v >= n) bad.push(v);
        max = Math.max(max, v);
      }
      expect(bad, `int(${n})`).toEqual([]);
      // The largest of 5000 draws from [0, n) is below n/2 with probability 2^-5000 (for n ≥ 2).
      if (n >= 2) expect(max).toBeGreaterThanOrEqual(Math.floor(n / 2));
    }
  });

  it('always returns 0 for n = 1 and covers every value of a small range', () => {
    const rng = Rng.fromSeed(1);
    expect(Array.from({ length: 100 }, () => rng.int(1)).every((v) => v === 0)).toBe(true);
    // P(a given value is missed in 10 000 draws of int(7)) = (6/7)^10000 ≈ 1e-670.
    const seen = new Set(Array.from({ length: 10_000 }, () => rng.int(7)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('Rng#shuffle', () => {
  it('permutes in place and returns the same array', () => {
    const items = Uint32Array.from({ length: 100 }, (_, i) => i);
    const out = Rng.fromSeed(8).shuffle(items);
    expect(out).toBe(items);
    expect(Array.from(items).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // The identity permutation has probability 1/100!; a shuffle that did nothing would land here.
    expect(Array.from(items)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('works on plain arrays of any element type, and on length 0 and 1', () => {
    const words = ['a', 'b', 'c', 'd', 'e', 'f'];
    const rng = Rng.fromSeed(3);
    rng.shuffle(words);
    expect([...words].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(rng.shuffle([])).toEqual([]);
    expect(rng.shuffle(['only'])).toEqual(['only']);
  });

  it('moves every element to every position over many shuffles', () => {
    // 4 items, 4000 shuffles: each (item, position) pair is expected 1000 times; missing one means a biased shuffle.
    const rng = Rng.fromSeed(99);
    const counts = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (let t = 0; t < 4000; t++) {
      const p = rng.shuffle([0, 1, 2, 3]);
      p.forEach((item, pos) => (counts[item] as number[])[pos]!++);
    }
    // Binomial(4000, 1/4): sd = sqrt(4000·0.25·0.75) ≈ 27.4; 1000 ± 150 is about ±5.5 sd.
    for (const row of counts) for (const c of row) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});

describe('Rng distributions over 100 000 draws', () => {
  const N = 100_000;

  it('next() is uniform on [0, 1): mean 1/2, variance 1/12', () => {
    const rng = Rng.fromSeed(31337);
    const xs = new Float64Array(N);
    for (let i = 0; i < N; i++) xs[i] = rng.next();
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
    const { mean, variance } = meanVar(xs);
    // SE(mean) = sqrt((1/12)/N) ≈ 9.1e-4, so 0.005 is about 5.5 standard errors.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    // SE(variance) ≈ sqrt((μ4 − σ⁴)/N) with μ4 = 1/80, σ⁴ = 1/144: ≈ 2.4e-4, so 0.0015 is about 6 SE.
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0015);
    // Each tenth of [0,1) should get N/10 draws; binomial sd ≈ 95, so ±600 is over 6 sd.
    const bins = new Array<number>(10).fill(0);
    for (const v of xs) bins[Math.floor(v * 10)]!++;
    for (const b of bins) expect(Math.abs(b - N / 10)).toBeLessThan(600);
  });

  it('uniform(min, max) stays in [min, max) with mean (min+max)/2', () => {
    const rng = Rng.fromSeed(4);
    let s = 0;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const v = rng.uniform(-3, 5);
      if (!(v >= -3 && v < 5)) outside++;
      s += v;
    }
    expect(outside).toBe(0);
    // Variance of U(-3,5) is 8²/12 ≈ 5.33; SE(mean) ≈ 0.0073, so 0.04 is about 5.5 SE.
    expect(Math.abs(s / N - 1)).toBeLessThan(0.04);
  });

  it('normal() has mean 0, std 1 and normal tails', () => {
    const rng = Rng.fromSeed(271828);
    const xs = new Float64Array(N);
    for (let i = 0; i < N; i++) xs[i] = rng.normal();
    expect(xs.every(Number.isFinite)).toBe(true);
    const { mean, variance } = meanVar(xs);
    // SE(mean) = 1/sqrt(N) ≈ 0.0032, so 0.016 is 5 SE.
    expect(Math.abs(mean)).toBeLessThan(0.016);
    // SE(std) ≈ 1/sqrt(2N) ≈ 0.0022, so 0.012 is about 5.4 SE.
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.012);
    // P(|Z| > 1.96) = 0.05; SE = sqrt(0.05·0.95/N) ≈ 6.9e-4, so 0.0035 is about 5 SE.
    const tail = xs.filter((v) => Math.abs(v) > 1.96).length / N;
    expect(Math.abs(tail - 0.05)).toBeLessThan(0.0035);
    // Symmetry: P(Z > 0) = 1/2; SE ≈ 0.0016, so 0.008 is 5 SE.
    const positive = xs.filter((v) => v > 0).length / N;
    expect(Math.abs(positive - 0.5)).toBeLessThan(0.008);
  });
});

describe('Rng input validation', () => {
  it('accepts any integer seed, negative included', () => {
    expect(() => Rng.fromSeed(0)).not.toThrow();
    expect(() => Rng.fromSeed(-1)).not.toThrow();
    expect(nexts(Rng.fromSeed(-1), 10)).not.toEqual(nexts(Rng.fromSeed(1), 10));
  });

  it('rejects a non-integer seed with INVALID_OPTION', () => {
    for (const seed of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.25]) {
      const err = catchGradstream(() => Rng.fromSeed(seed));
      expect(err.code).toBe('INVALID_OPTION');
      expect(err.message).toContain('seed');
      expect(err.message).toContain(String(seed));
    }
  });

  it('rejects a state that is not 4 integers with INVALID_OPTION', () => {
    const good = Rng.fromSeed(1).state();
    const bad: number[][] = [[], good.slice(0, 3), [...good, 0], [1, 2, 3, 4.5], [1, 2, Number.NaN, 4]];
    for (const state of bad) {
      const err = catchGradstream(() => Rng.fromState(state));
      expect(err.code).toBe('INVALID_OPTION');
      expect(err.message).toContain('Rng.fromState');
      expect(err.details.state).toEqual(state);
    }
  });
});
