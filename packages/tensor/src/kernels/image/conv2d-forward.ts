import type { TypedArray } from '../../dtype.js';
import type { UnaryName } from '../../math/unary-ops.js';
import { matmul } from '../matmul.js';
import { unaryKernels } from '../unary.js';
import { im2col } from './im2col.js';

/**
 * A convolution's forward pass with its bias and activation fused:
 * `out = f(im2col(x) · weightᵀ + bias, p)`, `out` being `[batch·outH·outW, filters]` (NHWC) and
 * `weight` `[filters, kh·kw·c]`. The reference computes exactly that composition — {@link im2col}
 * into `cols`, `matmul`, then the fused bias and activation — so it equals the three kernels called
 * in turn bit for bit. A 1×1 window at stride 1 without padding reads `x` as the unfolded matrix
 * itself (and leaves `cols` alone).
 *
 * @example
 * ```ts
 * import { conv2dForward } from '@gradstream/tensor';
 * // a 1×3×1 image, one filter [1, 1] of 2 taps, bias 0.5, relu: out = [3.5, 5.5]
 * const out = new Float32Array(2);
 * conv2dForward(new Float32Array([1, 2, 3]), new Float32Array([1, 1]), new Float32Array([0.5]), out, new Float32Array(4), 1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 0, 0, 1, 2, 1, 'relu');
 * ```
 */
export function conv2dForward(
  x: TypedArray,
  weight: TypedArray,
  bias: TypedArray,
  out: TypedArray,
  cols: TypedArray,
  batch: number,
  h: number,
  w: number,
  c: number,
  kh: number,
  kw: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
  padTop: number,
  padLeft: number,
  outH: number,
  outW: number,
  filters: number,
  fn: UnaryName,
  p = 0,
): void {
  const rows = batch * outH * outW;
  const patch = kh * kw * c;
  const pointwise = kh === 1 && kw === 1 && strideH === 1 && strideW === 1 && padTop === 0 && padLeft === 0 && outH === h && outW === w;
  let unfolded: TypedArray = x;
  if (!pointwise) {
    unfolded = cols;
    im2col(x, cols, batch, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
  }
  matmul(unfolded, weight, out, rows, filters, patch, false, true);
  unaryKernels(fn, out instanceof Float64Array ? 'float64' : 'float32').biasForward(out, bias, out, rows, filters, p);
}
