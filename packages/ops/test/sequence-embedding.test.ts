import { describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { GradstreamError, Tensor, tsBackend } from '@gradstream/tensor';
import { embedding, embeddingOp, mse } from '../src/index.js';

/** A model of one embedding of 3 tokens of 2 values, rows [0, 1], [10, 11], [20, 21]. */
function table(backend: 'ts' | 'wasm' = 'ts') {
  const model = sequential([embedding({ vocabSize: 3, dim: 2 })], { inputShape: [4], loss: mse(), backend });
  model.parameters()[0]!.value.data.set([0, 1, 10, 11, 20, 21]);
  return model;
}

/** The error `f` throws. */
function thrown(f: () => unknown): GradstreamError {
  try {
    f();
  } catch (e) {
    if (e instanceof GradstreamError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('embedding', () => {
  it('looks each id’s row up: [batch, steps] → [batch, steps, dim], on ts and wasm', () => {
    for (const backend of ['ts', 'wasm'] as const) {
      const out = table(backend).predict([
        [2, 0, 0, 1],
        [1, 1, 2, 2],
      ]);
      expect(out.shape).toEqual([2, 4, 2]);
      expect(out.toArray()).toEqual([
        [[20, 21], [0, 1], [0, 1], [10, 11]],
        [[10, 11], [10, 11], [20, 21], [20, 21]],
      ]);
    }
  });

  it('refuses an id that is not a token: a fraction, a negative, past the table — naming the op, the position and the value', () => {
    for (const backend of ['ts', 'wasm'] as const) {
      const model = table(backend);
      for (const [bad, shown] of [[1.5, '1.5'], [-1, '-1'], [3, '3']] as const) {
        // Twice: once as the op runs while its calls are recorded, once as the plan's generated pass.
        for (let run = 0; run < 2; run++) {
          const e = thrown(() => model.predict(Tensor.from([[0, 1, 2, 0], [0, 2, bad, 1]])));
          expect(e.code).toBe('INVALID_DATA');
          expect(e.message).toBe(`embedding: input ids[1, 2] is ${shown}; a token id is an integer in [0, 3)`);
          expect(e.details).toMatchObject({ op: 'embedding', position: [1, 2], vocab: 3 });
        }
      }
    }
  });

  it('refuses NaN too: the model’s input check stops it first, and the kernel on its own', () => {
    expect(thrown(() => table().predict([[0, Number.NaN, 1, 2]])).code).toBe('NON_FINITE_INPUT');
    const e = thrown(() => tsBackend.gatherRows(new Float32Array(6), new Float32Array([0, Number.NaN]), new Float32Array(4), 1, 2, 2, 3, 'embedding'));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('embedding: input ids[0, 1] is NaN; a token id is an integer in [0, 3)');
  });

  it('adds the incoming gradient into each id’s row, a repeated id getting the sum, and gives the ids none', () => {
    const dWeight = Tensor.zeros([3, 2], 'float64');
    embeddingOp.backward({
      config: { vocabSize: 3, dim: 2 },
      params: { weight: Tensor.zeros([3, 2], 'float64') },
      dy: Tensor.from([[[1, 2], [3, 4], [5, 6], [7, 8]]], { dtype: 'float64' }),
      saved: { inputs: { ids: Tensor.from([[2, 0, 2, 2]], { dtype: 'float64' }) }, output: undefined },
      dInputs: {},
      dParams: { weight: dWeight },
      scratch: {},
      state: {},
      backend: tsBackend,
    });
    // Row 0 from position 1; row 1 unused; row 2 from positions 0, 2 and 3.
    expect(dWeight.toArray()).toEqual([[3, 4], [0, 0], [13, 16]]);
    expect(embeddingOp.nonDifferentiable).toEqual(['ids']);
    const plan = table().compile(1);
    plan.setBatch(Tensor.from([[2, 0, 2, 2]]), Tensor.zeros([1, 4, 2]));
    plan.forward();
    plan.backward();
    expect(plan.grads.has('x')).toBe(false);
    // Token 1 is not in the batch: its row gets nothing.
    expect([...plan.paramGrads.get('embedding_1.weight')!.data].slice(2, 4)).toEqual([0, 0]);
  });

  it('overwrites the table’s gradient on every backward rather than adding to the last', () => {
    const ids = Tensor.from([[1, 1]], { dtype: 'float64' });
    const dy = Tensor.from([[[1, 2], [3, 4]]], { dtype: 'float64' });
    const dWeight = Tensor.from([[9, 9], [9, 9]], { dtype: 'float64' });
    for (let run = 0; run < 2; run++) {
      embeddingOp.backward({
        config: { vocabSize: 2, dim: 2 },
        params: { weight: Tensor.zeros([2, 2], 'float64') },
        dy,
        saved: { inputs: { ids }, output: undefined },
        dInputs: {},
        dParams: { weight: dWeight },
        scratch: {},
        state: {},
        backend: tsBackend,
      });
      expect([...dWeight.data]).toEqual([0, 0, 4, 6]);
    }
  });

  it('checks its input is [batch, steps]', () => {
    expect(() => sequential([embedding({ vocabSize: 3, dim: 2 })], { inputShape: [4, 1], loss: mse() })).toThrow(
      /node "embedding_1" \(embedding\), input ids: expected \[batch,steps\] \(token ids\), got \[1,4,1\]/,
    );
  });
});
