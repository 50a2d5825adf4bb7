import { describe, expect, it } from 'vitest';
import { GradstreamError, Rng, Tensor } from '@gradstream/tensor';
import { sequential } from '@gradstream/graph';
import { dropout, dropoutOp, identity, mse } from '../src/index.js';
import { flat, runOp } from './run-op.js';

const N = 20_000;
const ramp = [Array.from({ length: N }, (_, i) => 1 + (i % 7))];

describe('dropout', () => {
  it('is the identity in evaluation mode, forward and backward', () => {
    const r = runOp(dropoutOp, [[[1, -2, 3, 4]]], { config: { rate: 0.9 }, training: false });
    expect(flat(r.out)).toEqual([1, -2, 3, 4]);
    expect(flat(r.backward([[5, 6, 7, 8]]).x!)).toEqual([5, 6, 7, 8]);
  });

  // The dropped count is Binomial(N, rate): its standard deviation as a fraction is √(rate(1 − rate)/N) ≈ 0.0032
  // for rate 0.3; 0.02 is more than 6 of them.
  it('in training zeroes a fraction of about rate (|fraction − 0.3| < 0.02 over 20000 entries) and scales the rest by 1/(1 − rate)', () => {
    const r = runOp(dropoutOp, [ramp], { config: { rate: 0.3 }, rng: Rng.fromSeed(11) });
    const out = flat(r.out);
    const x = ramp[0]!;
    let zeros = 0;
    out.forEach((v, i) => {
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(x[i]! / 0.7, 12);
    });
    expect(Math.abs(zeros / N - 0.3)).toBeLessThan(0.02);
  });

  it('uses the default rate 0.5: kept entries are doubled, about half are dropped (|fraction − 0.5| < 0.02)', () => {
    const out = flat(runOp(dropoutOp, [ramp], { rng: Rng.fromSeed(12) }).out);
    const x = ramp[0]!;
    const zeros = out.filter((v) => v === 0).length;
    expect(out.every((v, i) => v === 0 || v === 2 * x[i]!)).toBe(true);
    expect(Math.abs(zeros / N - 0.5)).toBeLessThan(0.02);
  });

  it('keeps everything with rate 0', () => {
    expect(flat(runOp(dropoutOp, [[[1, 2, 3]]], { config: { rate: 0 } }).out)).toEqual([1, 2, 3]);
  });

  it('multiplies the gradient by the same mask it applied', () => {
    const x = [[1, 1, 1, 1, 1, 1, 1, 1]];
    const r = runOp(dropoutOp, [x], { config: { rate: 0.5 }, rng: Rng.fromSeed(3) });
    const mask = flat(r.out); // x is all ones, so the output is the mask
    expect(flat(r.scratch.mask!)).toEqual(mask);
    expect(mask.some((v) => v === 0) && mask.some((v) => v === 2)).toBe(true);
    const dy = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(flat(r.backward([dy]).x!)).toEqual(dy.map((g, i) => g * mask[i]!));
  });

  it('draws the same mask from the same seed and another from another seed', () => {
    const mask = (seed: number) => flat(runOp(dropoutOp, [[new Array<number>(64).fill(1)]], { rng: Rng.fromSeed(seed) }).out);
    expect(mask(5)).toEqual(mask(5));
    expect(mask(5)).not.toEqual(mask(6));
  });

  it('in a model: a fresh mask each training step, reproducible from the model seed, none in predict', () => {
    const build = (seed: number) => sequential([identity(), dropout({ rate: 0.5 })], { inputShape: [32], loss: mse(), seed });
    const ones = Tensor.from([new Array<number>(32).fill(1)]);
    const masks = (seed: number): number[][] => {
      const plan = build(seed).compile(1);
      plan.setInput(ones);
      return [1, 2].map(() => {
        plan.forward(true);
        return flat(plan.values.get('dropout_1')!);
      });
    };
    const [a1, a2] = masks(1);
    expect(a1).not.toEqual(a2);
    expect(masks(1)).toEqual([a1, a2]);
    expect(flat(build(1).predict(ones.toArray() as number[][]))).toEqual(new Array<number>(32).fill(1));
  });

  it('rejects a rate of 1 or more', () => {
    try {
      sequential([dropout({ rate: 1 })], { inputShape: [2], loss: mse() });
      expect.unreachable();
    } catch (e) {
      expect((e as GradstreamError).code).toBe('INVALID_CONFIG');
      expect((e as GradstreamError).message).toContain('layers/0/rate must be < 1');
    }
  });

  it('builds a layer spec', () => {
    expect(dropout()).toEqual({ op: 'dropout' });
    expect(dropout({ rate: 0.2, name: 'drop' })).toEqual({ op: 'dropout', rate: 0.2, name: 'drop' });
  });
});
