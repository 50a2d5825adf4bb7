import { describe, expect, it } from 'vitest';
import { Tensor } from '@gradstream/tensor';
import { builtinOps, linear, mse, sigmoid } from '@gradstream/ops';
import { createRegistry, defineComposite, fromSpec, gradcheck, sequential, toSpec } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

interface DenseConfig {
  inFeatures: number;
  outFeatures: number;
}

const denseSchema = {
  type: 'object',
  properties: { inFeatures: { type: 'integer', minimum: 1 }, outFeatures: { type: 'integer', minimum: 1 } },
  required: ['inFeatures', 'outFeatures'],
  additionalProperties: false,
};

function registryWithDense() {
  const registry = createRegistry(builtinOps);
  const dense = defineComposite({
    name: 'denseComposite',
    paramsSchema: denseSchema,
    registry,
    layers: (c: DenseConfig) => [{ op: 'linear', inFeatures: c.inFeatures, outFeatures: c.outFeatures }, { op: 'sigmoid' }],
  });
  registry.register(dense);
  return { registry, dense };
}

describe('composite layers', () => {
  it('expand into nodes of the model named composite.part, their parameters under composite.part.param', () => {
    const { registry } = registryWithDense();
    const model = sequential([{ op: 'denseComposite', inFeatures: 3, outFeatures: 2 }, linear({ inFeatures: 2, outFeatures: 1, inputs: ['denseComposite_1'] })], {
      inputShape: [3], loss: mse(), registry,
    });
    expect(model.nodes.map((n) => n.name)).toEqual(['denseComposite_1.linear_1', 'denseComposite_1.sigmoid_1', 'linear_1', 'mse_1']);
    // a later layer reads the composite by its name, i.e. its last part's value
    expect(model.node('linear_1').inputs).toEqual(['denseComposite_1.sigmoid_1']);
    expect(model.parameters().map((p) => p.id)).toEqual(['denseComposite_1.linear_1.weight', 'denseComposite_1.linear_1.bias', 'linear_1.weight', 'linear_1.bias']);
    // the spec keeps the composite as one layer
    expect(toSpec(model).layers.map((l) => l.op)).toEqual(['denseComposite', 'linear']);
    expect(fromSpec(JSON.parse(JSON.stringify(toSpec(model))), { registry }).parameters().map((p) => p.id)).toEqual(model.parameters().map((p) => p.id));
  });

  it('are compiled, recorded and profiled like any node', () => {
    const { registry } = registryWithDense();
    const model = sequential([{ op: 'denseComposite', inFeatures: 2, outFeatures: 2 }], { inputShape: [2], loss: mse(), registry });
    const plan = model.compile(2);
    // the first step records each node's kernel calls; the generated passes run them from then on
    plan.forward();
    plan.backward();
    expect(plan.recordedNodes).toEqual(['denseComposite_1.linear_1', 'denseComposite_1.sigmoid_1', 'mse_1']);
    plan.enableProfiling();
    plan.forward();
    plan.backward();
    expect(Object.keys(plan.profile())).toEqual(['denseComposite_1.linear_1', 'denseComposite_1.sigmoid_1', 'mse_1']);
  });

  it('pass gradcheck with no gradient code of their own', () => {
    const { dense } = registryWithDense();
    const r = gradcheck(dense, { config: { inFeatures: 3, outFeatures: 4 }, inputShapes: [[5, 3]], seed: 2 });
    expect(r.entries.map((e) => `${e.kind} ${e.name}`)).toEqual(['input x', 'param linear_1.weight', 'param linear_1.bias']);
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('compute exactly what the same parts as separate layers compute', () => {
    const { registry } = registryWithDense();
    const composite = sequential([{ op: 'denseComposite', inFeatures: 2, outFeatures: 3 }, linear({ inFeatures: 3, outFeatures: 1 })], {
      inputShape: [2], loss: mse(), seed: 9, registry,
    });
    const flat = sequential([linear({ inFeatures: 2, outFeatures: 3 }), sigmoid(), linear({ inFeatures: 3, outFeatures: 1 })], {
      inputShape: [2], loss: mse(), seed: 9, registry,
    });
    // same parameter values in both (the node structure differs, so their seeded draws differ)
    composite.parameters().forEach((p, i) => p.value.data.set(flat.parameters()[i]!.value.data));
    const x = Tensor.from([[0.5, -1], [2, 0.25], [1, 1]]);
    const y = Tensor.from([[1], [0], [0.5]]);
    const run = (m: typeof flat) => {
      const plan = m.compile(3);
      plan.setBatch(x, y);
      const loss = plan.forward();
      plan.backward();
      return { loss, grads: [...plan.paramGrads.values()].map((g) => Array.from(g.data)) };
    };
    const a = run(composite);
    const b = run(flat);
    expect(a.loss).toBe(b.loss);
    expect(a.grads).toEqual(b.grads);
    // and a second step through the same plan reuses its wiring
    expect(run(composite)).toEqual(a);
  });

  it('sum gradients inside a small DAG (a residual block x + tanh(Wx + b))', () => {
    const registry = createRegistry(builtinOps);
    const residual = defineComposite({
      name: 'residual',
      paramsSchema: { type: 'object', properties: { features: { type: 'integer', minimum: 1 } }, required: ['features'] },
      registry,
      layers: (c: { features: number }) => [
        { op: 'linear', inFeatures: c.features, outFeatures: c.features },
        { op: 'tanh' },
        { op: 'add', inputs: ['x', 'tanh_1'] },
      ],
    });
    const r = gradcheck(residual, { config: { features: 3 }, inputShapes: [[4, 3]], seed: 5 });
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('reports unknown part ops with their path', () => {
    const registry = createRegistry(builtinOps);
    registry.register(defineComposite({ name: 'broken', registry, layers: () => [{ op: 'nope' }] }));
    const err = catchGradstream(() => sequential([{ op: 'broken' }], { inputShape: [2], loss: mse(), registry }));
    expect(err.code).toBe('UNKNOWN_OP');
    expect(err.message).toMatch(/^layers\/0\(broken\)\.layers\/0\/op: unknown op "nope"/);
  });
});
