import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { mse, positionEmbedding } from '../src/index.js';

/** A model of the one layer, named `pos`, its table set to `100·row + column` so each entry says where it came from. */
function positions(maxLength: number, time: number, dim: number) {
  const model = sequential([positionEmbedding({ maxLength, name: 'pos' })], { inputShape: [time, dim], loss: mse(), dtype: 'float64', backend: 'ts' });
  const table = model.parameters()[0]!.value;
  for (let r = 0; r < maxLength; r++) for (let c = 0; c < dim; c++) table.data[r * dim + c] = 100 * r + c;
  return model;
}

describe('positionEmbedding', () => {
  it('adds row t of the table to position t of every sample, dim read off the input', () => {
    const model = positions(4, 3, 2);
    expect(model.node('pos').config).toMatchObject({ maxLength: 4, dim: 2 });
    expect(model.parameters()[0]!.value.shape).toEqual([4, 2]);
    const x = Tensor.from([
      [[1, 2], [3, 4], [5, 6]],
      [[0.5, 0], [0, 0], [-1, -1]],
    ]);
    expect(Array.from(model.predict(x).data)).toEqual([1, 3, 103, 105, 205, 207, 0.5, 1, 100, 101, 199, 200]);
  });

  it('sums the gradient over the batch into the rows used, and gives the rows past T zero', () => {
    const model = positions(5, 2, 1);
    const plan = model.plan(2);
    // mse's gradient is (pred − target)/rows, rows = batch·T = 4 for [batch, T, 1]: with
    // target = pred − [[1, 2], [3, 4]]·rows, ∂table = [1+3, 2+4, 0, 0, 0].
    const x = Tensor.from([[[0], [0]], [[0], [0]]]);
    const pred = [0, 100, 0, 100];
    const y = Tensor.from([[[pred[0]! - 4], [pred[1]! - 8]], [[pred[2]! - 12], [pred[3]! - 16]]]);
    const table = plan.paramGrads.get('pos.table')!;
    // Whatever an earlier step left there.
    table.data.fill(7);
    plan.setBatch(x, y);
    plan.computeGradients();
    expect(Array.from(table.data)).toEqual([4, 6, 0, 0, 0]);
  });

  it('rejects a sequence longer than the table, saying so', () => {
    try {
      sequential([positionEmbedding({ maxLength: 3 })], { inputShape: [4, 2], loss: mse() });
      expect.unreachable();
    } catch (e) {
      expect((e as GradstreamError).code).toBe('SHAPE_MISMATCH');
      expect((e as GradstreamError).message).toBe(
        'node "positionEmbedding_1" (positionEmbedding), input x: expected [batch,T,2] with T ≤ maxLength (3): the table has no row for later positions, got [1,4,2]',
      );
    }
  });

  it('rejects an input that is not [batch, T, dim], and a dim that contradicts it', () => {
    expect(() => sequential([positionEmbedding({ maxLength: 3 })], { inputShape: [4], loss: mse() })).toThrow(
      'node "positionEmbedding_1" (positionEmbedding), input x: expected [batch,T,dim] (last axis = dim), got [1,4]',
    );
    expect(() => sequential([positionEmbedding({ maxLength: 3, dim: 3 })], { inputShape: [2, 4], loss: mse() })).toThrow(
      'node "positionEmbedding_1" (positionEmbedding), input x: expected [batch,T,3] (last axis = dim), got [1,2,4]',
    );
  });
});
