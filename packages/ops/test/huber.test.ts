import { describe, expect, it } from 'vitest';
import { GradstreamError, Rng } from '@gradstream/tensor';
import { createRegistry, sequential } from '@gradstream/graph';
import { huber, huberOp, linear, maeOp, mseOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('huber', () => {
  it('is ½d² inside δ and δ(|d| − ½δ) outside, summed over a row and averaged over rows', () => {
    // δ = 1: d = 0.5 → 0.125; d = −3 → 2.5; d = 1 → 0.5 (the joint, either piece). Two rows.
    const r = runOp(huberOp, [[[0.5, -3], [1, 0]], [[0, 0], [0, 0]]]);
    expect(r.out.data[0]).toBe((0.125 + 2.5 + 0.5) / 2);
    // Gradient: clamp(d, −δ, δ) / rows.
    expect(flat(r.backward(1).pred!)).toEqual([0.25, -0.5, 0.5, 0]);
  });

  it('takes δ from its configuration', () => {
    // δ = 0.5: d = 2 → 0.5·(2 − 0.25) = 0.875; gradient 0.5.
    const r = runOp(huberOp, [[[2]], [[0]]], { config: { delta: 0.5 } });
    expect(r.out.data[0]).toBe(0.875);
    expect(flat(r.backward(1).pred!)).toEqual([0.5]);
    expect(() => createRegistry([huberOp]).validateConfig('huber', { delta: 0 })).toThrow(GradstreamError);
  });

  it('equals mse where every error is within δ, and δ·mae − const beyond it', () => {
    const rng = Rng.fromSeed(2);
    const small = [[0, 1, 2].map(() => rng.uniform(-0.9, 0.9))];
    const zero = [[0, 0, 0]];
    expect(runOp(huberOp, [small, zero]).out.data[0]).toBe(runOp(mseOp, [small, zero]).out.data[0]);
    const large = [[0, 1, 2].map(() => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(2, 5))];
    const l1 = runOp(maeOp, [large, zero]).out.data[0]!;
    expect(runOp(huberOp, [large, zero], { config: { delta: 1.5 } }).out.data[0]).toBeCloseTo(1.5 * (l1 - 3 * 0.75), 13);
  });

  it('passes NaN through and builds its spec', () => {
    const r = runOp(huberOp, [[[Number.NaN]], [[0]]]);
    expect(Number.isNaN(r.out.data[0])).toBe(true);
    expect(Number.isNaN(r.backward(1).pred!.data[0])).toBe(true);
    expect(huber({ delta: 0.5 })).toEqual({ op: 'huber', delta: 0.5 });
    const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: huber({ delta: 2 }), seed: 1 });
    expect(model.lossNode.name).toBe('huber_1');
  });
});
