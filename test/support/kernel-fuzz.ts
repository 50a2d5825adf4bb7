/*
 * The fuzz harness's vocabulary, shared by test/fuzz-kernels.test.ts and the kernel cases of each
 * layer family (test/support/kernel-cases/): what a case is, what a reference answers, and the
 * random sizes, dtypes, offsets and data every case draws from.
 */
import fc from 'fast-check';
import { Rng, type DType, type TypedArray } from '@gradstream/tensor';

/** What a reference says of one output: the value, and the size of the terms it is made of (absent: exact). */
export interface Want {
  readonly want: ArrayLike<number>;
  readonly scale?: ArrayLike<number>;
  /** Rounding errors allowed, in units of the dtype's (or, with `unit: 'f64'`, float64's) rounding unit, times scale. */
  readonly ulps?: number;
  readonly unit?: 'f64';
}

/** One kernel call on random data: the buffers (initial values), the call, and what it must produce. */
export interface Case {
  readonly dtype: DType;
  /** Elements before each view inside its buffer (views at any offset, not only at a buffer's start). */
  readonly offset: number;
  readonly bufs: Readonly<Record<string, Float64Array>>;
  readonly args: (b: Readonly<Record<string, TypedArray>>) => unknown[];
  /** The expected contents of the written buffers, and of the result (`result`), from the inputs as stored. */
  readonly reference: (inputs: Readonly<Record<string, Float64Array>>) => Readonly<Record<string, Want>>;
  /** Outputs that must equal the TypeScript kernel's bit for bit on every implementation (what the contract promises). */
  readonly sameBits?: readonly string[];
}

// ---- random data

/** Sizes: 1, small and odd ones, the edges of SIMD lanes (4, 8), of the inline threshold (64) and of tiles, and larger ones. */
export const EDGES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129];
export const lengthArb = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(...EDGES), fc.integer({ min: 1, max: 700 }));
export const dimArb = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(...EDGES.filter((e) => e <= 65)), fc.integer({ min: 1, max: 40 }));
export const dtypeArb = fc.constantFrom<DType>('float32', 'float64');
export const offsetArb = fc.integer({ min: 0, max: 5 });
export const seedArb = fc.nat({ max: 1_000_000 });
/** Magnitude of the data: relative tolerances must hold at any scale. */
export const magnitudeArb = fc.constantFrom(1e-2, 1, 1e2);

/**
 * m, n, k of a product: small ones, and ones whose k or n spans several of the kernels' blocks
 * (256 along k; 256 and 512 columns along n) with few rows, so the naive reference stays cheap.
 */
export const few = fc.integer({ min: 1, max: 8 });
export const long = fc.integer({ min: 200, max: 600 });
export const matmulShapeArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ m: dimArb, n: dimArb, k: dimArb }) },
  { weight: 1, arbitrary: fc.record({ m: few, n: dimArb, k: long }) },
  { weight: 1, arbitrary: fc.record({ m: few, n: long, k: dimArb }) },
  { weight: 1, arbitrary: fc.record({ m: dimArb, n: few, k: long }) },
);

export const common = { dtype: dtypeArb, offset: offsetArb, seed: seedArb, mag: magnitudeArb };
export type Common = { dtype: DType; offset: number; seed: number; mag: number };

export function values(rng: Rng, n: number, lo: number, hi: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.uniform(lo, hi);
  return v;
}
export const zeros = (n: number): Float64Array => new Float64Array(n);
export const abs = (v: ArrayLike<number>): Float64Array => Float64Array.from(v, Math.abs);

export interface KernelFuzz<P> {
  readonly params: fc.Arbitrary<P>;
  readonly build: (p: P) => Case;
}
export const fuzz = <P,>(params: fc.Arbitrary<P>, build: (p: P) => Case): KernelFuzz<P> => ({ params, build });
