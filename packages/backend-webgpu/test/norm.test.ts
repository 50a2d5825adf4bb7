import { Rng, tsBackend } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu-context.js';
import { normKernels } from '../src/kernels/norm.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let k: ReturnType<typeof normKernels>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  k = normKernels(ctx);
});

/** rows×cols: single elements, one row, odd shapes, tall and wide (both past one workgroup's lanes). */
const SHAPES: readonly (readonly [number, number])[] = [
  [1, 1],
  [1, 7],
  [5, 3],
  [37, 9],
  [300, 5],
  [7, 300],
  [2100, 3],
  [3, 2100],
];
const EPSILONS = [1e-5, 1e-3] as const;

const random = (rng: Rng, n: number, lo = -2, hi = 2): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

/** Each element within `rel·|want| + abs`; a NaN (an element never written) never is. */
function expectClose(got: Float32Array, want: Float32Array, what: string, rel = 1e-4, abs = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  for (let j = 0; j < want.length; j++) {
    const g = got[j] as number;
    const w = want[j] as number;
    if (!(Math.abs(g - w) <= rel * Math.abs(w) + abs)) expect.fail(`${what}[${j}]: got ${g}, want ${w}`);
  }
}

/** Batch statistics as training computes them (float32, like the buffers). */
function moments(x: Float32Array, rows: number, cols: number): { mean: Float32Array; variance: Float32Array } {
  const mean = new Float32Array(cols);
  const variance = new Float32Array(cols);
  tsBackend.columnMoments(x, mean, variance, rows, cols);
  return { mean, variance };
}

describe('normalization kernels on WebGPU', () => {
  for (const [rows, cols] of SHAPES) {
    const shape = `${rows}×${cols}`;

    it(`columnMoments equals the TypeScript backend's at ${shape}, also far from zero`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols);
      // The offset column set breaks a one-pass E[x²] − E[x]² in float32.
      for (const x of [random(rng, rows * cols), random(rng, rows * cols, 999, 1001)]) {
        const want = moments(x, rows, cols);
        const mean = blank(ctx, cols);
        const variance = blank(ctx, cols);
        k.columnMoments(upload(ctx, x), mean, variance, rows, cols);
        expectClose(await download(ctx, mean), want.mean, 'mean');
        expectClose(await download(ctx, variance), want.variance, 'variance');
      }
    });

    it(`movingAverage equals the TypeScript backend's at ${shape}`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols + 1);
      const average = random(rng, rows * cols);
      const value = random(rng, rows * cols);
      const gpu = upload(ctx, average);
      k.movingAverage(gpu, upload(ctx, value), 0.9);
      tsBackend.movingAverage(average, value, 0.9);
      expectClose(await download(ctx, gpu), average, 'average', 1e-6, 1e-6);
    });

    it(`batchNorm equals the TypeScript backend's at ${shape}, out apart and out = x`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols + 2);
      const x = random(rng, rows * cols);
      const { mean, variance } = moments(x, rows, cols);
      const gamma = random(rng, cols);
      const beta = random(rng, cols);
      const args = [upload(ctx, mean), upload(ctx, variance), upload(ctx, gamma), upload(ctx, beta)] as const;
      for (const epsilon of EPSILONS) {
        const want = new Float32Array(rows * cols);
        tsBackend.batchNorm(x, mean, variance, gamma, beta, want, rows, cols, epsilon);
        const gx = upload(ctx, x);
        const out = blank(ctx, rows * cols);
        k.batchNorm(gx, ...args, out, rows, cols, epsilon);
        expectClose(await download(ctx, out), want, `out (ε ${epsilon})`);
        k.batchNorm(gx, ...args, gx, rows, cols, epsilon);
        expectClose(await download(ctx, gx), want, `out = x (ε ${epsilon})`);
      }
    });

    it(`batchNormBackward equals the TypeScript backend's at ${shape}, with dx, without, and dx = dy`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols + 3);
      const x = random(rng, rows * cols);
      const { mean, variance } = moments(x, rows, cols);
      const gamma = random(rng, cols);
      const dy = random(rng, rows * cols);
      const inputs = [upload(ctx, x), upload(ctx, mean), upload(ctx, variance), upload(ctx, gamma)] as const;
      for (const epsilon of EPSILONS) {
        const want = { dx: new Float32Array(rows * cols), dgamma: new Float32Array(cols), dbeta: new Float32Array(cols) };
        tsBackend.batchNormBackward(x, mean, variance, gamma, dy, want.dx, want.dgamma, want.dbeta, rows, cols, epsilon);
        for (const mode of ['dx', 'none', 'dx = dy'] as const) {
          const gdy = upload(ctx, dy);
          const dx = mode === 'dx' ? blank(ctx, rows * cols) : mode === 'dx = dy' ? gdy : undefined;
          const dgamma = blank(ctx, cols);
          const dbeta = blank(ctx, cols);
          k.batchNormBackward(...inputs, gdy, dx, dgamma, dbeta, rows, cols, epsilon);
          const what = `(${mode}, ε ${epsilon})`;
          expectClose(await download(ctx, dgamma), want.dgamma, `dgamma ${what}`);
          expectClose(await download(ctx, dbeta), want.dbeta, `dbeta ${what}`);
          if (dx !== undefined) expectClose(await download(ctx, dx), want.dx, `dx ${what}`);
          else expect(await download(ctx, gdy), 'dy untouched').toEqual(dy);
        }
      }
    });

    it(`layerNorm equals the TypeScript backend's at ${shape}, out apart and out = x`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols + 4);
      const x = random(rng, rows * cols);
      const gamma = random(rng, cols);
      const beta = random(rng, cols);
      const gg = upload(ctx, gamma);
      const gb = upload(ctx, beta);
      for (const epsilon of EPSILONS) {
        const want = { out: new Float32Array(rows * cols), mean: new Float32Array(rows), invStd: new Float32Array(rows) };
        tsBackend.layerNorm(x, gamma, beta, want.out, want.mean, want.invStd, rows, cols, epsilon);
        for (const inPlace of [false, true]) {
          const gx = upload(ctx, x);
          const out = inPlace ? gx : blank(ctx, rows * cols);
          const mean = blank(ctx, rows);
          const invStd = blank(ctx, rows);
          k.layerNorm(gx, gg, gb, out, mean, invStd, rows, cols, epsilon);
          const what = `(${inPlace ? 'out = x' : 'out apart'}, ε ${epsilon})`;
          expectClose(await download(ctx, out), want.out, `out ${what}`);
          expectClose(await download(ctx, mean), want.mean, `mean ${what}`);
          expectClose(await download(ctx, invStd), want.invStd, `invStd ${what}`);
        }
      }
    });

    it(`layerNormBackward equals the TypeScript backend's at ${shape}, with dx, without, and dx = dy`, async () => {
      const rng = Rng.fromSeed(rows * 1000 + cols + 5);
      const x = random(rng, rows * cols);
      const gamma = random(rng, cols);
      const dy = random(rng, rows * cols);
      for (const epsilon of EPSILONS) {
        // The saved statistics, as the forward pass left them.
        const mean = new Float32Array(rows);
        const invStd = new Float32Array(rows);
        tsBackend.layerNorm(x, gamma, gamma, new Float32Array(rows * cols), mean, invStd, rows, cols, epsilon);
        const want = { dx: new Float32Array(rows * cols), dgamma: new Float32Array(cols), dbeta: new Float32Array(cols) };
        tsBackend.layerNormBackward(x, mean, invStd, gamma, dy, want.dx, want.dgamma, want.dbeta, rows, cols);
        const inputs = [upload(ctx, x), upload(ctx, mean), upload(ctx, invStd), upload(ctx, gamma)] as const;
        for (const mode of ['dx', 'none', 'dx = dy'] as const) {
          const gdy = upload(ctx, dy);
          const dx = mode === 'dx' ? blank(ctx, rows * cols) : mode === 'dx = dy' ? gdy : undefined;
          const dgamma = blank(ctx, cols);
          const dbeta = blank(ctx, cols);
          k.layerNormBackward(...inputs, gdy, dx, dgamma, dbeta, rows, cols);
          const what = `(${mode}, ε ${epsilon})`;
          expectClose(await download(ctx, dgamma), want.dgamma, `dgamma ${what}`);
          expectClose(await download(ctx, dbeta), want.dbeta, `dbeta ${what}`);
          if (dx !== undefined) expectClose(await download(ctx, dx), want.dx, `dx ${what}`);
          else expect(await download(ctx, gdy), 'dy untouched').toEqual(dy);
        }
      }
    });
  }

  it('writes zero moments and gradients for zero rows', async () => {
    const mean = blank(ctx, 3);
    const variance = blank(ctx, 3);
    k.columnMoments(blank(ctx, 0), mean, variance, 0, 3);
    expect(await download(ctx, mean)).toEqual(new Float32Array(3));
    expect(await download(ctx, variance)).toEqual(new Float32Array(3));
    const dgamma = blank(ctx, 3);
    const dbeta = blank(ctx, 3);
    k.layerNormBackward(blank(ctx, 0), blank(ctx, 0), blank(ctx, 0), upload(ctx, [1, 1, 1]), blank(ctx, 0), blank(ctx, 0), dgamma, dbeta, 0, 3);
    expect(await download(ctx, dgamma)).toEqual(new Float32Array(3));
    expect(await download(ctx, dbeta)).toEqual(new Float32Array(3));
  });
});
