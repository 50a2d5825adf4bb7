import { describe, expect, it } from 'vitest';
import { featureLabel, featureRows, orderedFeatures } from '../src/shared/features.js';

describe('featureRows', () => {
  it('computes each chosen feature of each point, in the fixed order', () => {
    const rows = featureRows([0.5, -2, 1, 3], ['sinY', 'xTimesY', 'x', 'xSquared', 'ySquared', 'y', 'sinX']);
    const expected = (x: number, y: number): number[] => [x, y, x * x, y * y, x * y, Math.sin(x), Math.sin(y)].map(Math.fround);
    expect(Array.from(rows)).toEqual([...expected(0.5, -2), ...expected(1, 3)]);
    expect(Array.from(featureRows([0.5, -2], ['y']))).toEqual([-2]);
  });

  it('names features as the page writes them', () => {
    expect(orderedFeatures(['sinX', 'x']).map(featureLabel)).toEqual(['x', 'sin x']);
  });
});
