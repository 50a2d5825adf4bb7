import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, Rng, UNARY_NAMES, UNARY_OPS, tsBackend, type Backend, type TypedArray, type UnaryDefinition } from '@gradstream/tensor';
import { wasmBackend } from '../src/index.js';

const wasm = wasmBackend({ threads: 1 });
const SIZES = [1, 7, 33, 129, 511];
const SPECIAL = [Number.NaN, 0, -0, Infinity, -Infinity, 1e-30, -1e-30, 50, -50, 1000, -1000];

/** A float32 buffer of the backend's with seeded values in [lo, hi], the special ones first when asked. */
function buffer(b: Backend, n: number, rng: Rng, lo = -2, hi = 2, specials = false): Float32Array {
  const a = b.allocate('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) a[i] = specials && i < SPECIAL.length ? (SPECIAL[i] as number) : rng.uniform(lo, hi);
  return a;
}
/** The same values in the other backend's memory. */
const twin = (b: Backend, a: Float32Array): Float32Array => {
  const t = b.allocate('float32', a.length) as Float32Array;
  t.set(a);
  return t;
};
const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

/** |a − b| relative to max(|b|, scale), the worst element; NaN, infinities and exact zeros must agree exactly. */
function worst(a: TypedArray, b: TypedArray, scale = 1e-6): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      expect(String(x), `element ${i}`).toBe(String(y));
      continue;
    }
    w = Math.max(w, Math.abs(x - y) / Math.max(Math.abs(y), scale));
  }
  return w;
}

describe('the wasm backend against the TypeScript reference', () => {
  it('implements every kernel of the set', () => {
    for (const k of KERNEL_NAMES) expect(typeof wasm[k], k).toBe('function');
    expect(wasm.name).toBe('wasm');
  });

  for (const [m, n, k] of [[1, 1, 1], [7, 33, 129], [33, 7, 511], [129, 129, 7], [64, 128, 784], [511, 33, 65]] as const) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`matmul ${m}×${n}×${k}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''}, overwriting and accumulating`, () => {
        const rng = Rng.fromSeed(m * n + k);
        const a = buffer(wasm, m * k, rng);
        const b = buffer(wasm, k * n, rng);
        for (const accumulate of [false, true]) {
          const out = buffer(wasm, m * n, rng);
          const ref = Float32Array.from(out);
          wasm.matmul(a, b, out, m, n, k, transA, transB, accumulate);
          tsBackend.matmul(Float32Array.from(a), Float32Array.from(b), ref, m, n, k, transA, transB, accumulate);
          // float32 sums of k terms of size ≤ 4: a few ulps of the largest partial sum
          let err = 0;
          for (let i = 0; i < out.length; i++) err = Math.max(err, Math.abs((out[i] as number) - (ref[i] as number)));
          expect(err).toBeLessThan(4 * k * 2 ** -23 * 4 + 1e-6);
        }
      });
    }
  }

  for (const rows of [1, 7, 33]) {
    for (const cols of [1, 7, 129]) {
      it(`elementwise, reductions, losses and updates on ${rows}×${cols}, special values included`, () => {
        const rng = Rng.fromSeed(rows * 1000 + cols);
        const n = rows * cols;
        const run = (b: Backend, x: Float32Array, y: Float32Array, bias: Float32Array) => {
          const o = (len = n) => b.allocate('float32', len) as Float32Array;
          const r: Record<string, Float32Array | number> = {};
          const add = o(); b.add(x, y, add); r.add = add;
          const mul = o(); b.mul(x, y, mul); r.mul = mul;
          const scale = o(); b.scale(x, 0.25, scale); r.scale = scale;
          const copy = o(); b.copy(x, copy); r.copy = copy;
          const fill = o(); b.fill(fill, -0.5); r.fill = fill;
          const arb = o(); b.addRowBroadcast(x, bias, arb, rows, cols); r.addRowBroadcast = arb;
          const sums = o(cols); b.sumRows(x, sums, rows, cols); r.sumRows = sums;
          const acc = o(cols).fill(1); b.sumRows(x, acc, rows, cols, true); r.sumRowsAccumulate = acc;
          r.sumSquares = b.sumSquares(y);
          r.firstNonFinite = b.firstNonFinite(x);
          r.sumSquaredDiff = b.sumSquaredDiff(x.subarray(0), y, n);
          r.countArgmaxMatches = b.countArgmaxMatches(y, x, rows, cols);
          const loss = o(1); b.mse(y, x, loss, rows); r.mse = loss;
          const dLoss = o(1); b.fill(dLoss, 0.5); const dp = o(); b.mseBackward(y, x, dLoss, dp, rows); r.mseBackward = dp;
          const w = o(); w.set(y); b.sgdUpdate(w, x, 0.1); r.sgd = w;
          const pg = o(); pg.set(y); b.weightPenalty(x, pg, 0.01, 0.1); r.weightPenalty = pg;
          return r;
        };
        const xs = buffer(wasm, n, rng, -3, 3, true);
        const ys = buffer(wasm, n, rng, -3, 3);
        const bias = buffer(wasm, cols, rng);
        const got = run(wasm, xs, ys, bias);
        const want = run(tsBackend, Float32Array.from(xs), Float32Array.from(ys), Float32Array.from(bias));
        for (const key of Object.keys(want)) {
          const g = got[key] as Float32Array | number;
          const w = want[key] as Float32Array | number;
          if (typeof w === 'number') {
            if (Number.isNaN(w)) expect(Number.isNaN(g as number), key).toBe(true);
            else expect(Math.abs((g as number) - w) / Math.max(Math.abs(w), 1e-6), key).toBeLessThan(1e-5);
          } else {
            expect(worst(g as Float32Array, w, 1), key).toBeLessThan(1e-5);
          }
        }
      });
    }
  }

  for (const name of UNARY_NAMES) {
    const def: UnaryDefinition = UNARY_OPS[name];
    const p = def.param === undefined ? 0 : 0.2;
    it(`${name}: forward and backward within float32 tolerance of the reference; fused equals separate bit for bit`, () => {
      for (const [rows, cols] of [[1, 7], [7, 33], [33, 129]] as const) {
        const rng = Rng.fromSeed(rows + cols);
        const n = rows * cols;
        const z = buffer(wasm, n, rng, -6, 6, true);
        const bias = buffer(wasm, cols, rng);
        const dy = buffer(wasm, n, rng);
        const o = (len = n) => wasm.allocate('float32', len) as Float32Array;
        // separate, on wasm
        const pre = o();
        wasm.addRowBroadcast(z, bias, pre, rows, cols);
        const y = o();
        wasm.unary(name, pre, y, p);
        const saved = def.saves === 'y' ? y : pre;
        const dz = o();
        wasm.unaryBackward(name, saved, dy, dz, p);
        const db = o(cols);
        wasm.sumRows(dz, db, rows, cols);
        // fused, on wasm
        const yF = o().fill(5);
        wasm.biasUnary(name, z, bias, yF, rows, cols, p);
        const dzF = o().fill(5);
        const dbF = o(cols).fill(5);
        wasm.unaryBiasBackward(name, saved, dy, dzF, dbF, rows, cols, p);
        expect(bits(yF)).toEqual(bits(y));
        expect(bits(dzF)).toEqual(bits(dz));
        expect(bits(dbF)).toEqual(bits(db));
        // against the reference, from the same inputs
        const yRef = new Float32Array(n);
        tsBackend.unary(name, Float32Array.from(pre), yRef, p);
        expect(worst(y, yRef)).toBeLessThan(1e-6);
        const dzRef = new Float32Array(n);
        tsBackend.unaryBackward(name, Float32Array.from(saved), Float32Array.from(dy), dzRef, p);
        // 1 − y² cancels near |y| = 1: compare with the size of the terms, |dy|
        expect(worst(dz, dzRef, 1)).toBeLessThan(1e-6);
      }
    });
  }

  it('softmax cross-entropy and its backward, finite at ±1000', () => {
    const rng = Rng.fromSeed(9);
    const [rows, cols] = [33, 10];
    const logits = buffer(wasm, rows * cols, rng, -5, 5);
    logits[0] = 1000;
    logits[1] = -1000;
    const target = buffer(wasm, rows * cols, rng, 0, 0);
    for (let r = 0; r < rows; r++) target[r * cols + (r % cols)] = 1;
    const probs = wasm.allocate('float32', rows * cols) as Float32Array;
    const loss = wasm.allocate('float32', 1) as Float32Array;
    wasm.softmaxCrossEntropy(logits, target, probs, loss, rows, cols);
    const probsRef = new Float32Array(rows * cols);
    const lossRef = new Float32Array(1);
    tsBackend.softmaxCrossEntropy(Float32Array.from(logits), Float32Array.from(target), probsRef, lossRef, rows, cols);
    expect(Number.isFinite(loss[0])).toBe(true);
    expect(worst(loss, lossRef)).toBeLessThan(1e-6);
    expect(worst(probs, probsRef, 1)).toBeLessThan(1e-6);
    const dx = wasm.allocate('float32', rows * cols) as Float32Array;
    wasm.softmaxCrossEntropyBackward(probs, target, loss.fill(1), dx, rows, cols);
    const dxRef = new Float32Array(rows * cols);
    tsBackend.softmaxCrossEntropyBackward(probsRef, Float32Array.from(target), Float32Array.of(1), dxRef, rows, cols);
    expect(worst(dx, dxRef, 1)).toBeLessThan(1e-6);
  });

  it('Adam and momentum steps within float32 tolerance of the reference', () => {
    const rng = Rng.fromSeed(4);
    const n = 129;
    const w = buffer(wasm, n, rng);
    const g = buffer(wasm, n, rng);
    const m = buffer(wasm, n, rng, 0, 0);
    const v = buffer(wasm, n, rng, 0, 0);
    const [wR, gR, mR, vR] = [w, g, m, v].map((a) => Float32Array.from(a)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    for (let t = 1; t <= 5; t++) {
      wasm.adamUpdate(w, g, m, v, 0.01, 0.9, 0.999, 1e-8, 0.01, t);
      tsBackend.adamUpdate(wR, gR, mR, vR, 0.01, 0.9, 0.999, 1e-8, 0.01, t);
    }
    // relative to the weights' size: float32 arithmetic against float64 rounded per store
    expect(worst(w, wR, 1)).toBeLessThan(1e-6);
    const vel = buffer(wasm, n, rng, 0, 0);
    const velR = new Float32Array(n);
    wasm.momentumUpdate(w, g, vel, 0.1, 0.9, true);
    tsBackend.momentumUpdate(wR, gR, velR, 0.1, 0.9, true);
    expect(worst(w, wR, 1)).toBeLessThan(1e-6);
  });

  it('falls back to the reference for float64 and for arrays outside its memory', () => {
    const a = Float64Array.from([1, 2, 3]);
    const out = new Float64Array(3);
    wasm.unary('relu', Float64Array.from([-1, 0, 2]), out);
    expect(Array.from(out)).toEqual([0, 0, 2]);
    expect(wasm.allocate('float64', 3)).toBeInstanceOf(Float64Array);
    const plain = new Float32Array(3);
    wasm.add(Float32Array.from(a), Float32Array.from(a), plain);
    expect(Array.from(plain)).toEqual([2, 4, 6]);
  });
});

describe('the wasm backend’s memory', () => {
  it('gives freed blocks to later allocations, so memory does not grow with churn', () => {
    const before = wasm.allocate('float32', 1000);
    wasm.free([before]);
    const again = wasm.allocate('float32', 1000);
    expect(again.byteOffset).toBe(before.byteOffset);
    expect(Array.from(again.subarray(0, 3))).toEqual([0, 0, 0]);
    wasm.free([again]);
    const sizes = SIZES.map((s) => s * 97);
    for (let round = 0; round < 50; round++) wasm.free(sizes.map((s) => wasm.allocate('float32', s)));
    const first = wasm.allocate('float32', 10);
    wasm.free([first]);
    // after 250 allocations and frees the heap top is where it was
    expect(first.byteOffset).toBe(before.byteOffset);
  });
});
