import { describe, expect, it } from 'vitest';
import { sequential, type Model } from '@gradstream/graph';
import { Tensor, UNARY_NAMES, UNARY_OPS, type DType, type UnaryDefinition } from '@gradstream/tensor';
import { dense, linear, mse } from '../src/index.js';

const bits = (a: Float32Array | Float64Array): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

/** dense(activation) and linear → activation with the same parameter values. */
function pair(activation: (typeof UNARY_NAMES)[number], dtype: DType, alpha?: number): [Model, Model] {
  const extra = alpha === undefined ? {} : { alpha };
  const fused = sequential([dense({ inFeatures: 3, outFeatures: 4, activation, ...extra }), linear({ inFeatures: 4, outFeatures: 1 })], {
    inputShape: [3], loss: mse(), seed: 1, dtype, backend: 'ts',
  });
  const split = sequential([linear({ inFeatures: 3, outFeatures: 4 }), { op: activation, ...extra }, linear({ inFeatures: 4, outFeatures: 1 })], {
    inputShape: [3], loss: mse(), seed: 1, dtype, backend: 'ts',
  });
  // same parameter values (node structures differ, so their seeded draws differ)
  fused.parameters().forEach((p, i) => p.value.data.set(split.parameters()[i]!.value.data));
  return [fused, split];
}

function step(m: Model, x: Tensor, y: Tensor): { out: string[]; loss: number; grads: string[][] } {
  const plan = m.compile(2);
  plan.setBatch(x, y);
  const loss = plan.forward();
  plan.backward();
  // the hidden layer's output: dense's own, or the activation node's
  const hidden = plan.values.get(m.nodes[m.nodes.length - 3]!.name)!;
  return { out: bits(hidden.data), loss, grads: [...plan.paramGrads.values()].map((g) => bits(g.data)) };
}

describe('dense (fused linear + activation)', () => {
  for (const activation of UNARY_NAMES) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`computes exactly what linear followed by ${activation} computes, forward and backward (${dtype})`, () => {
        const def: UnaryDefinition = UNARY_OPS[activation];
        const [fused, split] = pair(activation, dtype, def.param === undefined ? undefined : 0.2);
        const x = Tensor.from([[0.3, -1.2, 2], [-0.5, 0.1, 0.7]], { dtype });
        const y = Tensor.from([[1], [-1]], { dtype });
        expect(step(fused, x, y)).toEqual(step(split, x, y));
      });
    }
  }

  it('propagates a NaN weight through relu as linear + relu does, instead of hiding it as 0', () => {
    const [fused, split] = pair('relu', 'float32');
    for (const m of [fused, split]) m.parameters()[0]!.value.data[0] = Number.NaN;
    const x = Tensor.from([[0.3, -1.2, 2], [-0.5, 0.1, 0.7]]);
    const y = Tensor.from([[1], [-1]]);
    const a = step(fused, x, y);
    expect(a.out.filter((v) => v === 'NaN')).toHaveLength(2);
    expect(a).toEqual(step(split, x, y));
  });

  it('defaults to no activation', () => {
    const m = sequential([dense({ inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 2 }, biasInit: { type: 'constant', value: -5 } })], {
      inputShape: [1], loss: mse(),
    });
    expect(m.predict([[1]]).data[0]).toBe(-3);
  });
});
