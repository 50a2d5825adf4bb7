import { GradstreamError, Rng, UNARY_NAMES, UNARY_OPS, tsBackend, type UnaryName } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu-context.js';
import { sumRowsKernel } from '../src/kernels/sum-rows.js';
import { unaryKernelsWebGpu } from '../src/kernels/unary.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let k: ReturnType<typeof unaryKernelsWebGpu> & ReturnType<typeof sumRowsKernel>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  k = { ...unaryKernelsWebGpu(ctx), ...sumRowsKernel(ctx) };
});

/*
 * Tolerance of one value: 2e-5·|want| + 1e-6. The GPU's exp and log are not correctly rounded
 * (Vulkan allows exp 3 + 2·|x| ulps, so up to ~60 ulps ≈ 4e-6 relative at |x| = 30), and the
 * expressions carry a few such errors through a division: 2e-5 relative (~170 ulps) holds them,
 * while any wrong term or constant moves a result by far more. The absolute 1e-6 covers outputs
 * that vanish (σ(−30) ≈ 1e-13, GELU of large negatives), whose absolute error is what matters.
 */
const REL = 2e-5;
const ABS = 1e-6;

/**
 * Every mismatch of `got` against `want` beyond `bound(i)`: NaN must stay NaN and an infinity be
 * itself; with `signedZeros`, an exact 0 must keep its sign. (Not in general: where the reference's
 * float64 intermediates underflow float32, as GELU′ far out, the sign of a 0 is the rounding's.)
 */
function mismatches(got: Float32Array, want: Float32Array, bound: (i: number) => number, signedZeros = false): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    const exact = !Number.isFinite(w) || (signedZeros && w === 0);
    const ok = Number.isNaN(w) ? Number.isNaN(g) : exact ? Object.is(g, w) : Math.abs(g - w) <= bound(i);
    if (!ok) bad.push(`[${i}] got ${Object.is(g, -0) ? '-0' : g}, want ${Object.is(w, -0) ? '-0' : w}`);
  }
  return bad.slice(0, 8);
}

const close = (got: Float32Array, want: Float32Array, context: string, signedZeros = false): void => {
  expect(mismatches(got, want, (i) => REL * Math.abs(want[i] as number) + ABS, signedZeros), context).toEqual([]);
};

/** The interesting points of every function: both signs, around 0, where they bend, where they saturate. */
const EDGES = [-88, -50, -30, -20, -10, -6, -5, -3, -2, -1, -0.5, -0.1, -1e-3, -1e-7, -0, 0, 1e-7, 1e-3, 0.1, 0.5, 1, 2, 3, 5, 6, 10, 20, 30, 50, 88];

/** `n` inputs: the edges, then normal samples (scale 3) and uniform ones over ±40. */
function inputs(n: number, seed: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i < EDGES.length ? (EDGES[i] as number) : i % 2 === 0 ? 3 * rng.normal() : rng.uniform(-40, 40);
  return out;
}

const normals = (n: number, seed: number): Float32Array => {
  const rng = Rng.fromSeed(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

/** The p values to try: the default of the kernels' signatures, and for a parameterised function its own default and another. */
function paramsOf(fn: UnaryName): (number | undefined)[] {
  const param = (UNARY_OPS[fn] as { param?: { default: number } }).param;
  return param === undefined ? [undefined] : [undefined, param.default, 0.3];
}

/** The value `fn`'s backward reads, as its forward would have saved it. */
function saved(fn: UnaryName, x: Float32Array, p: number | undefined): Float32Array {
  if (UNARY_OPS[fn].saves === 'x') return x;
  const y = new Float32Array(x.length);
  tsBackend.unary(fn, x, y, p);
  return y;
}

describe('elementwise function kernels on WebGPU', () => {
  for (const fn of UNARY_NAMES) {
    it(`${fn}: unary, unaryBackward, biasUnary and unaryBiasBackward equal the TypeScript backend's`, async () => {
      const n = 517;
      const x = inputs(n, 1);
      const dy = normals(n, 2);
      const gx = upload(ctx, x);
      const gdy = upload(ctx, dy);
      for (const p of paramsOf(fn)) {
        const at = `${fn}, p = ${p}`;
        const want = new Float32Array(n);
        const out = blank(ctx, n);
        k.unary(fn, gx, out, p);
        tsBackend.unary(fn, x, want, p);
        close(await download(ctx, out), want, `unary ${at}`);

        const s = saved(fn, x, p);
        const dx = blank(ctx, n);
        k.unaryBackward(fn, upload(ctx, s), gdy, dx, p);
        tsBackend.unaryBackward(fn, s, dy, want, p);
        close(await download(ctx, dx), want, `unaryBackward ${at}`);

        // 300 rows: the column sum of dbias by workgroups (see sum-rows.ts).
        for (const [rows, cols] of [
          [1, 5],
          [11, 47],
          [300, 3],
        ] as const) {
          await checkBias(fn, rows, cols, p);
        }
      }
    });
  }

  it('biasUnary may write over z; unaryBiasBackward may write dz over dy', async () => {
    const [rows, cols] = [9, 31];
    const z = inputs(rows * cols, 3);
    const bias = normals(cols, 4);
    const want = new Float32Array(rows * cols);
    const gz = upload(ctx, z);
    k.biasUnary('gelu', gz, upload(ctx, bias), gz, rows, cols);
    tsBackend.biasUnary('gelu', z, bias, want, rows, cols);
    close(await download(ctx, gz), want, 'biasUnary in place');

    const y = saved('tanh', z, undefined);
    const dy = normals(rows * cols, 5);
    const gdy = upload(ctx, dy);
    const dbias = blank(ctx, cols);
    const wantDbias = new Float32Array(cols);
    k.unaryBiasBackward('tanh', upload(ctx, y), gdy, gdy, dbias, rows, cols);
    tsBackend.unaryBiasBackward('tanh', y, dy, dy, wantDbias, rows, cols);
    close(await download(ctx, gdy), dy, 'unaryBiasBackward in place');
    expect(mismatches(await download(ctx, dbias), wantDbias, (c) => REL * columnAbsSum(dy, rows, cols, c) + ABS)).toEqual([]);
  });

  it('holds the conventions at the edges: NaN stays NaN, infinities saturate, −0 stays −0', async () => {
    // GELU of −40 is −0 (saturated); relu, tanh and GELU of −0 are −0.
    const x = Float32Array.from([Number.NaN, Infinity, -Infinity, 0, -0, -40, 1, -1]);
    const dy = Float32Array.from([1, 1, -1, -1, 1, -1, Number.NaN, 2]);
    const out = blank(ctx, x.length);
    const want = new Float32Array(x.length);
    for (const fn of UNARY_NAMES) {
      k.unary(fn, upload(ctx, x), out);
      tsBackend.unary(fn, x, want);
      close(await download(ctx, out), want, `unary ${fn}`, true);
      k.biasUnary(fn, upload(ctx, x), upload(ctx, [0, -0]), out, x.length / 2, 2);
      tsBackend.biasUnary(fn, x, Float32Array.from([0, -0]), want, x.length / 2, 2);
      close(await download(ctx, out), want, `biasUnary ${fn}`, true);
      const s = saved(fn, x, undefined);
      k.unaryBackward(fn, upload(ctx, s), upload(ctx, dy), out);
      tsBackend.unaryBackward(fn, s, dy, want);
      close(await download(ctx, out), want, `unaryBackward ${fn}`, true);
    }
  });

  it('rejects an unknown function as the TypeScript backend does', () => {
    const a = upload(ctx, [1]);
    for (const fn of ['swish', 'constructor']) {
      for (const call of [() => k.unary(fn as UnaryName, a, a), () => tsBackend.unary(fn as UnaryName, a, new Float32Array(1))]) {
        expect(call).toThrow(GradstreamError);
        try {
          call();
        } catch (e) {
          expect((e as GradstreamError).code).toBe('INVALID_OPTION');
        }
      }
    }
  });
});

/** Σ_r |m[r,c]|: what bounds the rounding of a column's sum. */
function columnAbsSum(m: Float32Array, rows: number, cols: number, c: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) s += Math.abs(m[r * cols + c] as number);
  return s;
}

/** biasUnary and unaryBiasBackward of `fn` against the TypeScript backend's on one shape. */
async function checkBias(fn: UnaryName, rows: number, cols: number, p: number | undefined): Promise<void> {
  const at = `${fn} ${rows}×${cols}, p = ${p}`;
  const n = rows * cols;
  const z = inputs(n, rows + cols);
  const bias = normals(cols, 7).map((v) => 4 * v);
  const want = new Float32Array(n);
  const out = blank(ctx, n);
  k.biasUnary(fn, upload(ctx, z), upload(ctx, bias), out, rows, cols, p);
  tsBackend.biasUnary(fn, z, bias, want, rows, cols, p);
  close(await download(ctx, out), want, `biasUnary ${at}`);

  // The saved value of the biased input: z + bias itself, or the forward's output.
  const biased = z.map((v, i) => v + (bias[i % cols] as number));
  const s = saved(fn, biased, p);
  const dy = normals(n, 8);
  const dz = blank(ctx, n);
  const dbias = blank(ctx, cols);
  const wantDbias = new Float32Array(cols);
  k.unaryBiasBackward(fn, upload(ctx, s), upload(ctx, dy), dz, dbias, rows, cols, p);
  tsBackend.unaryBiasBackward(fn, s, dy, want, wantDbias, rows, cols, p);
  close(await download(ctx, dz), want, `unaryBiasBackward dz ${at}`);
  // Each term within its own tolerance, plus the sum's rounding: bounded by the sum of the terms' magnitudes.
  const bound = (c: number): number => REL * columnAbsSum(want, rows, cols, c) + ABS * rows;
  expect(mismatches(await download(ctx, dbias), wantDbias, bound), `unaryBiasBackward dbias ${at}`).toEqual([]);
}

describe('sumRows on WebGPU', () => {
  // Below 256 rows one invocation per column; from 256 rows and under 4096 columns, a workgroup per column.
  const shapes = [
    [1, 1],
    [1, 300],
    [7, 13],
    [255, 3],
    [256, 1],
    [1000, 7],
    [3, 4097],
    [300, 4096],
  ] as const;
  for (const [rows, cols] of shapes) {
    it(`equals the TypeScript backend's at ${rows}×${cols}, with and without accumulate`, async () => {
      const x = normals(rows * cols, rows * 31 + cols);
      const gx = upload(ctx, x);
      // Σ|x| and the sum's own rounding (f32 in both, in different orders for the tree): 1e-5 of it
      // is far above either's error and far below any missing or repeated row.
      const bound = (c: number): number => 1e-5 * (columnAbsSum(x, rows, cols, c) + 1);
      const want = new Float32Array(cols);
      const out = blank(ctx, cols);
      k.sumRows(gx, out, rows, cols);
      tsBackend.sumRows(x, want, rows, cols);
      expect(mismatches(await download(ctx, out), want, bound), 'assign').toEqual([]);

      const start = normals(cols, 99);
      const acc = upload(ctx, start);
      const wantAcc = Float32Array.from(start);
      k.sumRows(gx, acc, rows, cols, true);
      tsBackend.sumRows(x, wantAcc, rows, cols, true);
      expect(mismatches(await download(ctx, acc), wantAcc, bound), 'accumulate').toEqual([]);
    });
  }

  it('writes 0 for no rows (or leaves an accumulated sum as it is), and keeps a column of −0s at −0', async () => {
    const out = blank(ctx, 3);
    k.sumRows(upload(ctx, [0]), out, 0, 3);
    expect(Array.from(await download(ctx, out))).toEqual([0, 0, 0]);
    const dbias = blank(ctx, 3);
    k.unaryBiasBackward('relu', upload(ctx, [0]), upload(ctx, [0]), upload(ctx, [0]), dbias, 0, 3);
    expect(Array.from(await download(ctx, dbias))).toEqual([0, 0, 0]);
    const acc = upload(ctx, [1, 2, 3]);
    k.sumRows(upload(ctx, [0]), acc, 0, 3, true);
    expect(Array.from(await download(ctx, acc))).toEqual([1, 2, 3]);
    for (const rows of [3, 300]) {
      const zeros = blank(ctx, 2);
      k.sumRows(upload(ctx, new Float32Array(rows * 2).fill(-0)), zeros, rows, 2);
      expect(Array.from(await download(ctx, zeros)).map((v) => Object.is(v, -0))).toEqual([true, true]);
    }
  });
});
