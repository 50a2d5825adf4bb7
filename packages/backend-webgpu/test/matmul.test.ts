import { Rng, tsBackend } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionKernels } from '../src/kernels/attention.js';
import { matmulKernels } from '../src/kernels/matmul.js';
import type { GpuContext } from '../src/gpu-context.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let k: ReturnType<typeof matmulKernels> & ReturnType<typeof attentionKernels>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  k = { ...matmulKernels(ctx), ...attentionKernels(ctx) };
});

const random = (n: number, rng: Rng): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-2, 2));

const FLAGS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

/**
 * Each element within float32 rounding of the reference: its error bounded by a small multiple of
 * the magnitude of its dot product's terms, `Σ|a||b|` (plus `|out|` when accumulating), which a
 * wrong term, a missing one or an unwritten element exceeds.
 */
function expectProduct(got: Float32Array, want: Float32Array, magnitude: Float32Array): void {
  expect(got.length).toBe(want.length);
  let bad = -1;
  for (let e = 0; e < want.length; e++) {
    const bound = 1e-5 * (magnitude[e] as number) + 1e-30;
    if (!(Math.abs((got[e] as number) - (want[e] as number)) <= bound)) {
      bad = e;
      break;
    }
  }
  if (bad >= 0) expect.fail(`element ${bad}: got ${got[bad]}, want ${want[bad]} (±${1e-5 * (magnitude[bad] as number)})`);
}

/**
 * Runs one batched product (`batches` 0 means the plain `matmul`) on the GPU and on the TypeScript
 * backend, with and without `accumulate`, and compares them.
 */
async function checkProduct(rng: Rng, batches: number, m: number, n: number, kk: number, transA: boolean, transB: boolean): Promise<void> {
  const count = Math.max(batches, 1);
  const a = random(count * m * kk, rng);
  const b = random(count * kk * n, rng);
  const start = random(count * m * n, rng);
  const ga = upload(ctx, a);
  const gb = upload(ctx, b);
  const absA = a.map(Math.abs);
  const absB = b.map(Math.abs);
  for (const accumulate of [false, true]) {
    const want = accumulate ? start.slice() : new Float32Array(count * m * n);
    const magnitude = accumulate ? start.map(Math.abs) : new Float32Array(count * m * n);
    const out = accumulate ? upload(ctx, start) : blank(ctx, count * m * n);
    if (batches === 0) {
      k.matmul(ga, gb, out, m, n, kk, transA, transB, accumulate);
      tsBackend.matmul(a, b, want, m, n, kk, transA, transB, accumulate);
      tsBackend.matmul(absA, absB, magnitude, m, n, kk, transA, transB, accumulate);
    } else {
      k.batchMatmul(ga, gb, out, batches, m, n, kk, transA, transB, accumulate);
      tsBackend.batchMatmul(a, b, want, batches, m, n, kk, transA, transB, accumulate);
      tsBackend.batchMatmul(absA, absB, magnitude, batches, m, n, kk, transA, transB, accumulate);
    }
    expectProduct(await download(ctx, out), want, magnitude);
  }
}

describe('matmul on WebGPU', () => {
  const shapes: readonly (readonly [number, number, number])[] = [
    [1, 1, 1],
    [1, 7, 3],
    [5, 1, 9],
    [17, 33, 65],
    [64, 64, 64],
    [65, 63, 129],
    [3, 200, 1],
    [4, 3, 0],
    // More than 4,096 outputs: the tiled kernel, with ragged tiles along both sides and k.
    [65, 67, 129],
    [1, 4099, 5],
    [130, 33, 17],
    [256, 256, 256],
  ];
  for (const [m, n, kk] of shapes) {
    it(`equals the TypeScript backend's at m×n×k = ${m}×${n}×${kk}, all four transposes, with and without accumulate`, async () => {
      const rng = Rng.fromSeed(m * 1000003 + n * 1009 + kk);
      for (const [transA, transB] of FLAGS) await checkProduct(rng, 0, m, n, kk, transA, transB);
    });
  }

  it('reads one array given as both operands (X·Xᵀ)', async () => {
    const x = random(37 * 70, Rng.fromSeed(5));
    const gx = upload(ctx, x);
    const out = blank(ctx, 37 * 37);
    const want = new Float32Array(37 * 37);
    k.matmul(gx, gx, out, 37, 37, 70, false, true);
    tsBackend.matmul(x, x, want, 37, 37, 70, false, true);
    const magnitude = new Float32Array(37 * 37);
    const absX = x.map(Math.abs);
    tsBackend.matmul(absX, absX, magnitude, 37, 37, 70, false, true);
    expectProduct(await download(ctx, out), want, magnitude);
  });

  it('writes nothing past m·n elements of out', async () => {
    const out = blank(ctx, 3 * 5 + 7, 4.5);
    k.matmul(upload(ctx, random(3 * 2, Rng.fromSeed(1))), upload(ctx, random(2 * 5, Rng.fromSeed(2))), out, 3, 5, 2);
    expect(Array.from((await download(ctx, out)).subarray(15))).toEqual(new Array(7).fill(4.5));
  });
});

describe('attention kernels on WebGPU', () => {
  const shapes: readonly (readonly [number, number, number, number])[] = [
    [1, 1, 1, 1],
    [1, 5, 3, 7],
    [3, 5, 3, 7],
    [3, 13, 70, 9],
    [3, 66, 9, 67],
    // 3 × 40 × 40 outputs: the tiled kernel over the grid's z axis.
    [3, 40, 40, 19],
  ];
  for (const [batches, m, n, kk] of shapes) {
    it(`batchMatmul equals the TypeScript backend's over ${batches} batches of ${m}×${n}×${kk}, all flags`, async () => {
      const rng = Rng.fromSeed(batches * 7919 + m * 131 + n * 17 + kk);
      for (const [transA, transB] of FLAGS) await checkProduct(rng, batches, m, n, kk, transA, transB);
    });
  }

  for (const [outer, rows, cols, depth] of [
    [1, 1, 1, 1],
    [1, 3, 2, 1],
    [2, 7, 3, 5],
    [3, 5, 4, 17],
  ] as const) {
    it(`transposeHeads equals the TypeScript backend's for [${outer}, ${rows}, ${cols}, ${depth}]`, async () => {
      const size = outer * rows * cols * depth;
      const x = random(size, Rng.fromSeed(size));
      const out = blank(ctx, size);
      const want = new Float32Array(size);
      k.transposeHeads(upload(ctx, x), out, outer, rows, cols, depth);
      tsBackend.transposeHeads(x, want, outer, rows, cols, depth);
      expect(await download(ctx, out)).toEqual(want);
    });
  }

  for (const [blocks, size] of [
    [1, 1],
    [1, 2],
    [3, 7],
    [2, 33],
  ] as const) {
    it(`causalMask equals the TypeScript backend's for ${blocks} blocks of ${size}×${size}`, async () => {
      const x = random(blocks * size * size, Rng.fromSeed(blocks * 100 + size));
      const gx = upload(ctx, x);
      const want = x.slice();
      k.causalMask(gx, blocks, size);
      tsBackend.causalMask(want, blocks, size);
      expect(await download(ctx, gx)).toEqual(want);
    });
  }
});
