import { describe, expect, it } from 'vitest';
import { createRegistry, defineOp, gradcheck, sequential } from '@gradstream/graph';
import { GradstreamError, Tensor, type Shape } from '@gradstream/tensor';
import { builtinOps, mse } from '../src/index.js';

/**
 * y = x + offset, where offset is state that every training forward doubles: its output depends on
 * its state, and each call changes it.
 */
const drift = defineOp({
  name: 'drift',
  inputs: ['x'],
  save: {},
  state: (c: { readonly features: number }) => ({ offset: { shape: [c.features], init: { type: 'ones' } } }),
  paramsSchema: { type: 'object', properties: { features: { type: 'integer', minimum: 1 } }, required: ['features'], additionalProperties: false },
  outputShape: ([x]: readonly Shape[]) => x as Shape,
  forward({ inputs: { x }, state: { offset }, out, config: c, training, backend }) {
    backend.addRowBroadcast(x.data, offset.data, out.data, x.size / c.features, c.features);
    if (training) backend.scale(offset.data, 2, offset.data);
  },
  backward({ dy, dInputs, dParams, backend }) {
    // @ts-expect-error State takes no gradient: backward is offered no buffer for it.
    void dParams.offset;
    if (dInputs.x) backend.copy(dy.data, dInputs.x.data);
  },
  gradcheckCase: () => ({ config: { features: 2 }, inputShapes: [[3, 2]] }),
});

describe('state: tensors an op keeps but does not train', () => {
  it('is allocated from its declaration, updated by a training forward only, and given no gradient', () => {
    const registry = createRegistry([...builtinOps, drift]);
    const model = sequential([{ op: 'drift', features: 2 }], { inputShape: [2], loss: mse(), registry, dtype: 'float64', backend: 'ts' });
    expect(model.parameters()).toEqual([]);
    const [offset] = model.state();
    expect(offset?.id).toBe('drift_1.offset');
    const plan = model.plan(1);
    plan.setBatch(Tensor.from([[1, 2]], { dtype: 'float64' }), Tensor.from([[0, 0]], { dtype: 'float64' }));
    plan.forward(true);
    expect(Array.from(plan.values.get('drift_1')!.data)).toEqual([2, 3]);
    expect(Array.from(offset!.value.data)).toEqual([2, 2]);
    plan.backward();
    expect([...plan.paramGrads.keys()]).toEqual([]);
    plan.forward(false);
    expect(Array.from(plan.values.get('drift_1')!.data)).toEqual([3, 4]);
    expect(Array.from(offset!.value.data)).toEqual([2, 2]);
  });

  it('starts every evaluation of the gradient checker from the same values', () => {
    // Without that, the doubling offset would move the objective between the finite differences.
    const report = gradcheck(drift, { config: { features: 2 }, inputShapes: [[3, 2]], seed: 1 });
    expect(report.entries.map((e) => e.name)).toEqual(['x']);
    expect(report.maxRelError).toBeLessThan(1e-9);
  });

  it('may not share a name with a parameter of the same op', () => {
    const clash = defineOp({
      name: 'clash',
      inputs: ['x'],
      save: {},
      params: () => ({ w: { shape: [1], init: { type: 'zeros' }, fanIn: 1, fanOut: 1 } }),
      state: () => ({ w: { shape: [1], init: { type: 'zeros' } } }),
      outputShape: ([x]: readonly Shape[]) => x as Shape,
      forward: ({ inputs, out, backend }) => backend.copy(inputs.x.data, out.data),
      backward: () => {},
    });
    const registry = createRegistry([...builtinOps, clash]);
    expect(() => sequential([{ op: 'clash' }], { inputShape: [1], loss: mse(), registry })).toThrow(
      expect.objectContaining({ code: 'INVALID_PLUGIN', message: expect.stringContaining('declares "w" both as a parameter and as state') }) as GradstreamError,
    );
  });
});
