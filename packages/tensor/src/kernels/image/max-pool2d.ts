import type { TypedArray } from '../../dtype.js';

/**
 * Max pooling of an NHWC batch `x` (`[batch, h, w, c]`) into `out` (`[batch, outH, outW, c]`):
 * each output is the largest value of its `kh × kw` window over the pixels inside the image
 * (output pixel `(oy, ox)` starts at row `oy·strideH − padTop`, column `ox·strideW − padLeft`).
 * On ties the first pixel in `(ky, kx)` order wins; a NaN wins over any number. `argmax` (shaped
 * like `out`) receives the spatial index `iy·w + ix` of the winner, which is all
 * {@link maxPool2dBackward} needs.
 *
 * @example
 * ```ts
 * import { maxPool2d } from '@gradstream/tensor';
 * const out = new Float32Array(1), argmax = new Float32Array(1);
 * maxPool2d(new Float32Array([1, 4, 3, 2]), out, argmax, 1, 2, 2, 1, 2, 2, 2, 2, 0, 0, 1, 1); // out = [4], argmax = [1]
 * ```
 */
export function maxPool2d(
  x: TypedArray,
  out: TypedArray,
  argmax: TypedArray,
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
        // The window's first pixel seeds the maximum (its index +0, never the −0 of −padTop); the others challenge it.
        const first = iyStart * w + ixStart;
        for (let j = 0, s = (image + first) * c; j < c; j++, s++) {
          out[o + j] = x[s] as number;
          argmax[o + j] = first;
        }
        for (let iy = iyStart; iy < iyEnd; iy++) {
          for (let ix = iy === iyStart ? ixStart + 1 : ixStart; ix < ixEnd; ix++) {
            const pos = iy * w + ix;
            for (let j = 0, s = (image + pos) * c; j < c; j++, s++) {
              const v = x[s] as number;
              const best = out[o + j] as number;
              if (v > best || (v !== v && best === best)) {
                out[o + j] = v;
                argmax[o + j] = pos;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Gradient of {@link maxPool2d}: `dx` (`[batch, h, w, c]`, overwritten) receives each `dy` at
 * the pixel its `argmax` names, added in the order of the outputs (overlapping windows may pick
 * the same pixel).
 *
 * @example
 * ```ts
 * import { maxPool2dBackward } from '@gradstream/tensor';
 * const dx = new Float32Array(4);
 * maxPool2dBackward(new Float32Array([5]), new Float32Array([1]), dx, 1, 2, 2, 1, 1, 1); // dx = [0, 5, 0, 0]
 * ```
 */
export function maxPool2dBackward(dy: TypedArray, argmax: TypedArray, dx: TypedArray, batch: number, h: number, w: number, c: number, outH: number, outW: number): void {
  const image = h * w * c;
  const pixels = outH * outW;
  dx.fill(0, 0, batch * image);
  let o = 0;
  for (let n = 0, base = 0; n < batch; n++, base += image) {
    for (let p = 0; p < pixels; p++) {
      for (let j = 0; j < c; j++, o++) {
        const d = base + (argmax[o] as number) * c + j;
        dx[d] = (dx[d] as number) + (dy[o] as number);
      }
    }
  }
}
