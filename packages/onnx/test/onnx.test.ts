/**
 * Models written by toOnnx run in a runtime gradstream did not write — onnxruntime-node — and give
 * gradstream's outputs (max difference ≤ 1e-5 of the output scale); every registered op takes part
 * (an op without an exporter fails here), losses included as the second output. fromOnnx brings a
 * model back bit for bit, and rebuilds a model from its ONNX nodes alone; what it cannot map, and
 * ops without exporters, are named in the errors.
 */
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { GradstreamError, Rng, Tensor } from '@gradstream/tensor';
import { buildModel, createRegistry, defaultRegistry, defineOp, isComposite, sequential, type AnyOpPlugin, type GradcheckCase, type Model } from '@gradstream/graph';
import { builtinOps, dense, dropout, linear, mse, relu, softmax, softmaxCrossEntropy, tanh } from '@gradstream/ops';
import { SUPPORTED_IMPORTS, fromOnnx, toOnnx } from '../src/index.js';

const { onnx } = onnxProto;

/** Runs the ONNX bytes on `x` (and `y`) in onnxruntime-node; returns every output's values. */
async function runOrt(bytes: Uint8Array, x: Tensor, y?: Tensor): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) };
  if (y !== undefined) feeds.y = new ort.Tensor('float32', Float32Array.from(y.data), [...y.shape]);
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** The largest difference, relative to the larger of 1 and the largest magnitude of `want`. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i] as number));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  return worst / scale;
}

/** Uniform in [-2, 2], or what `fill` writes: an op's own valid inputs (token ids) where its gradient-check case gives them. */
function randomTensor(shape: readonly number[], rng: Rng, fill?: (index: number, data: Float64Array, rng: Rng) => void): Tensor {
  const t = Tensor.zeros([...shape]);
  if (fill !== undefined) {
    const values = new Float64Array(t.size);
    fill(0, values, rng);
    t.data.set(values);
    return t;
  }
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniform(-2, 2);
  return t;
}

const isLossOp = (p: AnyOpPlugin): boolean => p.inputs.length === 2 && (p.nonDifferentiable ?? []).includes(p.inputs[1] as string);

/** A one-layer model of the op, from its gradient-check case: the op reads `x` for every input. */
function modelOf(plugin: AnyOpPlugin, rng: Rng): { model: Model; batch: number; fillInput?: GradcheckCase<unknown>['fillInput'] } {
  const c = plugin.gradcheckCase?.(rng);
  if (c === undefined) throw new Error(`${plugin.name} has no gradcheckCase to build a model from`);
  const [first] = c.inputShapes as [readonly number[]];
  const spec = {
    version: 1 as const,
    inputShape: first.slice(1),
    layers: [{ op: plugin.name, ...(c.config as object), inputs: plugin.inputs.map(() => 'x') }],
    loss: { op: 'mse' },
  };
  return { model: buildModel(spec, { seed: 3, backend: 'ts' }), batch: first[0] as number, ...(c.fillInput ? { fillInput: c.fillInput } : {}) };
}

describe('every registered op, exported, runs in onnxruntime-node', () => {
  const ops = defaultRegistry.plugins().filter((p): p is AnyOpPlugin => !isComposite(p));

  it('covers the built-in ops', () => {
    expect(ops.map((p) => p.name).sort()).toEqual(builtinOps.map((p) => p.name).sort());
  });

  it.each(ops.filter((p) => !isLossOp(p)).map((p) => [p.name, p] as const))('%s: outputs match, and come back bit for bit', async (_name, plugin) => {
    const rng = Rng.fromSeed(7);
    const { model, batch, fillInput } = modelOf(plugin, rng);
    const x = randomTensor([batch, ...model.inputShape], rng, fillInput);
    const want = model.predict(x).data;
    const bytes = toOnnx(model);
    const got = await runOrt(bytes, x);
    expect(relativeError(got[model.output] as Float32Array, want)).toBeLessThanOrEqual(1e-5);
    expect([...fromOnnx(bytes, { backend: 'ts' }).predict(x).data]).toEqual([...want]);
  });

  it.each(ops.filter(isLossOp).map((p) => [p.name, p] as const))('%s: the loss, written as the second output, matches', async (name, plugin) => {
    const rng = Rng.fromSeed(11);
    const model = sequential([linear({ inFeatures: 3, outFeatures: 4 })], { inputShape: [3], loss: { op: plugin.name }, seed: 1, backend: 'ts' });
    const x = randomTensor([5, 3], rng);
    const y = Tensor.zeros([5, 4]);
    // One-hot targets suit both losses.
    for (let r = 0; r < 5; r++) y.data[r * 4 + rng.int(4)] = 1;
    const plan = model.plan(5);
    plan.setBatch(x, y);
    const want = plan.forward(false);
    const got = await runOrt(toOnnx(model, { loss: true }), x, y);
    expect(got.loss?.length, name).toBe(1);
    expect(relativeError(got.loss as Float32Array, [want])).toBeLessThanOrEqual(1e-5);
  });
});

describe('image ops across their options (NHWC, written around NCHW operators)', () => {
  it.each([
    ['conv2d same, strides and dilations per axis, relu', [7, 8, 3], [{ op: 'conv2d', filters: 3, kernelSize: [3, 2], strides: [2, 1], dilation: [1, 2], padding: 'same', activation: 'relu' }]],
    ['conv2d valid at stride 2, tanh; conv2d 1×1', [9, 7, 2], [{ op: 'conv2d', filters: 4, kernelSize: 3, strides: 2, activation: 'tanh' }, { op: 'conv2d', filters: 2, kernelSize: 1 }]],
    ['maxPool2d and avgPool2d with same padding that overhangs', [7, 6, 3], [{ op: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' }, { op: 'avgPool2d', poolSize: [2, 3], strides: 1, padding: 'same' }]],
    [
      'a small CNN from rows of pixels',
      [64],
      [
        { op: 'reshape', shape: [8, 8, 1] },
        { op: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
        { op: 'maxPool2d', poolSize: 2 },
        { op: 'conv2d', filters: 6, kernelSize: 3, activation: 'relu' },
        { op: 'flatten' },
        { op: 'dense', inFeatures: 24, outFeatures: 3 },
      ],
    ],
    ['globalAvgPool after a convolution', [5, 6, 2], [{ op: 'conv2d', filters: 3, kernelSize: 2 }, { op: 'globalAvgPool' }]],
    ['conv2d same at stride 2 with an even window (padding split unevenly)', [7, 9, 2], [{ op: 'conv2d', filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'leakyRelu', alpha: 0.2 }]],
  ] as const)('%s: outputs match, and come back bit for bit', async (_name, inputShape, layers) => {
    const model = buildModel({ version: 1, inputShape: [...inputShape], layers: layers.map((l) => ({ ...l })), loss: { op: 'mse' } }, { seed: 5, backend: 'ts' });
    const x = randomTensor([3, ...inputShape], Rng.fromSeed(17));
    const want = model.predict(x).data;
    const bytes = toOnnx(model);
    expect(relativeError((await runOrt(bytes, x))[model.output] as Float32Array, want)).toBeLessThanOrEqual(1e-5);
    expect([...fromOnnx(bytes, { backend: 'ts' }).predict(x).data]).toEqual([...want]);
  });
});

describe('example models', () => {
  it('dense and linear over [batch, T, features] (a MatMul where Gemm takes matrices only) match and round-trip', async () => {
    const model = sequential([dense({ outFeatures: 3, activation: 'tanh' }), linear({ outFeatures: 2 })], { inputShape: [4, 5], loss: mse(), seed: 2, backend: 'ts' });
    const x = randomTensor([3, 4, 5], Rng.fromSeed(5));
    const want = model.predict(x).data;
    const bytes = toOnnx(model);
    expect(relativeError((await runOrt(bytes, x))[model.output] as Float32Array, want)).toBeLessThanOrEqual(1e-5);
    expect([...fromOnnx(bytes, { backend: 'ts' }).predict(x).data]).toEqual([...want]);
  });

  it('the digits network (784-128-10, relu, dropout, softmax cross-entropy) matches and round-trips', async () => {
    const model = sequential([dense({ inFeatures: 784, outFeatures: 128, activation: 'relu' }), dropout({ rate: 0.2 }), linear({ inFeatures: 128, outFeatures: 10 })], {
      inputShape: [784],
      loss: softmaxCrossEntropy(),
      seed: 4,
    });
    const rng = Rng.fromSeed(5);
    const x = Tensor.zeros([64, 784]);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.next();
    const want = model.predict(x).data;
    const bytes = toOnnx(model);
    const got = await runOrt(bytes, x);
    expect(relativeError(got[model.output] as Float32Array, want)).toBeLessThanOrEqual(1e-5);
    expect([...fromOnnx(bytes).predict(x).data]).toEqual([...want]);
  });
});

describe('normalization with trained statistics', () => {
  /** Random values far from mean 0 and variance 1, so stale or missing statistics would show. */
  const offCentre = (shape: readonly number[], rng: Rng): Tensor => {
    const t = randomTensor(shape, rng);
    for (let i = 0; i < t.size; i++) t.data[i] = 3 + 2 * (t.data[i] as number);
    return t;
  };

  /** A one-layer model on `inputShape` whose parameters are random and whose state a few training passes moved. */
  function trained(layer: { op: string } & Record<string, unknown>, inputShape: number[], rng: Rng): Model {
    const model = sequential([layer], { inputShape, loss: mse(), seed: 2, backend: 'ts' });
    for (const p of model.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.uniform(0.5, 2);
    const plan = model.plan(4);
    for (let step = 0; step < 3; step++) {
      const x = offCentre([4, ...inputShape], rng);
      plan.setBatch(x, x);
      plan.forward(true);
    }
    return model;
  }

  it.each([
    ['batchNorm on NHWC images', { op: 'batchNorm', momentum: 0.5 }, [2, 3, 4]],
    ['batchNorm on rows', { op: 'batchNorm', epsilon: 0.01 }, [5]],
    ['layerNorm on sequences', { op: 'layerNorm' }, [3, 5]],
  ] as const)('%s: onnxruntime gives our evaluation, and the statistics come back bit for bit', async (_name, layer, shape) => {
    const rng = Rng.fromSeed(17);
    const model = trained({ ...layer }, [...shape], rng);
    const x = offCentre([6, ...shape], rng);
    const want = model.predict(x).data;
    const bytes = toOnnx(model);
    const got = await runOrt(bytes, x);
    expect(relativeError(got[model.output] as Float32Array, want)).toBeLessThanOrEqual(1e-5);
    const back = fromOnnx(bytes, { backend: 'ts' });
    expect(back.state().map((s) => [s.id, [...s.value.data]])).toEqual(model.state().map((s) => [s.id, [...s.value.data]]));
    expect([...back.predict(x).data]).toEqual([...want]);
  });
});

describe('fromOnnx without the spec: a model rebuilt from its ONNX nodes', () => {
  /** The same bytes without gradstream's metadata, as a model made elsewhere would come. */
  const foreign = (bytes: Uint8Array): Uint8Array => {
    const m = onnx.ModelProto.decode(bytes);
    m.metadataProps = [];
    return onnx.ModelProto.encode(m).finish();
  };

  it('gives the same predictions, its Gemms as linear layers, with the loss asked for', () => {
    const model = sequential(
      [dense({ inFeatures: 4, outFeatures: 6, activation: 'tanh' }), relu(), linear({ inFeatures: 6, outFeatures: 3 }), tanh(), softmax()],
      { inputShape: [4], loss: mse(), seed: 9 },
    );
    const x = randomTensor([7, 4], Rng.fromSeed(2));
    const back = fromOnnx(foreign(toOnnx(model)), { loss: { op: 'mse' } });
    expect(back.layers.map((l) => l.plugin.name)).toEqual(['linear', 'tanh', 'relu', 'linear', 'tanh', 'softmax', 'mse']);
    expect(relativeError(back.predict(x).data, model.predict(x).data)).toBeLessThanOrEqual(1e-6);
  });

  it('reads MatMul + Add and a Gemm without transB as linear layers', async () => {
    // W as [in, out] (PyTorch's exporters write this for nn.Linear through MatMul + Add).
    const w = [1, 2, 3, 4, 5, 6]; // [2, 3]
    const b = [0.5, -0.5, 1];
    const raw = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
    const graph = {
      name: 'g',
      input: [{ name: 'input', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 2 }] } } } }],
      output: [{ name: 'out', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 3 }] } } } }],
      initializer: [
        { name: 'W', dims: [2, 3], dataType: 1, rawData: raw(w) },
        { name: 'B', dims: [3], dataType: 1, rawData: raw(b) },
        { name: 'W2', dims: [3, 3], dataType: 1, rawData: raw([1, 0, 0, 0, 1, 0, 0, 0, 1]) },
      ],
      node: [
        { name: 'mm', opType: 'MatMul', input: ['input', 'W'], output: ['h'] },
        { name: 'bias', opType: 'Add', input: ['h', 'B'], output: ['hb'] },
        { name: 'act', opType: 'Sigmoid', input: ['hb'], output: ['s'] },
        // transA written out as 0, as exporters often do.
        { name: 'g2', opType: 'Gemm', input: ['s', 'W2'], output: ['out'], attribute: [{ name: 'transA', type: 2, i: 0 }] },
      ],
    };
    const bytes = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }).finish();
    const model = fromOnnx(bytes);
    expect(model.layers.map((l) => l.plugin.name)).toEqual(['linear', 'sigmoid', 'linear', 'mse']);
    const x = [[1, 1], [-1, 2]];
    const ours = model.predict(x).data;
    // Its input is named `input`, as a model made elsewhere may name it.
    const session = await ort.InferenceSession.create(bytes);
    const ref = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.flat()), [2, 2]) })).out?.data as Float32Array;
    expect(relativeError(ours, ref)).toBeLessThanOrEqual(1e-6);
  });
});

describe('what cannot cross is named', () => {
  it('an op without an exporter: UNSUPPORTED_EXPORT, with the node and the op', () => {
    const negate = defineOp({
      name: 'negate',
      inputs: ['x'],
      save: {},
      outputShape: ([x]) => x!,
      forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, -1, out.data),
      backward: ({ dy, dInputs, backend }) => {
        if (dInputs.x) backend.scale(dy.data, -1, dInputs.x.data);
      },
    });
    const registry = createRegistry([...builtinOps, negate]);
    const model = buildModel({ version: 1, inputShape: [2], layers: [{ op: 'negate' }], loss: { op: 'mse' } }, { registry });
    const e = (() => {
      try {
        toOnnx(model);
      } catch (err) {
        return err as GradstreamError;
      }
      throw new Error('exported');
    })();
    expect(e).toBeInstanceOf(GradstreamError);
    expect(e.code).toBe('UNSUPPORTED_EXPORT');
    expect(e.details).toMatchObject({ node: 'negate_1', op: 'negate' });
    expect(e.message).toMatch(/node "negate_1" \(negate\) has no ONNX exporter/);
  });

  it('an operator it cannot rebuild: UNSUPPORTED_IMPORT, with the node, its operator and the supported list', () => {
    const graph = {
      name: 'g',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } }],
      node: [{ name: 'conv_0', opType: 'Conv', input: ['x'], output: ['y'] }],
    };
    const bytes = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }).finish();
    try {
      fromOnnx(bytes);
      throw new Error('imported');
    } catch (err) {
      const e = err as GradstreamError;
      expect(e.code).toBe('UNSUPPORTED_IMPORT');
      expect(e.details).toMatchObject({ node: 'conv_0', opType: 'Conv', supported: SUPPORTED_IMPORTS });
      expect(e.message).toContain('node "conv_0" (Conv)');
      expect(e.message).toContain('Gemm');
    }
  });

  it('bytes that are not an ONNX model, or a damaged one: a GradstreamError, never another', () => {
    expect(() => fromOnnx(new TextEncoder().encode('{"format":"gradstream-checkpoint"}'))).toThrow(GradstreamError);
    const model = sequential([linear({ inFeatures: 3, outFeatures: 2 }), tanh()], { inputShape: [3], loss: mse(), seed: 1 });
    const bytes = toOnnx(model);
    const rng = Rng.fromSeed(13);
    for (let run = 0; run < 300; run++) {
      const damaged = bytes.slice(0, rng.int(bytes.length) + 1);
      for (let k = 0; k < 3; k++) damaged[rng.int(damaged.length)] = rng.int(256);
      try {
        fromOnnx(damaged);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(GradstreamError);
      }
    }
  });
});
