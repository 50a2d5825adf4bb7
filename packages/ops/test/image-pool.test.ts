import { describe, expect, it } from 'vitest';
import { buildModel, sequential, type LayerSpec, type Model } from '@gradstream/graph';
import { GradstreamError, Rng, Tensor, tsBackend, type Backend, type DType } from '@gradstream/tensor';
import { wasmBackend } from '@gradstream/backend-wasm';
import { avgPool2d, avgPool2dOp, flatten, globalAvgPool, maxPool2d, maxPool2dOp, mse, reshape } from '../src/index.js';
import { flat, runOp } from './run-op.js';

const wasm = wasmBackend({ threads: 1 });

interface PoolCase {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly ph: number;
  readonly pw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padding: 'valid' | 'same';
}

function drawCase(rng: Rng): PoolCase {
  const n = (k: number): number => 1 + rng.int(k);
  const c = { batch: n(3), c: n(9), ph: n(4), pw: n(4), strideH: n(3), strideW: n(3), padding: rng.next() < 0.5 ? ('valid' as const) : ('same' as const) };
  return { ...c, h: c.ph - 1 + n(12), w: c.pw - 1 + n(12) };
}

/**
 * Each output's window, as TF lays it out (worked out here): the input pixels inside the image it
 * covers, in (ky, kx) order.
 */
function windows(p: PoolCase): { shape: number[]; pixels: (n: number, oy: number, ox: number) => number[] } {
  const outH = p.padding === 'valid' ? Math.floor((p.h - p.ph) / p.strideH) + 1 : Math.ceil(p.h / p.strideH);
  const outW = p.padding === 'valid' ? Math.floor((p.w - p.pw) / p.strideW) + 1 : Math.ceil(p.w / p.strideW);
  const top = p.padding === 'valid' ? 0 : Math.floor(Math.max(0, (outH - 1) * p.strideH + p.ph - p.h) / 2);
  const left = p.padding === 'valid' ? 0 : Math.floor(Math.max(0, (outW - 1) * p.strideW + p.pw - p.w) / 2);
  return {
    shape: [p.batch, outH, outW, p.c],
    pixels: (n, oy, ox) => {
      const out: number[] = [];
      for (let ky = 0; ky < p.ph; ky++) {
        for (let kx = 0; kx < p.pw; kx++) {
          const iy = oy * p.strideH - top + ky;
          const ix = ox * p.strideW - left + kx;
          if (iy >= 0 && iy < p.h && ix >= 0 && ix < p.w) out.push((n * p.h + iy) * p.w + ix);
        }
      }
      return out;
    },
  };
}

/** The naive pooling: `reduce` over each window's values, per channel. */
function naivePool(x: ArrayLike<number>, p: PoolCase, reduce: (values: number[]) => number): { out: number[]; shape: number[] } {
  const { shape, pixels } = windows(p);
  const out: number[] = [];
  for (let n = 0; n < p.batch; n++) {
    for (let oy = 0; oy < shape[1]!; oy++) {
      for (let ox = 0; ox < shape[2]!; ox++) {
        const ps = pixels(n, oy, ox);
        for (let ch = 0; ch < p.c; ch++) out.push(reduce(ps.map((q) => x[q * p.c + ch]!)));
      }
    }
  }
  return { out, shape };
}

function model(layer: LayerSpec, inputShape: number[], backend: Backend, dtype: DType): Model {
  return buildModel({ version: 1, inputShape, dtype, layers: [layer], loss: { op: 'mse' } }, { backend });
}

function randomImage(shape: readonly number[], rng: Rng, dtype: DType): Tensor {
  const x = Tensor.zeros([...shape], dtype);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform(-2, 2);
  return x;
}

const IMPLS = [
  [tsBackend, 'float64'],
  [tsBackend, 'float32'],
  [wasm, 'float32'],
] as const;

describe('maxPool2d and avgPool2d forward', () => {
  const seeds = Array.from({ length: 30 }, (_, i) => i + 1);

  it.each(seeds)('equal naive pooling on random shapes (seed %i): exactly for the maximum, to a rounding for the mean', (seed) => {
    const p = drawCase(Rng.fromSeed(seed));
    const config = { poolSize: [p.ph, p.pw] as const, strides: [p.strideH, p.strideW] as const, padding: p.padding };
    for (const [backend, dtype] of IMPLS) {
      const x = randomImage([p.batch, p.h, p.w, p.c], Rng.fromSeed(seed + 100), dtype);
      const max = naivePool(x.data, p, (v) => Math.max(...v));
      const got = model(maxPool2d(config), [p.h, p.w, p.c], backend, dtype).predict(x);
      expect(got.shape).toEqual(max.shape);
      expect(Array.from(got.data), `${backend.name} ${dtype} ${JSON.stringify(p)}`).toEqual(max.out);
      const mean = naivePool(x.data, p, (v) => v.reduce((a, b) => a + b, 0) / v.length);
      const avg = model(avgPool2d(config), [p.h, p.w, p.c], backend, dtype).predict(x).data;
      const tolerance = dtype === 'float64' ? 1e-14 : 1e-6;
      mean.out.forEach((m, i) => expect(Math.abs(avg[i]! - m), `${backend.name} ${dtype} ${JSON.stringify(p)} [${i}]`).toBeLessThanOrEqual(tolerance * 2 * (p.ph * p.pw + 2)));
    }
  });

  it("'same' average pooling counts only the pixels inside the image, as TF's", () => {
    // 2×2 windows at stride 1 over a 2×2 image: the bottom-right windows overhang the padding.
    const x = Tensor.from([[[[1], [2]], [[3], [4]]]]);
    expect(flat(runOp(avgPool2dOp, [[[[[1], [2]], [[3], [4]]]]], { config: { poolSize: 2, strides: 1, padding: 'same' } }).out)).toEqual([2.5, 3, 3.5, 4]);
    expect(Array.from(model(maxPool2d({ poolSize: 2, strides: 1, padding: 'same' }), [2, 2, 1], tsBackend, 'float64').predict(x).data)).toEqual([4, 4, 4, 4]);
  });

  it('strides default to the pool size', () => {
    expect(sequential([maxPool2d({ poolSize: 2 })], { inputShape: [28, 28, 8], loss: mse() }).outputShape).toEqual([14, 14, 8]);
    expect(sequential([avgPool2d({ poolSize: [3, 2], padding: 'same' })], { inputShape: [7, 7, 2], loss: mse() }).outputShape).toEqual([3, 4, 2]);
  });

  it('max pooling sends each gradient to the first maximum of its window, and lets the padding never win', () => {
    // Negative values with 'same' padding: a zero in the padding would win if it were counted.
    const run = runOp(maxPool2dOp, [[[[[-3], [-1], [-1]], [[-2], [-5], [-4]]]]], { config: { poolSize: 2, padding: 'same' } });
    expect(flat(run.out)).toEqual([-1, -1]);
    expect(flat(run.backward([[[[10], [20]]]]).x!)).toEqual([0, 10, 20, 0, 0, 0]);
  });
});

describe('globalAvgPool, flatten and reshape', () => {
  it('globalAvgPool is the mean of each channel over the image, on every backend', () => {
    for (const [backend, dtype] of IMPLS) {
      const rng = Rng.fromSeed(4);
      const shape = [3, 7, 9, 5];
      const x = randomImage(shape, rng, dtype);
      const got = model(globalAvgPool(), shape.slice(1), backend, dtype).predict(x);
      expect(got.shape).toEqual([3, 5]);
      for (let n = 0; n < 3; n++) {
        for (let ch = 0; ch < 5; ch++) {
          let s = 0;
          for (let q = 0; q < 63; q++) s += x.data[(n * 63 + q) * 5 + ch]!;
          expect(Math.abs(got.data[n * 5 + ch]! - s / 63)).toBeLessThan(dtype === 'float64' ? 1e-14 : 1e-5);
        }
      }
    }
  });

  it('flatten and reshape keep the values in memory order and change only the shape', () => {
    const rng = Rng.fromSeed(5);
    const x = randomImage([2, 4, 3, 2], rng, 'float32');
    const flatModel = sequential([flatten()], { inputShape: [4, 3, 2], loss: mse() });
    expect(flatModel.outputShape).toEqual([24]);
    expect(Array.from(flatModel.predict(x).data)).toEqual(Array.from(x.data));
    const back = sequential([flatten(), reshape({ shape: [-1, 3, 2] })], { inputShape: [4, 3, 2], loss: mse() });
    expect(back.outputShape).toEqual([4, 3, 2]);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(x.data));
    expect(sequential([reshape({ shape: [28, 28, 1] })], { inputShape: [784], loss: mse() }).outputShape).toEqual([28, 28, 1]);
  });
});

describe('shape errors name the layer, the input and why', () => {
  const fail = (layers: LayerSpec[], inputShape: number[]): GradstreamError => {
    try {
      sequential(layers, { inputShape, loss: mse() });
    } catch (e) {
      expect(e).toBeInstanceOf(GradstreamError);
      return e as GradstreamError;
    }
    throw new Error('built');
  };

  it('a pooling window larger than what is left of the image', () => {
    const e = fail([maxPool2d({ poolSize: 2 }), maxPool2d({ poolSize: 2 })], [3, 3, 16]);
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe("node \"maxPool2d_2\" (maxPool2d), input x: a 2×2 window (stride 2, padding valid) does not fit [batch,1,1,16]: it needs at least 2×2 pixels; use a smaller window, or padding 'same'");
    expect(fail([avgPool2d({ poolSize: [1, 4], strides: [1, 2] })], [5, 3, 1]).message).toContain('input x: a 1×4 window (stride 1×2, padding valid) does not fit [batch,5,3,1]');
  });

  it('an input that is not an NHWC image, and a reshape that does not hold the same values', () => {
    expect(fail([globalAvgPool()], [10]).message).toBe('node "globalAvgPool_1" (globalAvgPool), input x: expected [batch,height,width,channels] (NHWC), got [1,10]');
    expect(fail([reshape({ shape: [5, 5] })], [24]).message).toBe('node "reshape_1" (reshape), input x: expected [batch,…] of 25 values per sample (to reshape to [batch,5,5]), got [1,24]');
    expect(fail([reshape({ shape: [5, -1] })], [24]).message).toContain('expected [batch,…] of a multiple of 5 values per sample (to reshape to [batch,5,-1])');
    expect(fail([reshape({ shape: [-1, -1] })], [24]).code).toBe('INVALID_CONFIG');
  });
});
