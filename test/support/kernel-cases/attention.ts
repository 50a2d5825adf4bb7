import fc from 'fast-check';
import { Rng, type AttentionKernels } from '@gradstream/tensor';
import { common, dimArb, fuzz, matmulShapeArb, values, type KernelFuzz, type Want } from '../kernel-fuzz.js';

/** Blocks of a batched call: one, a few, and as many as a small model's (sample, head) pairs. */
const blocksArb = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 5, max: 12 }));

/** A short axis (time, heads): 1, small and around the SIMD width. */
const shortArb = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(15, 16, 17));

/** Each block's product as a naive float64 loop, element by element; what `extra` trailing elements of `out` hold is kept. */
function batchMatmulReference(
  a: Float64Array,
  b: Float64Array,
  out0: Float64Array,
  batches: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
): Want {
  const want = Float64Array.from(out0);
  const scale = new Float64Array(out0.length);
  for (let q = 0; q < batches; q++) {
    const [a0, b0, o0] = [q * m * k, q * k * n, q * m * n];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let size = 0;
        for (let p = 0; p < k; p++) {
          const t = a[a0 + (transA ? p * m + i : i * k + p)]! * b[b0 + (transB ? j * k + p : p * n + j)]!;
          s += t;
          size += Math.abs(t);
        }
        const o = o0 + i * n + j;
        want[o] = accumulate ? out0[o]! + s : s;
        scale[o] = size + (accumulate ? Math.abs(out0[o]!) : 0);
      }
    }
  }
  // As matmul: each product and partial sum may round, k + 2 units of the terms' size.
  return { want, scale, ulps: k + 2 };
}

/** Fuzz cases of the attention kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ATTENTION_CASES: { readonly [K in keyof AttentionKernels]: KernelFuzz<any> } = {
  batchMatmul: fuzz(
    fc.record({ ...common, batches: blocksArb, shape: matmulShapeArb, transA: fc.boolean(), transB: fc.boolean(), accumulate: fc.boolean(), extra: fc.nat({ max: 3 }) }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      const { m, n, k } = p.shape;
      // The naive reference is cubic: fewer blocks when each is large.
      const batches = Math.max(1, Math.min(p.batches, Math.floor(400_000 / (m * n * k))));
      return {
        dtype: p.dtype,
        offset: p.offset,
        // out may be longer than batches·m·n: only the blocks are written.
        bufs: { a: values(rng, batches * m * k, -p.mag, p.mag), b: values(rng, batches * k * n, -1, 1), out: values(rng, batches * m * n + p.extra, -p.mag, p.mag) },
        args: (v) => [v.a, v.b, v.out, batches, m, n, k, p.transA, p.transB, p.accumulate],
        reference: (i) => ({ out: batchMatmulReference(i.a!, i.b!, i.out!, batches, m, n, k, p.transA, p.transB, p.accumulate) }),
      };
    },
  ),
  transposeHeads: fuzz(fc.record({ ...common, outer: fc.integer({ min: 1, max: 4 }), rows: shortArb, cols: shortArb, depth: dimArb }), (p) => {
    const size = p.outer * p.rows * p.cols * p.depth;
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x: values(rng, size, -p.mag, p.mag), out: values(rng, size, -p.mag, p.mag) },
      args: (v) => [v.x, v.out, p.outer, p.rows, p.cols, p.depth],
      reference: (i) => {
        const want = new Float64Array(size);
        for (let o = 0; o < p.outer; o++) {
          for (let r = 0; r < p.rows; r++) {
            for (let c = 0; c < p.cols; c++) {
              for (let d = 0; d < p.depth; d++) want[((o * p.cols + c) * p.rows + r) * p.depth + d] = i.x![((o * p.rows + r) * p.cols + c) * p.depth + d]!;
            }
          }
        }
        // A copy: exact.
        return { out: { want } };
      },
      sameBits: ['out'],
    };
  }),
  causalMask: fuzz(fc.record({ ...common, blocks: blocksArb, size: fc.oneof(shortArb, dimArb) }), (p) => {
    const n = p.blocks * p.size * p.size;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x: values(Rng.fromSeed(p.seed), n, -p.mag, p.mag) },
      args: (v) => [v.x, p.blocks, p.size],
      reference: (i) => ({ x: { want: i.x!.map((v, e) => (e % p.size > Math.floor(e / p.size) % p.size ? -Infinity : v)) } }),
      sameBits: ['x'],
    };
  }),
};
