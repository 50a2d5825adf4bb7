import { Rng, tsBackend } from '@gradstream/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/gpu-context.js';
import { sequenceKernels } from '../src/kernels/sequence.js';
import { blank, download, gpuContext, upload } from './support/gpu.js';

let ctx: GpuContext;
let k: ReturnType<typeof sequenceKernels>;
beforeAll(async () => {
  ({ ctx } = await gpuContext());
  k = sequenceKernels(ctx);
});

const VOCAB = 11;

/** `n` values uniform in [−scale, scale). */
const random = (rng: Rng, n: number, scale = 2): Float32Array => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
/** `n` ids in [0, VOCAB), as floats (repeats likely: vocab 11). */
const randomIds = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => Math.floor(rng.next() * VOCAB));
const nans = (n: number): Float32Array => new Float32Array(n).fill(Number.NaN);

/**
 * Checks the GPU's values against the TypeScript backend's within float32 rounding (1e-5 relative
 * plus 1e-6 absolute); a NaN is expected where the reference left its NaN (a place not written).
 */
async function expectClose(got: Float32Array, want: Float32Array, what: string): Promise<void> {
  const g = await download(ctx, got);
  expect(g.length).toBe(want.length);
  for (let q = 0; q < want.length; q++) {
    const w = want[q] as number;
    const v = g[q] as number;
    const ok = Number.isNaN(w) ? Number.isNaN(v) : Math.abs(v - w) <= 1e-5 * Math.abs(w) + 1e-6;
    if (!ok) expect.fail(`${what}[${q}]: got ${v}, want ${w}`);
  }
}

/** The same check, for kernels that only move or add float32 values: bit for bit. */
async function expectEqual(got: Float32Array, want: Float32Array): Promise<void> {
  expect(await download(ctx, got)).toEqual(want);
}

/** A host array and its GPU copy holding the same values. */
const pair = (values: Float32Array): [Float32Array, Float32Array] => [Float32Array.from(values), upload(ctx, values)];

const SHAPES = [1, 3].flatMap((batch) => [1, 4].map((steps) => ({ batch, steps })));

describe('gatherRows and scatterAddRows on WebGPU', () => {
  for (const { batch, steps } of SHAPES) {
    for (const dim of [3, 8]) {
      it(`equal the TypeScript backend's at batch ${batch}, steps ${steps}, dim ${dim}`, async () => {
        const rng = Rng.fromSeed(batch * 100 + steps * 10 + dim);
        const rows = batch * steps;
        const table = random(rng, VOCAB * dim);
        const ids = randomIds(rng, rows);
        const gIds = upload(ctx, ids);

        const want = nans(rows * dim);
        const out = blank(ctx, rows * dim);
        tsBackend.gatherRows(table, ids, want, batch, steps, dim, VOCAB);
        k.gatherRows(upload(ctx, table), gIds, out, batch, steps, dim, VOCAB);
        await expectEqual(out, want);

        // dTable accumulates, so it starts from real values; an id that repeats adds each row.
        const [dTable, gdTable] = pair(random(rng, VOCAB * dim));
        const dOut = random(rng, rows * dim);
        tsBackend.scatterAddRows(dOut, ids, dTable, batch, steps, dim, VOCAB);
        k.scatterAddRows(upload(ctx, dOut), gIds, gdTable, batch, steps, dim, VOCAB);
        await expectEqual(gdTable, dTable);
      });
    }
  }

  it('reads zeros for an id outside [0, vocab), and the next read back throws the CPU\'s error naming the op and the position', async () => {
    const dim = 2;
    const table = Float32Array.from({ length: VOCAB * dim }, (_, q) => q + 1);
    const ids = new Float32Array([3, -1, VOCAB, 2.5, Number.NaN, 0]);
    const out = blank(ctx, ids.length * dim);
    k.gatherRows(upload(ctx, table), upload(ctx, ids), out, 2, 3, dim, VOCAB, 'embedding "tokens"');
    let cpu: unknown;
    try {
      tsBackend.gatherRows(table, ids, new Float32Array(ids.length * dim), 2, 3, dim, VOCAB, 'embedding "tokens"');
    } catch (e) {
      cpu = e;
    }
    const read = ctx.arrays.read([out]);
    await expect(read).rejects.toMatchObject({ code: 'INVALID_DATA', message: (cpu as Error).message, details: { op: 'embedding "tokens"', position: [0, 1], value: -1 } });
    // The row of each bad id is zeros; the flag is lowered, so the next read is clean.
    expect(Array.from(await download(ctx, out))).toEqual([7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
  });

  it('skips an id outside [0, vocab) when scattering', async () => {
    const dim = 2;
    const ids = new Float32Array([3, -1, VOCAB, 2.5, Number.NaN, 0]);
    const dTable = blank(ctx, VOCAB * dim, 0);
    k.scatterAddRows(upload(ctx, new Float32Array(ids.length * dim).fill(1)), upload(ctx, ids), dTable, 2, 3, dim, VOCAB);
    const want = new Float32Array(VOCAB * dim);
    want.set([1, 1], 0);
    want.set([1, 1], 3 * dim);
    await expectEqual(dTable, want);
  });
});

describe('copyBlocks on WebGPU', () => {
  // [count, block, srcStride, dstStride, srcOffset, dstOffset]: a concatenation's two halves, one
  // time step read from and written into a batch-major sequence, and a plain contiguous copy.
  const CASES: readonly (readonly [number, number, number, number, number, number])[] = [
    [3, 2, 2, 5, 0, 0],
    [3, 3, 3, 5, 0, 2],
    [3, 5, 20, 5, 10, 0],
    [3, 5, 5, 20, 0, 15],
    [1, 300, 300, 300, 0, 0],
    [70, 4, 6, 9, 1, 3],
  ];
  for (const [count, block, srcStride, dstStride, srcOffset, dstOffset] of CASES) {
    it(`equals the TypeScript backend's for ${count} blocks of ${block} (strides ${srcStride}, ${dstStride}; offsets ${srcOffset}, ${dstOffset})`, async () => {
      const rng = Rng.fromSeed(count * block + srcOffset + dstOffset);
      const src = random(rng, srcOffset + (count - 1) * srcStride + block + 2);
      const dstLength = dstOffset + (count - 1) * dstStride + block + 3;
      const gSrc = upload(ctx, src);

      // Overwriting leaves the gaps between blocks as they were: NaN in both.
      const want = nans(dstLength);
      const dst = blank(ctx, dstLength);
      tsBackend.copyBlocks(src, want, count, block, srcStride, dstStride, srcOffset, dstOffset);
      k.copyBlocks(gSrc, dst, count, block, srcStride, dstStride, srcOffset, dstOffset);
      await expectEqual(dst, want);

      const [acc, gAcc] = pair(random(rng, dstLength));
      tsBackend.copyBlocks(src, acc, count, block, srcStride, dstStride, srcOffset, dstOffset, true);
      k.copyBlocks(gSrc, gAcc, count, block, srcStride, dstStride, srcOffset, dstOffset, true);
      await expectEqual(gAcc, acc);
    });
  }
});

const CELL_SHAPES = SHAPES.flatMap((s) => [1, 5, 17].map((units) => ({ ...s, units })));

describe('gruCell and gruCellBackward on WebGPU', () => {
  for (const { batch, steps, units } of CELL_SHAPES) {
    it(`equal the TypeScript backend's over every step at batch ${batch}, steps ${steps}, units ${units}`, async () => {
      const rng = Rng.fromSeed(batch * 1000 + steps * 100 + units);
      const xProj = random(rng, batch * steps * 3 * units);
      const gxProj = upload(ctx, xProj);
      const [h, gh] = pair(random(rng, batch * units));
      const hPrev = nans(batch * steps * units);
      const cache = nans(batch * steps * 4 * units);
      const ghPrev = blank(ctx, hPrev.length);
      const gCache = blank(ctx, cache.length);
      for (let step = 0; step < steps; step++) {
        const hProj = random(rng, batch * 3 * units);
        tsBackend.gruCell(xProj, hProj, h, hPrev, cache, batch, steps, step, units);
        k.gruCell(gxProj, upload(ctx, hProj), gh, ghPrev, gCache, batch, steps, step, units);
        await expectClose(gh, h, `h after step ${step}`);
      }
      await expectClose(ghPrev, hPrev, 'hPrev');
      await expectClose(gCache, cache, 'cache');

      // Backward, last step first, from the forward's cache (the same on both sides).
      const gCacheIn = upload(ctx, cache);
      const ghPrevIn = upload(ctx, hPrev);
      const [dh, gdh] = pair(random(rng, batch * units));
      const dx = nans(xProj.length);
      const dRecSeq = nans(xProj.length);
      const gdx = blank(ctx, dx.length);
      const gdRecSeq = blank(ctx, dRecSeq.length);
      for (let step = steps - 1; step >= 0; step--) {
        const dRec = nans(batch * 3 * units);
        const gdRec = blank(ctx, dRec.length);
        tsBackend.gruCellBackward(cache, hPrev, dh, dx, dRecSeq, dRec, batch, steps, step, units);
        k.gruCellBackward(gCacheIn, ghPrevIn, gdh, gdx, gdRecSeq, gdRec, batch, steps, step, units);
        await expectClose(gdRec, dRec, `dRec at step ${step}`);
        await expectClose(gdh, dh, `dh before step ${step}`);
      }
      await expectClose(gdx, dx, 'dx');
      await expectClose(gdRecSeq, dRecSeq, 'dRecSeq');
    });
  }
});

describe('lstmCell and lstmCellBackward on WebGPU', () => {
  for (const { batch, steps, units } of CELL_SHAPES) {
    it(`equal the TypeScript backend's over every step at batch ${batch}, steps ${steps}, units ${units}`, async () => {
      const rng = Rng.fromSeed(batch * 1000 + steps * 100 + units + 7);
      const xProj = random(rng, batch * steps * 4 * units);
      const gxProj = upload(ctx, xProj);
      const [h, gh] = pair(random(rng, batch * units));
      const [c, gc] = pair(random(rng, batch * units));
      const hPrev = nans(batch * steps * units);
      const cache = nans(batch * steps * 6 * units);
      const ghPrev = blank(ctx, hPrev.length);
      const gCache = blank(ctx, cache.length);
      for (let step = 0; step < steps; step++) {
        const hProj = random(rng, batch * 4 * units);
        tsBackend.lstmCell(xProj, hProj, h, c, hPrev, cache, batch, steps, step, units);
        k.lstmCell(gxProj, upload(ctx, hProj), gh, gc, ghPrev, gCache, batch, steps, step, units);
        await expectClose(gh, h, `h after step ${step}`);
        await expectClose(gc, c, `c after step ${step}`);
      }
      await expectClose(ghPrev, hPrev, 'hPrev');
      await expectClose(gCache, cache, 'cache');

      const gCacheIn = upload(ctx, cache);
      const dhIn = random(rng, batch * units);
      const gdhIn = upload(ctx, dhIn);
      const [dc, gdc] = pair(random(rng, batch * units));
      const dx = nans(xProj.length);
      const gdx = blank(ctx, dx.length);
      for (let step = steps - 1; step >= 0; step--) {
        const dRec = nans(batch * 4 * units);
        const gdRec = blank(ctx, dRec.length);
        tsBackend.lstmCellBackward(cache, dhIn, dc, dx, dRec, batch, steps, step, units);
        k.lstmCellBackward(gCacheIn, gdhIn, gdc, gdx, gdRec, batch, steps, step, units);
        await expectClose(gdRec, dRec, `dRec at step ${step}`);
        await expectClose(gdc, dc, `dc before step ${step}`);
      }
      await expectClose(gdx, dx, 'dx');
      await expectEqual(gdhIn, dhIn); // read only
    });
  }
});

describe('the cells at one step of a longer sequence', () => {
  const [batch, steps, units] = [3, 6, 5];
  for (const step of [0, 2, 5]) {
    it(`touch only step ${step} of the sequence buffers`, async () => {
      const rng = Rng.fromSeed(step + 77);
      // GRU: forward then backward at `step` alone; every other step's rows stay NaN on both sides.
      const xg = random(rng, batch * steps * 3 * units);
      const hg = random(rng, batch * 3 * units);
      const [h, gh] = pair(random(rng, batch * units));
      const hPrev = nans(batch * steps * units);
      const cache = nans(batch * steps * 4 * units);
      const ghPrev = blank(ctx, hPrev.length);
      const gCache = blank(ctx, cache.length);
      tsBackend.gruCell(xg, hg, h, hPrev, cache, batch, steps, step, units);
      k.gruCell(upload(ctx, xg), upload(ctx, hg), gh, ghPrev, gCache, batch, steps, step, units);
      await expectClose(gh, h, 'gru h');
      await expectClose(ghPrev, hPrev, 'gru hPrev');
      await expectClose(gCache, cache, 'gru cache');
      const [dh, gdh] = pair(random(rng, batch * units));
      const [dx, dRecSeq, dRec] = [nans(xg.length), nans(xg.length), nans(hg.length)];
      const [gdx, gdRecSeq, gdRec] = [blank(ctx, dx.length), blank(ctx, dRecSeq.length), blank(ctx, dRec.length)];
      tsBackend.gruCellBackward(cache, hPrev, dh, dx, dRecSeq, dRec, batch, steps, step, units);
      k.gruCellBackward(upload(ctx, cache), upload(ctx, hPrev), gdh, gdx, gdRecSeq, gdRec, batch, steps, step, units);
      await expectClose(gdx, dx, 'gru dx');
      await expectClose(gdRecSeq, dRecSeq, 'gru dRecSeq');
      await expectClose(gdRec, dRec, 'gru dRec');
      await expectClose(gdh, dh, 'gru dh');

      // LSTM, the same way.
      const xl = random(rng, batch * steps * 4 * units);
      const hl = random(rng, batch * 4 * units);
      const [lh, glh] = pair(random(rng, batch * units));
      const [c, gc] = pair(random(rng, batch * units));
      const lhPrev = nans(batch * steps * units);
      const lCache = nans(batch * steps * 6 * units);
      const glhPrev = blank(ctx, lhPrev.length);
      const glCache = blank(ctx, lCache.length);
      tsBackend.lstmCell(xl, hl, lh, c, lhPrev, lCache, batch, steps, step, units);
      k.lstmCell(upload(ctx, xl), upload(ctx, hl), glh, gc, glhPrev, glCache, batch, steps, step, units);
      await expectClose(glh, lh, 'lstm h');
      await expectClose(gc, c, 'lstm c');
      await expectClose(glhPrev, lhPrev, 'lstm hPrev');
      await expectClose(glCache, lCache, 'lstm cache');
      const [ldh, ldc] = [random(rng, batch * units), random(rng, batch * units)];
      const gldc = upload(ctx, ldc);
      const [ldx, ldRec] = [nans(xl.length), nans(hl.length)];
      const [gldx, gldRec] = [blank(ctx, ldx.length), blank(ctx, ldRec.length)];
      tsBackend.lstmCellBackward(lCache, ldh, ldc, ldx, ldRec, batch, steps, step, units);
      k.lstmCellBackward(upload(ctx, lCache), upload(ctx, ldh), gldc, gldx, gldRec, batch, steps, step, units);
      await expectClose(gldx, ldx, 'lstm dx');
      await expectClose(gldRec, ldRec, 'lstm dRec');
      await expectClose(gldc, ldc, 'lstm dc');
    });
  }
});
