import fc from 'fast-check';
import { Rng, type DType, type SequenceKernels } from '@gradstream/tensor';
import { common, dimArb, fuzz, values, type KernelFuzz, type Want } from '../kernel-fuzz.js';

/*
 * The sequence kernels against naive references written here from the equations (PyTorch's GRU
 * and LSTM), indexing the batch-major sequences [batch, steps, width] as (b·steps + t)·width + j.
 * Lookups and copies are exact; sums added in the order the contract fixes are exact too, the
 * reference rounding to the dtype after each addition as the kernels do. The cells are within a
 * few roundings of the size of the terms that make each unit's values. Every buffer a cell writes
 * at one step holds random values elsewhere, which must come back untouched.
 */

/** Batch and time: 1, and a few. */
const shortArb = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 }));

const roundTo = (dtype: DType): ((v: number) => number) => (dtype === 'float32' ? Math.fround : (v: number) => v);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Random token ids in [0, vocab). */
function ids(rng: Rng, n: number, vocab: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.int(vocab));
}

/** A cell's sizes and the step it computes. */
const cellArb = fc.record({ ...common, batch: shortArb, steps: shortArb, units: dimArb, at: fc.nat() });

/** Values within a few roundings of `scale`, per unit of each batch row: `scale[b·units + j]` sized for every output of (b, j). */
function near(want: Float64Array, size: (index: number) => number): Want {
  return { want, scale: Float64Array.from(want, (_, i) => size(i)), ulps: 16 };
}

/** Fuzz cases of the sequence kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SEQUENCE_CASES: { readonly [K in keyof SequenceKernels]: KernelFuzz<any> } = {
  gatherRows: fuzz(fc.record({ ...common, batch: shortArb, steps: shortArb, dim: dimArb, vocab: fc.integer({ min: 1, max: 20 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const n = p.batch * p.steps;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { table: values(rng, p.vocab * p.dim, -p.mag, p.mag), ids: ids(rng, n, p.vocab), out: values(rng, n * p.dim, -1, 1) },
      args: (v) => [v.table, v.ids, v.out, p.batch, p.steps, p.dim, p.vocab, 'embedding'],
      reference: (i) => {
        const want = new Float64Array(n * p.dim);
        for (let r = 0; r < n; r++) for (let j = 0; j < p.dim; j++) want[r * p.dim + j] = i.table![i.ids![r]! * p.dim + j]!;
        return { out: { want } };
      },
    };
  }),
  scatterAddRows: fuzz(fc.record({ ...common, batch: shortArb, steps: shortArb, dim: dimArb, vocab: fc.integer({ min: 1, max: 20 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const n = p.batch * p.steps;
    const round = roundTo(p.dtype);
    return {
      dtype: p.dtype,
      offset: p.offset,
      // A small vocabulary makes ids repeat: their rows add up in order.
      bufs: { dOut: values(rng, n * p.dim, -p.mag, p.mag), ids: ids(rng, n, p.vocab), dTable: values(rng, p.vocab * p.dim, -p.mag, p.mag) },
      args: (v) => [v.dOut, v.ids, v.dTable, p.batch, p.steps, p.dim, p.vocab],
      reference: (i) => {
        const want = Float64Array.from(i.dTable!);
        for (let r = 0; r < n; r++) {
          const to = i.ids![r]! * p.dim;
          for (let j = 0; j < p.dim; j++) want[to + j] = round(want[to + j]! + i.dOut![r * p.dim + j]!);
        }
        return { dTable: { want } };
      },
    };
  }),
  copyBlocks: fuzz(
    fc.record({
      ...common,
      count: dimArb,
      block: dimArb,
      srcGap: fc.nat({ max: 3 }),
      dstGap: fc.nat({ max: 3 }),
      srcOffset: fc.nat({ max: 5 }),
      dstOffset: fc.nat({ max: 5 }),
      accumulate: fc.boolean(),
    }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      const srcStride = p.block + p.srcGap;
      const dstStride = p.block + p.dstGap;
      const round = roundTo(p.dtype);
      return {
        dtype: p.dtype,
        offset: p.offset,
        // dst is longer than the blocks reach: the gaps and what follows keep their values.
        bufs: {
          src: values(rng, p.srcOffset + (p.count - 1) * srcStride + p.block, -p.mag, p.mag),
          dst: values(rng, p.dstOffset + (p.count - 1) * dstStride + p.block + 2, -p.mag, p.mag),
        },
        args: (v) => [v.src, v.dst, p.count, p.block, srcStride, dstStride, p.srcOffset, p.dstOffset, p.accumulate],
        reference: (i) => {
          const want = Float64Array.from(i.dst!);
          for (let c = 0; c < p.count; c++) {
            for (let j = 0; j < p.block; j++) {
              const to = p.dstOffset + c * dstStride + j;
              const v = i.src![p.srcOffset + c * srcStride + j]!;
              want[to] = p.accumulate ? round(want[to]! + v) : v;
            }
          }
          return { dst: { want } };
        },
      };
    },
  ),
  gruCell: fuzz(cellArb, (p) => {
    const rng = Rng.fromSeed(p.seed);
    const { batch: B, steps: T, units: U } = p;
    const t = p.at % T;
    // Pre-activations up to ±3·√mag: the gates saturate at the large end.
    const pre = 3 * Math.sqrt(p.mag);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: {
        xProj: values(rng, B * T * 3 * U, -pre, pre),
        hProj: values(rng, B * 3 * U, -pre, pre),
        h: values(rng, B * U, -1, 1),
        hPrev: values(rng, B * T * U, -1, 1),
        cache: values(rng, B * T * 4 * U, -1, 1),
      },
      args: (v) => [v.xProj, v.hProj, v.h, v.hPrev, v.cache, B, T, t, U],
      reference: (i) => {
        const h = Float64Array.from(i.h!);
        const hPrev = Float64Array.from(i.hPrev!);
        const cache = Float64Array.from(i.cache!);
        const size = new Float64Array(B * U);
        for (let b = 0; b < B; b++) {
          const row = b * T + t;
          for (let j = 0; j < U; j++) {
            const x = (g: number): number => i.xProj![row * 3 * U + g * U + j]!;
            const hh = (g: number): number => i.hProj![b * 3 * U + g * U + j]!;
            const hp = i.h![b * U + j]!;
            const r = sigmoid(x(0) + hh(0));
            const z = sigmoid(x(1) + hh(1));
            const n = Math.tanh(x(2) + r * hh(2));
            for (const [g, v] of [r, z, n, hh(2)].entries()) cache[row * 4 * U + g * U + j] = v;
            hPrev[row * U + j] = hp;
            h[b * U + j] = (1 - z) * n + z * hp;
            size[b * U + j] = 1 + Math.abs(x(0)) + Math.abs(hh(0)) + Math.abs(x(1)) + Math.abs(hh(1)) + Math.abs(x(2)) + 2 * Math.abs(hh(2)) + Math.abs(hp);
          }
        }
        const sizeOfRow = (width: number) => (k: number) => size[Math.floor(k / (T * width)) * U + (k % width) % U] ?? 1;
        return { h: near(h, (k) => size[k]!), hPrev: near(hPrev, sizeOfRow(U)), cache: near(cache, sizeOfRow(4 * U)) };
      },
    };
  }),
  gruCellBackward: fuzz(cellArb, (p) => {
    const rng = Rng.fromSeed(p.seed);
    const { batch: B, steps: T, units: U } = p;
    const t = p.at % T;
    // The cache as gruCell leaves it: r, z in (0, 1), n in (−1, 1), hn any.
    const cache = new Float64Array(B * T * 4 * U);
    for (let k = 0; k < cache.length; k++) {
      const g = Math.floor(k / U) % 4;
      cache[k] = g < 2 ? rng.uniform(0, 1) : g === 2 ? rng.uniform(-1, 1) : rng.uniform(-p.mag, p.mag);
    }
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: {
        cache,
        hPrev: values(rng, B * T * U, -1, 1),
        dh: values(rng, B * U, -p.mag, p.mag),
        dx: values(rng, B * T * 3 * U, -1, 1),
        dRecSeq: values(rng, B * T * 3 * U, -1, 1),
        dRec: values(rng, B * 3 * U, -1, 1),
      },
      args: (v) => [v.cache, v.hPrev, v.dh, v.dx, v.dRecSeq, v.dRec, B, T, t, U],
      reference: (i) => {
        const dh = Float64Array.from(i.dh!);
        const dx = Float64Array.from(i.dx!);
        const dRecSeq = Float64Array.from(i.dRecSeq!);
        const dRec = Float64Array.from(i.dRec!);
        const size = new Float64Array(B * U);
        for (let b = 0; b < B; b++) {
          const row = b * T + t;
          for (let j = 0; j < U; j++) {
            const [r, z, n, hn] = [0, 1, 2, 3].map((g) => i.cache![row * 4 * U + g * U + j]!) as [number, number, number, number];
            const hp = i.hPrev![row * U + j]!;
            const g = i.dh![b * U + j]!;
            // h′ = (1 − z)·n + z·h, n = tanh(an), an = xn + r·hn, r = σ(ar), z = σ(az).
            const dan = g * (1 - z) * (1 - n * n);
            const daz = g * (hp - n) * z * (1 - z);
            const dar = dan * hn * r * (1 - r);
            for (const [gate, v] of [dar, daz, dan].entries()) dx[row * 3 * U + gate * U + j] = v;
            for (const [gate, v] of [dar, daz, dan * r].entries()) {
              dRecSeq[row * 3 * U + gate * U + j] = v;
              dRec[b * 3 * U + gate * U + j] = v;
            }
            dh[b * U + j] = g * z;
            size[b * U + j] = Math.abs(g) * (1 + Math.abs(hp)) * (1 + Math.abs(hn)) * 2;
          }
        }
        const ofSeq = (k: number): number => size[Math.floor(k / (T * 3 * U)) * U + ((k % (3 * U)) % U)]!;
        const ofStep = (k: number): number => size[Math.floor(k / (3 * U)) * U + ((k % (3 * U)) % U)]!;
        return { dh: near(dh, (k) => size[k]!), dx: near(dx, ofSeq), dRecSeq: near(dRecSeq, ofSeq), dRec: near(dRec, ofStep) };
      },
    };
  }),
  lstmCell: fuzz(cellArb, (p) => {
    const rng = Rng.fromSeed(p.seed);
    const { batch: B, steps: T, units: U } = p;
    const t = p.at % T;
    const pre = 3 * Math.sqrt(p.mag);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: {
        xProj: values(rng, B * T * 4 * U, -pre, pre),
        hProj: values(rng, B * 4 * U, -pre, pre),
        h: values(rng, B * U, -1, 1),
        c: values(rng, B * U, -2, 2),
        hPrev: values(rng, B * T * U, -1, 1),
        cache: values(rng, B * T * 6 * U, -1, 1),
      },
      args: (v) => [v.xProj, v.hProj, v.h, v.c, v.hPrev, v.cache, B, T, t, U],
      reference: (i) => {
        const h = Float64Array.from(i.h!);
        const c = Float64Array.from(i.c!);
        const hPrev = Float64Array.from(i.hPrev!);
        const cache = Float64Array.from(i.cache!);
        const size = new Float64Array(B * U);
        for (let b = 0; b < B; b++) {
          const row = b * T + t;
          for (let j = 0; j < U; j++) {
            const a = (g: number): number => i.xProj![row * 4 * U + g * U + j]! + i.hProj![b * 4 * U + g * U + j]!;
            const terms = [0, 1, 2, 3].reduce((s, g) => s + Math.abs(i.xProj![row * 4 * U + g * U + j]!) + Math.abs(i.hProj![b * 4 * U + g * U + j]!), 0);
            const [ig, fg, gg, og] = [sigmoid(a(0)), sigmoid(a(1)), Math.tanh(a(2)), sigmoid(a(3))];
            const cp = i.c![b * U + j]!;
            const cn = fg * cp + ig * gg;
            const tc = Math.tanh(cn);
            for (const [g, v] of [ig, fg, gg, og, cp, tc].entries()) cache[row * 6 * U + g * U + j] = v;
            hPrev[row * U + j] = i.h![b * U + j]!;
            c[b * U + j] = cn;
            h[b * U + j] = og * tc;
            size[b * U + j] = 1 + terms + 2 * Math.abs(cp);
          }
        }
        const ofSeq = (width: number) => (k: number) => size[Math.floor(k / (T * width)) * U + ((k % width) % U)]!;
        return { h: near(h, (k) => size[k]!), c: near(c, (k) => size[k]!), hPrev: near(hPrev, ofSeq(U)), cache: near(cache, ofSeq(6 * U)) };
      },
    };
  }),
  lstmCellBackward: fuzz(cellArb, (p) => {
    const rng = Rng.fromSeed(p.seed);
    const { batch: B, steps: T, units: U } = p;
    const t = p.at % T;
    // The cache as lstmCell leaves it: i, f, o in (0, 1), g and tanh(c) in (−1, 1), c_prev any.
    const cache = new Float64Array(B * T * 6 * U);
    for (let k = 0; k < cache.length; k++) {
      const g = Math.floor(k / U) % 6;
      cache[k] = g === 2 || g === 5 ? rng.uniform(-1, 1) : g === 4 ? rng.uniform(-2, 2) : rng.uniform(0, 1);
    }
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: {
        cache,
        dh: values(rng, B * U, -p.mag, p.mag),
        dc: values(rng, B * U, -p.mag, p.mag),
        dx: values(rng, B * T * 4 * U, -1, 1),
        dRec: values(rng, B * 4 * U, -1, 1),
      },
      args: (v) => [v.cache, v.dh, v.dc, v.dx, v.dRec, B, T, t, U],
      reference: (i) => {
        const dc = Float64Array.from(i.dc!);
        const dx = Float64Array.from(i.dx!);
        const dRec = Float64Array.from(i.dRec!);
        const size = new Float64Array(B * U);
        for (let b = 0; b < B; b++) {
          const row = b * T + t;
          for (let j = 0; j < U; j++) {
            const [ig, fg, gg, og, cp, tc] = [0, 1, 2, 3, 4, 5].map((g) => i.cache![row * 6 * U + g * U + j]!) as [number, number, number, number, number, number];
            const gh = i.dh![b * U + j]!;
            const gc = i.dc![b * U + j]!;
            // h = o·tanh(c), c = f·c_prev + i·g.
            const dcTotal = gc + gh * og * (1 - tc * tc);
            const grads = [dcTotal * gg * ig * (1 - ig), dcTotal * cp * fg * (1 - fg), dcTotal * ig * (1 - gg * gg), gh * tc * og * (1 - og)];
            for (const [g, v] of grads.entries()) {
              dx[row * 4 * U + g * U + j] = v;
              dRec[b * 4 * U + g * U + j] = v;
            }
            dc[b * U + j] = dcTotal * fg;
            size[b * U + j] = (Math.abs(gc) + 2 * Math.abs(gh)) * (1 + Math.abs(cp)) * 2;
          }
        }
        const ofSeq = (k: number): number => size[Math.floor(k / (T * 4 * U)) * U + ((k % (4 * U)) % U)]!;
        const ofStep = (k: number): number => size[Math.floor(k / (4 * U)) * U + ((k % (4 * U)) % U)]!;
        // dh is only read.
        return { dh: { want: i.dh! }, dc: near(dc, (k) => size[k]!), dx: near(dx, ofSeq), dRec: near(dRec, ofStep) };
      },
    };
  }),
};
