import type { Kernels, TypedArray } from '@gradstream/tensor';
import type { KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';
import { elementwise } from './elementwise.js';

/**
 * The geometry of a window (as the contract orders it) after `u.n`: one list for every windowed
 * kernel, so one helper builds their scalars; pooling passes a dilation of 1.
 */
const WINDOW_UNIFORMS: KernelSpec['uniforms'] = [
  ['h', 'u32'],
  ['w', 'u32'],
  ['c', 'u32'],
  ['kh', 'u32'],
  ['kw', 'u32'],
  ['strideH', 'u32'],
  ['strideW', 'u32'],
  ['dilationH', 'u32'],
  ['dilationW', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
];

/**
 * Coordinates are signed: a window starts `pad` pixels before the image.
 */
const WINDOW_PRELUDE = `
fn img_tap(o: u32, stride: u32, k: u32, dilation: u32, pad: u32) -> i32 {
  return i32(o * stride) - i32(pad) + i32(k * dilation);
}
`;

/** The indices of an element `i` of a `[batch, outH, outW, c]` tensor: `n`, `oy`, `ox`, `ch`. */
const OUTPUT_INDICES = `let ch = i % u.c;
  let pix = i / u.c;
  let ox = pix % u.outW;
  let oy = (pix / u.outW) % u.outH;
  let n = pix / (u.outW * u.outH);`;

/** The indices of an element `i` of a `[batch, h, w, c]` image: `n`, `iy`, `ix` (signed), `ch`. */
const IMAGE_INDICES = `let ch = i % u.c;
  let pix = i / u.c;
  let ix = i32(pix % u.w);
  let iy = i32((pix / u.w) % u.h);
  let n = pix / (u.w * u.h);`;

/**
 * The pooling window of output `(oy, ox)` clipped to the image: rows `y0 ≤ iy < y1`, columns
 * `x0 ≤ ix < x1` (never empty, by the contract).
 */
const POOL_WINDOW = `let wy = img_tap(oy, u.strideH, 0u, 1u, u.padTop);
  let wx = img_tap(ox, u.strideW, 0u, 1u, u.padLeft);
  let y0 = max(wy, 0);
  let y1 = min(wy + i32(u.kh), i32(u.h));
  let x0 = max(wx, 0);
  let x1 = min(wx + i32(u.kw), i32(u.w));
  let image = n * u.h * u.w;`;

/** One invocation per element of `cols`: the pixel its tap reads, or zero in the padding. */
const IM2COL = elementwise(
  'im2col',
  ['x', 'cols'],
  WINDOW_UNIFORMS,
  `let taps = u.kh * u.kw * u.c;
  let row = i / taps;
  let t = i % taps;
  let ch = t % u.c;
  let kx = (t / u.c) % u.kw;
  let ky = t / (u.c * u.kw);
  let ox = row % u.outW;
  let oy = (row / u.outW) % u.outH;
  let n = row / (u.outW * u.outH);
  let iy = img_tap(oy, u.strideH, ky, u.dilationH, u.padTop);
  let ix = img_tap(ox, u.strideW, kx, u.dilationW, u.padLeft);
  var v = 0.0;
  if (iy >= 0 && iy < i32(u.h) && ix >= 0 && ix < i32(u.w)) {
    v = x[((n * u.h + u32(iy)) * u.w + u32(ix)) * u.c + ch];
  }
  cols[i] = v;`,
  WINDOW_PRELUDE,
);

/**
 * Visits, for the image pixel `(iy, ix)`, every window that covers it in the order of the outputs
 * (`oy`, then `ox`, ascending: the taps descending) with `oy`, `ox`, `ky`, `kx` in scope for
 * `visit`. A tap lands on the pixel when its offset from the window's start is a whole number of
 * strides; a window reads a pixel at most once, since its taps are distinct.
 */
const coveringWindows = (dilationH: string, dilationW: string, visit: string): string => `
  for (var ky = i32(u.kh) - 1; ky >= 0; ky -= 1) {
    let ty = iy + i32(u.padTop) - ky * i32(${dilationH});
    if (ty < 0 || ty % i32(u.strideH) != 0) { continue; }
    let oy = u32(ty / i32(u.strideH));
    if (oy >= u.outH) { break; }
    for (var kx = i32(u.kw) - 1; kx >= 0; kx -= 1) {
      let tx = ix + i32(u.padLeft) - kx * i32(${dilationW});
      if (tx < 0 || tx % i32(u.strideW) != 0) { continue; }
      let ox = u32(tx / i32(u.strideW));
      if (ox >= u.outW) { break; }
      ${visit}
    }
  }`;

/** A gather: one invocation per element of `dx`, summing the entries of `cols` copied from it. */
const COL2IM = elementwise(
  'col2im',
  ['cols', 'dx'],
  WINDOW_UNIFORMS,
  `${IMAGE_INDICES}
  let taps = u.kh * u.kw * u.c;
  var sum = 0.0;
  ${coveringWindows('u.dilationH', 'u.dilationW', `let row = (n * u.outH + oy) * u.outW + ox;
      sum += cols[row * taps + (u32(ky) * u.kw + u32(kx)) * u.c + ch];`)}
  dx[i] = sum;`,
  WINDOW_PRELUDE,
);

/** One invocation per output: the window scanned in `(ky, kx)` order, a NaN kept once met. */
const MAX_POOL = elementwise(
  'maxPool2d',
  ['x', 'out', 'argmax'],
  WINDOW_UNIFORMS,
  `${OUTPUT_INDICES}
  ${POOL_WINDOW}
  var at = u32(y0) * u.w + u32(x0);
  var best = x[(image + at) * u.c + ch];
  for (var iy = y0; iy < y1; iy += 1) {
    for (var ix = x0; ix < x1; ix += 1) {
      let pos = u32(iy) * u.w + u32(ix);
      let v = x[(image + pos) * u.c + ch];
      if (!gs_isnan(best) && (gs_isnan(v) || v > best)) {
        best = v;
        at = pos;
      }
    }
  }
  out[i] = best;
  argmax[i] = f32(at);`,
  WINDOW_PRELUDE,
);

/** One invocation per output: the window's pixels summed in `(ky, kx)` order, then averaged. */
const AVG_POOL = elementwise(
  'avgPool2d',
  ['x', 'out'],
  WINDOW_UNIFORMS,
  `${OUTPUT_INDICES}
  ${POOL_WINDOW}
  var sum = 0.0;
  for (var iy = y0; iy < y1; iy += 1) {
    for (var ix = x0; ix < x1; ix += 1) {
      sum += x[(image + u32(iy) * u.w + u32(ix)) * u.c + ch];
    }
  }
  out[i] = sum * (1.0 / f32((y1 - y0) * (x1 - x0)));`,
  WINDOW_PRELUDE,
);

/** A gather: one invocation per element of `dx`, summing `dy / count` of the windows covering it. */
const AVG_POOL_BACKWARD = elementwise(
  'avgPool2dBackward',
  ['dy', 'dx'],
  WINDOW_UNIFORMS,
  `${IMAGE_INDICES}
  var sum = 0.0;
  ${coveringWindows('1u', '1u', `let wy = img_tap(oy, u.strideH, 0u, 1u, u.padTop);
      let wx = img_tap(ox, u.strideW, 0u, 1u, u.padLeft);
      let count = (min(wy + i32(u.kh), i32(u.h)) - max(wy, 0)) * (min(wx + i32(u.kw), i32(u.w)) - max(wx, 0));
      sum += dy[((n * u.outH + oy) * u.outW + ox) * u.c + ch] * (1.0 / f32(count));`)}
  dx[i] = sum;`,
  WINDOW_PRELUDE,
);

/**
 * Each invocation owns a block of `u.block` pixels of one channel of one image (`u.n = batch ·
 * blocks · c`, the channel fastest so neighbours read neighbouring words): it zeroes them, then
 * scans the channel's outputs in order and adds each `dy` whose `argmax` falls in its block. No
 * two invocations write one element, and each element's sum keeps the order of the outputs.
 */
const MAX_POOL_BACKWARD = elementwise(
  'maxPool2dBackward',
  ['dy', 'argmax', 'dx'],
  [
    ['c', 'u32'],
    ['pixels', 'u32'],
    ['outPixels', 'u32'],
    ['block', 'u32'],
    ['blocks', 'u32'],
  ],
  `let ch = i % u.c;
  let b = (i / u.c) % u.blocks;
  let n = i / (u.c * u.blocks);
  let lo = b * u.block;
  let hi = min(lo + u.block, u.pixels);
  let image = n * u.pixels * u.c + ch;
  for (var p = lo; p < hi; p += 1) { dx[image + p * u.c] = 0.0; }
  let outputs = n * u.outPixels * u.c + ch;
  for (var o = 0u; o < u.outPixels; o += 1) {
    let k = outputs + o * u.c;
    let at = u32(argmax[k]);
    if (at >= lo && at < hi) { dx[image + at * u.c] += dy[k]; }
  }`,
);

/**
 * Invocations `maxPool2dBackward` aims for. The contract gives it no window geometry, so an
 * invocation cannot tell which outputs may pick its pixels and scans all of its channel's: one
 * invocation per pixel would cost `pixels × outPixels` per channel. Blocks of pixels cut that
 * work while keeping about this many invocations, enough to fill a GPU.
 */
const MAX_POOL_BACKWARD_INVOCATIONS = 16384;

/** The window's scalars in {@link WINDOW_UNIFORMS}' order, after `n`. */
function windowScalars(
  n: number,
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
): number[] {
  return [n, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW];
}

/** Records `maxPool2dBackward` with pixel blocks sized for {@link MAX_POOL_BACKWARD_INVOCATIONS}. */
function maxPoolBackward(ctx: GpuContext, dy: TypedArray, argmax: TypedArray, dx: TypedArray, batch: number, h: number, w: number, c: number, outH: number, outW: number): void {
  const pixels = h * w;
  const channels = batch * c;
  if (channels * pixels === 0) return;
  const block = Math.min(pixels, Math.ceil((channels * pixels) / MAX_POOL_BACKWARD_INVOCATIONS));
  const blocks = Math.ceil(pixels / block);
  const n = channels * blocks;
  ctx.run1d(MAX_POOL_BACKWARD, [dy, argmax, dx], [n, c, pixels, outH * outW, block, blocks], n);
}

/**
 * The convolution and pooling kernels of the contract over NHWC images: `im2col`, `col2im`,
 * `maxPool2d`, `maxPool2dBackward`, `avgPool2d` and `avgPool2dBackward`. Backward passes gather
 * into `dx` (no two invocations write one element) in the contract's order of summation.
 */
export function imageKernels(ctx: GpuContext): Pick<Kernels, 'im2col' | 'col2im' | 'maxPool2d' | 'maxPool2dBackward' | 'avgPool2d' | 'avgPool2dBackward'> {
  return {
    im2col: (x, cols, batch, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW) => {
      const n = batch * outH * outW * kh * kw * c;
      ctx.run1d(IM2COL, [x, cols], windowScalars(n, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW), n);
    },
    col2im: (cols, dx, batch, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW) => {
      const n = batch * h * w * c;
      ctx.run1d(COL2IM, [cols, dx], windowScalars(n, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW), n);
    },
    maxPool2d: (x, out, argmax, batch, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW) => {
      const n = batch * outH * outW * c;
      ctx.run1d(MAX_POOL, [x, out, argmax], windowScalars(n, h, w, c, kh, kw, strideH, strideW, 1, 1, padTop, padLeft, outH, outW), n);
    },
    maxPool2dBackward: (dy, argmax, dx, batch, h, w, c, outH, outW) => maxPoolBackward(ctx, dy, argmax, dx, batch, h, w, c, outH, outW),
    avgPool2d: (x, out, batch, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW) => {
      const n = batch * outH * outW * c;
      ctx.run1d(AVG_POOL, [x, out], windowScalars(n, h, w, c, kh, kw, strideH, strideW, 1, 1, padTop, padLeft, outH, outW), n);
    },
    avgPool2dBackward: (dy, dx, batch, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW) => {
      const n = batch * h * w * c;
      ctx.run1d(AVG_POOL_BACKWARD, [dy, dx], windowScalars(n, h, w, c, kh, kw, strideH, strideW, 1, 1, padTop, padLeft, outH, outW), n);
    },
  };
}
