import { describe, expect, it } from 'vitest';
import { circles, moons, sine, spirals, xor, xorCloud } from '../src/index.js';

describe('toy datasets', () => {
  it('xor is the truth table', () => {
    expect(xor()).toEqual({ x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] });
  });

  it('sine spans [−π, π] with y = sin(x)', () => {
    const d = sine(5);
    expect(d.x.map((r) => r[0])).toEqual([-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI]);
    d.x.forEach((r, i) => expect(d.y[i]![0]).toBeCloseTo(Math.sin(r[0]!), 15));
  });

  for (const [name, make] of [['spirals', spirals], ['circles', circles], ['moons', moons], ['xorCloud', xorCloud]] as const) {
    it(`${name}: same seed same points, another seed other points, balanced binary labels`, () => {
      const a = make({ samples: 100, seed: 1 });
      expect(make({ samples: 100, seed: 1 })).toEqual(a);
      expect(make({ samples: 100, seed: 2 })).not.toEqual(a);
      expect(a.x).toHaveLength(100);
      for (const r of a.x) {
        expect(r).toHaveLength(2);
        for (const v of r) expect(Math.abs(v)).toBeLessThan(1.6);
      }
      const ones = a.y.filter((r) => r[0] === 1).length;
      expect(a.y.every((r) => r[0] === 0 || r[0] === 1)).toBe(true);
      expect(ones).toBeGreaterThan(30);
      expect(ones).toBeLessThan(70);
    });
  }

  it('circles puts label 1 inside radius 0.5 (before noise) and 0 outside 0.7', () => {
    const d = circles({ samples: 200, noise: 0, seed: 4 });
    d.x.forEach((r, i) => {
      const radius = Math.hypot(r[0]!, r[1]!);
      if (d.y[i]![0] === 1) expect(radius).toBeLessThanOrEqual(0.5);
      else expect(radius).toBeGreaterThanOrEqual(0.7);
    });
  });
});
