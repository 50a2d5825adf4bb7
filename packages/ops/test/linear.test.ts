import { describe, expect, it } from 'vitest';
import { buildModel, createRegistry, defineComposite, fromSpec, gradcheck, sequential, specSchema, toCheckpoint, toSpec, validateSpec, type LayerSpec } from '@gradstream/graph';
import { Tensor } from '@gradstream/tensor';
import { builtinOps, dense, denseOp, linear, linearOp, mse, tanh } from '@gradstream/ops';
import { catchGradstream } from '../../../test/support/errors.js';

const paramsOf = (m: ReturnType<typeof sequential>): number[][] => m.parameters().map((p) => Array.from(p.value.data));

describe('inFeatures read off the input', () => {
  it('builds the same model as the explicit widths, parameters and predictions bit for bit', () => {
    const given = sequential([linear({ inFeatures: 3, outFeatures: 5 }), tanh(), dense({ inFeatures: 5, outFeatures: 2, activation: 'sigmoid' })], {
      inputShape: [3],
      loss: mse(),
      seed: 4,
    });
    const read = sequential([linear({ outFeatures: 5 }), tanh(), dense({ outFeatures: 2, activation: 'sigmoid' })], { inputShape: [3], loss: mse(), seed: 4 });
    expect(paramsOf(read)).toEqual(paramsOf(given));
    const x = [[0.5, -1, 2], [0, 0.25, -0.75]];
    expect(read.predict(x).data).toEqual(given.predict(x).data);
  });

  it('keeps the filled-in widths in the spec, so a saved spec rebuilds the same model', () => {
    const model = sequential([linear({ outFeatures: 4 }), dense({ outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
    const spec = toSpec(model);
    expect(spec.layers.map((l) => [l.op, l.inFeatures, l.outFeatures])).toEqual([
      ['linear', 2, 4],
      ['dense', 4, 1],
    ]);
    expect(model.spec.layers.map((l) => l.inFeatures)).toEqual([2, 4]);
    const again = fromSpec(JSON.parse(JSON.stringify(spec)), { seed: 1 });
    expect(paramsOf(again)).toEqual(paramsOf(model));
  });

  it('holds the filled-in widths in a checkpoint, and in a composite\'s parts', () => {
    const block = defineComposite({
      name: 'block',
      paramsSchema: { type: 'object', properties: { width: { type: 'integer', minimum: 1 } }, required: ['width'], additionalProperties: false },
      layers: (c) => [linear({ outFeatures: c.width }), tanh()],
    });
    const registry = createRegistry([...builtinOps, block]);
    const model = sequential([{ op: 'block', width: 3 }, linear({ outFeatures: 1 })], { inputShape: [2], loss: mse(), registry });
    expect(model.nodes.map((n) => [n.name, n.config.inFeatures])).toEqual([
      ['block_1.linear_1', 2],
      ['block_1.tanh_1', undefined],
      ['linear_1', 3],
      ['mse_1', undefined],
    ]);
    expect(toCheckpoint(model).spec.layers.map((l) => l.inFeatures)).toEqual([undefined, 3]);
  });

  it('lets a JSON spec and the editor schema leave inFeatures out', () => {
    const json = { version: 1, inputShape: [2], layers: [{ op: 'linear', outFeatures: 3 }, { op: 'dense', outFeatures: 1 }], loss: { op: 'mse' } };
    expect(validateSpec(json)).toBe(json);
    expect(buildModel(validateSpec(json)).parameters().map((p) => p.value.shape)).toEqual([[3, 2], [3], [1, 3], [1]]);
    const branch = ((specSchema().definitions as { layer: { oneOf: { title: string; required: string[] }[] } }).layer.oneOf).find((b) => b.title === 'linear');
    expect(branch?.required).toEqual(['op', 'outFeatures']);
  });

  it('still checks an explicit width against the input, naming the node', () => {
    const wrong = [
      ['linear_2', linear({ inFeatures: 4, outFeatures: 1 })],
      ['dense_1', dense({ inFeatures: 4, outFeatures: 1 })],
    ] as const;
    for (const [node, layer] of wrong) {
      const e = catchGradstream(() => sequential([linear({ outFeatures: 5 }), layer], { inputShape: [3], loss: mse() }));
      expect(e.code).toBe('SHAPE_MISMATCH');
      expect(e.message).toBe(`node "${node}" (${layer.op}), input x: expected [batch,4], got [1,5]`);
      expect(e.details.node).toBe(node);
    }
  });

  it('refuses an input without a feature axis', () => {
    const e = catchGradstream(() => buildModel({ version: 1, inputShape: [], layers: [linear({ outFeatures: 1 })], loss: mse() }));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe('node "linear_1" (linear), input x: expected [batch,inFeatures], got [1]');
  });
});

describe('inputs of higher rank', () => {
  const rows = [[1, -2, 0.5], [0, 3, -1], [2, 2, 2], [-0.5, 0.25, 4], [1, 0, -3], [0.75, -1.5, 1]];

  for (const [name, layer] of [['linear', linear({ outFeatures: 2 })], ['dense', dense({ outFeatures: 2, activation: 'tanh' })]] as const) {
    it(`${name} maps [batch, T, inFeatures] to [batch, T, outFeatures], each position as a row of its own`, () => {
      const build = (inputShape: number[]) => sequential([layer as LayerSpec], { inputShape, loss: mse(), seed: 2, dtype: 'float64' });
      const flat = build([3]);
      const seq = build([3, 3]);
      expect(seq.outputShape).toEqual([3, 2]);
      expect(seq.parameters().map((p) => p.value.shape)).toEqual([[2, 3], [2]]);
      // [2, 3, 3]: two samples of three positions; the same six rows as one [6, 3] batch.
      const y = seq.predict(Tensor.from(rows, { dtype: 'float64' }).reshape([2, 3, 3]));
      expect(y.shape).toEqual([2, 3, 2]);
      expect(Array.from(y.data)).toEqual(Array.from(flat.predict(Tensor.from(rows, { dtype: 'float64' })).data));
    });
  }

  it('passes the gradient check on [batch, T, features], inFeatures read off the input', () => {
    for (const op of [linearOp, denseOp]) {
      const report = gradcheck(op, { config: { outFeatures: 3 }, inputShapes: [[2, 4, 5]], seed: 3 });
      expect(report.entries.map((e) => [e.name, e.shape])).toEqual([
        ['x', [2, 4, 5]],
        ['weight', [3, 5]],
        ['bias', [3]],
      ]);
      expect(report.ok).toBe(true);
    }
  });

  it('names the middle axes of a rank-3 input whose last one does not match', () => {
    const e = catchGradstream(() => sequential([linear({ inFeatures: 4, outFeatures: 1 })], { inputShape: [5, 3], loss: mse() }));
    expect(e.message).toBe('node "linear_1" (linear), input x: expected [batch,5,4], got [1,5,3]');
  });
});
