import { tsBackend } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { elementwiseKernels } from '../src/kernels/elementwise.js';
import type { GpuContext } from '../src/gpu-context.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let k: ReturnType<typeof elementwiseKernels>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  k = elementwiseKernels(ctx);
});

const random = (n: number, seed: number): Float32Array => {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 4 - 2;
  }
  return out;
};

describe('elementwise kernels on WebGPU', () => {
  for (const n of [1, 7, 255, 256, 257, 1000]) {
    it(`add, mul, scale, copy, fill and addRowBroadcast equal the TypeScript backend's at ${n} elements`, async () => {
      const a = random(n, n);
      const b = random(n, n + 1);
      const want = new Float32Array(n);
      const ga = upload(ctx, a);
      const gb = upload(ctx, b);
      const out = blank(ctx, n);
      k.add(ga, gb, out);
      tsBackend.add(a, b, want);
      expect(await download(ctx, out)).toEqual(want);
      k.mul(ga, gb, out);
      tsBackend.mul(a, b, want);
      expect(await download(ctx, out)).toEqual(want);
      k.scale(ga, -1.5, out);
      tsBackend.scale(a, -1.5, want);
      expect(await download(ctx, out)).toEqual(want);
      k.copy(gb, out);
      expect(await download(ctx, out)).toEqual(b);
      k.fill(out, 3.25);
      expect(await download(ctx, out)).toEqual(new Float32Array(n).fill(3.25));
      const cols = n % 2 === 0 ? 2 : 1;
      const bias = random(cols, 9);
      k.addRowBroadcast(ga, upload(ctx, bias), out, n / cols, cols);
      tsBackend.addRowBroadcast(a, bias, want, n / cols, cols);
      expect(await download(ctx, out)).toEqual(want);
    });
  }

  it('binds an array given twice once (out aliasing an input)', async () => {
    const a = random(300, 1);
    const ga = upload(ctx, a);
    k.add(ga, ga, ga);
    expect(await download(ctx, ga)).toEqual(a.map((v) => v + v));
  });

  it('spills more than 65,535 workgroups into the grid\'s second axis', async () => {
    const n = 65536 * 256 + 3;
    const out = blank(ctx, n, 0);
    k.fill(out, 2);
    const got = await download(ctx, out);
    expect(got[0]).toBe(2);
    expect(got[n - 1]).toBe(2);
    expect(got.every((v) => v === 2)).toBe(true);
  });
});
