import type { TypedArray } from '../../dtype.js';

/**
 * Average pooling of an NHWC batch `x` (`[batch, h, w, c]`) into `out` (`[batch, outH, outW, c]`):
 * each output is the mean of its `kh × kw` window over the pixels inside the image, the padding
 * not counted (as TF's `'same'` average pooling and ONNX's `count_include_pad = 0`). The window's
 * values are summed in `(ky, kx)` order into `out`, which is then scaled by 1 / count.
 *
 * @example
 * ```ts
 * import { avgPool2d } from '@gradstream/tensor';
 * const out = new Float32Array(1);
 * avgPool2d(new Float32Array([1, 4, 3, 2]), out, 1, 2, 2, 1, 2, 2, 2, 2, 0, 0, 1, 1); // out = [2.5]
 * ```
 */
export function avgPool2d(
  x: TypedArray,
  out: TypedArray,
  batch: number,
  h: number,
  w: number,
  c: number,
  kh: number,
  kw: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
  outH: number,
  outW: number,
): void {
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * h * w;
    for (let oy = 0, iy0 = -padTop; oy < outH; oy++, iy0 += strideH) {
      const iyStart = iy0 > 0 ? iy0 : 0;
      const iyEnd = iy0 + kh > h ? h : iy0 + kh;
      for (let ox = 0, ix0 = -padLeft; ox < outW; ox++, ix0 += strideW, o += c) {
        const ixStart = ix0 > 0 ? ix0 : 0;
        const ixEnd = ix0 + kw > w ? w : ix0 + kw;
        out.fill(0, o, o + c);
        for (let iy = iyStart; iy < iyEnd; iy++) {
          for (let s = (image + iy * w + ixStart) * c, end = (image + iy * w + ixEnd) * c; s < end; ) {
            for (let j = 0; j < c; j++, s++) out[o + j] = (out[o + j] as number) + (x[s] as number);
          }
        }
        const inv = 1 / ((iyEnd - iyStart) * (ixEnd - ixStart));
        for (let j = o; j < o + c; j++) out[j] = (out[j] as number) * inv;
      }
    }
  }
}

/**
 * Gradient of {@link avgPool2d}: `dx` (`[batch, h, w, c]`, overwritten) receives, at each pixel
 * of each window inside the image, that output's `dy / count`, added in the order of the outputs.
 *
 * @example
 * ```ts
 * import { avgPool2dBackward } from '@gradstream/tensor';
 * const dx = new Float32Array(4);
 * avgPool2dBackward(new Float32Array([8]), dx, 1, 2, 2, 1, 2, 2, 2, 2, 0, 0, 1, 1); // dx = [2, 2, 2, 2]
 * ```
 */
export function avgPool2dBackward(
  dy: TypedArray,
  dx: TypedArray,
  batch: number,
  h: number,
  w: number,
  c: number,
  kh: number,
  kw: number,
  strideH: number,
  strideW: number,
  padTop: number,
  padLeft: number,
  outH: number,
  outW: number,
): void {
  dx.fill(0, 0, batch * h * w * c);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const image = n * h * w;
    for (let oy = 0, iy0 = -padTop; oy < outH; oy++, iy0 += strideH) {
      const iyStart = iy0 > 0 ? iy0 : 0;
      const iyEnd = iy0 + kh > h ? h : iy0 + kh;
      for (let ox = 0, ix0 = -padLeft; ox < outW; ox++, ix0 += strideW, o += c) {
        const ixStart = ix0 > 0 ? ix0 : 0;
        const ixEnd = ix0 + kw > w ? w : ix0 + kw;
        const inv = 1 / ((iyEnd - iyStart) * (ixEnd - ixStart));
        for (let iy = iyStart; iy < iyEnd; iy++) {
          for (let d = (image + iy * w + ixStart) * c, end = (image + iy * w + ixEnd) * c; d < end; ) {
            for (let j = 0; j < c; j++, d++) dx[d] = (dx[d] as number) + (dy[o + j] as number) * inv;
          }
        }
      }
    }
  }
}
