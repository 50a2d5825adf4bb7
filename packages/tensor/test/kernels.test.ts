import { describe, expect, it } from 'vitest';
import {
  add,
  addRowBroadcast,
  copy,
  dtypeOf,
  fill,
  firstNonFinite,
  mul,
  scale,
  sgdUpdate,
  sumRows,
  sumSquares,
  unaryKernels,
  weightPenalty,
  type DType,
  type TypedArray,
} from '../src/index.js';

const sigmoid = (x: TypedArray, out: TypedArray): void => unaryKernels('sigmoid', dtypeOf(out)).forward(x, out, 0);
const sigmoidBackward = (y: TypedArray, dy: TypedArray, dx: TypedArray): void => unaryKernels('sigmoid', dtypeOf(dx)).backward(y, dy, dx, 0);

// All inputs below are small integers or multiples of 1/4, so they and the hand-derived results are exact
// in float32 as well as float64, and results can be compared with toEqual.

function make(dtype: DType, values: readonly number[]): TypedArray {
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

/** Runs `fn`, then checks that none of `inputs` changed (kernels may only write their output). */
function withInputsUnchanged(inputs: readonly TypedArray[], fn: () => void): void {
  const before = inputs.map((a) => Array.from(a));
  fn();
  inputs.forEach((a, i) => expect(Array.from(a), `input #${i} was modified`).toEqual(before[i]));
}

/** An output buffer prefilled with a sentinel, so an element the kernel forgot to write shows up. */
function sentinel(dtype: DType, length: number): TypedArray {
  return make(dtype, new Array<number>(length).fill(-99));
}

const dtypes: DType[] = ['float32', 'float64'];

describe.each(dtypes)('elementwise kernels (%s)', (dtype) => {
  const a = (): TypedArray => make(dtype, [1, -2, 0.5, 3]);
  const b = (): TypedArray => make(dtype, [4, 0.25, -0.5, -3]);

  it('add: out = a + b', () => {
    const x = a();
    const y = b();
    const out = sentinel(dtype, 4);
    withInputsUnchanged([x, y], () => add(x, y, out));
    expect(Array.from(out)).toEqual([5, -1.75, 0, 0]);
    expect(out).toBeInstanceOf(dtype === 'float64' ? Float64Array : Float32Array);
  });

  it('add: the length of out decides how many elements are written', () => {
    const out = make(dtype, [-99, -99]);
    add(a(), b(), out);
    expect(Array.from(out)).toEqual([5, -1.75]);
  });

  it('add: may write in place into one of its inputs', () => {
    const x = a();
    add(x, b(), x);
    expect(Array.from(x)).toEqual([5, -1.75, 0, 0]);
  });

  it('mul: out = a · b elementwise', () => {
    const x = a();
    const y = b();
    const out = sentinel(dtype, 4);
    withInputsUnchanged([x, y], () => mul(x, y, out));
    expect(Array.from(out)).toEqual([4, -0.5, -0.25, -9]);
  });

  it('scale: out = s · a', () => {
    const x = a();
    const out = sentinel(dtype, 4);
    withInputsUnchanged([x], () => scale(x, 0.5, out));
    expect(Array.from(out)).toEqual([0.5, -1, 0.25, 1.5]);
    withInputsUnchanged([x], () => scale(x, -2, out));
    expect(Array.from(out)).toEqual([-2, 4, -1, -6]);
  });

  it('sgdUpdate: w −= lr · g in place, leaving g alone', () => {
    const w = make(dtype, [1, 2, 3]);
    const g = make(dtype, [4, -8, 0.5]);
    withInputsUnchanged([g], () => sgdUpdate(w, g, 0.25));
    expect(Array.from(w)).toEqual([0, 4, 2.875]);
  });

  it('weightPenalty: g += l1 · sign(w) + l2 · w in place, sign(±0) = 0, leaving w alone', () => {
    const w = make(dtype, [2, 0, -4, -0]);
    const g = make(dtype, [1, 1, 1, -0.5]);
    withInputsUnchanged([w], () => weightPenalty(w, g, 0.5, 0.25));
    // 1 + 0.5 + 0.5, 1 + 0, 1 − 0.5 − 1, −0.5 + 0
    expect(Array.from(g)).toEqual([2, 1, -0.5, -0.5]);
  });

  it('copy and fill write every element of their output', () => {
    const out = sentinel(dtype, 3);
    copy(make(dtype, [1, -2, 0.5]), out);
    expect(Array.from(out)).toEqual([1, -2, 0.5]);
    fill(out, 0.25);
    expect(Array.from(out)).toEqual([0.25, 0.25, 0.25]);
  });

  it('addRowBroadcast: adds bias[c] to every row of a 2×3 matrix', () => {
    const x = make(dtype, [1, 2, 3, 4, 5, 6]);
    const bias = make(dtype, [10, 20, 30]);
    const out = sentinel(dtype, 6);
    withInputsUnchanged([x, bias], () => addRowBroadcast(x, bias, out, 2, 3));
    expect(Array.from(out)).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('addRowBroadcast: uses cols as the row stride for a 3×2 matrix', () => {
    const x = make(dtype, [1, 2, 3, 4, 5, 6]);
    const bias = make(dtype, [0.5, -1]);
    const out = sentinel(dtype, 6);
    withInputsUnchanged([x, bias], () => addRowBroadcast(x, bias, out, 3, 2));
    expect(Array.from(out)).toEqual([1.5, 1, 3.5, 3, 5.5, 5]);
  });
});

describe.each(dtypes)('reduction kernels (%s)', (dtype) => {
  // The 2×3 matrix [[1, 2, 3], [4, 5, 6]].
  const m = (): TypedArray => make(dtype, [1, 2, 3, 4, 5, 6]);

  it('sumRows: column sums out[c] = Σ_r x[r, c], overwriting out', () => {
    const x = m();
    const out = make(dtype, [100, 200, 300]);
    withInputsUnchanged([x], () => sumRows(x, out, 2, 3));
    expect(Array.from(out)).toEqual([5, 7, 9]);
  });

  it('sumRows: accumulate adds into out', () => {
    const x = m();
    const out = make(dtype, [100, 200, 300]);
    withInputsUnchanged([x], () => sumRows(x, out, 2, 3, true));
    expect(Array.from(out)).toEqual([105, 207, 309]);
    sumRows(x, out, 2, 3, true);
    expect(Array.from(out)).toEqual([110, 214, 318]);
  });

  it('sumRows: a 3×2 reading of the same buffer sums other columns', () => {
    const out = sentinel(dtype, 2);
    sumRows(m(), out, 3, 2);
    // [[1, 2], [3, 4], [5, 6]] → [9, 12]
    expect(Array.from(out)).toEqual([9, 12]);
  });

  it('sumSquares: the squared L2 norm', () => {
    const x = make(dtype, [1, -2, 0.5, 3]);
    // 1 + 4 + 0.25 + 9
    withInputsUnchanged([x], () => expect(sumSquares(x)).toBe(14.25));
    expect(sumSquares(make(dtype, [3, 4]))).toBe(25);
  });

  it('sumSquares accumulates in float64', () => {
    // 4096² = 2^24, plus 1² = 2^24 + 1, which a float32 accumulator would round away.
    expect(sumSquares(make(dtype, [4096, 1]))).toBe(2 ** 24 + 1);
    // Each square is formed in float64 too: (1 + 2^-12)² = 1 + 2^-11 + 2^-24 needs 25 significant bits.
    expect(sumSquares(make(dtype, [1 + 2 ** -12]))).toBe(1 + 2 ** -11 + 2 ** -24);
  });

  describe('firstNonFinite', () => {
    // Largest finite value of each dtype: (2 − 2^-23)·2^127 for float32, (2 − 2^-52)·2^1023 for float64.
    const biggest = dtype === 'float32' ? (2 - 2 ** -23) * 2 ** 127 : (2 - 2 ** -52) * 2 ** 1023;

    it('finds NaN', () => {
      const x = make(dtype, [1, 2, Number.NaN, 4]);
      withInputsUnchanged([x], () => expect(firstNonFinite(x)).toBe(2));
    });

    it('finds +Infinity and -Infinity', () => {
      expect(firstNonFinite(make(dtype, [Number.POSITIVE_INFINITY, 0]))).toBe(0);
      expect(firstNonFinite(make(dtype, [0, 0, 0, Number.NEGATIVE_INFINITY]))).toBe(3);
    });

    it('returns the first offending index when several are present', () => {
      expect(firstNonFinite(make(dtype, [0, Number.NEGATIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY]))).toBe(1);
    });

    it('returns -1 when everything is finite, including the extremes and -0', () => {
      expect(firstNonFinite(make(dtype, [1, -2, 0.5]))).toBe(-1);
      expect(firstNonFinite(make(dtype, [biggest, -biggest, -0]))).toBe(-1);
      expect(firstNonFinite(make(dtype, []))).toBe(-1);
    });
  });
});

describe.each(dtypes)('sigmoid (%s)', (dtype) => {
  // float32 outputs carry a relative rounding error of at most 2^-24 ≈ 6e-8.
  const eps = dtype === 'float32' ? 2e-7 : 1e-15;

  it('is exactly 1/2 at 0', () => {
    const out = sentinel(dtype, 1);
    sigmoid(make(dtype, [0]), out);
    expect(out[0]).toBe(0.5);
  });

  it('matches hand-derived values: σ(ln 3) = 3/4, σ(−ln 3) = 1/4, σ(ln 9) = 9/10', () => {
    // σ(ln k) = 1/(1 + 1/k) = k/(k+1).
    const x = make(dtype, [Math.log(3), -Math.log(3), Math.log(9)]);
    const out = sentinel(dtype, 3);
    withInputsUnchanged([x], () => sigmoid(x, out));
    // The float32 input ln 3 is itself rounded by up to 2^-24 relative; σ' ≤ 1/4 keeps the effect below eps.
    expect(Math.abs((out[0] as number) - 0.75)).toBeLessThan(eps);
    expect(Math.abs((out[1] as number) - 0.25)).toBeLessThan(eps);
    expect(Math.abs((out[2] as number) - 0.9)).toBeLessThan(eps);
  });

  it('is symmetric: σ(−x) = 1 − σ(x)', () => {
    const xs = [0.25, 0.5, 1, 2, 3.5, 8, 15];
    const pos = sentinel(dtype, xs.length);
    const neg = sentinel(dtype, xs.length);
    sigmoid(make(dtype, xs), pos);
    sigmoid(
      make(
        dtype,
        xs.map((v) => -v),
      ),
      neg,
    );
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs((neg[i] as number) - (1 - (pos[i] as number))), `x = ${xs[i]}`).toBeLessThan(eps);
    }
  });

  it('is increasing and strictly inside (0, 1) for moderate inputs', () => {
    const xs = [-10, -3, -1, -0.25, 0, 0.25, 1, 3, 10];
    const out = sentinel(dtype, xs.length);
    sigmoid(make(dtype, xs), out);
    for (let i = 0; i < xs.length; i++) {
      expect(out[i]).toBeGreaterThan(0);
      expect(out[i]).toBeLessThan(1);
      if (i > 0) expect(out[i] as number).toBeGreaterThan(out[i - 1] as number);
    }
  });

  it('does not overflow to NaN at ±1000 or ±Infinity', () => {
    const x = make(dtype, [1000, -1000, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const out = sentinel(dtype, 4);
    withInputsUnchanged([x], () => sigmoid(x, out));
    // σ(1000) = 1 − e^-1000 rounds to 1; σ(−1000) = e^-1000/(1 + e^-1000) underflows to 0 (e^-1000 ≈ 5e-435).
    expect(Array.from(out)).toEqual([1, 0, 1, 0]);
    expect(firstNonFinite(out)).toBe(-1);
  });

  it('keeps relative precision for large negative inputs', () => {
    // σ(−x) = e^-x/(1 + e^-x) = e^-x·(1 − e^-x + …): for x ≥ 20 the relative gap to e^-x is below 3e-9.
    // e^-80 ≈ 1.8e-35 is still a normal float32. Computing 1 − σ(x) instead would return 0 at x = 40.
    const xs = [-20, -40, -80];
    const out = sentinel(dtype, xs.length);
    sigmoid(make(dtype, xs), out);
    xs.forEach((x, i) => expect(Math.abs((out[i] as number) / Math.exp(x) - 1), `x = ${x}`).toBeLessThan(1e-6));
  });
});

describe.each(dtypes)('sigmoidBackward (%s)', (dtype) => {
  it('matches hand-derived dx = dy · y · (1 − y)', () => {
    const y = make(dtype, [0.5, 0.25, 0.75, 0, 1]);
    const dy = make(dtype, [1, 2, -4, 3, 5]);
    const dx = sentinel(dtype, 5);
    withInputsUnchanged([y, dy], () => sigmoidBackward(y, dy, dx));
    // 0.5·0.5 = 0.25; 2·0.25·0.75 = 0.375; −4·0.75·0.25 = −0.75; saturated outputs pass no gradient.
    expect(Array.from(dx)).toEqual([0.25, 0.375, -0.75, 0, 0]);
  });

  it('agrees with y(1 − y)·dy on the outputs of sigmoid', () => {
    const x = make(dtype, [-4, -1.5, -0.25, 0, 0.75, 2, 6]);
    const y = sentinel(dtype, x.length);
    sigmoid(x, y);
    const dy = make(dtype, [1, -2, 0.5, 3, -0.25, 4, 1.5]);
    const dx = sentinel(dtype, x.length);
    withInputsUnchanged([y, dy], () => sigmoidBackward(y, dy, dx));
    const tol = dtype === 'float32' ? 1e-6 : 1e-15;
    for (let i = 0; i < x.length; i++) {
      const yi = y[i] as number;
      const expected = yi * (1 - yi) * (dy[i] as number);
      expect(Math.abs((dx[i] as number) - expected), `i = ${i}`).toBeLessThan(tol);
    }
  });
});

describe('sigmoidBackward against finite differences (float64)', () => {
  it('agrees with a central finite difference of sigmoid', () => {
    const dtype: DType = 'float64';
    const xs = [-3, -0.5, 0, 1.25, 4];
    const h = 1e-5;
    const y = sentinel(dtype, xs.length);
    const yp = sentinel(dtype, xs.length);
    const ym = sentinel(dtype, xs.length);
    sigmoid(make(dtype, xs), y);
    sigmoid(
      make(
        dtype,
        xs.map((v) => v + h),
      ),
      yp,
    );
    sigmoid(
      make(
        dtype,
        xs.map((v) => v - h),
      ),
      ym,
    );
    const dx = sentinel(dtype, xs.length);
    sigmoidBackward(y, make(dtype, new Array<number>(xs.length).fill(1)), dx);
    for (let i = 0; i < xs.length; i++) {
      const numeric = ((yp[i] as number) - (ym[i] as number)) / (2 * h);
      // Central difference error is O(h²)·σ''' ≈ 1e-10 plus rounding ≈ 1e-16/h ≈ 1e-11.
      expect(Math.abs((dx[i] as number) - numeric), `x = ${xs[i]}`).toBeLessThan(1e-8);
    }
  });
});
