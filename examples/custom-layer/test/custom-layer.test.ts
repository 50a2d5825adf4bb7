import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GradstreamError, buildModel, createRegistry, gradcheck, sequential, toSpec } from '@gradstream/graph';
import { fromOnnx, toOnnx } from '@gradstream/onnx';
import { builtinOps, linear, mse } from '@gradstream/ops';
import { Rng, Tensor } from '@gradstream/tensor';
import { TARGET_LOSS, formatGradcheck, loadIn, sameBits, saveAndReload, sineMse, swish, swishNet, swishOp, swishRegistry, train } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';
import { countAllocations } from '../../../test/support/allocations.js';

describe('the swish op', () => {
  it('passes the gradient check for x and β, on the printed case and on random ones', () => {
    const report = gradcheck(swishOp, { config: { features: 4 }, inputShapes: [[6, 4]], seed: 1 });
    expect(report.entries.map((e) => [e.kind, e.name])).toEqual([['input', 'x'], ['param', 'beta']]);
    for (const e of report.entries) expect(e.maxRelError).toBeLessThan(1e-6);
    expect(report.ok).toBe(true);
    expect(formatGradcheck(report)).toMatch(/^\s+param\s+beta\s+\[4\]\s/m);
    for (let seed = 0; seed < 8; seed++) {
      const c = swishOp.gradcheckCase?.(Rng.fromSeed(seed));
      if (c === undefined) throw new Error('swish has no gradcheck case');
      // inputs in [−4, 4] reach the flat tails of σ as well as its steep middle
      const r = gradcheck(swishOp, { ...c, seed, fillInput: (_i, d, rng) => d.forEach((_v, j) => (d[j] = rng.uniform(-4, 4))) });
      expect(r.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('computes x·σ(β·x) forward, with β initialised to 1', () => {
    const registry = swishRegistry();
    const model = buildModel(
      { version: 1, inputShape: [2], layers: [{ op: 'swish', features: 2 }], loss: { op: 'mse' }, dtype: 'float64' },
      { registry },
    );
    expect(model.parameters().map((p) => [p.id, Array.from(p.value.data)])).toEqual([['swish_1.beta', [1, 1]]]);
    const y = model.predict(Tensor.from([[0, 2], [-1, 0.5]], { dtype: 'float64' })).data;
    const swish1 = (x: number): number => x / (1 + Math.exp(-x));
    expect(Array.from(y)).toEqual([0, swish1(2), swish1(-1), swish1(0.5)].map((v) => expect.closeTo(v, 14)));
  });

  it('reads features off its input, keeps them in the spec, and checks a given one against it', () => {
    const registry = swishRegistry();
    const model = swishNet(registry);
    expect(toSpec(model).layers[1]).toMatchObject({ op: 'swish', features: 16 });
    expect(model.parameters().map((p) => [p.id, p.value.shape])).toContainEqual(['swish_1.beta', [16]]);
    const layers = [linear({ outFeatures: 3 }), swish({ features: 4 })];
    const e = catchGradstream(() => sequential(layers, { inputShape: [1], loss: mse(), registry }));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe('node "swish_1" (swish), input x: expected [batch,4], got [1,3]');
  });

  it('rejects a configuration without features, naming the path', () => {
    const e = catchGradstream(() => swishRegistry().validateConfig('swish', { features: 0 }));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toContain('swish/features must be >= 1');
  });

  it('allocates no typed array in a compiled forward and backward', () => {
    expect(countAllocations(() => new Float32Array(4))).toBe(1); // the counter sees allocations
    const model = swishNet(swishRegistry());
    expect(countAllocations(() => model.compile(8))).toBeGreaterThan(0);
    const plan = model.compile(8);
    plan.x.data.fill(0.5);
    plan.y.data.fill(0.25);
    plan.forward();
    plan.backward();
    const counted = countAllocations(() => {
      for (let i = 0; i < 100; i++) {
        plan.forward();
        plan.backward();
      }
    });
    expect(counted).toBe(0);
  });
});

describe('the swish network', () => {
  it('trains on sin x below the stated loss, then reloads and goes on bit for bit', async () => {
    const registry = swishRegistry();
    const model = swishNet(registry);
    const { losses, optimizer } = await train(model, { epochs: 500 });
    expect(losses.at(-1)).toBeLessThan(TARGET_LOSS);
    expect(sineMse(model)).toBeLessThan(2 * TARGET_LOSS);
    const beta = model.parameters().find((p) => p.id === 'swish_1.beta')?.value.data;
    expect(Array.from(beta ?? []).some((b) => b !== 1)).toBe(true); // β was trained, not left at its init

    const r = await saveAndReload(model, optimizer, registry, 30);
    expect(r.predictions[1]).toBeInstanceOf(Float32Array);
    expect(r.predictions[1]).toEqual(r.predictions[0]);
    expect(sameBits(...r.predictions)).toBe(true);
    expect(r.continued[0]).toHaveLength(30);
    expect(r.continued[1]).toEqual(r.continued[0]);
    r.params[1].forEach((p, i) => expect(p).toEqual(r.params[0][i]));
    // going on is not a no-op: the loss keeps moving
    expect(r.continued[0].at(-1)).not.toBe(r.continued[0][0]);
  });

  it('does not load where the swish op is not registered, and names it', async () => {
    const model = swishNet(swishRegistry());
    const builtinsOnly = createRegistry(builtinOps);
    const e = await loadIn(model, builtinsOnly);
    expect(e).toBeInstanceOf(GradstreamError);
    expect((e as GradstreamError).code).toBe('CHECKPOINT_INVALID');
    expect((e as GradstreamError).details).toMatchObject({ cause: 'UNKNOWN_OP', ops: ['swish'] });
    expect((e as GradstreamError).message).toMatch(/^\/.*swish-sine\.ckpt\.json: invalid checkpoint: its spec names ops this registry does not hold:\nspec\/layers\/1\/op must be one of \[.*"linear".*\], got "swish"/);
    // the spec alone, built without validation, stops at the op lookup
    const unknown = catchGradstream(() => buildModel(toSpec(model), { registry: builtinsOnly }));
    expect(unknown.code).toBe('UNKNOWN_OP');
    expect(unknown.message).toMatch(/^layers\/1\/op: unknown op "swish"/);
    expect(unknown.details.op).toBe('swish');
  });
});



describe('the swish network in ONNX', () => {
  it('exported with toOnnx, runs in onnxruntime-node and predicts what model.predict does', async () => {
    const registry = swishRegistry();
    const model = swishNet(registry);
    const { losses } = await train(model, { epochs: 500 });
    expect(losses.at(-1)).toBeLessThan(TARGET_LOSS); // a trained model, its βs moved away from 1

    // 101 inputs on [−2π, 2π]: the training range and beyond it, where the gates saturate.
    const x = Array.from({ length: 101 }, (_, i) => [-2 * Math.PI + (4 * Math.PI * i) / 100]);
    const want = model.predict(x).data;
    const bytes = toOnnx(model);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual([model.output]);
    const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, 1]) });
    const got = result[model.output]?.data as Float32Array;
    expect(got).toHaveLength(want.length);

    // The largest difference, relative to the output's scale (its largest magnitude).
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i] as number));
      worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
    }
    expect(scale).toBeGreaterThan(0.5);
    expect(worst / scale).toBeLessThanOrEqual(1e-5);

    // Read back with the swish's registry, the file is the same model, bit for bit (β included).
    expect(fromOnnx(bytes, { registry }).predict(x).data).toEqual(want);
  });
});
