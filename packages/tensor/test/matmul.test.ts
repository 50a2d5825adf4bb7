import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matmul, type TypedArray } from '../src/index.js';
import { countAllocations } from '../../../test/support/allocations.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
type DTypeName = 'float32' | 'float64';

const DTYPES: readonly [DTypeName, Ctor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];
const TRANSPOSES: readonly [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const SIZES = [1, 7, 33, 129];

/**
 * Relative tolerance against `Σ|terms|` (the magnitude of the sum, so cancellation cannot make a
 * correct result look wrong). float32 sums are rounded to float32 once per 256-long block of k.
 */
const REL_TOL = { float32: 1e-5, float64: 1e-13 } as const;

/** Small deterministic generator (LCG), values in [-1, 1). */
function filler(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function random(T: Ctor, length: number, seed: number): TypedArray {
  const next = filler(seed);
  const x = new T(length);
  for (let i = 0; i < length; i++) x[i] = next();
  return x;
}

/** op(A)·op(B) straight from the definition, in float64, plus Σ|terms| per element for the tolerance. */
function reference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
): { value: Float64Array; magnitude: Float64Array } {
  const value = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const av = (transA ? a[p * m + i] : a[i * k + p]) as number;
        const bv = (transB ? b[j * k + p] : b[p * n + j]) as number;
        s += av * bv;
        abs += Math.abs(av * bv);
      }
      value[i * n + j] = s;
      magnitude[i * n + j] = abs;
    }
  }
  return { value, magnitude };
}

function sameBits(x: TypedArray, y: TypedArray): boolean {
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

const TAIL = 5;
const SENTINEL = 1234.5;

/**
 * Runs one product and checks it against the reference. `out` gets `TAIL` extra elements holding
 * a sentinel that must survive; without `accumulate` the first `m·n` start as NaN, so reading
 * them instead of overwriting would show.
 */
function check(
  dtype: DTypeName,
  a: TypedArray,
  b: TypedArray,
  outT: Ctor,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
  seed: number,
): void {
  const label = `${dtype} m=${m} n=${n} k=${k} transA=${transA} transB=${transB} accumulate=${accumulate}`;
  const aCopy = a.slice();
  const bCopy = b.slice();
  const initial = accumulate ? random(outT, m * n, seed) : new outT(m * n).fill(Number.NaN);
  const out = new outT(m * n + TAIL).fill(SENTINEL);
  out.set(initial);
  matmul(a, b, out, m, n, k, transA, transB, accumulate);

  const { value, magnitude } = reference(a, b, m, n, k, transA, transB);
  const tol = REL_TOL[dtype];
  let worst = 0;
  let worstAt = -1;
  for (let e = 0; e < m * n; e++) {
    const base = accumulate ? (initial[e] as number) : 0;
    const expected = base + (value[e] as number);
    const scale = Math.abs(base) + (magnitude[e] as number) + Number.MIN_VALUE;
    const err = Math.abs((out[e] as number) - expected) / scale;
    // Written so that a NaN result counts as the worst possible error.
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
      worstAt = e;
    }
  }
  if (!(worst <= tol)) {
    const e = worstAt;
    expect.fail(`${label}: element ${e} is ${out[e]}, reference ${value[e]} (relative error ${worst} > ${tol})`);
  }
  for (let e = m * n; e < out.length; e++) expect(out[e], `${label}: tail element ${e} touched`).toBe(SENTINEL);
  expect(sameBits(a, aCopy), `${label}: a modified`).toBe(true);
  expect(sameBits(b, bCopy), `${label}: b modified`).toBe(true);
}

describe('matmul against a naive reference', () => {
  for (const [dtype, T] of DTYPES) {
    for (const [transA, transB] of TRANSPOSES) {
      for (const accumulate of [false, true]) {
        it(`${dtype}, transA=${transA}, transB=${transB}, accumulate=${accumulate}: m, n, k ∈ {${SIZES.join(', ')}}`, () => {
          let seed = 1;
          for (const m of SIZES) {
            for (const n of SIZES) {
              for (const k of SIZES) {
                const a = random(T, m * k, seed++);
                const b = random(T, k * n, seed++);
                check(dtype, a, b, T, m, n, k, transA, transB, accumulate, seed++);
              }
            }
          }
        });
      }
    }
  }

  // The kernel blocks k and n by 256: cover several k-blocks (each after the first adds into
  // `out`), n-blocks with ragged tiles at every block edge, and row remainders of 1..3, on the
  // strided path (under 16 rows or columns) and on the packed one.
  const blockShapes: readonly [number, number, number][] = [
    [5, 300, 517],
    [6, 263, 260],
    [11, 513, 257],
    [4, 4, 1030],
    [17, 263, 517],
    [35, 514, 260],
    [16, 16, 300],
  ];
  for (const [dtype, T] of DTYPES) {
    it(`${dtype}: shapes spanning several cache blocks, all transposes, with and without accumulate`, () => {
      let seed = 1000;
      for (const [m, n, k] of blockShapes) {
        for (const [transA, transB] of TRANSPOSES) {
          for (const accumulate of [false, true]) {
            const a = random(T, m * k, seed++);
            const b = random(T, k * n, seed++);
            check(dtype, a, b, T, m, n, k, transA, transB, accumulate, seed++);
          }
        }
      }
    });
  }

  // Every combination of row and column remainder for any tile up to 8×8, including the
  // remainder-only shapes smaller than one tile.
  for (const [dtype, T] of DTYPES) {
    it(`${dtype}: every small shape m ≤ 9, n ≤ 9, all transposes, with and without accumulate`, () => {
      let seed = 3000;
      for (let m = 1; m <= 9; m++) {
        for (let n = 1; n <= 9; n++) {
          for (const k of [1, 2, 5]) {
            for (const [transA, transB] of TRANSPOSES) {
              for (const accumulate of [false, true]) {
                const a = random(T, m * k, seed++);
                const b = random(T, k * n, seed++);
                check(dtype, a, b, T, m, n, k, transA, transB, accumulate, seed++);
              }
            }
          }
        }
      }
    });
  }

  it('falls back correctly when a, b and out differ in dtype', () => {
    const combos: readonly [Ctor, Ctor, Ctor][] = [
      [Float32Array, Float64Array, Float32Array],
      [Float64Array, Float32Array, Float64Array],
      [Float64Array, Float64Array, Float32Array],
      [Float32Array, Float32Array, Float64Array],
    ];
    let seed = 5000;
    for (const [TA, TB, TO] of combos) {
      for (const [transA, transB] of TRANSPOSES) {
        for (const accumulate of [false, true]) {
          const [m, n, k] = [7, 33, 9];
          const a = random(TA, m * k, seed++);
          const b = random(TB, k * n, seed++);
          const dtype: DTypeName = TO === Float64Array && TA === Float64Array && TB === Float64Array ? 'float64' : 'float32';
          check(dtype, a, b, TO, m, n, k, transA, transB, accumulate, seed++);
        }
      }
    }
  });
});

describe('matmul contract', () => {
  it('computes the documented example', () => {
    const out = new Float32Array(1);
    matmul(new Float32Array([1, 2]), new Float32Array([3, 4]), out, 1, 1, 2, false, false);
    expect(out[0]).toBe(11);
  });

  it('gives exact results on small integers for every transpose combination', () => {
    // A = [[1, 2, 3], [4, 5, 6]] (2×3), B = [[7, 8], [9, 10], [11, 12]] (3×2): A·B = [[58, 64], [139, 154]].
    const a = [1, 2, 3, 4, 5, 6];
    const aT = [1, 4, 2, 5, 3, 6];
    const b = [7, 8, 9, 10, 11, 12];
    const bT = [7, 9, 11, 8, 10, 12];
    for (const [, T] of DTYPES) {
      for (const [transA, transB] of TRANSPOSES) {
        const out = new T(4);
        matmul(new T(transA ? aT : a), new T(transB ? bT : b), out, 2, 2, 3, transA, transB);
        expect(Array.from(out)).toEqual([58, 64, 139, 154]);
      }
    }
  });

  it('adds into existing contents when accumulating, and overwrites them otherwise', () => {
    for (const [, T] of DTYPES) {
      const a = new T([1, 2, 3, 4]); // 2×2
      const b = new T([5, 6, 7, 8]); // 2×2; A·B = [[19, 22], [43, 50]]
      const out = new T([100, 200, 300, 400]);
      matmul(a, b, out, 2, 2, 2, false, false, true);
      expect(Array.from(out)).toEqual([119, 222, 343, 450]);
      matmul(a, b, out, 2, 2, 2, false, false, true);
      expect(Array.from(out)).toEqual([138, 244, 386, 500]);
      matmul(a, b, out, 2, 2, 2, false, false, false);
      expect(Array.from(out)).toEqual([19, 22, 43, 50]);
      // The default for `accumulate` is to overwrite.
      out.fill(-1);
      matmul(a, b, out, 2, 2, 2);
      expect(Array.from(out)).toEqual([19, 22, 43, 50]);
    }
  });

  it('touches only the first m·n elements of a larger out', () => {
    for (const [, T] of DTYPES) {
      for (const [transA, transB] of TRANSPOSES) {
        for (const accumulate of [false, true]) {
          const [m, n, k] = [9, 6, 5];
          const out = new T(m * n + 40).fill(7);
          matmul(random(T, m * k, 1), random(T, k * n, 2), out, m, n, k, transA, transB, accumulate);
          expect(Array.from(out.subarray(m * n))).toEqual(new Array(40).fill(7));
          expect(out.subarray(0, m * n).every((v) => v !== 7)).toBe(true);
        }
      }
    }
  });

  it('treats k = 0 as an empty sum and m = 0 or n = 0 as nothing to do', () => {
    for (const [, T] of DTYPES) {
      const out = new T(6).fill(3);
      matmul(new T(0), new T(0), out, 2, 3, 0, false, false, true);
      expect(Array.from(out)).toEqual([3, 3, 3, 3, 3, 3]);
      matmul(new T(0), new T(0), out, 2, 2, 0);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 3, 3]);
      out.fill(3);
      matmul(new T(0), new T(12), out, 0, 3, 4);
      matmul(new T(12), new T(0), out, 3, 0, 4, true, true);
      expect(Array.from(out)).toEqual([3, 3, 3, 3, 3, 3]);
    }
  });

  it('does not allocate typed arrays', () => {
    const a32 = random(Float32Array, 70 * 90, 1);
    const b32 = random(Float32Array, 90 * 300, 2);
    const o32 = new Float32Array(70 * 300);
    const a64 = random(Float64Array, 70 * 90, 3);
    const b64 = random(Float64Array, 90 * 300, 4);
    const o64 = new Float64Array(70 * 300);
    // The packing panels are made once per process, on the first packed product of each dtype.
    matmul(a32, b32, o32, 70, 300, 90);
    matmul(a64, b64, o64, 70, 300, 90);
    const constructed = countAllocations(() => {
      for (let r = 0; r < 20; r++) {
        for (const [transA, transB] of TRANSPOSES) {
          matmul(a32, b32, o32, 70, 300, 90, transA, transB, r % 2 === 1);
          matmul(a64, b64, o64, 70, 300, 90, transA, transB, r % 2 === 1);
        }
      }
    });
    expect(constructed).toBe(0);
  });
});

describe('matmul kernel sources', () => {
  it('keeps the float32 and float64 kernel copies identical up to the dtype', () => {
    const MARKER = '// ---- shared kernel source';
    const shared = (file: string): string => {
      const text = readFileSync(new URL(`../src/kernels/matmul/${file}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n');
      const at = text.indexOf(MARKER);
      expect(at, `${file} lacks the marker line`).toBeGreaterThanOrEqual(0);
      return text.slice(at);
    };
    const f32 = shared('f32.ts');
    const f64 = shared('f64.ts');
    expect(f32).not.toContain('Float64Array');
    expect(f64).not.toContain('Float32Array');
    expect(f64).toBe(f32.replace(/Float32Array/g, 'Float64Array').replace(/F32/g, 'F64'));
  });
});
