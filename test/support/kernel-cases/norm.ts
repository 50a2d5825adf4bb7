import fc from 'fast-check';
import { Rng, type NormKernels } from '@gradstream/tensor';
import { common, dimArb, fuzz, lengthArb, values, zeros, type KernelFuzz, type Want } from '../kernel-fuzz.js';

/** ε as layers use it: Keras's 1e-3, PyTorch's 1e-5, and a large one. */
const epsilonArb = fc.constantFrom(1e-3, 1e-5, 0.1);

/** Data around zero, or shifted well away from it (a column's mean then dwarfs its spread: cancellation shows). */
function data(rng: Rng, n: number, mag: number, shifted: boolean): Float64Array {
  return shifted ? values(rng, n, 2 * mag, 3 * mag) : values(rng, n, -mag, mag);
}

/** Each column's mean and biased variance, naively in float64. */
function columnStats(x: Float64Array, rows: number, cols: number): { mean: Float64Array; variance: Float64Array; size: Float64Array } {
  const mean = zeros(cols);
  const variance = zeros(cols);
  const size = zeros(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      mean[c] = mean[c]! + x[r * cols + c]!;
      size[c] = size[c]! + Math.abs(x[r * cols + c]!);
    }
  }
  for (let c = 0; c < cols; c++) {
    mean[c] = mean[c]! / rows;
    size[c] = size[c]! / rows;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = x[r * cols + c]! - mean[c]!;
      variance[c] = variance[c]! + d * d;
    }
  }
  for (let c = 0; c < cols; c++) variance[c] = variance[c]! / rows;
  return { mean, variance, size };
}

/** Each row's mean and 1/√(variance + ε), naively in float64. */
function rowStats(x: Float64Array, rows: number, cols: number, epsilon: number): { mean: Float64Array; invStd: Float64Array; size: Float64Array } {
  const mean = zeros(rows);
  const invStd = zeros(rows);
  const size = zeros(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    let a = 0;
    for (let c = 0; c < cols; c++) {
      s += x[r * cols + c]!;
      a += Math.abs(x[r * cols + c]!);
    }
    const m = s / cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[r * cols + c]! - m) ** 2;
    mean[r] = m;
    invStd[r] = 1 / Math.sqrt(v / cols + epsilon);
    size[r] = a / cols;
  }
  return { mean, invStd, size };
}

/**
 * Fuzz cases of the norm kernels, one per kernel, each against a naive float64 reference; every
 * implementation must also equal the TypeScript kernel bit for bit (the wasm kernels follow its
 * operations in its order).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const NORM_CASES: { readonly [K in keyof NormKernels]: KernelFuzz<any> } = {
  columnMoments: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, shifted: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const x = data(rng, p.rows * p.cols, p.mag, p.shifted);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x, mean: values(rng, p.cols, -1, 1), variance: values(rng, p.cols, -1, 1) },
      args: (v) => [v.x, v.mean, v.variance, p.rows, p.cols],
      sameBits: ['mean', 'variance'],
      reference: (i) => {
        const s = columnStats(i.x!, p.rows, p.cols);
        // Sums of `rows` terms: each addition may round, in float64 at worst; the variance's terms
        // are squares of differences from a mean that is itself a float64 sum.
        return { mean: { want: s.mean, scale: s.size, ulps: p.rows + 2 }, variance: { want: s.variance, scale: s.variance, ulps: 2 * p.rows + 8 } };
      },
    };
  }),
  movingAverage: fuzz(fc.record({ ...common, n: lengthArb, momentum: fc.oneof(fc.constantFrom(0, 0.9, 0.99, 1), fc.double({ min: 0, max: 1, noNaN: true })) }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { average: values(rng, p.n, -p.mag, p.mag), value: values(rng, p.n, -p.mag, p.mag) },
      args: (v) => [v.average, v.value, p.momentum],
      sameBits: ['average'],
      reference: (i) => {
        const want = zeros(p.n);
        const scale = zeros(p.n);
        for (let j = 0; j < p.n; j++) {
          want[j] = p.momentum * i.average![j]! + (1 - p.momentum) * i.value![j]!;
          scale[j] = Math.abs(p.momentum * i.average![j]!) + Math.abs((1 - p.momentum) * i.value![j]!);
        }
        return { average: { want, scale, ulps: 4 } };
      },
    };
  }),
  batchNorm: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, epsilon: epsilonArb, shifted: fc.boolean(), inPlace: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const x = data(rng, p.rows * p.cols, p.mag, p.shifted);
    // The batch's own moments (training), or moving ones that are not (evaluation).
    const own = rng.next() < 0.5;
    const stats = columnStats(x, p.rows, p.cols);
    const mean = own ? stats.mean : values(rng, p.cols, -p.mag, p.mag);
    const variance = own ? stats.variance : values(rng, p.cols, 0, p.mag * p.mag);
    const target = p.inPlace ? 'x' : 'out';
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: { x, mean, variance, gamma: values(rng, p.cols, -2, 2), beta: values(rng, p.cols, -2, 2), ...(p.inPlace ? {} : { out: zeros(x.length) }) },
      args: (v) => [v.x, v.mean, v.variance, v.gamma, v.beta, v[target], p.rows, p.cols, p.epsilon],
      sameBits: [target],
      reference: (i) => {
        const want = zeros(x.length);
        const scale = zeros(x.length);
        for (let r = 0; r < p.rows; r++) {
          for (let c = 0; c < p.cols; c++) {
            const j = r * p.cols + c;
            const t = (i.gamma![c]! * (i.x![j]! - i.mean![c]!)) / Math.sqrt(i.variance![c]! + p.epsilon);
            want[j] = t + i.beta![c]!;
            scale[j] = Math.abs(t) + Math.abs(i.beta![c]!);
          }
        }
        // A difference, a square root, a quotient, a product and a sum: a few roundings of the terms.
        return { [target]: { want, scale, ulps: 8 } };
      },
    };
  }),
  batchNormBackward: fuzz(
    fc.record({ ...common, rows: dimArb, cols: dimArb, epsilon: epsilonArb, shifted: fc.boolean(), dx: fc.constantFrom('own', 'dy', 'none') }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      const x = data(rng, p.rows * p.cols, p.mag, p.shifted);
      const stats = columnStats(x, p.rows, p.cols);
      const dy = values(rng, x.length, -1, 1);
      const target = p.dx === 'own' ? 'dx' : 'dy';
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: {
          x,
          mean: stats.mean,
          variance: stats.variance,
          gamma: values(rng, p.cols, -2, 2),
          dy,
          dgamma: values(rng, p.cols, -1, 1),
          dbeta: values(rng, p.cols, -1, 1),
          ...(p.dx === 'own' ? { dx: zeros(x.length) } : {}),
        },
        args: (v) => [v.x, v.mean, v.variance, v.gamma, v.dy, p.dx === 'none' ? undefined : v[target], v.dgamma, v.dbeta, p.rows, p.cols, p.epsilon],
        sameBits: ['dgamma', 'dbeta', ...(p.dx === 'none' ? [] : [target])],
        reference: (i) => {
          const n = p.rows;
          const s = Float64Array.from(i.variance!, (v) => 1 / Math.sqrt(v + p.epsilon));
          const xhat = Float64Array.from(i.x!, (v, j) => (v - i.mean![j % p.cols]!) * s[j % p.cols]!);
          const dbeta = zeros(p.cols);
          const dgamma = zeros(p.cols);
          const sizeBeta = zeros(p.cols);
          const sizeGamma = zeros(p.cols);
          for (let j = 0; j < x.length; j++) {
            const c = j % p.cols;
            dbeta[c] = dbeta[c]! + i.dy![j]!;
            dgamma[c] = dgamma[c]! + i.dy![j]! * xhat[j]!;
            sizeBeta[c] = sizeBeta[c]! + Math.abs(i.dy![j]!);
            sizeGamma[c] = sizeGamma[c]! + Math.abs(i.dy![j]! * xhat[j]!);
          }
          const want: Record<string, Want> = {
            dbeta: { want: dbeta, scale: sizeBeta, ulps: n + 2 },
            dgamma: { want: dgamma, scale: sizeGamma, ulps: n + 8 },
          };
          if (p.dx === 'none') return want;
          const dx = zeros(x.length);
          const scale = zeros(x.length);
          for (let j = 0; j < x.length; j++) {
            const c = j % p.cols;
            const k = i.gamma![c]! * s[c]!;
            dx[j] = k * (i.dy![j]! - dbeta[c]! / n - (xhat[j]! * dgamma[c]!) / n);
            scale[j] = Math.abs(k) * (Math.abs(i.dy![j]!) + sizeBeta[c]! / n + (Math.abs(xhat[j]!) * sizeGamma[c]!) / n);
          }
          // The column sums' roundings, then the few of the expression.
          return { ...want, [target]: { want: dx, scale, ulps: n + 10 } };
        },
      };
    },
  ),
  layerNorm: fuzz(fc.record({ ...common, rows: dimArb, cols: dimArb, epsilon: epsilonArb, shifted: fc.boolean(), inPlace: fc.boolean() }), (p) => {
    const rng = Rng.fromSeed(p.seed);
    const x = data(rng, p.rows * p.cols, p.mag, p.shifted);
    const target = p.inPlace ? 'x' : 'out';
    return {
      dtype: p.dtype,
      offset: p.offset,
      bufs: {
        x,
        gamma: values(rng, p.cols, -2, 2),
        beta: values(rng, p.cols, -2, 2),
        ...(p.inPlace ? {} : { out: zeros(x.length) }),
        mean: values(rng, p.rows, -1, 1),
        invStd: values(rng, p.rows, -1, 1),
      },
      args: (v) => [v.x, v.gamma, v.beta, v[target], v.mean, v.invStd, p.rows, p.cols, p.epsilon],
      sameBits: [target, 'mean', 'invStd'],
      reference: (i) => {
        const st = rowStats(i.x!, p.rows, p.cols, p.epsilon);
        const want = zeros(x.length);
        const scale = zeros(x.length);
        for (let r = 0; r < p.rows; r++) {
          for (let c = 0; c < p.cols; c++) {
            const j = r * p.cols + c;
            const t = i.gamma![c]! * (i.x![j]! - st.mean[r]!) * st.invStd[r]!;
            want[j] = t + i.beta![c]!;
            // The mean's and the variance's roundings carry into every element of the row.
            scale[j] = Math.abs(t) + Math.abs(i.beta![c]!) + Math.abs(i.gamma![c]!) * st.invStd[r]! * st.size[r]!;
          }
        }
        return {
          [target]: { want, scale, ulps: 2 * p.cols + 10 },
          mean: { want: st.mean, scale: st.size, ulps: p.cols + 2 },
          invStd: { want: st.invStd, scale: st.invStd, ulps: 2 * p.cols + 8 },
        };
      },
    };
  }),
  layerNormBackward: fuzz(
    fc.record({ ...common, rows: dimArb, cols: dimArb, shifted: fc.boolean(), dx: fc.constantFrom('own', 'dy', 'none') }),
    (p) => {
      const rng = Rng.fromSeed(p.seed);
      const x = data(rng, p.rows * p.cols, p.mag, p.shifted);
      const st = rowStats(x, p.rows, p.cols, 1e-5);
      const target = p.dx === 'own' ? 'dx' : 'dy';
      return {
        dtype: p.dtype,
        offset: p.offset,
        bufs: {
          x,
          mean: st.mean,
          invStd: st.invStd,
          gamma: values(rng, p.cols, -2, 2),
          dy: values(rng, x.length, -1, 1),
          dgamma: values(rng, p.cols, -1, 1),
          dbeta: values(rng, p.cols, -1, 1),
          ...(p.dx === 'own' ? { dx: zeros(x.length) } : {}),
        },
        args: (v) => [v.x, v.mean, v.invStd, v.gamma, v.dy, p.dx === 'none' ? undefined : v[target], v.dgamma, v.dbeta, p.rows, p.cols],
        sameBits: ['dgamma', 'dbeta', ...(p.dx === 'none' ? [] : [target])],
        reference: (i) => {
          const xhat = Float64Array.from(i.x!, (v, j) => (v - i.mean![Math.floor(j / p.cols)]!) * i.invStd![Math.floor(j / p.cols)]!);
          const dgamma = zeros(p.cols);
          const dbeta = zeros(p.cols);
          const sizeGamma = zeros(p.cols);
          for (let j = 0; j < x.length; j++) {
            const c = j % p.cols;
            dgamma[c] = dgamma[c]! + i.dy![j]! * xhat[j]!;
            dbeta[c] = dbeta[c]! + i.dy![j]!;
            sizeGamma[c] = sizeGamma[c]! + Math.abs(i.dy![j]! * xhat[j]!);
          }
          const want: Record<string, Want> = {
            dgamma: { want: dgamma, scale: sizeGamma, ulps: p.rows + 6 },
            dbeta: { want: dbeta, scale: magnitudeSums(i.dy!, p.rows, p.cols), ulps: p.rows + 2 },
          };
          if (p.dx === 'none') return want;
          const dx = zeros(x.length);
          const scale = zeros(x.length);
          for (let r = 0; r < p.rows; r++) {
            const o = r * p.cols;
            let sg = 0;
            let sgx = 0;
            let ag = 0;
            let agx = 0;
            for (let c = 0; c < p.cols; c++) {
              const g = i.dy![o + c]! * i.gamma![c]!;
              sg += g;
              sgx += g * xhat[o + c]!;
              ag += Math.abs(g);
              agx += Math.abs(g * xhat[o + c]!);
            }
            const s = i.invStd![r]!;
            for (let c = 0; c < p.cols; c++) {
              const g = i.dy![o + c]! * i.gamma![c]!;
              dx[o + c] = s * (g - sg / p.cols - (xhat[o + c]! * sgx) / p.cols);
              scale[o + c] = s * (Math.abs(g) + ag / p.cols + (Math.abs(xhat[o + c]!) * agx) / p.cols);
            }
          }
          return { ...want, [target]: { want: dx, scale, ulps: p.cols + 8 } };
        },
      };
    },
  ),
};

/** Each column's sum of magnitudes over the rows: the size of a column sum's terms. */
function magnitudeSums(x: Float64Array, rows: number, cols: number): Float64Array {
  const out = zeros(cols);
  for (let j = 0; j < rows * cols; j++) out[j % cols] = out[j % cols]! + Math.abs(x[j]!);
  return out;
}
