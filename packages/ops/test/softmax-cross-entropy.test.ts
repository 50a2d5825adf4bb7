import { describe, expect, it } from 'vitest';
import { firstValueFrom, of } from 'rxjs';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { defaultRegistry, gradcheck, modelOperator, sequential } from '@gradstream/graph';
import { linear, softmaxCrossEntropy, softmaxCrossEntropyOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

const sce = softmaxCrossEntropyOp;

describe('softmaxCrossEntropy', () => {
  it('equals log(classes) for zero logits and uniform targets', () => {
    const r = runOp(sce, [[[0, 0, 0, 0], [0, 0, 0, 0]], [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25]]]);
    expect(r.out.shape).toEqual([]);
    expect(r.out.data[0]).toBeCloseTo(Math.log(4), 14);
  });

  it('matches a hand-derived 2×3 example: loss and gradient (softmax − target) / batch', () => {
    // Row 1: e^logits = [1, 3, 4] → p = [1/8, 3/8, 1/2], one-hot target on class 2.
    // Row 2: e^logits = [1, 1, 2] → p = [1/4, 1/4, 1/2], target [1/2, 0, 1/2].
    const logits = [[0, Math.log(3), Math.log(4)], [0, 0, Math.LN2]];
    const target = [[0, 1, 0], [0.5, 0, 0.5]];
    const r = runOp(sce, [logits, target]);
    // L = (−log 3/8 − ½ log 1/4 − ½ log 1/2) / 2 = (log(8/3) + 1.5 log 2) / 2.
    expect(r.out.data[0]).toBeCloseTo((Math.log(8 / 3) + 1.5 * Math.LN2) / 2, 14);
    const probs = [1 / 8, 3 / 8, 1 / 2, 1 / 4, 1 / 4, 1 / 2];
    flat(r.scratch.probs!).forEach((v, i) => expect(v).toBeCloseTo(probs[i]!, 14));
    const grad = [1 / 16, -5 / 16, 1 / 4, -1 / 8, 1 / 8, 0];
    const g = r.backward(1);
    expect(Object.keys(g)).toEqual(['logits']); // the target gets no gradient
    flat(g.logits!).forEach((v, i) => expect(v).toBeCloseTo(grad[i]!, 14));
    // The incoming signal scales it.
    flat(r.backward(3).logits!).forEach((v, i) => expect(v).toBeCloseTo(3 * grad[i]!, 14));
  });

  it('stays finite for logits of ±1000, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      // −log softmax([1000, −1000])_2 = 2000 − (−0) = 2000; p = [1, e^−2000 = 0].
      const wrong = runOp(sce, [[[1000, -1000]], [[0, 1]]], { dtype });
      expect(wrong.out.data[0]).toBe(2000);
      expect(flat(wrong.backward(1).logits!)).toEqual([1, -1]);
      const right = runOp(sce, [[[1000, -1000], [-1000, 1000]], [[1, 0], [0, 1]]], { dtype });
      expect(right.out.data[0]).toBe(0);
      expect(flat(right.backward(1).logits!)).toEqual([0, 0, 0, 0]);
    }
  });

  it('backward reads the probabilities forward kept in scratch, never recomputing them', () => {
    const r = runOp(sce, [[[0, 0]], [[1, 0]]]);
    // Overwrite the kept probabilities: backward must use these, not softmax of the logits.
    r.scratch.probs!.data.set([0.75, 0.25]);
    expect(flat(r.backward(1).logits!)).toEqual([-0.25, 0.25]);
  });

  it('has the exact gradient for target rows that do not sum to 1', () => {
    const report = gradcheck(sce, {
      inputShapes: [[3, 4], [3, 4]],
      seed: 9,
      fillInput: (i, d, rng) => {
        for (let j = 0; j < d.length; j++) d[j] = i === 0 ? rng.uniform(-2, 2) : rng.uniform(0, 2);
      },
    });
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('rejects logits of rank < 2 and targets of another shape', () => {
    const shapes = (a: number[], b: number[]) => () => softmaxCrossEntropyOp.outputShape([a, b], {});
    expect(shapes([2], [2])).toThrow('input logits: expected [batch,...,classes] (rank ≥ 2), got [2]');
    expect(shapes([2, 3], [2, 4])).toThrow('input target: expected [2,3] (the shape of logits), got [2,4]');
    expect(shapes([2], [2])).toThrow(GradstreamError);
  });

  it('trains as a model loss: the compiled plan and the RxJS face agree', async () => {
    const model = sequential([linear({ inFeatures: 2, outFeatures: 3 })], { inputShape: [2], loss: softmaxCrossEntropy(), seed: 4 });
    expect(model.lossNode.name).toBe('softmaxCrossEntropy_1');
    const x = Tensor.from([[1, -1], [0.5, 2]]);
    const y = Tensor.from([[0, 0, 1], [1, 0, 0]]);
    const plan = model.compile(2);
    plan.setBatch(x, y);
    const loss = plan.forward();
    plan.backward();
    const r = await firstValueFrom(of({ x, y }).pipe(modelOperator(model)));
    expect(r.loss).toBe(loss);
    const grads = r.tape.backward(r.lossTensor!);
    for (const p of model.parameters()) expect(flat(grads.params.get(p.id)!)).toEqual(flat(plan.paramGrads.get(p.id)!));
    // Bias gradient = Σ_batch (p − t) / 2, whose entries sum to 0 because each row of p and of t sums to 1.
    expect(flat(plan.paramGrads.get('linear_1.bias')!).reduce((a, b) => a + b)).toBeCloseTo(0, 6);
  });

  it('builds a loss spec', () => {
    expect(softmaxCrossEntropy()).toEqual({ op: 'softmaxCrossEntropy' });
  });
});
