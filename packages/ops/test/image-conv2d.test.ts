import { describe, expect, it } from 'vitest';
import { buildModel, sequential, type Model } from '@gradstream/graph';
import { GradstreamError, Rng, Tensor, tsBackend, type Backend, type DType } from '@gradstream/tensor';
import { wasmBackend } from '@gradstream/backend-wasm';
import { avgPool2d, conv2d, dense, flatten, globalAvgPool, maxPool2d, mse, type Conv2dConfig } from '../src/index.js';

const wasm = wasmBackend({ threads: 1 });

interface Case {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly filters: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padding: 'valid' | 'same';
}

/** A random case: odd and even sizes, 1×1 to 4×4 windows, strides and dilations 1 to 3, both paddings. */
function drawCase(rng: Rng): Case {
  const n = (k: number): number => 1 + rng.int(k);
  const c = { batch: n(3), c: n(5), filters: n(6), kh: n(4), kw: n(4), strideH: n(3), strideW: n(3), dilationH: n(3), dilationW: n(3), padding: rng.next() < 0.5 ? ('valid' as const) : ('same' as const) };
  // A 'valid' window must fit.
  const h = n(11) + (c.padding === 'valid' ? (c.kh - 1) * c.dilationH : 0);
  const w = n(11) + (c.padding === 'valid' ? (c.kw - 1) * c.dilationW : 0);
  return { ...c, h, w };
}

const configOf = (c: Case): Conv2dConfig => ({
  filters: c.filters,
  kernelSize: c.kh === c.kw ? c.kh : [c.kh, c.kw],
  strides: [c.strideH, c.strideW],
  dilation: [c.dilationH, c.dilationW],
  padding: c.padding,
});

/** The convolution alone, its parameters drawn uniform in [-1, 1] (the bias too, so none hides). */
function convModel(c: Case, backend: Backend, dtype: DType, seed: number): Model {
  const model = buildModel(
    { version: 1, inputShape: [c.h, c.w, c.c], dtype, layers: [{ op: 'conv2d', name: 'conv', ...configOf(c) }], loss: { op: 'mse' } },
    { backend, seed },
  );
  const rng = Rng.fromSeed(seed + 1000);
  for (const p of model.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = rng.uniform(-1, 1);
  return model;
}

/**
 * The convolution written out tap by tap, in float64, with TF's geometry worked out here: 'same'
 * gives ceil(size / stride) outputs, the padding split with the odd one at the bottom and right.
 * Returns the output and, per output, the sum of the terms' magnitudes.
 */
function naiveConv(x: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>, c: Case): { out: Float64Array; size: Float64Array; shape: number[] } {
  const spanH = (c.kh - 1) * c.dilationH + 1;
  const spanW = (c.kw - 1) * c.dilationW + 1;
  const outH = c.padding === 'valid' ? Math.floor((c.h - spanH) / c.strideH) + 1 : Math.ceil(c.h / c.strideH);
  const outW = c.padding === 'valid' ? Math.floor((c.w - spanW) / c.strideW) + 1 : Math.ceil(c.w / c.strideW);
  const top = c.padding === 'valid' ? 0 : Math.floor(Math.max(0, (outH - 1) * c.strideH + spanH - c.h) / 2);
  const left = c.padding === 'valid' ? 0 : Math.floor(Math.max(0, (outW - 1) * c.strideW + spanW - c.w) / 2);
  const out = new Float64Array(c.batch * outH * outW * c.filters);
  const size = new Float64Array(out.length);
  let o = 0;
  for (let n = 0; n < c.batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let f = 0; f < c.filters; f++, o++) {
          let s = bias[f]!;
          let m = Math.abs(s);
          for (let ky = 0; ky < c.kh; ky++) {
            for (let kx = 0; kx < c.kw; kx++) {
              const iy = oy * c.strideH - top + ky * c.dilationH;
              const ix = ox * c.strideW - left + kx * c.dilationW;
              if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
              for (let ch = 0; ch < c.c; ch++) {
                const t = x[((n * c.h + iy) * c.w + ix) * c.c + ch]! * weight[((f * c.kh + ky) * c.kw + kx) * c.c + ch]!;
                s += t;
                m += Math.abs(t);
              }
            }
          }
          out[o] = s;
          size[o] = m;
        }
      }
    }
  }
  return { out, size, shape: [c.batch, outH, outW, c.filters] };
}

const paramOf = (model: Model, name: string): Float64Array => Float64Array.from(model.parameters().find((p) => p.name === name)!.value.data);

function randomImage(shape: readonly number[], rng: Rng, dtype: DType): Tensor {
  const x = Tensor.zeros([...shape], dtype);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform(-2, 2);
  return x;
}

/** The largest error relative to each output's terms (float32 rounds each of them). */
function termError(got: ArrayLike<number>, want: ArrayLike<number>, size: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(size[i]!, 1e-30));
  return worst;
}

function check(c: Case, seed: number): void {
  const rng = Rng.fromSeed(seed + 7);
  for (const [backend, dtype, tolerance] of [
    [tsBackend, 'float64', 1e-14],
    [tsBackend, 'float32', 1e-6],
    [wasm, 'float32', 1e-6],
  ] as const) {
    const model = convModel(c, backend, dtype, seed);
    const x = randomImage([c.batch, c.h, c.w, c.c], rng, dtype);
    const want = naiveConv(x.data, paramOf(model, 'weight'), paramOf(model, 'bias'), c);
    const got = model.predict(x);
    expect(got.shape, JSON.stringify(c)).toEqual(want.shape);
    expect(termError(got.data, want.out, want.size), `${backend.name} ${dtype} ${JSON.stringify(c)}`).toBeLessThan(tolerance * (c.kh * c.kw * c.c + 2));
  }
}

describe('conv2d forward', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);

  it.each(seeds)('equals a direct convolution on random shapes (seed %i): float64 and float32 on ts, float32 on wasm', (seed) => {
    check(drawCase(Rng.fromSeed(seed)), seed);
  });

  it('covers both paddings, strides, dilations, 1×1 windows and batch 1 among those cases', () => {
    const cases = seeds.map((s) => drawCase(Rng.fromSeed(s)));
    expect(new Set(cases.map((c) => c.padding))).toEqual(new Set(['valid', 'same']));
    expect(cases.some((c) => c.strideH > 1 && c.strideW > 1)).toBe(true);
    expect(cases.some((c) => c.dilationH > 1 || c.dilationW > 1)).toBe(true);
    expect(cases.some((c) => c.batch === 1)).toBe(true);
    expect(cases.some((c) => c.kh === 1 && c.kw === 1)).toBe(true);
  });

  it.each([
    ['a 3×3 window, same, stride 2, dilation 2', { batch: 2, h: 15, w: 13, c: 5, filters: 8, kh: 3, kw: 3, strideH: 2, strideW: 2, dilationH: 2, dilationW: 2, padding: 'same' }],
    ['a 5×3 window, valid, stride 1', { batch: 3, h: 12, w: 9, c: 4, filters: 6, kh: 5, kw: 3, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'valid' }],
    ['a 1×1 window at stride 1 (no unfolding)', { batch: 2, h: 7, w: 5, c: 9, filters: 4, kh: 1, kw: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same' }],
    ['a 1×1 window at stride 2', { batch: 2, h: 7, w: 5, c: 9, filters: 4, kh: 1, kw: 1, strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, padding: 'valid' }],
  ] as const)('equals a direct convolution at sizes where the wasm kernels run: %s', (_name, c) => {
    check(c, 3);
  });

  it("'same' keeps ceil(size / stride) pixels, with the odd row and column of padding at the bottom and right", () => {
    // A 2×2 window of ones at stride 1 over a 1×3 image of [1, 2, 3]: the one padding column goes
    // to the right, so the outputs are 1+2, 2+3, 3+0 (the padding at the left would give 0+1 first).
    const model = buildModel(
      {
        version: 1,
        inputShape: [1, 3, 1],
        layers: [{ op: 'conv2d', filters: 1, kernelSize: [1, 2], padding: 'same', weightInit: { type: 'constant', value: 1 } }],
        loss: { op: 'mse' },
      },
      { backend: 'ts' },
    );
    expect(Array.from(model.predict(Tensor.from([[[[1], [2], [3]]]])).data)).toEqual([3, 5, 3]);
    const strided = sequential([conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })], { inputShape: [7, 8, 3], loss: mse() });
    expect(strided.outputShape).toEqual([4, 4, 2]);
  });

  it('reads inChannels off its input, keeps it in the node\'s configuration, and lays the weight out [filters, kh, kw, inChannels]', () => {
    const model = sequential([conv2d({ filters: 4, kernelSize: [2, 3], name: 'conv' })], { inputShape: [6, 6, 3], loss: mse() });
    expect(model.node('conv').config).toMatchObject({ inChannels: 3 });
    expect(model.parameters().map((p) => [p.name, p.value.shape])).toEqual([
      ['weight', [4, 2, 3, 3]],
      ['bias', [4]],
    ]);
  });

  it('names the input, the window and the shape when the input does not fit or is not an image', () => {
    const fail = (layers: Parameters<typeof sequential>[0], inputShape: number[]): GradstreamError => {
      try {
        sequential(layers, { inputShape, loss: mse() });
      } catch (e) {
        expect(e).toBeInstanceOf(GradstreamError);
        return e as GradstreamError;
      }
      throw new Error('built');
    };
    const small = fail([conv2d({ filters: 2, kernelSize: 3, dilation: 2 })], [4, 4, 3]);
    expect(small.code).toBe('SHAPE_MISMATCH');
    expect(small.message).toBe(
      'node "conv2d_1" (conv2d), input x: a 3×3 window (stride 1, dilation 2, padding valid) does not fit [batch,4,4,3]: it needs at least 5×5 pixels; use a smaller window, or padding \'same\'',
    );
    const channels = fail([conv2d({ filters: 2, kernelSize: 1, inChannels: 4 })], [4, 4, 3]);
    expect(channels.message).toBe('node "conv2d_1" (conv2d), input x: expected [batch,height,width,4] (NHWC, channels = inChannels), got [1,4,4,3]');
    const flat = fail([conv2d({ filters: 2, kernelSize: 1 })], [16]);
    expect(flat.message).toBe('node "conv2d_1" (conv2d), input x: expected [batch,height,width,channels] (NHWC), got [1,16]');
  });
});

describe('conv2d in a network on the wasm backend', () => {
  it('gives the gradients of the float64 TypeScript run (two convolutions, so col2im runs; pools; a dense head)', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rng = Rng.fromSeed(seed);
      const same = seed % 2 === 0;
      const body = [
        conv2d({ filters: 6, kernelSize: 3, padding: same ? 'same' : 'valid', activation: 'relu', name: 'c1' }),
        seed === 3 ? avgPool2d({ poolSize: 2, padding: 'same', name: 'pool' }) : maxPool2d({ poolSize: 2, strides: seed === 4 ? 1 : 2, name: 'pool' }),
        conv2d({ filters: 5, kernelSize: [3, 2], strides: [1, 2], dilation: seed === 2 ? 2 : 1, padding: 'same', activation: 'tanh', name: 'c2' }),
        conv2d({ filters: 4, kernelSize: 1, name: 'pointwise' }),
        seed === 1 ? globalAvgPool({ name: 'gap' }) : flatten({ name: 'flat' }),
      ];
      const inputShape = [9 + seed, 11, 2];
      // The head reads whatever the feature maps hold: measured on the body alone.
      const [features = 0] = sequential(body, { inputShape, loss: mse(), backend: 'ts' }).outputShape;
      const full = [...body, dense({ inFeatures: features, outFeatures: 3, name: 'head' })];
      const models = ([[tsBackend, 'float64'], [wasm, 'float32']] as const).map(([backend, dtype]) => sequential(full, { inputShape, loss: mse(), dtype, backend, seed }));
      const [ref, fast] = models as [Model, Model];
      const values = Rng.fromSeed(seed + 50);
      for (const p of ref.parameters()) for (let i = 0; i < p.value.size; i++) p.value.data[i] = values.uniform(-0.5, 0.5);
      fast.parameters().forEach((p, i) => p.value.data.set(ref.parameters()[i]!.value.data));
      const batch = 3;
      const x = randomImage([batch, ...inputShape], rng, 'float64');
      const y = randomImage([batch, 3], rng, 'float64');
      const grads = models.map((m) => {
        const plan = m.plan(batch);
        plan.setBatch(Tensor.from(Array.from(x.data), { shape: x.shape, dtype: m.dtype }), Tensor.from(Array.from(y.data), { shape: y.shape, dtype: m.dtype }));
        plan.computeGradients();
        // Every layer ran as recorded kernel calls: none touched data outside the backend.
        expect([...plan.recordedNodes].sort()).toEqual(expect.arrayContaining(['c1', 'c2', 'head', 'pointwise', 'pool']));
        return new Map([...plan.paramGrads].map(([id, g]) => [id, Float64Array.from(g.data)]));
      });
      const [want, got] = grads as [Map<string, Float64Array>, Map<string, Float64Array>];
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [id, g] of want) {
        let scale = 1e-3;
        let worst = 0;
        for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]!));
        for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(got.get(id)![i]! - g[i]!));
        expect(worst / scale, `seed ${seed} ${id}`).toBeLessThan(1e-4);
      }
    }
  });
});
