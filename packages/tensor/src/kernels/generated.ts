// Generated from kernels/templates.ts and math/unary-ops.ts by `pnpm --filter @gradstream/tensor generate`. Do not edit:
// change the templates or the definitions, then regenerate (a test fails while this file is stale).
// @ts-nocheck: the bodies index typed arrays without the casts noUncheckedIndexedAccess asks for.
import type { TypedArray } from '../dtype.js';

/**
 * `out[i] = a[i] + b[i]` for every element of `out`. `out` may be `a` or `b` (gradients that meet
 * are summed in place this way).
 *
 * @example
 * ```ts
 * import { add } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * add(new Float32Array([1, 2]), new Float32Array([3, 4]), out); // out = [4, 6]
 * ```
 */
export function add(a: TypedArray, b: TypedArray, out: TypedArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/**
 * `out[i] = a[i] * b[i]` for every element of `out`.
 *
 * @example
 * ```ts
 * import { mul } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * mul(new Float32Array([2]), new Float32Array([3]), out); // out = [6]
 * ```
 */
export function mul(a: TypedArray, b: TypedArray, out: TypedArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

/**
 * `out[i] = s * a[i]` for every element of `out`.
 *
 * @example
 * ```ts
 * import { scale } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * scale(new Float32Array([1, 2]), 0.5, out); // out = [0.5, 1]
 * ```
 */
export function scale(a: TypedArray, s: number, out: TypedArray): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = s * a[i];
}

/**
 * Copies the first `dst.length` elements of `src` into `dst`.
 *
 * @example
 * ```ts
 * import { copy } from '@gradstream/tensor';
 * const dst = new Float32Array(2);
 * copy(new Float32Array([1, 2]), dst); // dst = [1, 2]
 * ```
 */
export function copy(src: TypedArray, dst: TypedArray): void {
  const n = dst.length;
  if (n > 64 && src.length === n) dst.set(src); else for (let i = 0; i < n; i++) dst[i] = src[i];
}

/**
 * Sets every element of `out` to `value`.
 *
 * @example
 * ```ts
 * import { fill } from '@gradstream/tensor';
 * const out = new Float32Array(3);
 * fill(out, 1); // out = [1, 1, 1]
 * ```
 */
export function fill(out: TypedArray, value: number): void {
  const n = out.length;
  if (n > 64) out.fill(value); else for (let i = 0; i < n; i++) out[i] = value;
}

/**
 * `out[r, c] = x[r, c] + bias[c]`: adds a row vector to every row of a `rows×cols` matrix.
 * `out` may be `x`.
 *
 * @example
 * ```ts
 * import { addRowBroadcast } from '@gradstream/tensor';
 * const out = new Float32Array(4);
 * addRowBroadcast(new Float32Array([1, 2, 3, 4]), new Float32Array([10, 20]), out, 2, 2); // [11, 22, 13, 24]
 * ```
 */
export function addRowBroadcast(x: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) out[o + c] = x[o + c] + bias[c];
}

/**
 * Column sums of a `rows×cols` matrix: `out[c] = Σ_r x[r, c]` (reduces axis 0; a bias gradient).
 * Without `accumulate` the first row is assigned, not added to a zero fill.
 *
 * @param accumulate - add into `out` instead of overwriting it
 * @example
 * ```ts
 * import { sumRows } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * sumRows(new Float32Array([1, 2, 3, 4]), out, 2, 2); // out = [4, 6]
 * ```
 */
export function sumRows(x: TypedArray, out: TypedArray, rows: number, cols: number, accumulate = false): void {
  let r0 = 0;
  if (!accumulate) { if (rows === 0) { for (let c = 0; c < cols; c++) out[c] = 0; } else { for (let c = 0; c < cols; c++) out[c] = x[c]; r0 = 1; } }
  for (let r = r0, o = r0 * cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) out[c] = out[c] + x[o + c];
}

/**
 * `out = op(A)·op(B)` (or `+=`) as one plain loop through strides, summed in float64: what
 * `matmul` runs for products of at most 64 multiply-adds, where tiling costs more than it saves.
 * `aRs`/`aPs` step to the next row of op(A) and along k; `bPs`/`bCs` along k and to the next column of op(B).
 *
 * @example
 * ```ts
 * import { matmulSmall } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * matmulSmall(new Float32Array([1, 2]), new Float32Array([3, 4]), out, 1, 1, 2, 2, 1, 1, 1, false); // out = [11]
 * ```
 */
export function matmulSmall(a: TypedArray, b: TypedArray, out: TypedArray, m: number, n: number, k: number, aRs: number, aPs: number, bPs: number, bCs: number, accumulate: boolean): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let p = 0; p < k; p++) s += a[i * aRs + p * aPs] * b[j * bCs + p * bPs]; const o = i * n + j; out[o] = accumulate ? out[o] + s : s; }
}

/**
 * Halved mean squared error over a batch: `loss[0] = ½ · (1/rows) · Σ_i (pred[i] − target[i])²`,
 * the sum running over every element of `pred` (`rows` samples of any width).
 *
 * @example
 * ```ts
 * import { mse } from '@gradstream/tensor';
 * const loss = new Float64Array(1);
 * mse(new Float64Array([3]), new Float64Array([1]), loss, 1); // loss = [2]
 * ```
 */
export function mse(pred: TypedArray, target: TypedArray, loss: TypedArray, rows: number): void {
  const n = pred.length;
  let s = 0; for (let i = 0; i < n; i++) { const d = pred[i] - target[i]; s += d * d; }
  loss[0] = (0.5 * s) / (rows || 1);
}

/**
 * Backward of {@link mse}: `dPred[i] = (dLoss[0] / rows) · (pred[i] − target[i])`.
 *
 * @example
 * ```ts
 * import { mseBackward } from '@gradstream/tensor';
 * const dPred = new Float64Array(1);
 * mseBackward(new Float64Array([3]), new Float64Array([1]), new Float64Array([1]), dPred, 1); // dPred = [2]
 * ```
 */
export function mseBackward(pred: TypedArray, target: TypedArray, dLoss: TypedArray, dPred: TypedArray, rows: number): void {
  const n = dPred.length;
  const k = dLoss[0] / (rows || 1); for (let i = 0; i < n; i++) dPred[i] = k * (pred[i] - target[i]);
}

/**
 * Plain gradient descent on one parameter, in place: `w[i] ← w[i] − lr · g[i]`.
 *
 * @example
 * ```ts
 * import { sgdUpdate } from '@gradstream/tensor';
 * const w = new Float32Array([1]);
 * sgdUpdate(w, new Float32Array([2]), 0.1); // w = [0.8]
 * ```
 */
export function sgdUpdate(w: TypedArray, g: TypedArray, lr: number): void {
  const n = w.length;
  const a = -lr; for (let i = 0; i < n; i++) w[i] = w[i] + a * g[i];
}

/**
 * Adds the gradient of the weight penalty `l1·Σ|w| + (l2/2)·Σw²` (L1 and L2 regularization) to a
 * parameter's gradient, in place: `g[i] ← g[i] + l1·sign(w[i]) + l2·w[i]`, with sign(±0) = 0. An optimizer
 * step after it descends the penalized objective; with `l1` = 0 it is the L2 penalty of PyTorch's
 * `weight_decay`.
 *
 * @example
 * ```ts
 * import { weightPenalty } from '@gradstream/tensor';
 * const g = new Float32Array([1, 1, 1]);
 * weightPenalty(new Float32Array([2, 0, -4]), g, 0.5, 0.25); // g = [2, 1, -0.5]
 * ```
 */
export function weightPenalty(w: TypedArray, g: TypedArray, l1: number, l2: number): void {
  const n = g.length;
  for (let i = 0; i < n; i++) { const wi = w[i]; g[i] = g[i] + (l1 * (wi > 0 ? 1 : wi < 0 ? -1 : 0) + l2 * wi); }
}

/**
 * Gradient descent with momentum on one parameter, in place, as PyTorch's `SGD(momentum=μ)`:
 * `v ← μ·v + g`, then `w ← w − lr·v`, or with Nesterov's look-ahead `w ← w − lr·(g + μ·v)`.
 *
 * @example
 * ```ts
 * import { momentumUpdate } from '@gradstream/tensor';
 * const w = new Float32Array([1]), v = new Float32Array([0]);
 * momentumUpdate(w, new Float32Array([1]), v, 0.1, 0.9, false); // v = [1], w = [0.9]
 * ```
 */
export function momentumUpdate(w: TypedArray, g: TypedArray, v: TypedArray, lr: number, momentum: number, nesterov: boolean): void {
  const n = w.length;
  const mu = momentum;
  if (nesterov) { for (let i = 0; i < n; i++) { const gi = g[i]; const vi = mu * v[i] + gi; v[i] = vi; w[i] = w[i] - lr * (gi + mu * vi); } }
  else { for (let i = 0; i < n; i++) { const vi = mu * v[i] + g[i]; v[i] = vi; w[i] = w[i] - lr * vi; } }
}

/**
 * One bias-corrected Adam step on one parameter, in place, in PyTorch's order of operations:
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `w ← w − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)`, with
 * `t` counting steps from 1. With `weightDecay` λ > 0 it is AdamW: `w` first shrinks by the
 * factor `1 − lr·λ`, decoupled from the gradient (Adam's per-weight scaling never weakens it).
 *
 * @example
 * ```ts
 * import { adamUpdate } from '@gradstream/tensor';
 * const w = new Float64Array([1]), m = new Float64Array(1), v = new Float64Array(1);
 * adamUpdate(w, new Float64Array([3]), m, v, 0.1, 0.9, 0.999, 1e-8, 0, 1); // w ≈ [0.9]
 * ```
 */
export function adamUpdate(w: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, lr: number, beta1: number, beta2: number, epsilon: number, weightDecay: number, t: number): void {
  const n = w.length;
  const keep = 1 - lr * weightDecay;
  if (keep !== 1) for (let i = 0; i < n; i++) w[i] = w[i] * keep;
  const stepSize = lr / (1 - beta1 ** t); const correction2 = Math.sqrt(1 - beta2 ** t);
  for (let i = 0; i < n; i++) { const gi = g[i]; const mi = beta1 * m[i] + (1 - beta1) * gi; const vi = beta2 * v[i] + (1 - beta2) * gi * gi; m[i] = mi; v[i] = vi; w[i] = w[i] - (stepSize * mi) / (Math.sqrt(vi) / correction2 + epsilon); }
}

function identity_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = _x; }
  
}

function identity_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = _g; }
  
}

function identity_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]);  out[o + c] = _x; }
  
}

function identity_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround(_g); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround(_g); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function identity_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = _x; }
  
}

function identity_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = _g; }
  
}

function identity_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c];  out[o + c] = _x; }
  
}

function identity_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = _g; dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = _g; dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function sigmoid_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i]; const _t = Math.exp((-Math.abs(_x))); const _d = (1 + _t); out[i] = (_x >= 0 ? (1 / _d) : (_t / _d)); }
  
}

function sigmoid_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = ((_g * _s) * (1 - _s)); }
  
}

function sigmoid_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]); const _t = Math.exp((-Math.abs(_x))); const _d = (1 + _t); out[o + c] = (_x >= 0 ? (1 / _d) : (_t / _d)); }
  
}

function sigmoid_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround(((_g * _s) * (1 - _s))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround(((_g * _s) * (1 - _s))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function sigmoid_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i]; const _t = Math.exp((-Math.abs(_x))); const _d = (1 + _t); out[i] = (_x >= 0 ? (1 / _d) : (_t / _d)); }
  
}

function sigmoid_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = ((_g * _s) * (1 - _s)); }
  
}

function sigmoid_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c]; const _t = Math.exp((-Math.abs(_x))); const _d = (1 + _t); out[o + c] = (_x >= 0 ? (1 / _d) : (_t / _d)); }
  
}

function sigmoid_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = ((_g * _s) * (1 - _s)); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = ((_g * _s) * (1 - _s)); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function relu_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = (_x < 0 ? 0 : _x); }
  
}

function relu_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = (_s > 0 ? _g : 0); }
  
}

function relu_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]);  out[o + c] = (_x < 0 ? 0 : _x); }
  
}

function relu_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround((_s > 0 ? _g : 0)); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround((_s > 0 ? _g : 0)); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function relu_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = (_x < 0 ? 0 : _x); }
  
}

function relu_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = (_s > 0 ? _g : 0); }
  
}

function relu_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c];  out[o + c] = (_x < 0 ? 0 : _x); }
  
}

function relu_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = (_s > 0 ? _g : 0); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = (_s > 0 ? _g : 0); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function leakyRelu_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = (_x > 0 ? _x : (p * _x)); }
  
}

function leakyRelu_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = (_s > 0 ? _g : (p * _g)); }
  
}

function leakyRelu_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]);  out[o + c] = (_x > 0 ? _x : (p * _x)); }
  
}

function leakyRelu_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround((_s > 0 ? _g : (p * _g))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround((_s > 0 ? _g : (p * _g))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function leakyRelu_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = (_x > 0 ? _x : (p * _x)); }
  
}

function leakyRelu_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = (_s > 0 ? _g : (p * _g)); }
  
}

function leakyRelu_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c];  out[o + c] = (_x > 0 ? _x : (p * _x)); }
  
}

function leakyRelu_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = (_s > 0 ? _g : (p * _g)); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = (_s > 0 ? _g : (p * _g)); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function tanh_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = Math.tanh(_x); }
  
}

function tanh_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = (_g * (1 - (_s * _s))); }
  
}

function tanh_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]);  out[o + c] = Math.tanh(_x); }
  
}

function tanh_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround((_g * (1 - (_s * _s)))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = Math.fround((_g * (1 - (_s * _s)))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function tanh_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = Math.tanh(_x); }
  
}

function tanh_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i];  dx[i] = (_g * (1 - (_s * _s))); }
  
}

function tanh_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c];  out[o + c] = Math.tanh(_x); }
  
}

function tanh_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = (_g * (1 - (_s * _s))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c];  const _d = (_g * (1 - (_s * _s))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function gelu_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i]; const _a = Math.abs(_x); const _as = (_a * 4097); const _ah = (_as - (_as - _a)); const _al = (_a - _ah); const _p2 = (_a * _a); const _e2 = (((((_ah * _ah) - _p2) + (_ah * _al)) + (_al * _ah)) + (_al * _al)); const _qs = (_p2 * 4097); const _qh = (_qs - (_qs - _p2)); const _ql = (_p2 - _qh); const _P = (0.07135481387376785 * _p2); const _Pl = (((((((0.07135009765625 * _qh) - _P) + (0.07135009765625 * _ql)) + (0.000004716217517852783 * _qh)) + (0.000004716217517852783 * _ql)) + (0.07135481387376785 * _e2)) + (2.3988323966106506e-9 * _p2)); const _G = (1.5957691669464111 + _P); const _Gb = (_G - 1.5957691669464111); const _Gl = ((((1.5957691669464111 - (_G - _Gb)) + (_P - _Gb)) + _Pl) + (-4.534068032135963e-8)); const _gs = (_G * 4097); const _gh = (_gs - (_gs - _G)); const _gl = (_G - _gh); const _vp = (_a * _G); const _ve = ((((((_ah * _gh) - _vp) + (_ah * _gl)) + (_al * _gh)) + (_al * _gl)) + (_a * _Gl)); const _vh = (_vp + _ve); const _vl = (_ve - (_vh - _vp)); const _te = Math.exp((-_vh)); const _tt = (_te - (_te * _vl)); const _dd = (1 + _tt); out[i] = (_a > 30 ? (_x > 0 ? _x : (-0)) : (_x * (_x >= 0 ? (1 / _dd) : (_tt / _dd)))); }
  
}

function gelu_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i]; const _xx = (_s * _s); const _v = (_s * (1.5957691216057308 + (0.07135481627260025 * _xx))); const _tv = Math.exp((-Math.abs(_v))); const _dv = (1 + _tv); dx[i] = (_g * ((_v >= 0 ? (1 / _dv) : (_tv / _dv)) + (Math.abs(_s) < 30 ? (((_s * (1.5957691216057308 + (0.21406444881780073 * _xx))) * _tv) / (_dv * _dv)) : 0))); }
  
}

function gelu_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]); const _a = Math.abs(_x); const _as = (_a * 4097); const _ah = (_as - (_as - _a)); const _al = (_a - _ah); const _p2 = (_a * _a); const _e2 = (((((_ah * _ah) - _p2) + (_ah * _al)) + (_al * _ah)) + (_al * _al)); const _qs = (_p2 * 4097); const _qh = (_qs - (_qs - _p2)); const _ql = (_p2 - _qh); const _P = (0.07135481387376785 * _p2); const _Pl = (((((((0.07135009765625 * _qh) - _P) + (0.07135009765625 * _ql)) + (0.000004716217517852783 * _qh)) + (0.000004716217517852783 * _ql)) + (0.07135481387376785 * _e2)) + (2.3988323966106506e-9 * _p2)); const _G = (1.5957691669464111 + _P); const _Gb = (_G - 1.5957691669464111); const _Gl = ((((1.5957691669464111 - (_G - _Gb)) + (_P - _Gb)) + _Pl) + (-4.534068032135963e-8)); const _gs = (_G * 4097); const _gh = (_gs - (_gs - _G)); const _gl = (_G - _gh); const _vp = (_a * _G); const _ve = ((((((_ah * _gh) - _vp) + (_ah * _gl)) + (_al * _gh)) + (_al * _gl)) + (_a * _Gl)); const _vh = (_vp + _ve); const _vl = (_ve - (_vh - _vp)); const _te = Math.exp((-_vh)); const _tt = (_te - (_te * _vl)); const _dd = (1 + _tt); out[o + c] = (_a > 30 ? (_x > 0 ? _x : (-0)) : (_x * (_x >= 0 ? (1 / _dd) : (_tt / _dd)))); }
  
}

function gelu_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _xx = (_s * _s); const _v = (_s * (1.5957691216057308 + (0.07135481627260025 * _xx))); const _tv = Math.exp((-Math.abs(_v))); const _dv = (1 + _tv); const _d = Math.fround((_g * ((_v >= 0 ? (1 / _dv) : (_tv / _dv)) + (Math.abs(_s) < 30 ? (((_s * (1.5957691216057308 + (0.21406444881780073 * _xx))) * _tv) / (_dv * _dv)) : 0)))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _xx = (_s * _s); const _v = (_s * (1.5957691216057308 + (0.07135481627260025 * _xx))); const _tv = Math.exp((-Math.abs(_v))); const _dv = (1 + _tv); const _d = Math.fround((_g * ((_v >= 0 ? (1 / _dv) : (_tv / _dv)) + (Math.abs(_s) < 30 ? (((_s * (1.5957691216057308 + (0.21406444881780073 * _xx))) * _tv) / (_dv * _dv)) : 0)))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function gelu_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i]; const _a = Math.abs(_x); const _as = (_a * 4097); const _ah = (_as - (_as - _a)); const _al = (_a - _ah); const _p2 = (_a * _a); const _e2 = (((((_ah * _ah) - _p2) + (_ah * _al)) + (_al * _ah)) + (_al * _al)); const _qs = (_p2 * 4097); const _qh = (_qs - (_qs - _p2)); const _ql = (_p2 - _qh); const _P = (0.07135481387376785 * _p2); const _Pl = (((((((0.07135009765625 * _qh) - _P) + (0.07135009765625 * _ql)) + (0.000004716217517852783 * _qh)) + (0.000004716217517852783 * _ql)) + (0.07135481387376785 * _e2)) + (2.3988323966106506e-9 * _p2)); const _G = (1.5957691669464111 + _P); const _Gb = (_G - 1.5957691669464111); const _Gl = ((((1.5957691669464111 - (_G - _Gb)) + (_P - _Gb)) + _Pl) + (-4.534068032135963e-8)); const _gs = (_G * 4097); const _gh = (_gs - (_gs - _G)); const _gl = (_G - _gh); const _vp = (_a * _G); const _ve = ((((((_ah * _gh) - _vp) + (_ah * _gl)) + (_al * _gh)) + (_al * _gl)) + (_a * _Gl)); const _vh = (_vp + _ve); const _vl = (_ve - (_vh - _vp)); const _te = Math.exp((-_vh)); const _tt = (_te - (_te * _vl)); const _dd = (1 + _tt); out[i] = (_a > 30 ? (_x > 0 ? _x : (-0)) : (_x * (_x >= 0 ? (1 / _dd) : (_tt / _dd)))); }
  
}

function gelu_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i]; const _xx = (_s * _s); const _v = (_s * (1.5957691216057308 + (0.07135481627260025 * _xx))); const _tv = Math.exp((-Math.abs(_v))); const _dv = (1 + _tv); dx[i] = (_g * ((_v >= 0 ? (1 / _dv) : (_tv / _dv)) + (Math.abs(_s) < 30 ? (((_s * (1.5957691216057308 + (0.21406444881780073 * _xx))) * _tv) / (_dv * _dv)) : 0))); }
  
}

function gelu_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c]; const _a = Math.abs(_x); const _as = (_a * 4097); const _ah = (_as - (_as - _a)); const _al = (_a - _ah); const _p2 = (_a * _a); const _e2 = (((((_ah * _ah) - _p2) + (_ah * _al)) + (_al * _ah)) + (_al * _al)); const _qs = (_p2 * 4097); const _qh = (_qs - (_qs - _p2)); const _ql = (_p2 - _qh); const _P = (0.07135481387376785 * _p2); const _Pl = (((((((0.07135009765625 * _qh) - _P) + (0.07135009765625 * _ql)) + (0.000004716217517852783 * _qh)) + (0.000004716217517852783 * _ql)) + (0.07135481387376785 * _e2)) + (2.3988323966106506e-9 * _p2)); const _G = (1.5957691669464111 + _P); const _Gb = (_G - 1.5957691669464111); const _Gl = ((((1.5957691669464111 - (_G - _Gb)) + (_P - _Gb)) + _Pl) + (-4.534068032135963e-8)); const _gs = (_G * 4097); const _gh = (_gs - (_gs - _G)); const _gl = (_G - _gh); const _vp = (_a * _G); const _ve = ((((((_ah * _gh) - _vp) + (_ah * _gl)) + (_al * _gh)) + (_al * _gl)) + (_a * _Gl)); const _vh = (_vp + _ve); const _vl = (_ve - (_vh - _vp)); const _te = Math.exp((-_vh)); const _tt = (_te - (_te * _vl)); const _dd = (1 + _tt); out[o + c] = (_a > 30 ? (_x > 0 ? _x : (-0)) : (_x * (_x >= 0 ? (1 / _dd) : (_tt / _dd)))); }
  
}

function gelu_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _xx = (_s * _s); const _v = (_s * (1.5957691216057308 + (0.07135481627260025 * _xx))); const _tv = Math.exp((-Math.abs(_v))); const _dv = (1 + _tv); const _d = (_g * ((_v >= 0 ? (1 / _dv) : (_tv / _dv)) + (Math.abs(_s) < 30 ? (((_s * (1.5957691216057308 + (0.21406444881780073 * _xx))) * _tv) / (_dv * _dv)) : 0))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _xx = (_s * _s); const _v = (_s * (1.5957691216057308 + (0.07135481627260025 * _xx))); const _tv = Math.exp((-Math.abs(_v))); const _dv = (1 + _tv); const _d = (_g * ((_v >= 0 ? (1 / _dv) : (_tv / _dv)) + (Math.abs(_s) < 30 ? (((_s * (1.5957691216057308 + (0.21406444881780073 * _xx))) * _tv) / (_dv * _dv)) : 0))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function softplus_forward_f32(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = ((_x > 0 ? _x : 0) + Math.log1p(Math.exp((-Math.abs(_x))))); }
  
}

function softplus_backward_f32(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i]; const _tx = Math.exp((-Math.abs(_s))); const _dx = (1 + _tx); dx[i] = (_g * (_s >= 0 ? (1 / _dx) : (_tx / _dx))); }
  
}

function softplus_biasForward_f32(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = Math.fround(z[o + c] + bias[c]);  out[o + c] = ((_x > 0 ? _x : 0) + Math.log1p(Math.exp((-Math.abs(_x))))); }
  
}

function softplus_biasBackward_f32(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _tx = Math.exp((-Math.abs(_s))); const _dx = (1 + _tx); const _d = Math.fround((_g * (_s >= 0 ? (1 / _dx) : (_tx / _dx)))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _tx = Math.exp((-Math.abs(_s))); const _dx = (1 + _tx); const _d = Math.fround((_g * (_s >= 0 ? (1 / _dx) : (_tx / _dx)))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

function softplus_forward_f64(x: TypedArray, out: TypedArray, p: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) { const _x = x[i];  out[i] = ((_x > 0 ? _x : 0) + Math.log1p(Math.exp((-Math.abs(_x))))); }
  
}

function softplus_backward_f64(s: TypedArray, dy: TypedArray, dx: TypedArray, p: number): void {
  const n = dx.length;
  for (let i = 0; i < n; i++) { const _s = s[i]; const _g = dy[i]; const _tx = Math.exp((-Math.abs(_s))); const _dx = (1 + _tx); dx[i] = (_g * (_s >= 0 ? (1 / _dx) : (_tx / _dx))); }
  
}

function softplus_biasForward_f64(z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _x = z[o + c] + bias[c];  out[o + c] = ((_x > 0 ? _x : 0) + Math.log1p(Math.exp((-Math.abs(_x))))); }
  
}

function softplus_biasBackward_f64(s: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p: number): void {
  if (rows === 0) { for (let c = 0; c < cols; c++) dbias[c] = 0; }
  else { for (let c = 0, o = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _tx = Math.exp((-Math.abs(_s))); const _dx = (1 + _tx); const _d = (_g * (_s >= 0 ? (1 / _dx) : (_tx / _dx))); dz[o + c] = _d; dbias[c] = _d; }
  for (let r = 1, o = cols; r < rows; r++, o += cols) for (let c = 0; c < cols; c++) { const _s = s[o + c]; const _g = dy[o + c]; const _tx = Math.exp((-Math.abs(_s))); const _dx = (1 + _tx); const _d = (_g * (_s >= 0 ? (1 / _dx) : (_tx / _dx))); dz[o + c] = _d; dbias[c] = dbias[c] + _d; } }
  
}

/** The kernels of each elementwise function: [float32, float64]. */
export const GENERATED_UNARY = Object.freeze({
  identity: [{ forward: identity_forward_f32, backward: identity_backward_f32, biasForward: identity_biasForward_f32, biasBackward: identity_biasBackward_f32 }, { forward: identity_forward_f64, backward: identity_backward_f64, biasForward: identity_biasForward_f64, biasBackward: identity_biasBackward_f64 }],
  sigmoid: [{ forward: sigmoid_forward_f32, backward: sigmoid_backward_f32, biasForward: sigmoid_biasForward_f32, biasBackward: sigmoid_biasBackward_f32 }, { forward: sigmoid_forward_f64, backward: sigmoid_backward_f64, biasForward: sigmoid_biasForward_f64, biasBackward: sigmoid_biasBackward_f64 }],
  relu: [{ forward: relu_forward_f32, backward: relu_backward_f32, biasForward: relu_biasForward_f32, biasBackward: relu_biasBackward_f32 }, { forward: relu_forward_f64, backward: relu_backward_f64, biasForward: relu_biasForward_f64, biasBackward: relu_biasBackward_f64 }],
  leakyRelu: [{ forward: leakyRelu_forward_f32, backward: leakyRelu_backward_f32, biasForward: leakyRelu_biasForward_f32, biasBackward: leakyRelu_biasBackward_f32 }, { forward: leakyRelu_forward_f64, backward: leakyRelu_backward_f64, biasForward: leakyRelu_biasForward_f64, biasBackward: leakyRelu_biasBackward_f64 }],
  tanh: [{ forward: tanh_forward_f32, backward: tanh_backward_f32, biasForward: tanh_biasForward_f32, biasBackward: tanh_biasBackward_f32 }, { forward: tanh_forward_f64, backward: tanh_backward_f64, biasForward: tanh_biasForward_f64, biasBackward: tanh_biasBackward_f64 }],
  gelu: [{ forward: gelu_forward_f32, backward: gelu_backward_f32, biasForward: gelu_biasForward_f32, biasBackward: gelu_biasBackward_f32 }, { forward: gelu_forward_f64, backward: gelu_backward_f64, biasForward: gelu_biasForward_f64, biasBackward: gelu_biasBackward_f64 }],
  softplus: [{ forward: softplus_forward_f32, backward: softplus_backward_f32, biasForward: softplus_biasForward_f32, biasBackward: softplus_biasBackward_f32 }, { forward: softplus_forward_f64, backward: softplus_backward_f64, biasForward: softplus_biasForward_f64, biasBackward: softplus_biasBackward_f64 }],
});
