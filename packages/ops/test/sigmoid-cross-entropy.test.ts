import { describe, expect, it } from 'vitest';
import { GradstreamError, Rng } from '@gradstream/tensor';
import { sequential } from '@gradstream/graph';
import { linear, sigmoidCrossEntropy, sigmoidCrossEntropyOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

const bce = sigmoidCrossEntropyOp;
const sigma = (z: number): number => 1 / (1 + Math.exp(-z));

describe('sigmoidCrossEntropy', () => {
  it('matches a hand-derived example: loss and gradient (σ(z) − y) / rows', () => {
    // z = 0, y = 1: −log σ(0) = ln 2. z = ln 3, y = 0: −log(1 − 3/4) = ln 4. One row: 3·ln 2.
    const r = runOp(bce, [[[0, Math.log(3)]], [[1, 0]]]);
    expect(r.out.shape).toEqual([]);
    expect(r.out.data[0]).toBeCloseTo(3 * Math.LN2, 15);
    const g = r.backward(1);
    expect(Object.keys(g)).toEqual(['logits']); // the target gets no gradient
    flat(g.logits!).forEach((v, i) => expect(v).toBeCloseTo([-0.5, 0.75][i]!, 15));
    flat(r.backward(4).logits!).forEach((v, i) => expect(v).toBeCloseTo(4 * [-0.5, 0.75][i]!, 14));
  });

  it('equals −y·log σ(z) − (1 − y)·log(1 − σ(z)), summed over a row and averaged over rows', () => {
    const rng = Rng.fromSeed(5);
    const logits = [0, 1, 2].map(() => [0, 1, 2, 3].map(() => rng.uniform(-4, 4)));
    const target = [0, 1, 2].map(() => [0, 1, 2, 3].map(() => rng.next()));
    let want = 0;
    logits.forEach((row, i) => row.forEach((z, j) => (want -= target[i]![j]! * Math.log(sigma(z)) + (1 - target[i]![j]!) * Math.log(1 - sigma(z)))));
    expect(runOp(bce, [logits, target]).out.data[0]).toBeCloseTo(want / 3, 13);
  });

  it('stays finite for logits of ±1000, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      // Both terms are 1000 wrong: max(1000, 0) − 0 and 0 + 1000, the log1p parts e^(−1000) = 0.
      const wrong = runOp(bce, [[[1000, -1000]], [[0, 1]]], { dtype });
      expect(wrong.out.data[0]).toBe(2000);
      expect(flat(wrong.backward(1).logits!)).toEqual([1, -1]);
      const right = runOp(bce, [[[1000, -1000]], [[1, 0]]], { dtype });
      expect(right.out.data[0]).toBe(0);
      expect(flat(right.backward(1).logits!)).toEqual([0, 0]);
    }
  });

  it('averages over every row of a sequence: [batch, T, outputs] as [batch·T, outputs]', () => {
    const rng = Rng.fromSeed(8);
    const values = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => rng.uniform(lo, hi));
    const [z, y] = [values(12, -3, 3), values(12, 0, 1)];
    const nest = (v: number[], shape: [number, number, number]) => Array.from({ length: shape[0] }, (_, b) => Array.from({ length: shape[1] }, (_, t) => v.slice((b * shape[1] + t) * shape[2], (b * shape[1] + t + 1) * shape[2])));
    const flatRows = (v: number[]) => Array.from({ length: 6 }, (_, r) => v.slice(r * 2, r * 2 + 2));
    const seq = runOp(bce, [nest(z, [2, 3, 2]), nest(y, [2, 3, 2])]);
    const rows = runOp(bce, [flatRows(z), flatRows(y)]);
    expect(seq.out.data[0]).toBe(rows.out.data[0]);
    expect(flat(seq.backward(1).logits!)).toEqual(flat(rows.backward(1).logits!));
  });

  it('rejects a target of another shape, naming both', () => {
    expect(() => bce.outputShape([[2, 3], [2, 4]], {})).toThrow('input target: expected [2,3] (the shape of logits), got [2,4]');
    expect(() => bce.outputShape([[2, 3], [2, 4]], {})).toThrow(GradstreamError);
  });

  it('stands as a model loss', () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 3 })], { inputShape: [2], loss: sigmoidCrossEntropy(), seed: 1 });
    expect(model.lossNode.name).toBe('sigmoidCrossEntropy_1');
    expect(sigmoidCrossEntropy()).toEqual({ op: 'sigmoidCrossEntropy' });
  });
});
