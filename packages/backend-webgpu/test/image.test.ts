import { Rng, tsBackend } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu-context.js';
import { imageKernels } from '../src/kernels/image.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let k: ReturnType<typeof imageKernels>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  k = imageKernels(ctx);
});

interface Shape {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Top, left, bottom, right. */
  readonly pad: readonly [number, number, number, number];
}

interface Geometry extends Shape {
  readonly outH: number;
  readonly outW: number;
}

const SHAPES: readonly Shape[] = [
  { batch: 1, h: 5, w: 7, c: 1, kh: 1, kw: 1, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] },
  { batch: 3, h: 5, w: 7, c: 3, kh: 3, kw: 3, stride: [1, 1], dilation: [1, 1], pad: [1, 1, 1, 1] },
  { batch: 1, h: 9, w: 9, c: 3, kh: 3, kw: 3, stride: [2, 2], dilation: [1, 1], pad: [1, 1, 1, 1] },
  { batch: 3, h: 9, w: 9, c: 1, kh: 2, kw: 3, stride: [2, 2], dilation: [1, 1], pad: [0, 1, 1, 1] },
  { batch: 3, h: 7, w: 5, c: 3, kh: 2, kw: 3, stride: [2, 1], dilation: [1, 1], pad: [1, 0, 0, 2] },
  { batch: 1, h: 9, w: 9, c: 3, kh: 2, kw: 2, stride: [2, 2], dilation: [1, 1], pad: [0, 0, 0, 0] },
  // Strides wider than the window: pixels no window reads.
  { batch: 3, h: 9, w: 9, c: 1, kh: 2, kw: 2, stride: [3, 3], dilation: [1, 1], pad: [0, 0, 0, 0] },
  { batch: 3, h: 5, w: 7, c: 3, kh: 3, kw: 3, stride: [1, 1], dilation: [2, 2], pad: [2, 2, 2, 2] },
  { batch: 1, h: 9, w: 9, c: 3, kh: 2, kw: 3, stride: [2, 1], dilation: [2, 1], pad: [1, 0, 0, 1] },
  { batch: 3, h: 9, w: 9, c: 1, kh: 3, kw: 3, stride: [2, 2], dilation: [2, 2], pad: [0, 0, 0, 0] },
];

const geometry = (s: Shape): Geometry => {
  const span = (n: number, k: number, stride: number, dilation: number, before: number, after: number): number => Math.floor((n + before + after - dilation * (k - 1) - 1) / stride) + 1;
  return { ...s, outH: span(s.h, s.kh, s.stride[0], s.dilation[0], s.pad[0], s.pad[2]), outW: span(s.w, s.kw, s.stride[1], s.dilation[1], s.pad[1], s.pad[3]) };
};

const label = (g: Geometry): string =>
  `${g.batch}×${g.h}×${g.w}×${g.c}, window ${g.kh}×${g.kw}, stride ${g.stride.join('×')}, dilation ${g.dilation.join('×')}, padding ${g.pad.join('/')}`;

/** Pooling has no dilation, and its windows must each hold a pixel of the image. */
const poolable = (g: Geometry): boolean => g.dilation[0] === 1 && g.dilation[1] === 1 && g.pad[0] < g.kh && g.pad[2] < g.kh && g.pad[1] < g.kw && g.pad[3] < g.kw;

const random = (n: number, seed: number): Float32Array => {
  const rng = Rng.fromSeed(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
};

/** Few distinct values, signed zeros among them and some NaNs: ties and NaNs in most windows. */
const tied = (n: number, seed: number): Float32Array => {
  const rng = Rng.fromSeed(seed);
  const values = [-1, -0, 0, 1, 1, 2, 2, Number.NaN];
  return Float32Array.from({ length: n }, () => values[rng.int(values.length)] as number);
};

/** The elements where `got` is further than float32 rounding of a short sum from `want`. */
const mismatches = (got: Float32Array, want: Float32Array, rel = 1e-5): string[] => {
  const bad: string[] = [];
  if (got.length !== want.length) return [`length ${got.length} ≠ ${want.length}`];
  for (let j = 0; j < want.length && bad.length < 5; j++) {
    const a = got[j] as number;
    const b = want[j] as number;
    if (!(Math.abs(a - b) <= rel * (1 + Math.abs(b)))) bad.push(`[${j}] ${a} ≠ ${b}`);
  }
  return bad;
};

const imageSize = (g: Geometry): number => g.batch * g.h * g.w * g.c;
const outSize = (g: Geometry): number => g.batch * g.outH * g.outW * g.c;

describe('image kernels on WebGPU', () => {
  SHAPES.map(geometry).forEach((g, s) => {
    const convArgs = [g.batch, g.h, g.w, g.c, g.kh, g.kw, g.stride[0], g.stride[1], g.dilation[0], g.dilation[1], g.pad[0], g.pad[1], g.outH, g.outW] as const;
    const poolArgs = [g.batch, g.h, g.w, g.c, g.kh, g.kw, g.stride[0], g.stride[1], g.pad[0], g.pad[1], g.outH, g.outW] as const;

    it(`im2col and col2im equal the TypeScript backend's: ${label(g)}`, async () => {
      const x = random(imageSize(g), s + 1);
      const colsLength = g.batch * g.outH * g.outW * g.kh * g.kw * g.c;
      const cols = blank(ctx, colsLength);
      k.im2col(upload(ctx, x), cols, ...convArgs);
      const wantCols = new Float32Array(colsLength);
      tsBackend.im2col(x, wantCols, ...convArgs);
      expect(await download(ctx, cols)).toEqual(wantCols);

      const dcols = random(colsLength, s + 100);
      const dx = blank(ctx, imageSize(g));
      k.col2im(upload(ctx, dcols), dx, ...convArgs);
      const wantDx = new Float32Array(imageSize(g));
      tsBackend.col2im(dcols, wantDx, ...convArgs);
      expect(mismatches(await download(ctx, dx), wantDx)).toEqual([]);
    });

    if (!poolable(g)) return;

    it(`max pooling and its gradient equal the TypeScript backend's, ties and NaNs included: ${label(g)}`, async () => {
      for (const x of [random(imageSize(g), s + 200), tied(imageSize(g), s + 300)]) {
        const out = blank(ctx, outSize(g));
        const argmax = blank(ctx, outSize(g));
        k.maxPool2d(upload(ctx, x), out, argmax, ...poolArgs);
        const wantOut = new Float32Array(outSize(g));
        const wantArgmax = new Float32Array(outSize(g));
        tsBackend.maxPool2d(x, wantOut, wantArgmax, ...poolArgs);
        expect(await download(ctx, out)).toEqual(wantOut);
        expect(await download(ctx, argmax)).toEqual(wantArgmax);

        const dy = random(outSize(g), s + 400);
        const dx = blank(ctx, imageSize(g));
        k.maxPool2dBackward(upload(ctx, dy), argmax, dx, g.batch, g.h, g.w, g.c, g.outH, g.outW);
        const wantDx = new Float32Array(imageSize(g));
        tsBackend.maxPool2dBackward(dy, wantArgmax, wantDx, g.batch, g.h, g.w, g.c, g.outH, g.outW);
        expect(mismatches(await download(ctx, dx), wantDx)).toEqual([]);
      }
    });

    it(`average pooling and its gradient equal the TypeScript backend's: ${label(g)}`, async () => {
      const x = random(imageSize(g), s + 500);
      const out = blank(ctx, outSize(g));
      k.avgPool2d(upload(ctx, x), out, ...poolArgs);
      const wantOut = new Float32Array(outSize(g));
      tsBackend.avgPool2d(x, wantOut, ...poolArgs);
      expect(mismatches(await download(ctx, out), wantOut)).toEqual([]);

      const dy = random(outSize(g), s + 600);
      const dx = blank(ctx, imageSize(g));
      k.avgPool2dBackward(upload(ctx, dy), dx, ...poolArgs);
      const wantDx = new Float32Array(imageSize(g));
      tsBackend.avgPool2dBackward(dy, wantDx, ...poolArgs);
      expect(mismatches(await download(ctx, dx), wantDx)).toEqual([]);
    });
  });

  // Images with more pixels than the backward pass has invocations: each invocation then owns
  // several pixels (a last block cut short by an odd count; a whole image per invocation).
  for (const [batch, h, w, c] of [
    [3, 5, 5, 250],
    [2, 3, 3, 8192],
  ] as const) {
    it(`max pooling's gradient gathers blocks of pixels: ${batch}×${h}×${w}×${c}`, async () => {
      const g = geometry({ batch, h, w, c, kh: 2, kw: 2, stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0] });
      const poolArgs = [g.batch, g.h, g.w, g.c, g.kh, g.kw, g.stride[0], g.stride[1], g.pad[0], g.pad[1], g.outH, g.outW] as const;
      const x = tied(imageSize(g), 7);
      const argmax = new Float32Array(outSize(g));
      tsBackend.maxPool2d(x, new Float32Array(outSize(g)), argmax, ...poolArgs);
      const dy = random(outSize(g), 8);
      const dx = blank(ctx, imageSize(g));
      k.maxPool2dBackward(upload(ctx, dy), upload(ctx, argmax), dx, g.batch, g.h, g.w, g.c, g.outH, g.outW);
      const wantDx = new Float32Array(imageSize(g));
      tsBackend.maxPool2dBackward(dy, argmax, wantDx, g.batch, g.h, g.w, g.c, g.outH, g.outW);
      expect(mismatches(await download(ctx, dx), wantDx)).toEqual([]);
    });
  }
});
