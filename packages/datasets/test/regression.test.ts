import { describe, expect, it } from 'vitest';
import { gaussians, plane } from '../src/index.js';

describe('regression toy sets', () => {
  it('plane: the target is (x + y) / 2 without noise, and noise has the asked spread', () => {
    const clean = plane({ samples: 200, noise: 0, seed: 3 });
    expect(clean.x).toHaveLength(200);
    clean.x.forEach((r, i) => {
      expect(Math.abs(r[0]!)).toBeLessThanOrEqual(1);
      expect(Math.abs(r[1]!)).toBeLessThanOrEqual(1);
      expect(clean.y[i]![0]).toBeCloseTo((r[0]! + r[1]!) / 2, 12);
    });
    const noisy = plane({ samples: 2000, noise: 0.2, seed: 3 });
    const residuals = noisy.x.map((r, i) => noisy.y[i]![0]! - (r[0]! + r[1]!) / 2);
    const sd = Math.sqrt(residuals.reduce((s, v) => s + v * v, 0) / residuals.length);
    expect(sd).toBeGreaterThan(0.18);
    expect(sd).toBeLessThan(0.22);
  });

  it('gaussians: up at the centre and two corners, down at the other two, flat far away', () => {
    const d = gaussians({ samples: 3000, noise: 0, seed: 5 });
    const near = (cx: number, cy: number): number => {
      const i = d.x.findIndex((r) => Math.hypot(r[0]! - cx, r[1]! - cy) < 0.05);
      return d.y[i]![0]!;
    };
    expect(near(0, 0)).toBeGreaterThan(0.8);
    expect(near(-0.5, 0.5)).toBeGreaterThan(0.8);
    expect(near(0.5, 0.5)).toBeLessThan(-0.8);
    expect(near(-0.5, -0.5)).toBeLessThan(-0.8);
    expect(near(0.5, -0.5)).toBeGreaterThan(0.8);
    for (const r of d.y) expect(Math.abs(r[0]!)).toBeLessThanOrEqual(1);
    expect(gaussians({ samples: 50, seed: 5 })).toEqual(gaussians({ samples: 50, seed: 5 }));
  });
});
