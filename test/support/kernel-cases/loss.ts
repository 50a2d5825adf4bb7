import fc from 'fast-check';
import { Rng, type DType, type LossKernels } from '@gradstream/tensor';
import { common, fuzz, lengthArb, values, zeros, type KernelFuzz } from '../kernel-fuzz.js';

/*
 * The loss kernels against naive float64 references written here, on the reduction every loss
 * shares with mse: the sum of the per-element terms over all n elements, divided by `rows`.
 * Sums are allowed a unit per addition (float64's units, which a float32 result hardly sees)
 * relative to the size of their terms; the backward kernels that the contract computes in float64
 * (absolute error, Huber) must equal the TypeScript kernels bit for bit everywhere.
 */

const UNIT = { float32: 2 ** -24, float64: 2 ** -53 } as const;
/** Units of the dtype a float64 sum of n terms may be off by, plus the final rounding. */
const sumUlps = (dtype: DType, n: number): number => 2 + (n * UNIT.float64) / UNIT[dtype];
const rounded = (dtype: DType, v: ArrayLike<number>): Float64Array => Float64Array.from(v, (x) => (dtype === 'float32' ? Math.fround(x) : x));
const rowsArb = fc.integer({ min: 1, max: 12 });
/** Huber's δ: its default, and others around the data's scale. */
const deltaArb = fc.oneof(fc.constant(1), fc.constantFrom(0.5, 2), fc.double({ min: 0.05, max: 5, noNaN: true }));
/** With `ties`, some targets equal their predictions exactly (absolute error's kink, Huber's 0). */
function predTarget(rng: Rng, n: number, mag: number, ties: boolean): { pred: Float64Array; target: Float64Array } {
  const pred = values(rng, n, -mag, mag);
  const target = values(rng, n, -mag, mag);
  if (ties) for (let i = 0; i < n; i += 3) target[i] = pred[i] as number;
  return { pred, target };
}
const softTerm = (z: number): number => Math.log1p(Math.exp(-Math.abs(z)));

/** Fuzz cases of the loss kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const LOSS_CASES: { readonly [K in keyof LossKernels]: KernelFuzz<any> } = {
  sigmoidCrossEntropy: fuzz(fc.record({ ...common, n: lengthArb, rows: rowsArb, hard: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    // Logits up to ±100: e^(−z) overflows float32 beyond 88 unless the kernel avoids it.
    const logits = values(rng, p.n, -10 * Math.sqrt(p.mag), 10 * Math.sqrt(p.mag));
    const target = values(rng, p.n, 0, 1).map((t) => (p.hard ? Math.round(t) : t));
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { logits, target, loss: values(rng, 1, -1, 1) },
      args: (v) => [v.logits, v.target, v.loss, p.rows],
      reference: (i) => {
        let total = 0;
        let size = 0;
        for (let j = 0; j < p.n; j++) {
          const z = i.logits![j]!;
          const y = i.target![j]!;
          total += Math.max(z, 0) - z * y + softTerm(z);
          size += Math.abs(z) + Math.abs(z * y) + softTerm(z);
        }
        // log1p(e^(−|z|)) is a float32 polynomial in wasm: a few units of its size, which is in `size`.
        return { loss: { want: [total / p.rows], scale: [size / p.rows], ulps: 2 + sumUlps(p.dtype, p.n) } };
      },
    };
  }),
  sigmoidCrossEntropyBackward: fuzz(fc.record({ ...common, n: lengthArb, rows: rowsArb }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { logits: values(rng, p.n, -10 * Math.sqrt(p.mag), 10 * Math.sqrt(p.mag)), target: values(rng, p.n, 0, 1), dLoss: values(rng, 1, -2, 2), dLogits: zeros(p.n) },
      args: (v) => [v.logits, v.target, v.dLoss, v.dLogits, p.rows],
      reference: (i) => {
        const k = i.dLoss![0]! / p.rows;
        const sigma = i.logits!.map((z) => 1 / (1 + Math.exp(-z)));
        // σ − y may cancel: the terms' size is |k|·(σ + |y|).
        return {
          dLogits: { want: sigma.map((s, j) => k * (s - i.target![j]!)), scale: sigma.map((s, j) => Math.abs(k) * (s + Math.abs(i.target![j]!))), ulps: 4 },
        };
      },
    };
  }),
  mae: fuzz(fc.record({ ...common, n: lengthArb, rows: rowsArb, ties: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { ...predTarget(rng, p.n, p.mag, p.ties), loss: values(rng, 1, -1, 1) },
      args: (v) => [v.pred, v.target, v.loss, p.rows],
      reference: (i) => {
        let s = 0;
        for (let j = 0; j < p.n; j++) s += Math.abs(i.pred![j]! - i.target![j]!);
        return { loss: { want: [s / p.rows], scale: [0], ulps: sumUlps(p.dtype, p.n) } };
      },
    };
  }),
  maeBackward: fuzz(fc.record({ ...common, n: lengthArb, rows: rowsArb, ties: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { ...predTarget(rng, p.n, p.mag, p.ties), dLoss: values(rng, 1, -2, 2), dPred: values(rng, p.n, -1, 1) },
      args: (v) => [v.pred, v.target, v.dLoss, v.dPred, p.rows],
      reference: (i) => {
        const k = i.dLoss![0]! / p.rows;
        // ±k rounded once to the dtype, exactly 0 at a tie.
        return { dPred: { want: rounded(p.dtype, i.pred!.map((x, j) => Math.sign(x - i.target![j]!) * k + 0)) } };
      },
      sameBits: ['dPred'],
    };
  }),
  huber: fuzz(fc.record({ ...common, n: lengthArb, rows: rowsArb, ties: fc.boolean(), delta: deltaArb }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { ...predTarget(rng, p.n, p.mag, p.ties), loss: values(rng, 1, -1, 1) },
      args: (v) => [v.pred, v.target, v.loss, p.rows, p.delta],
      reference: (i) => {
        let s = 0;
        for (let j = 0; j < p.n; j++) {
          const d = Math.abs(i.pred![j]! - i.target![j]!);
          s += d <= p.delta ? (d * d) / 2 : p.delta * (d - p.delta / 2);
        }
        // Every term is ≥ 0, and each rounds a few times in float64.
        return { loss: { want: [s / p.rows], scale: [0], ulps: 2 + sumUlps(p.dtype, 3 * p.n) } };
      },
    };
  }),
  huberBackward: fuzz(fc.record({ ...common, n: lengthArb, rows: rowsArb, ties: fc.boolean(), delta: deltaArb }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { ...predTarget(rng, p.n, p.mag, p.ties), dLoss: values(rng, 1, -2, 2), dPred: zeros(p.n) },
      args: (v) => [v.pred, v.target, v.dLoss, v.dPred, p.rows, p.delta],
      reference: (i) => {
        const k = i.dLoss![0]! / p.rows;
        const want = i.pred!.map((x, j) => k * Math.min(p.delta, Math.max(-p.delta, x - i.target![j]!)));
        // pred − target may cancel: the terms' size is |k|·(|pred| + |target|).
        return { dPred: { want, scale: i.pred!.map((x, j) => Math.abs(k) * (Math.abs(x) + Math.abs(i.target![j]!))), ulps: 3 } };
      },
      sameBits: ['dPred'],
    };
  }),
};
