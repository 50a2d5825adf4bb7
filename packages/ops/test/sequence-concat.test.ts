import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { GradstreamError, Tensor, tsBackend } from '@gradstream/tensor';
import { concat, concatOp, identity, mse } from '../src/index.js';

/** Runs concat's forward and backward on float64 nested arrays with the TypeScript kernels. */
function run(axis: number, a: Tensor, b: Tensor, dy: (out: Tensor) => Tensor) {
  const config = { axis };
  const out = Tensor.zeros(concatOp.outputShape([a.shape, b.shape], config), 'float64');
  concatOp.forward({ config, inputs: { a, b }, params: {}, out, scratch: {}, state: {}, backend: tsBackend, training: true, rng: undefined as never });
  const da = Tensor.zeros(a.shape, 'float64');
  const db = Tensor.zeros(b.shape, 'float64');
  concatOp.backward({ config, params: {}, dy: dy(out), saved: { inputs: {}, output: undefined }, dInputs: { a: da, b: db }, dParams: {}, scratch: {}, state: {}, backend: tsBackend });
  return { out: out.toArray(), da: da.toArray(), db: db.toArray() };
}

const f64 = (v: Parameters<typeof Tensor.from>[0]): Tensor => Tensor.from(v, { dtype: 'float64' });

describe('concat', () => {
  it('joins along the last axis, and hands each input its part of the gradient', () => {
    const r = run(-1, f64([[1], [2]]), f64([[3, 4], [5, 6]]), (out) => f64(out.toArray()));
    expect(r.out).toEqual([[1, 3, 4], [2, 5, 6]]);
    expect(r.da).toEqual([[1], [2]]);
    expect(r.db).toEqual([[3, 4], [5, 6]]);
  });

  it('joins along a middle axis (counted from the front or the end)', () => {
    const a = f64([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const b = f64([[[5, 6], [7, 8]], [[9, 10], [11, 12]]]); // [2, 2, 2]
    for (const axis of [1, -2]) {
      const r = run(axis, a, b, () => f64([[[1, 1], [2, 2], [3, 3]], [[4, 4], [5, 5], [6, 6]]]));
      expect(r.out).toEqual([[[1, 2], [5, 6], [7, 8]], [[3, 4], [9, 10], [11, 12]]]);
      expect(r.da).toEqual([[[1, 1]], [[4, 4]]]);
      expect(r.db).toEqual([[[2, 2], [3, 3]], [[5, 5], [6, 6]]]);
    }
  });

  it('joins the input with a layer’s output in a model', () => {
    const model = sequential([identity(), concat({ inputs: ['identity_1', 'x'] })], { inputShape: [2], loss: mse(), backend: 'ts' });
    expect(model.predict([[1, 2]]).toArray()).toEqual([[1, 2, 1, 2]]);
  });

  it('names both shapes when the other axes differ, and refuses the batch axis', () => {
    const shape = (axis: number, a: number[], b: number[]) => () => concatOp.outputShape([a, b], { axis });
    expect(shape(-1, [2, 3, 4], [2, 5, 1])).toThrow(GradstreamError);
    expect(shape(-1, [2, 3, 4], [2, 5, 1])).toThrow('input b: expected the shape of a, [2,3,4], apart from axis 2, got [2,5,1]');
    expect(shape(1, [2, 3], [2, 3, 1])).toThrow('input b: expected the shape of a, [2,3], apart from axis 1, got [2,3,1]');
    expect(shape(2, [2, 3], [2, 3])).toThrow(/input a: expected a value with axis 2 besides the batch axis, got \[2,3\]/);
    expect(shape(0, [2, 3], [2, 3])).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(shape(-2, [2, 3], [2, 3])).toThrow(/axis -2 is the batch axis of \[2,3\]/);
    expect(() => sequential([identity(), concat({ inputs: ['identity_1', 'x'], axis: 0 })], { inputShape: [2], loss: mse() })).toThrow(/node "concat_1" \(concat\), axis 0 is the batch axis/);
  });
});
