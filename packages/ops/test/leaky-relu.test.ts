import { describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { sequential } from '@gradstream/graph';
import { leakyRelu, leakyReluOp, linear, mse } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('leakyRelu', () => {
  it('keeps positives and scales negatives by the default slope 0.01', () => {
    const r = runOp(leakyReluOp, [[[-2, 0, 3]]]);
    expect(flat(r.out)).toEqual([-0.02, 0, 3]);
    // Slope alpha for x ≤ 0, 1 for x > 0.
    expect(flat(r.backward([[1, 1, 1]]).x!)).toEqual([0.01, 0.01, 1]);
  });

  it('uses the configured slope: alpha = 0.25 maps −4 to −1', () => {
    const r = runOp(leakyReluOp, [[[-4, 2]]], { config: { alpha: 0.25 } });
    expect(flat(r.out)).toEqual([-1, 2]);
    expect(flat(r.backward([[8, 8]]).x!)).toEqual([2, 8]);
  });

  it('is ReLU with alpha = 0', () => {
    const r = runOp(leakyReluOp, [[[-4, 2]]], { config: { alpha: 0 } });
    expect(flat(r.out).map((v) => v + 0)).toEqual([0, 2]);
    expect(flat(r.backward([[8, 8]]).x!)).toEqual([0, 8]);
  });

  it('rejects a negative slope with the JSON path of the layer', () => {
    try {
      sequential([linear({ inFeatures: 1, outFeatures: 1 }), leakyRelu({ alpha: -0.1 })], { inputShape: [1], loss: mse() });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GradstreamError);
      expect((e as GradstreamError).code).toBe('INVALID_CONFIG');
      expect((e as GradstreamError).message).toContain('layers/1/alpha must be >= 0');
    }
  });

  it('builds a layer spec', () => {
    expect(leakyRelu()).toEqual({ op: 'leakyRelu' });
    expect(leakyRelu({ alpha: 0.1 })).toEqual({ op: 'leakyRelu', alpha: 0.1 });
  });
});
