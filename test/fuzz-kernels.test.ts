import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KERNEL_NAMES,
  READING_KERNELS,
  Rng,
  SourceBindings,
  UNARY_NAMES,
  UNARY_OPS,
  tsBackend,
  type Backend,
  type DType,
  type KernelName,
  type TypedArray,
  type UnaryName,
} from '@gradstream/tensor';
import { PARALLEL_MIN, wasmBackend, wasmThreadsReady } from '@gradstream/backend-wasm';
import { configureFuzz, fuzzSettings } from './support/fuzz.js';
import { abs, common, dimArb, dtypeArb, fuzz, lengthArb, matmulShapeArb, offsetArb, seedArb, magnitudeArb, values, zeros, type Case, type Common, type KernelFuzz, type Want } from './support/kernel-fuzz.js';
import { LAYER_KERNEL_CASES } from './support/kernel-cases/index.js';

// Fuzz tests of the kernel set: every kernel of the contract (KERNEL_NAMES), on random sizes (1,
// odd ones, ones around the SIMD width, the inline threshold of 64 elements and the matmul tiles),
// float32 and float64, on views at random offsets inside larger buffers, is compared with a naive
// float64 reference written here, on every implementation: the TypeScript kernels called directly
// and as a generated pass writes them (renderCall), the wasm backend on one thread and, for the
// products large enough to be split, on two. Tolerances are relative to the size of the terms.
// The seed is fixed so CI is deterministic; a larger run on demand:
//   GRADSTREAM_FUZZ_RUNS=10000 npx vitest run test/fuzz-kernels.test.ts
// (GRADSTREAM_FUZZ_SEED picks another seed; a failure prints the seed and path to replay it.)
const FUZZ = fuzzSettings(500);
const RUNS = FUZZ.runs;
// The test timeout leaves room for the last run and shrinking after the time limit.
const TEST_TIMEOUT_MS = FUZZ.timeLimitMs + 60_000;

const wasm1 = wasmBackend({ threads: 1 });
const wasm2 = wasmBackend({ threads: 2 });

beforeAll(async () => {
  configureFuzz(FUZZ);
  // Until its workers have started, the two-thread backend runs every part on this thread.
  await wasmThreadsReady(wasm2);
});
afterAll(() => {
  fc.resetConfigureGlobal();
});

/** One way of running a kernel: a backend, called directly or through the statement a generated pass contains. */
interface Impl {
  readonly name: string;
  readonly backend: Backend;
  readonly rendered: boolean;
}
const IMPLS: readonly Impl[] = [
  { name: 'ts', backend: tsBackend, rendered: false },
  { name: 'ts rendered', backend: tsBackend, rendered: true },
  { name: 'wasm', backend: wasm1, rendered: false },
  { name: 'wasm rendered', backend: wasm1, rendered: true },
];

const TAIL = 3;
const SENTINEL = 1234.5;
const UNIT = { float32: 2 ** -24, float64: 2 ** -53 } as const;
// Below this, values are compared absolutely: float32 underflows gradually there, and an approximate exp may flush.
const FLOOR = { float32: 2 ** -100, float64: 2 ** -1000 } as const;

const rounded = (dtype: DType, v: Float64Array): Float64Array => (dtype === 'float32' ? Float64Array.from(Float32Array.from(v)) : Float64Array.from(v));

/** Runs a case on one implementation: the written buffers (as float64) and the kernel's result; checks nothing outside the views was touched. */
function runOn(impl: Impl, kernel: KernelName, c: Case): { readonly out: Record<string, Float64Array>; readonly result: unknown } {
  const b = impl.backend;
  const whole: Record<string, TypedArray> = {};
  const views: Record<string, TypedArray> = {};
  for (const [k, v] of Object.entries(c.bufs)) {
    const w = b.allocate(c.dtype, c.offset + v.length + TAIL);
    w.fill(SENTINEL);
    whole[k] = w;
    views[k] = w.subarray(c.offset, c.offset + v.length);
    views[k].set(v);
  }
  const args = c.args(views);
  let result: unknown;
  if (impl.rendered) {
    const sb = new SourceBindings();
    const statement = b.renderCall({ kernel, args }, sb);
    sb.instantiate<() => void>(`return function () { ${statement} };`, `fuzz-${kernel}`)!();
  } else {
    result = (b[kernel] as (...a: unknown[]) => unknown)(...args);
  }
  const out: Record<string, Float64Array> = {};
  for (const [k, w] of Object.entries(whole)) {
    for (let i = 0; i < w.length; i++) {
      if ((i < c.offset || i >= w.length - TAIL) && w[i] !== SENTINEL) throw new Error(`${impl.name} ${kernel}: wrote element ${i - c.offset} of ${k}, outside its ${w.length - c.offset - TAIL} elements`);
    }
    out[k] = Float64Array.from(views[k] as TypedArray);
  }
  b.free(Object.values(whole));
  return { out, result };
}

/** Throws unless every element is within its tolerance (NaN where NaN is expected). */
function expectClose(what: string, dtype: DType, got: ArrayLike<number>, w: Want): void {
  if (got.length !== w.want.length) throw new Error(`${what}: ${got.length} values, expected ${w.want.length}`);
  const unit = w.unit === 'f64' ? UNIT.float64 : UNIT[dtype];
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i] as number;
    const e = w.want[i] as number;
    if (w.scale === undefined) {
      if (!Object.is(g, e) && !(g === 0 && e === 0)) throw new Error(`${what}[${i}]: got ${g}, expected exactly ${e}`);
      continue;
    }
    if (Number.isNaN(e)) {
      if (!Number.isNaN(g)) throw new Error(`${what}[${i}]: got ${g}, expected NaN`);
      continue;
    }
    const allowed = (w.ulps ?? 4) * unit * ((w.scale[i] as number) + Math.abs(e) + FLOOR[dtype]);
    const err = Math.abs(g - e) / allowed;
    if (!(err <= 1) && !(err <= worstErr)) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}[${worst}] of ${got.length}: got ${got[worst]}, expected ${w.want[worst]} ± ${((w.ulps ?? 4) * unit * ((w.scale?.[worst] as number) + Math.abs(w.want[worst] as number))).toExponential(2)} (${worstErr.toFixed(1)}× the tolerance)`,
    );
  }
}

/** Runs a case on every implementation and checks each against the reference (and the promised bit-equalities). */
function check(kernel: KernelName, c: Case, impls: readonly Impl[] = IMPLS): void {
  const inputs: Record<string, Float64Array> = {};
  const bufs: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(c.bufs)) bufs[k] = inputs[k] = rounded(c.dtype, v);
  const stored: Case = { ...c, bufs };
  const want = c.reference(inputs);
  let ts: Record<string, Float64Array> | undefined;
  for (const impl of impls) {
    // A generated pass never contains a kernel that reads a result (see READING_KERNELS).
    if (impl.rendered && READING_KERNELS.has(kernel)) continue;
    const { out, result } = runOn(impl, kernel, stored);
    for (const [k, w] of Object.entries(want)) {
      const got = k === 'result' ? [result as number] : (out[k] as Float64Array);
      expectClose(`${impl.name} ${kernel} (${c.dtype}) ${k}`, c.dtype, got, w);
    }
    if (impl.name === 'ts') ts = out;
    for (const k of c.sameBits ?? []) {
      const a = out[k] as Float64Array;
      const b = (ts as Record<string, Float64Array>)[k] as Float64Array;
      const i = a.findIndex((v, j) => !Object.is(v, b[j]));
      if (i >= 0) throw new Error(`${impl.name} ${kernel} (${c.dtype}) ${k}[${i}]: ${a[i]}, the TypeScript kernel's ${b[i]} (they must agree bit for bit)`);
    }
  }
}

// ---- references

/**
 * f and f′ of each elementwise function, from its definition; `saved` is what the backward reads (x or y, as UNARY_OPS says).
 * `size`, where given, is how many times |f(x)| the rounding of f's inner terms may reach (default 1).
 */
const UNARY_REFERENCE: Readonly<Record<UnaryName, { f: (x: number, p: number) => number; df: (saved: number, dy: number, p: number) => number; size?: (x: number) => number }>> = {
  identity: { f: (x) => x, df: (_s, dy) => dy },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (y, dy) => dy * y * (1 - y) },
  relu: { f: (x) => (x > 0 ? x : 0), df: (y, dy) => (y > 0 ? dy : 0) },
  leakyRelu: { f: (x, p) => (x > 0 ? x : p * x), df: (x, dy, p) => (x > 0 ? dy : p * dy) },
  tanh: { f: (x) => Math.tanh(x), df: (y, dy) => dy * (1 - y * y) },
  // ½(1 + tanh(v/2)) = σ(v) with v = 2·√(2/π)·(x + 0.044715x³): the tanh form itself cancels to 0 for x ≪ 0.
  gelu: {
    f: (x) => {
      const v = Math.sqrt(8 / Math.PI) * (x + 0.044715 * x ** 3);
      return v >= 0 ? x / (1 + Math.exp(-v)) : (x * Math.exp(v)) / (1 + Math.exp(v));
    },
    df: (x, dy) => {
      const v = Math.sqrt(8 / Math.PI) * (x + 0.044715 * x ** 3);
      // σ′ = σ(v)·σ(−v): 1 − σ(v) would cancel for v ≫ 0.
      const [s, r] = [1 / (1 + Math.exp(-v)), 1 / (1 + Math.exp(v))];
      return dy * (s + x * s * r * Math.sqrt(8 / Math.PI) * (1 + 3 * 0.044715 * x * x));
    },
    // e^(−|v|) turns a rounding of v into a relative error |v| times as large, and v here takes three.
    size: (x) => 1 + 3 * Math.sqrt(8 / Math.PI) * Math.abs(x + 0.044715 * x ** 3),
  },
  softplus: { f: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), df: (x, dy) => dy / (1 + Math.exp(-x)) },
};

function matmulReference(a: Float64Array, b: Float64Array, out0: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean): Want {
  const want = Float64Array.from(out0);
  const scale = new Float64Array(out0.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let size = 0;
      for (let p = 0; p < k; p++) {
        const t = (a[transA ? p * m + i : i * k + p] as number) * (b[transB ? j * k + p : p * n + j] as number);
        s += t;
        size += Math.abs(t);
      }
      const o = i * n + j;
      want[o] = accumulate ? (out0[o] as number) + s : s;
      scale[o] = size + (accumulate ? Math.abs(out0[o] as number) : 0);
    }
  }
  // Each product and partial sum may round: k + 2 units of the terms' size.
  return { want, scale, ulps: k + 2 };
}

function softmaxReference(x: Float64Array, rows: number, cols: number): { y: Float64Array; scale: Float64Array; shift: Float64Array; logSum: Float64Array } {
  const y = new Float64Array(x.length);
  const scale = new Float64Array(x.length);
  const shift = new Float64Array(rows);
  const logSum = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[o + c] as number);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp((x[o + c] as number) - m);
    for (let c = 0; c < cols; c++) {
      y[o + c] = Math.exp((x[o + c] as number) - m) / s;
      // e^(x − m) carries the rounding of x − m, relative to its size, and the sum of cols terms.
      scale[o + c] = (y[o + c] as number) * (2 + Math.abs((x[o + c] as number) - m) + cols);
    }
    shift[r] = m;
    logSum[r] = Math.log(s);
  }
  return { y, scale, shift, logSum };
}

// ---- one entry per kernel of the contract


/** An elementwise binary kernel: `out` of n elements, inputs possibly longer (only `out.length` counts), or written in place into `a` or `b`. */
const binary = (op: (a: number, b: number) => number) =>
  fuzz(fc.record({ ...common, n: lengthArb, longer: fc.nat({ max: 3 }), inPlace: fc.constantFrom('no', 'a', 'b') }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const inPlace = p.inPlace !== 'no';
    const len = inPlace ? p.n : p.n + p.longer;
    const target = inPlace ? p.inPlace : 'out';
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { a: values(rng, len, -p.mag, p.mag), b: values(rng, len, -p.mag, p.mag), ...(inPlace ? {} : { out: values(rng, p.n, -1, 1) }) },
      args: (v) => [v.a, v.b, v[target]],
      reference: (i) => {
        const want = Float64Array.from({ length: p.n }, (_, j) => op(i.a![j]!, i.b![j]!));
        return { [target]: { want, scale: abs(want), ulps: 1 } };
      },
      sameBits: [target],
    };
  });

const KERNELS: { readonly [K in KernelName]: KernelFuzz<any> } = {
  // The layer families' kernels (convolution, normalization, sequences, attention, losses), each in its own file.
  ...LAYER_KERNEL_CASES,
  matmul: fuzz(
    fc.record({
      ...common,
      shape: matmulShapeArb,
      transA: fc.boolean(),
      transB: fc.boolean(),
      accumulate: fc.boolean(),
      extra: fc.nat({ max: 3 }),
    }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      const { m, n, k } = p.shape;
      return {
        dtype: p.dtype,
        offset: p.offset,
        // out may be longer than m·n: only its first m·n elements are written.
        bufs: { a: values(rng, m * k, -p.mag, p.mag), b: values(rng, k * n, -1, 1), out: values(rng, m * n + p.extra, -p.mag, p.mag) },
        args: (v) => [v.a, v.b, v.out, m, n, k, p.transA, p.transB, p.accumulate],
        reference: (i) => ({ out: matmulReference(i.a!, i.b!, i.out!, m, n, k, p.transA, p.transB, p.accumulate) }),
      };
    },
  ),
  add: binary((a, b) => a + b),
  mul: binary((a, b) => a * b),
  scale: fuzz(fc.record({ ...common, n: lengthArb, s: fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(0, 1, -1, 0.5, 1 / 3, 1e30)), inPlace: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const a = values(rng, p.n, -p.mag, p.mag);
    const target = p.inPlace ? 'a' : 'out';
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: p.inPlace ? { a } : { a, out: zeros(p.n) },
      args: (v) => [v.a, p.s, v[target]],
      reference: (i) => {
        const want = i.a!.map((x) => p.s * x);
        return { [target]: { want, scale: abs(want), ulps: 1 } };
      },
      sameBits: [target],
    };
  }),
  copy: fuzz(fc.record({ ...common, n: lengthArb, longer: fc.nat({ max: 70 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      // The source may be longer: the first dst.length elements are copied.
      bufs: { src: values(rng, p.n + p.longer, -p.mag, p.mag), dst: values(rng, p.n, -1, 1) },
      args: (v) => [v.src, v.dst],
      reference: (i) => ({ dst: { want: i.src!.slice(0, p.n) } }),
    };
  }),
  fill: fuzz(fc.record({ ...common, n: lengthArb, value: fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constantFrom(0, -0, 1 / 3)) }), (p) => ({
    dtype: p.dtype,
    offset: p.offset,
    bufs: { out: values(Rng.fromSeed(p.seed), p.n, -1, 1) },
    args: (v) => [v.out, p.value],
    reference: () => ({ out: { want: new Float64Array(p.n).fill(p.dtype === 'float32' ? Math.fround(p.value) : p.value) } }),
  })),
  addRowBroadcast: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, inPlace: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const x = values(rng, p.rows * p.cols, -p.mag, p.mag);
    const target = p.inPlace ? 'x' : 'out';
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x, bias: values(rng, p.cols, -p.mag, p.mag), ...(p.inPlace ? {} : { out: zeros(x.length) }) },
      args: (v) => [v.x, v.bias, v[target], p.rows, p.cols],
      reference: (i) => {
        const want = i.x!.map((x, j) => x + i.bias![j % p.cols]!);
        return { [target]: { want, scale: i.x!.map((x, j) => Math.abs(x) + Math.abs(i.bias![j % p.cols]!)), ulps: 1 } };
      },
      sameBits: [target],
    };
  }),
  sumRows: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, accumulate: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x: values(rng, p.rows * p.cols, -p.mag, p.mag), out: values(rng, p.cols, -p.mag, p.mag) },
      args: (v) => [v.x, v.out, p.rows, p.cols, p.accumulate],
      reference: (i) => {
        const want = p.accumulate ? Float64Array.from(i.out!) : zeros(p.cols);
        const scale = p.accumulate ? abs(i.out!) : zeros(p.cols);
        for (let r = 0; r < p.rows; r++) {
          for (let c = 0; c < p.cols; c++) {
            want[c] = want[c]! + i.x![r * p.cols + c]!;
            scale[c] = scale[c]! + Math.abs(i.x![r * p.cols + c]!);
          }
        }
        return { out: { want, scale, ulps: p.rows + 1 } };
      },
      sameBits: ['out'],
    };
  }),
  unary: fuzz(fc.record({ ...common, n: lengthArb, fn: fc.constantFrom(...UNARY_NAMES), p: fc.double({ min: 0, max: 0.5, noNaN: true }), inPlace: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const x = values(rng, p.n, -8 * Math.sqrt(p.mag), 8 * Math.sqrt(p.mag));
    const target = p.inPlace ? 'x' : 'out';
    const ref = UNARY_REFERENCE[p.fn as UnaryName];
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: p.inPlace ? { x } : { x, out: zeros(p.n) },
      args: (v) => [p.fn, v.x, v[target], p.p],
      reference: (i) => {
        const want = i.x!.map((v) => ref.f(v, p.p));
        // The kernels' exp and tanh are within a few units of the rounded result (float32 wasm: polynomials).
        return { [target]: { want, scale: want.map((w, j) => Math.abs(w) * (ref.size?.(i.x![j]!) ?? 1)), ulps: 4 } };
      },
    };
  }),
  unaryBackward: fuzz(fc.record({ ...common, n: lengthArb, fn: fc.constantFrom(...UNARY_NAMES), p: fc.double({ min: 0, max: 0.5, noNaN: true }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const fn = p.fn as UnaryName;
    const ref = UNARY_REFERENCE[fn];
    const x = values(rng, p.n, -6, 6);
    const saved = UNARY_OPS[fn].saves === 'y' ? x.map((v) => ref.f(v, p.p)) : x;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { saved, dy: values(rng, p.n, -p.mag, p.mag), dx: zeros(p.n) },
      args: (v) => [fn, v.saved, v.dy, v.dx, p.p],
      // f′ from the saved value as stored; 1 − y² cancels near |y| = 1, so the terms' size is |dy|.
      reference: (i) => ({ dx: { want: i.saved!.map((s, j) => ref.df(s, i.dy![j]!, p.p)), scale: abs(i.dy!), ulps: 4 } }),
    };
  }),
  biasUnary: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, fn: fc.constantFrom(...UNARY_NAMES), p: fc.double({ min: 0, max: 0.5, noNaN: true }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const fn = p.fn as UnaryName;
    const ref = UNARY_REFERENCE[fn];
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { z: values(rng, p.rows * p.cols, -6, 6), bias: values(rng, p.cols, -2, 2), out: zeros(p.rows * p.cols) },
      args: (v) => [fn, v.z, v.bias, v.out, p.rows, p.cols, p.p],
      reference: (i) => {
        // The sum is rounded to the dtype before f (the fused kernel equals addRowBroadcast then unary).
        const pre = rounded(p.dtype, i.z!.map((z, j) => z + i.bias![j % p.cols]!));
        const want = pre.map((v) => ref.f(v, p.p));
        return { out: { want, scale: want.map((w, j) => Math.abs(w) * (ref.size?.(pre[j]!) ?? 1)), ulps: 4 } };
      },
    };
  }),
  unaryBiasBackward: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, fn: fc.constantFrom(...UNARY_NAMES), p: fc.double({ min: 0, max: 0.5, noNaN: true }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const fn = p.fn as UnaryName;
    const ref = UNARY_REFERENCE[fn];
    const x = values(rng, p.rows * p.cols, -6, 6);
    const saved = UNARY_OPS[fn].saves === 'y' ? x.map((v) => ref.f(v, p.p)) : x;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { saved, dy: values(rng, x.length, -p.mag, p.mag), dz: zeros(x.length), dbias: values(rng, p.cols, -1, 1) },
      args: (v) => [fn, v.saved, v.dy, v.dz, v.dbias, p.rows, p.cols, p.p],
      reference: (i) => {
        const dz = i.saved!.map((s, j) => ref.df(s, i.dy![j]!, p.p));
        // dbias sums the dz as stored.
        const stored = rounded(p.dtype, dz);
        const dbias = zeros(p.cols);
        const size = zeros(p.cols);
        stored.forEach((d, j) => {
          dbias[j % p.cols] = dbias[j % p.cols]! + d;
          size[j % p.cols] = size[j % p.cols]! + Math.abs(i.dy![j]!);
        });
        return { dz: { want: dz, scale: abs(i.dy!), ulps: 4 }, dbias: { want: dbias, scale: size, ulps: p.rows + 4 } };
      },
    };
  }),
  softmaxRows: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, inPlace: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    // Logits up to ±50: e^x would overflow float32 without the shift by the row maximum.
    const x = values(rng, p.rows * p.cols, -0.5 * Math.min(p.mag, 100), 0.5 * Math.min(p.mag, 100));
    const target = p.inPlace ? 'x' : 'out';
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: p.inPlace ? { x } : { x, out: zeros(x.length) },
      args: (v) => [v.x, v[target], p.rows, p.cols],
      reference: (i) => {
        const s = softmaxReference(i.x!, p.rows, p.cols);
        return { [target]: { want: s.y, scale: s.scale, ulps: 4 } };
      },
    };
  }),
  softmaxRowsBackward: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const y = softmaxReference(values(rng, p.rows * p.cols, -3, 3), p.rows, p.cols).y;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { y, dy: values(rng, y.length, -p.mag, p.mag), dx: zeros(y.length) },
      args: (v) => [v.y, v.dy, v.dx, p.rows, p.cols],
      reference: (i) => {
        const want = zeros(y.length);
        const scale = zeros(y.length);
        for (let r = 0; r < p.rows; r++) {
          const o = r * p.cols;
          let s = 0;
          let size = 0;
          for (let c = 0; c < p.cols; c++) {
            s += i.dy![o + c]! * i.y![o + c]!;
            size += Math.abs(i.dy![o + c]! * i.y![o + c]!);
          }
          for (let c = 0; c < p.cols; c++) {
            want[o + c] = i.y![o + c]! * (i.dy![o + c]! - s);
            scale[o + c] = i.y![o + c]! * (Math.abs(i.dy![o + c]!) + size) * (p.cols + 2);
          }
        }
        return { dx: { want, scale, ulps: 2 } };
      },
    };
  }),
  softmaxCrossEntropy: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, zeros: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const logits = values(rng, p.rows * p.cols, -0.5 * Math.min(p.mag, 100), 0.5 * Math.min(p.mag, 100));
    // Target weights ≥ 0, not necessarily summing to 1, some exactly 0 (they contribute nothing).
    const target = values(rng, logits.length, 0, 1).map((t) => (p.zeros && t < 0.5 ? 0 : t));
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { logits, target, probs: zeros(logits.length), loss: values(rng, 1, -1, 1) },
      args: (v) => [v.logits, v.target, v.probs, v.loss, p.rows, p.cols],
      reference: (i) => {
        const s = softmaxReference(i.logits!, p.rows, p.cols);
        let total = 0;
        let size = 0;
        for (let r = 0; r < p.rows; r++) {
          for (let c = 0; c < p.cols; c++) {
            const t = i.target![r * p.cols + c]!;
            const z = i.logits![r * p.cols + c]!;
            total += t * (s.shift[r]! + s.logSum[r]! - z);
            size += t * (Math.abs(s.shift[r]!) + Math.abs(s.logSum[r]!) + Math.abs(z) + 1) * (p.cols + 4);
          }
        }
        return { probs: { want: s.y, scale: s.scale, ulps: 4 }, loss: { want: [total / p.rows], scale: [size / p.rows], ulps: 4 } };
      },
    };
  }),
  softmaxCrossEntropyBackward: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const n = p.rows * p.cols;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { probs: values(rng, n, 0, 1), target: values(rng, n, 0, 1), dLoss: values(rng, 1, -p.mag, p.mag), dx: zeros(n) },
      args: (v) => [v.probs, v.target, v.dLoss, v.dx, p.rows, p.cols],
      reference: (i) => {
        const k = i.dLoss![0]! / p.rows;
        const want = zeros(n);
        const scale = zeros(n);
        for (let r = 0; r < p.rows; r++) {
          let mass = 0;
          for (let c = 0; c < p.cols; c++) mass += i.target![r * p.cols + c]!;
          for (let c = 0; c < p.cols; c++) {
            const j = r * p.cols + c;
            want[j] = k * (i.probs![j]! * mass - i.target![j]!);
            scale[j] = Math.abs(k) * (i.probs![j]! * mass + i.target![j]!) * (p.cols + 3);
          }
        }
        return { dx: { want, scale, ulps: 2 } };
      },
    };
  }),
  mse: fuzz(fc.record({ ...common, n: lengthArb, rows: fc.integer({ min: 1, max: 12 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { pred: values(rng, p.n, -p.mag, p.mag), target: values(rng, p.n, -p.mag, p.mag), loss: values(rng, 1, -1, 1) },
      args: (v) => [v.pred, v.target, v.loss, p.rows],
      reference: (i) => {
        let s = 0;
        for (let j = 0; j < p.n; j++) s += (i.pred![j]! - i.target![j]!) ** 2;
        // Summed in float64 from exactly promoted values (only the order of the additions may
        // differ), then divided and stored: up to one unit each.
        return { loss: { want: [(0.5 * s) / p.rows], scale: [0], ulps: 2 + (p.n * UNIT.float64) / UNIT[p.dtype] } };
      },
    };
  }),
  mseBackward: fuzz(fc.record({ ...common, n: lengthArb, rows: fc.integer({ min: 1, max: 12 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { pred: values(rng, p.n, -p.mag, p.mag), target: values(rng, p.n, -p.mag, p.mag), dLoss: values(rng, 1, -2, 2), dPred: zeros(p.n) },
      args: (v) => [v.pred, v.target, v.dLoss, v.dPred, p.rows],
      reference: (i) => {
        const k = i.dLoss![0]! / p.rows;
        // pred − target may cancel: the terms' size is |k|·(|pred| + |target|).
        return { dPred: { want: i.pred!.map((x, j) => k * (x - i.target![j]!)), scale: i.pred!.map((x, j) => Math.abs(k) * (Math.abs(x) + Math.abs(i.target![j]!))), ulps: 3 } };
      },
      sameBits: ['dPred'],
    };
  }),
  dropoutMask: fuzz(fc.record({ ...common, n: lengthArb, rate: fc.oneof(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.constantFrom(0, 0.5)) }), (p) => ({
    dtype: p.dtype,
    offset: p.offset,
    bufs: { mask: values(Rng.fromSeed(p.seed), p.n, -1, 1) },
    // A generator of its own per run: every implementation draws the same sequence.
    args: (v) => [Rng.fromSeed(p.seed), p.rate, v.mask],
    reference: () => {
      const rng = Rng.fromSeed(p.seed);
      const keep = p.dtype === 'float32' ? Math.fround(1 / (1 - p.rate)) : 1 / (1 - p.rate);
      return { mask: { want: Float64Array.from({ length: p.n }, () => (rng.next() < p.rate ? 0 : keep)) } };
    },
  })),
  sgdUpdate: fuzz(fc.record({ ...common, n: lengthArb, lr: fc.double({ min: 1e-4, max: 1, noNaN: true }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { w: values(rng, p.n, -p.mag, p.mag), g: values(rng, p.n, -p.mag, p.mag) },
      args: (v) => [v.w, v.g, p.lr],
      reference: (i) => ({ w: { want: i.w!.map((w, j) => w - p.lr * i.g![j]!), scale: i.w!.map((w, j) => Math.abs(w) + p.lr * Math.abs(i.g![j]!)), ulps: 3 } }),
    };
  }),
  weightPenalty: fuzz(
    fc.record({
      ...common,
      n: lengthArb,
      l1: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      l2: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      // Weights at ±0 (every `zeroEvery`-th one), where sign is 0.
      zeroEvery: fc.constantFrom(0, 2, 5),
      negativeZero: fc.boolean(),
    }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      const w = values(rng, p.n, -p.mag, p.mag);
      if (p.zeroEvery > 0) for (let j = 0; j < p.n; j += p.zeroEvery) w[j] = p.negativeZero ? -0 : 0;
      const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: { w, g: values(rng, p.n, -p.mag, p.mag) },
        args: (v) => [v.w, v.g, p.l1, p.l2],
        reference: (i) => ({
          g: {
            want: i.g!.map((g, j) => g + p.l1 * sign(i.w![j]!) + p.l2 * i.w![j]!),
            scale: i.g!.map((g, j) => Math.abs(g) + p.l1 * Math.abs(sign(i.w![j]!)) + p.l2 * Math.abs(i.w![j]!)),
            ulps: 3,
          },
        }),
        // Float64 in the reference's order on every implementation (the wasm kernel included).
        sameBits: ['g'],
      };
    },
  ),
  momentumUpdate: fuzz(
    fc.record({ ...common, n: lengthArb, lr: fc.double({ min: 1e-4, max: 1, noNaN: true }), momentum: fc.double({ min: 0, max: 0.999, noNaN: true }), nesterov: fc.boolean() }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: { w: values(rng, p.n, -p.mag, p.mag), g: values(rng, p.n, -p.mag, p.mag), v: values(rng, p.n, -p.mag, p.mag) },
        args: (v) => [v.w, v.g, v.v, p.lr, p.momentum, p.nesterov],
        reference: (i) => {
          const mu = p.momentum;
          const v = i.v!.map((v, j) => mu * v + i.g![j]!);
          const vSize = i.v!.map((v, j) => mu * Math.abs(v) + Math.abs(i.g![j]!));
          const w = i.w!.map((w, j) => w - p.lr * (p.nesterov ? i.g![j]! + mu * v[j]! : v[j]!));
          const wSize = i.w!.map((w, j) => Math.abs(w) + p.lr * (p.nesterov ? Math.abs(i.g![j]!) + mu * vSize[j]! : vSize[j]!));
          return { v: { want: v, scale: vSize, ulps: 3 }, w: { want: w, scale: wSize, ulps: 6 } };
        },
      };
    },
  ),
  adamUpdate: fuzz(
    fc.record({
      ...common,
      n: lengthArb,
      lr: fc.double({ min: 1e-4, max: 0.1, noNaN: true }),
      beta1: fc.oneof(fc.constant(0.9), fc.double({ min: 0, max: 0.99, noNaN: true })),
      beta2: fc.oneof(fc.constant(0.999), fc.double({ min: 0, max: 0.9999, noNaN: true })),
      epsilon: fc.constantFrom(1e-8, 1e-6, 1e-3),
      weightDecay: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.1, noNaN: true })),
      t: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 1000 })),
    }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      return {
        dtype: p.dtype,
        offset: p.offset,
        // The second moment is a mean of squares: never negative.
        bufs: { w: values(rng, p.n, -p.mag, p.mag), g: values(rng, p.n, -p.mag, p.mag), m: values(rng, p.n, -p.mag, p.mag), v: values(rng, p.n, 0, p.mag * p.mag) },
        args: (v) => [v.w, v.g, v.m, v.v, p.lr, p.beta1, p.beta2, p.epsilon, p.weightDecay, p.t],
        reference: (i) => {
          const { beta1: b1, beta2: b2, lr, epsilon: eps } = p;
          const keep = 1 - lr * p.weightDecay;
          const stepSize = lr / (1 - b1 ** p.t);
          const c2 = Math.sqrt(1 - b2 ** p.t);
          const m = i.m!.map((m, j) => b1 * m + (1 - b1) * i.g![j]!);
          const mSize = i.m!.map((m, j) => b1 * Math.abs(m) + (1 - b1) * Math.abs(i.g![j]!));
          const v = i.v!.map((v, j) => b2 * v + (1 - b2) * i.g![j]! ** 2);
          const w = i.w!.map((w, j) => w * keep - (stepSize * m[j]!) / (Math.sqrt(v[j]!) / c2 + eps));
          // The step m/(√v/c₂ + ε) carries the rounding of m (relative to its terms), of √v and of the scalars.
          const wSize = i.w!.map((w, j) => Math.abs(w * keep) + (stepSize * mSize[j]! * 4) / (Math.sqrt(v[j]!) / c2 + eps));
          return { m: { want: m, scale: mSize, ulps: 4 }, v: { want: v, scale: v, ulps: 4 }, w: { want: w, scale: wSize, ulps: 8 } };
        },
      };
    },
  ),
  sumSquares: fuzz(fc.record({ ...common, n: lengthArb }), (p) => ({
    dtype: p.dtype,
    offset: p.offset,
    bufs: { x: values(Rng.fromSeed(p.seed), p.n, -p.mag, p.mag) },
    args: (v) => [v.x],
    // In float64 (the contract): the squares of float32 values are exact there, only the additions round.
    reference: (i) => ({ result: { want: [i.x!.reduce((s, x) => s + x * x, 0)], scale: [0], ulps: p.n + 1, unit: 'f64' } }),
  })),
  firstNonFinite: fuzz(
    fc.record({ ...common, n: lengthArb, bad: fc.array(fc.record({ at: fc.nat(), value: fc.constantFrom(Number.NaN, Infinity, -Infinity) }), { maxLength: 3 }) }),
    (p) => {
      const x = values(Rng.fromSeed(p.seed), p.n, -p.mag, p.mag);
      for (const b of p.bad) x[b.at % p.n] = b.value;
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: { x },
        args: (v) => [v.x],
        reference: (i) => ({ result: { want: [i.x!.findIndex((v) => !Number.isFinite(v))] } }),
      };
    },
  ),
  sumSquaredDiff: fuzz(fc.record({ ...common, n: lengthArb, shorter: fc.nat({ max: 5 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const count = Math.max(0, p.n - p.shorter);
    return {
      dtype: p.dtype,
      offset: p.offset,
      // n may be less than the arrays' length: only the first n count.
      bufs: { a: values(rng, p.n, -p.mag, p.mag), b: values(rng, p.n, -p.mag, p.mag) },
      args: (v) => [v.a, v.b, count],
      reference: (i) => {
        let s = 0;
        for (let j = 0; j < count; j++) s += (i.a![j]! - i.b![j]!) ** 2;
        return { result: { want: [s], scale: [0], ulps: count + 2, unit: 'f64' } };
      },
    };
  }),
  sumAbsDiff: fuzz(fc.record({ ...common, n: lengthArb, shorter: fc.nat({ max: 5 }) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const count = Math.max(0, p.n - p.shorter);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { a: values(rng, p.n, -p.mag, p.mag), b: values(rng, p.n, -p.mag, p.mag) },
      args: (v) => [v.a, v.b, count],
      reference: (i) => {
        let s = 0;
        for (let j = 0; j < count; j++) s += Math.abs(i.a![j]! - i.b![j]!);
        return { result: { want: [s], scale: [0], ulps: count + 2, unit: 'f64' } };
      },
    };
  }),
  countArgmaxMatches: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, levels: fc.constantFrom(0, 2, 3) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    // With few levels rows hold ties (the first maximum wins) and values exactly 0.5 (one column: the side of 0.5).
    const q = (v: Float64Array): Float64Array => (p.levels === 0 ? v : v.map((x) => Math.round(x * p.levels) / p.levels));
    const n = p.rows * p.cols;
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { pred: q(values(rng, n, 0, 1)), target: q(values(rng, n, 0, 1)) },
      args: (v) => [v.pred, v.target, p.rows, p.cols],
      reference: (i) => {
        const argmax = (a: Float64Array, o: number): number => {
          let best = 0;
          for (let c = 1; c < p.cols; c++) if (a[o + c]! > a[o + best]!) best = c;
          return best;
        };
        let hits = 0;
        for (let r = 0; r < p.rows; r++) {
          const o = r * p.cols;
          if (p.cols === 1 ? i.pred![o]! >= 0.5 === i.target![o]! >= 0.5 : argmax(i.pred!, o) === argmax(i.target!, o)) hits++;
        }
        return { result: { want: [hits] } };
      },
    };
  }),
};

describe('fuzz: kernels against a naive float64 reference', () => {
  it('has a fuzz case for every kernel of the contract, and a reference for every elementwise function', () => {
    expect(Object.keys(KERNELS).sort()).toEqual([...KERNEL_NAMES].sort());
    expect(Object.keys(UNARY_REFERENCE).sort()).toEqual([...UNARY_NAMES].sort());
  });

  it('the checks catch a kernel that writes past its output, and a wrong value', () => {
    const c = KERNELS.add.build({ dtype: 'float32', offset: 1, seed: 1, mag: 1, n: 5, longer: 0, inPlace: 'no' });
    const overrun: Backend = { ...tsBackend, add: (a, b, out) => tsBackend.add(a, b, new Float32Array(out.buffer, out.byteOffset, out.length + 1)) };
    expect(() => check('add', c, [{ name: 'overrun', backend: overrun, rendered: false }])).toThrow(/wrote element 5 of out, outside its 5 elements/);
    const off: Backend = {
      ...tsBackend,
      add: (a, b, out) => {
        tsBackend.add(a, b, out);
        out[4] = (out[4] as number) * (1 + 2 ** -20);
      },
    };
    expect(() => check('add', c, [{ name: 'off', backend: off, rendered: false }])).toThrow(/off add \(float32\) out\[4\]/);
  });

  for (const kernel of KERNEL_NAMES) {
    it(`${kernel}: every implementation on random sizes, float32 and float64`, { timeout: TEST_TIMEOUT_MS }, () => {
      const k = KERNELS[kernel] as KernelFuzz<unknown>;
      fc.assert(fc.property(k.params, (p) => check(kernel, k.build(p))));
    });
  }

  it('matmul split across two threads: the reference, and the one-thread product bit for bit', { timeout: TEST_TIMEOUT_MS }, () => {
    const big = fc.integer({ min: 64, max: 160 });
    fc.assert(
      fc.property(
        fc.record({
          ...common,
          dtype: fc.constant<DType>('float32'),
          shape: fc.record({ m: big, n: big, k: big }),
          transA: fc.boolean(),
          transB: fc.boolean(),
          accumulate: fc.boolean(),
          extra: fc.nat({ max: 3 }),
        }),
        (p) => {
          // Every product here is split between the threads.
          const { n, k } = p.shape;
          const m = Math.max(p.shape.m, Math.ceil(PARALLEL_MIN / (n * k)));
          const c = KERNELS.matmul.build({ ...p, shape: { m, n, k } });
          const impls: Impl[] = [{ name: 'wasm', backend: wasm1, rendered: false }, { name: 'wasm 2 threads', backend: wasm2, rendered: false }];
          check('matmul', c, impls);
          const one = runOn(impls[0]!, 'matmul', c).out.out!;
          const two = runOn(impls[1]!, 'matmul', c).out.out!;
          expect(two.findIndex((v, j) => !Object.is(v, one[j]))).toBe(-1);
        },
      ),
      { numRuns: Math.max(5, Math.ceil(RUNS / 10)) },
    );
  });

  it('conv2dForward equals im2col, matmul and biasUnary bit for bit, on every implementation and on two threads', { timeout: TEST_TIMEOUT_MS }, () => {
    const side = fc.integer({ min: 1, max: 30 });
    fc.assert(
      fc.property(
        fc.record({
          ...common,
          batch: fc.integer({ min: 1, max: 12 }),
          h: side,
          w: side,
          c: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 20 }), fc.constantFrom(200, 600)),
          kh: fc.integer({ min: 1, max: 5 }),
          kw: fc.integer({ min: 1, max: 5 }),
          strideH: fc.integer({ min: 1, max: 3 }),
          strideW: fc.integer({ min: 1, max: 3 }),
          dilationH: fc.integer({ min: 1, max: 2 }),
          dilationW: fc.integer({ min: 1, max: 2 }),
          same: fc.boolean(),
          filters: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(8, 16, 70)),
          fn: fc.constantFrom(...UNARY_NAMES),
          p: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        (q) => {
          const fn = q.fn as UnaryName;
          const spanH = (q.kh - 1) * q.dilationH + 1;
          const spanW = (q.kw - 1) * q.dilationW + 1;
          const h = q.same ? q.h : Math.max(q.h, spanH);
          const w = q.same ? q.w : Math.max(q.w, spanW);
          const side2 = (size: number, span: number, stride: number): [number, number] => {
            if (!q.same) return [Math.floor((size - span) / stride) + 1, 0];
            const out = Math.ceil(size / stride);
            return [out, Math.floor(Math.max((out - 1) * stride + span - size, 0) / 2)];
          };
          const [outH, padTop] = side2(h, spanH, q.strideH);
          const [outW, padLeft] = side2(w, spanW, q.strideW);
          const rows = q.batch * outH * outW;
          const patch = q.kh * q.kw * q.c;
          const geo = [q.batch, h, w, q.c, q.kh, q.kw, q.strideH, q.strideW, q.dilationH, q.dilationW, padTop, padLeft, outH, outW] as const;
          const rng = Rng.fromSeed(q.seed);
          const [x, weight, bias] = [values(rng, q.batch * h * w * q.c, -q.mag, q.mag), values(rng, q.filters * patch, -1, 1), values(rng, q.filters, -1, 1)];
          const bits = (a: TypedArray): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));
          let wasmBits: string[] | undefined;
          for (const b of [tsBackend, wasm1, wasm2]) {
            const buf = (v: Float64Array | number): TypedArray => {
              const t = b.allocate(q.dtype, typeof v === 'number' ? v : v.length);
              if (typeof v !== 'number') t.set(v);
              return t;
            };
            const [xb, wb, bb, cols, want, got] = [buf(x), buf(weight), buf(bias), buf(rows * patch), buf(rows * q.filters), buf(rows * q.filters)];
            b.im2col(xb, cols, ...geo);
            b.matmul(cols, wb, want, rows, q.filters, patch, false, true);
            b.biasUnary(fn, want, bb, want, rows, q.filters, q.p);
            b.conv2dForward(xb, wb, bb, got, buf(rows * patch), ...geo, q.filters, fn, q.p);
            expect(bits(got), `${b.name} ${b.threads} ${fn}`).toEqual(bits(want));
            if (b !== tsBackend && q.dtype === 'float32') {
              if (wasmBits === undefined) wasmBits = bits(got);
              else expect(bits(got), 'wasm 2 threads = 1 thread').toEqual(wasmBits);
            }
          }
        },
      ),
      { numRuns: Math.max(10, Math.ceil(RUNS / 5)) },
    );
  });

  it('maxPool2d split across two threads equals the one-thread pooling bit for bit', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: seedArb,
          batch: fc.integer({ min: 16, max: 64 }),
          h: fc.integer({ min: 3, max: 30 }),
          w: fc.integer({ min: 3, max: 30 }),
          c: fc.integer({ min: 1, max: 20 }),
          k: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 3 }),
          levels: fc.constantFrom(0, 4),
        }),
        (q) => {
          const outH = Math.floor((q.h - q.k) / q.stride) + 1;
          const outW = Math.floor((q.w - q.k) / q.stride) + 1;
          const rng = Rng.fromSeed(q.seed);
          // Few levels make ties (the first pixel wins).
          let x = values(rng, q.batch * q.h * q.w * q.c, -1, 1);
          if (q.levels > 0) x = x.map((v) => Math.round(v * q.levels) / q.levels);
          const results = [wasm1, wasm2].map((b) => {
            const xb = b.allocate('float32', x.length);
            xb.set(x);
            const [out, argmax] = [b.allocate('float32', q.batch * outH * outW * q.c), b.allocate('float32', q.batch * outH * outW * q.c)];
            b.maxPool2d(xb, out, argmax, q.batch, q.h, q.w, q.c, q.k, q.k, q.stride, q.stride, 0, 0, outH, outW);
            return [Array.from(out, (v) => (Object.is(v, -0) ? '-0' : String(v))), Array.from(argmax)];
          });
          expect(results[1]).toEqual(results[0]);
        },
      ),
      { numRuns: Math.max(5, Math.ceil(RUNS / 20)) },
    );
  });

  it('fused bias and activation kernels equal the separate ones bit for bit, on every implementation', { timeout: TEST_TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.record({ ...common, rows: dimArb, cols: dimArb, fn: fc.constantFrom(...UNARY_NAMES), p: fc.double({ min: 0, max: 0.5, noNaN: true }) }), (p) => {
        const fn = p.fn as UnaryName;
        const rng = Rng.fromSeed(p.seed);
        const n = p.rows * p.cols;
        const [z, bias, dy] = [values(rng, n, -6, 6), values(rng, p.cols, -2, 2), values(rng, n, -p.mag, p.mag)];
        for (const { backend: b } of IMPLS.filter((i) => !i.rendered)) {
          const buf = (v: Float64Array | number): TypedArray => {
            const t = b.allocate(p.dtype, typeof v === 'number' ? v : v.length);
            if (typeof v !== 'number') t.set(v);
            return t;
          };
          const [zb, bb, dyb] = [buf(z), buf(bias), buf(dy)];
          const [pre, y, dz, db, yF, dzF, dbF] = [buf(n), buf(n), buf(n), buf(p.cols), buf(n), buf(n), buf(p.cols)];
          b.addRowBroadcast(zb, bb, pre, p.rows, p.cols);
          b.unary(fn, pre, y, p.p);
          const saved = UNARY_OPS[fn].saves === 'y' ? y : pre;
          b.unaryBackward(fn, saved, dyb, dz, p.p);
          b.sumRows(dz, db, p.rows, p.cols);
          b.biasUnary(fn, zb, bb, yF, p.rows, p.cols, p.p);
          b.unaryBiasBackward(fn, saved, dyb, dzF, dbF, p.rows, p.cols, p.p);
          const bits = (a: TypedArray): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));
          expect(bits(yF), `${b.name} ${fn} forward`).toEqual(bits(y));
          expect(bits(dzF), `${b.name} ${fn} dz`).toEqual(bits(dz));
          expect(bits(dbF), `${b.name} ${fn} dbias`).toEqual(bits(db));
          b.free([zb, bb, dyb, pre, y, dz, db, yF, dzF, dbF]);
        }
      }),
    );
  });
});

describe('cases the properties above found', () => {
  it('a generated pass keeps the sign of a negative zero argument (scale by −0)', () => {
    // Found by the scale property (seed 42): the literal written for −0 was (0), so the pass
    // computed +0 · 0.5 = 0 where the kernel computes −0 · 0.5 = −0.
    const a = Float32Array.of(0.5, -0.5);
    const direct = new Float32Array(2);
    tsBackend.scale(a, -0, direct);
    const sb = new SourceBindings();
    const passed = new Float32Array(2);
    const statement = tsBackend.renderCall({ kernel: 'scale', args: [a, -0, passed] }, sb);
    sb.instantiate<() => void>(`return function () { ${statement} };`, 'negative-zero')!();
    expect([Object.is(direct[0], -0), Object.is(direct[1], 0)]).toEqual([true, true]);
    expect([Object.is(passed[0], -0), Object.is(passed[1], 0)]).toEqual([true, true]);
    expect(sb.arg(-0)).toBe('(-0)');
  });
});
