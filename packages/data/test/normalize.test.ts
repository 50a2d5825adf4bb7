import { describe, expect, it } from 'vitest';
import { applyNormalization, fitNormalization } from '../src/index.js';

describe('fitNormalization and applyNormalization', () => {
  it('standard: mean and population standard deviation per feature; a constant feature is only shifted', () => {
    const n = fitNormalization([[1, 10], [3, 10], [1, 10], [3, 10]], 'standard');
    expect(n).toEqual({ method: 'standard', mean: [2, 10], std: [1, 0] });
    expect(applyNormalization([[4, 12], [1.5, 10]], n)).toEqual([[2, 2], [-0.5, 0]]);
  });

  it('minmax: minimum and maximum per feature, values rescaled into [0, 1]', () => {
    const n = fitNormalization([[1, -4], [5, 4]], 'minmax');
    expect(n).toEqual({ method: 'minmax', min: [1, -4], max: [5, 4] });
    expect(applyNormalization([[3, 0], [5, -4]], n)).toEqual([[0.5, 0.5], [1, 0]]);
  });
});
