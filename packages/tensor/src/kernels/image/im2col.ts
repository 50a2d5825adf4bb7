import type { TypedArray } from '../../dtype.js';

/**
 * Unfolds every convolution window of an NHWC batch `x` (`[batch, h, w, c]`) into one row of
 * `cols` (`[batch·outH·outW, kh·kw·c]`), its taps in `(ky, kx, channel)` order and zeros where a
 * tap falls in the padding, so that the convolution is one matmul by the `[filters, kh·kw·c]`
 * weight. Output pixel `(oy, ox)` reads rows `oy·strideH − padTop + ky·dilationH` and columns
 * `ox·strideW − padLeft + kx·dilationW`. Each tap copies the `c` contiguous values of one pixel.
 *
 * @example
 * ```ts
 * import { im2col } from '@gradstream/tensor';
 * // a 1×3×1 image, windows of 2 taps at stride 1: rows [1, 2] and [2, 3]
 * const cols = new Float32Array(4);
 * im2col(new Float32Array([1, 2, 3]), cols, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 0, 0, 1, 2);
 * ```
 */
export function im2col(
  x: TypedArray,
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
): void {
  const tapRow = kw * c;
  const imageRow = w * c;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * h * imageRow;
    for (let oy = 0, iy0 = -padTop; oy < outH; oy++, iy0 += strideH) {
      for (let ox = 0, ix0 = -padLeft; ox < outW; ox++, ix0 += strideW) {
        for (let ky = 0, iy = iy0; ky < kh; ky++, iy += dilationH) {
          if (iy < 0 || iy >= h) {
            cols.fill(0, o, o + tapRow);
            o += tapRow;
            continue;
          }
          const row = image + iy * imageRow;
          for (let kx = 0, ix = ix0; kx < kw; kx++, ix += dilationW) {
            if (ix < 0 || ix >= w) {
              cols.fill(0, o, o + c);
              o += c;
              continue;
            }
            for (let s = row + ix * c, end = s + c; s < end; s++) cols[o++] = x[s] as number;
          }
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col}: `dx` (`[batch, h, w, c]`, overwritten) gets, at each pixel, the
 * sum of the entries of `cols` that were copied from it, added in the order of the rows of
 * `cols`; entries of taps in the padding are dropped. This is the input gradient of a
 * convolution from `∂L/∂cols = ∂L/∂out · W`.
 *
 * @example
 * ```ts
 * import { col2im } from '@gradstream/tensor';
 * // the two windows of the im2col example overlap on the middle pixel
 * const dx = new Float32Array(3);
 * col2im(new Float32Array([1, 1, 1, 1]), dx, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1, 0, 0, 1, 2); // dx = [1, 2, 1]
 * ```
 */
export function col2im(
  cols: TypedArray,
  dx: TypedArray,
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
): void {
  const tapRow = kw * c;
  const imageRow = w * c;
  dx.fill(0, 0, batch * h * imageRow);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * h * imageRow;
    for (let oy = 0, iy0 = -padTop; oy < outH; oy++, iy0 += strideH) {
      for (let ox = 0, ix0 = -padLeft; ox < outW; ox++, ix0 += strideW) {
        for (let ky = 0, iy = iy0; ky < kh; ky++, iy += dilationH) {
          if (iy < 0 || iy >= h) {
            o += tapRow;
            continue;
          }
          const row = image + iy * imageRow;
          for (let kx = 0, ix = ix0; kx < kw; kx++, ix += dilationW) {
            if (ix < 0 || ix >= w) {
              o += c;
              continue;
            }
            for (let d = row + ix * c, end = d + c; d < end; d++) dx[d] = (dx[d] as number) + (cols[o++] as number);
          }
        }
      }
    }
  }
}
