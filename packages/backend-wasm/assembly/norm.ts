// Batch and layer normalization: columnMoments, movingAverage, batchNorm, batchNormBackward,
// layerNorm, layerNormBackward. (Kernel conventions: see elementwise.ts.)
//
// Precision plan: the reference's, step for step. Every float32 is promoted exactly to float64;
// every sum is a float64 chain in the reference's order — a column's sum runs down the rows (one
// column per f64 lane, columns in blocks of four held in registers, then one at a time), a row's
// sum along the row (one scalar chain); every element is evaluated in float64 with the reference's
// operations in its order (wasm has no fused multiply-add) and rounded once on store. So each
// kernel here equals the TypeScript reference bit for bit. Per-column quantities live in registers
// for the block being worked on: nothing is allocated and no scratch memory is used.

import { demote4, hi64, lo64 } from './unary-math';

/** Each column's mean and biased variance over the rows (see the reference's `columnMoments`). */
export function columnMoments(x: usize, mean: usize, variance: usize, rows: i32, cols: i32): void {
  if (cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  const n = <f64>(rows > 0 ? rows : 1);
  const nv = f64x2.splat(n);
  let c: usize = 0;
  for (; c < end4; c += 16) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let p = x + c;
    for (let r = 0; r < rows; r++) {
      const v = v128.load(p);
      s0 = f64x2.add(s0, lo64(v));
      s1 = f64x2.add(s1, hi64(v));
      p += rowBytes;
    }
    const m0 = f64x2.div(s0, nv), m1 = f64x2.div(s1, nv);
    let q0 = f64x2.splat(0), q1 = f64x2.splat(0);
    p = x + c;
    for (let r = 0; r < rows; r++) {
      const v = v128.load(p);
      const d0 = f64x2.sub(lo64(v), m0), d1 = f64x2.sub(hi64(v), m1);
      q0 = f64x2.add(q0, f64x2.mul(d0, d0));
      q1 = f64x2.add(q1, f64x2.mul(d1, d1));
      p += rowBytes;
    }
    v128.store(mean + c, demote4(m0, m1));
    v128.store(variance + c, demote4(f64x2.div(q0, nv), f64x2.div(q1, nv)));
  }
  for (; c < rowBytes; c += 4) {
    let s: f64 = 0;
    let p = x + c;
    for (let r = 0; r < rows; r++) {
      s += <f64>load<f32>(p);
      p += rowBytes;
    }
    const m = s / n;
    let q: f64 = 0;
    p = x + c;
    for (let r = 0; r < rows; r++) {
      const d = <f64>load<f32>(p) - m;
      q += d * d;
      p += rowBytes;
    }
    store<f32>(mean + c, <f32>m);
    store<f32>(variance + c, <f32>(q / n));
  }
}

/** `average[i] = momentum · average[i] + (1 − momentum) · value[i]`, i < n, in float64. */
export function movingAverage(average: usize, value: usize, n: i32, momentum: f64): void {
  if (n <= 0) return;
  const fresh = 1 - momentum;
  const mv = f64x2.splat(momentum), fv = f64x2.splat(fresh);
  const end4 = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let i: usize = 0;
  for (; i < end4; i += 16) {
    const a = v128.load(average + i), v = v128.load(value + i);
    const lo = f64x2.add(f64x2.mul(mv, lo64(a)), f64x2.mul(fv, lo64(v)));
    const hi = f64x2.add(f64x2.mul(mv, hi64(a)), f64x2.mul(fv, hi64(v)));
    v128.store(average + i, demote4(lo, hi));
  }
  for (; i < end; i += 4) store<f32>(average + i, <f32>(momentum * <f64>load<f32>(average + i) + fresh * <f64>load<f32>(value + i)));
}

/** `out[r,c] = (x[r,c] − mean[c]) · (gamma[c] / √(variance[c] + ε)) + beta[c]`. `out` may be `x`. */
export function batchNorm(x: usize, mean: usize, variance: usize, gamma: usize, beta: usize, out: usize, rows: i32, cols: i32, epsilon: f64): void {
  if (cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  const ev = f64x2.splat(epsilon);
  let c: usize = 0;
  for (; c < end4; c += 16) {
    const mv = v128.load(mean + c), vv = v128.load(variance + c), gv = v128.load(gamma + c), bv = v128.load(beta + c);
    const m0 = lo64(mv), m1 = hi64(mv), b0 = lo64(bv), b1 = hi64(bv);
    const k0 = f64x2.div(lo64(gv), f64x2.sqrt(f64x2.add(lo64(vv), ev)));
    const k1 = f64x2.div(hi64(gv), f64x2.sqrt(f64x2.add(hi64(vv), ev)));
    let p: usize = c;
    for (let r = 0; r < rows; r++) {
      const v = v128.load(x + p);
      const lo = f64x2.add(f64x2.mul(f64x2.sub(lo64(v), m0), k0), b0);
      const hi = f64x2.add(f64x2.mul(f64x2.sub(hi64(v), m1), k1), b1);
      v128.store(out + p, demote4(lo, hi));
      p += rowBytes;
    }
  }
  for (; c < rowBytes; c += 4) {
    const m = <f64>load<f32>(mean + c), b = <f64>load<f32>(beta + c);
    const k = <f64>load<f32>(gamma + c) / Math.sqrt(<f64>load<f32>(variance + c) + epsilon);
    let p: usize = c;
    for (let r = 0; r < rows; r++) {
      store<f32>(out + p, <f32>((<f64>load<f32>(x + p) - m) * k + b));
      p += rowBytes;
    }
  }
}

/**
 * The training gradient of batchNorm (see the reference's `batchNormBackward`): `dbeta`, `dgamma`
 * and, when `hasDx`, `dx` (which may be `dy`). Per block of columns, one pass down the rows for
 * the two sums, then one for `dx`.
 */
export function batchNormBackward(
  x: usize,
  mean: usize,
  variance: usize,
  gamma: usize,
  dy: usize,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
  rows: i32,
  cols: i32,
  epsilon: f64,
  hasDx: i32,
): void {
  if (cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  const n = <f64>(rows > 0 ? rows : 1);
  const nv = f64x2.splat(n), ev = f64x2.splat(epsilon), one = f64x2.splat(1);
  let c: usize = 0;
  for (; c < end4; c += 16) {
    const mv = v128.load(mean + c), vv = v128.load(variance + c);
    const m0 = lo64(mv), m1 = hi64(mv);
    const s0 = f64x2.div(one, f64x2.sqrt(f64x2.add(lo64(vv), ev)));
    const s1 = f64x2.div(one, f64x2.sqrt(f64x2.add(hi64(vv), ev)));
    let sum0 = f64x2.splat(0), sum1 = f64x2.splat(0), dot0 = f64x2.splat(0), dot1 = f64x2.splat(0);
    let p: usize = c;
    for (let r = 0; r < rows; r++) {
      const g = v128.load(dy + p), v = v128.load(x + p);
      const g0 = lo64(g), g1 = hi64(g);
      sum0 = f64x2.add(sum0, g0);
      sum1 = f64x2.add(sum1, g1);
      dot0 = f64x2.add(dot0, f64x2.mul(f64x2.mul(g0, f64x2.sub(lo64(v), m0)), s0));
      dot1 = f64x2.add(dot1, f64x2.mul(f64x2.mul(g1, f64x2.sub(hi64(v), m1)), s1));
      p += rowBytes;
    }
    v128.store(dbeta + c, demote4(sum0, sum1));
    v128.store(dgamma + c, demote4(dot0, dot1));
    if (!hasDx) continue;
    const gv = v128.load(gamma + c);
    const k0 = f64x2.mul(lo64(gv), s0), k1 = f64x2.mul(hi64(gv), s1);
    const a0 = f64x2.div(sum0, nv), a1 = f64x2.div(sum1, nv), d0 = f64x2.div(dot0, nv), d1 = f64x2.div(dot1, nv);
    p = c;
    for (let r = 0; r < rows; r++) {
      const g = v128.load(dy + p), v = v128.load(x + p);
      const h0 = f64x2.mul(f64x2.sub(lo64(v), m0), s0), h1 = f64x2.mul(f64x2.sub(hi64(v), m1), s1);
      const lo = f64x2.mul(k0, f64x2.sub(f64x2.sub(lo64(g), a0), f64x2.mul(h0, d0)));
      const hi = f64x2.mul(k1, f64x2.sub(f64x2.sub(hi64(g), a1), f64x2.mul(h1, d1)));
      v128.store(dx + p, demote4(lo, hi));
      p += rowBytes;
    }
  }
  for (; c < rowBytes; c += 4) {
    const m = <f64>load<f32>(mean + c);
    const s = 1 / Math.sqrt(<f64>load<f32>(variance + c) + epsilon);
    let sum: f64 = 0, dot: f64 = 0;
    let p: usize = c;
    for (let r = 0; r < rows; r++) {
      const g = <f64>load<f32>(dy + p);
      sum += g;
      dot += g * (<f64>load<f32>(x + p) - m) * s;
      p += rowBytes;
    }
    store<f32>(dbeta + c, <f32>sum);
    store<f32>(dgamma + c, <f32>dot);
    if (!hasDx) continue;
    const k = <f64>load<f32>(gamma + c) * s;
    const a = sum / n, d = dot / n;
    p = c;
    for (let r = 0; r < rows; r++) {
      const h = (<f64>load<f32>(x + p) - m) * s;
      store<f32>(dx + p, <f32>(k * (<f64>load<f32>(dy + p) - a - h * d)));
      p += rowBytes;
    }
  }
}

/** Each row normalized over its columns, then `gamma[c] · x̂ + beta[c]`; the row's mean and 1/√(variance + ε) kept. `out` may be `x`. */
export function layerNorm(x: usize, gamma: usize, beta: usize, out: usize, mean: usize, invStd: usize, rows: i32, cols: i32, epsilon: f64): void {
  if (rows <= 0) return;
  const width: i32 = cols > 0 ? cols : 0;
  const rowBytes = <usize>width << 2, end4 = <usize>(width & ~3) << 2;
  const n = <f64>(cols > 0 ? cols : 1);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes, outr = out + <usize>r * rowBytes;
    let sum: f64 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) sum += <f64>load<f32>(xr + c);
    const m = sum / n;
    let squares: f64 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const d = <f64>load<f32>(xr + c) - m;
      squares += d * d;
    }
    const s = 1 / Math.sqrt(squares / n + epsilon);
    store<f32>(mean + (<usize>r << 2), <f32>m);
    store<f32>(invStd + (<usize>r << 2), <f32>s);
    const mv = f64x2.splat(m), sv = f64x2.splat(s);
    let c: usize = 0;
    for (; c < end4; c += 16) {
      const v = v128.load(xr + c), gv = v128.load(gamma + c), bv = v128.load(beta + c);
      const lo = f64x2.add(f64x2.mul(f64x2.mul(f64x2.sub(lo64(v), mv), sv), lo64(gv)), lo64(bv));
      const hi = f64x2.add(f64x2.mul(f64x2.mul(f64x2.sub(hi64(v), mv), sv), hi64(gv)), hi64(bv));
      v128.store(outr + c, demote4(lo, hi));
    }
    for (; c < rowBytes; c += 4) {
      store<f32>(outr + c, <f32>((<f64>load<f32>(xr + c) - m) * s * <f64>load<f32>(gamma + c) + <f64>load<f32>(beta + c)));
    }
  }
}

/**
 * The gradient of layerNorm from its saved `mean` and `invStd` (see the reference's
 * `layerNormBackward`): `dgamma` and `dbeta` in one pass down the rows per block of columns, then,
 * when `hasDx`, `dx` (which may be `dy`) row by row.
 */
export function layerNormBackward(
  x: usize,
  mean: usize,
  invStd: usize,
  gamma: usize,
  dy: usize,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
  rows: i32,
  cols: i32,
  hasDx: i32,
): void {
  if (cols <= 0) return;
  const rowBytes = <usize>cols << 2, end4 = <usize>(cols & ~3) << 2;
  let c: usize = 0;
  for (; c < end4; c += 16) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
    let p: usize = c;
    for (let r = 0; r < rows; r++) {
      const mv = f64x2.splat(<f64>load<f32>(mean + (<usize>r << 2))), sv = f64x2.splat(<f64>load<f32>(invStd + (<usize>r << 2)));
      const g = v128.load(dy + p), v = v128.load(x + p);
      const g0 = lo64(g), g1 = hi64(g);
      a0 = f64x2.add(a0, f64x2.mul(g0, f64x2.mul(f64x2.sub(lo64(v), mv), sv)));
      a1 = f64x2.add(a1, f64x2.mul(g1, f64x2.mul(f64x2.sub(hi64(v), mv), sv)));
      b0 = f64x2.add(b0, g0);
      b1 = f64x2.add(b1, g1);
      p += rowBytes;
    }
    v128.store(dgamma + c, demote4(a0, a1));
    v128.store(dbeta + c, demote4(b0, b1));
  }
  for (; c < rowBytes; c += 4) {
    let a: f64 = 0, b: f64 = 0;
    let p: usize = c;
    for (let r = 0; r < rows; r++) {
      const d = <f64>load<f32>(dy + p);
      a += d * ((<f64>load<f32>(x + p) - <f64>load<f32>(mean + (<usize>r << 2))) * <f64>load<f32>(invStd + (<usize>r << 2)));
      b += d;
      p += rowBytes;
    }
    store<f32>(dgamma + c, <f32>a);
    store<f32>(dbeta + c, <f32>b);
  }
  if (!hasDx) return;
  const n = <f64>cols;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * rowBytes;
    const m = <f64>load<f32>(mean + (<usize>r << 2)), s = <f64>load<f32>(invStd + (<usize>r << 2));
    let sumG: f64 = 0, sumGx: f64 = 0;
    for (let q: usize = 0; q < rowBytes; q += 4) {
      const g = <f64>load<f32>(dy + o + q) * <f64>load<f32>(gamma + q);
      sumG += g;
      sumGx += g * ((<f64>load<f32>(x + o + q) - m) * s);
    }
    const meanG = sumG / n, meanGx = sumGx / n;
    const mv = f64x2.splat(m), sv = f64x2.splat(s), gm = f64x2.splat(meanG), gxm = f64x2.splat(meanGx);
    let q: usize = 0;
    for (; q < end4; q += 16) {
      const v = v128.load(x + o + q), g = v128.load(dy + o + q), gv = v128.load(gamma + q);
      const h0 = f64x2.mul(f64x2.sub(lo64(v), mv), sv), h1 = f64x2.mul(f64x2.sub(hi64(v), mv), sv);
      const lo = f64x2.mul(sv, f64x2.sub(f64x2.sub(f64x2.mul(lo64(g), lo64(gv)), gm), f64x2.mul(h0, gxm)));
      const hi = f64x2.mul(sv, f64x2.sub(f64x2.sub(f64x2.mul(hi64(g), hi64(gv)), gm), f64x2.mul(h1, gxm)));
      v128.store(dx + o + q, demote4(lo, hi));
    }
    for (; q < rowBytes; q += 4) {
      const h = (<f64>load<f32>(x + o + q) - m) * s;
      store<f32>(dx + o + q, <f32>(s * (<f64>load<f32>(dy + o + q) * <f64>load<f32>(gamma + q) - meanG - h * meanGx)));
    }
  }
}
