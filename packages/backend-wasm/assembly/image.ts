// Convolution and pooling over NHWC float32 images in WebAssembly SIMD128: im2col, col2im,
// maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward. (Kernel conventions: see
// elementwise.ts; the geometry: see the ImageKernels contract in @gradstream/tensor.)
//
// Channels are innermost, so every tap of a window reads or writes the c contiguous floats of one
// pixel, and with contiguous taps (dilation 1) the pixels of a window's row inside the image are
// one run of kw·c floats: the loops move runs four floats at a time, and the only branches are
// per window row (is it inside the image?), never per element. im2col zeroes a window that
// overhangs the padding whole, then copies its pixels inside over the zeros: one run per row, the
// same code for the interior and the edges. Positions advance by adding the strides, with no
// division or modulo anywhere.
//
// Exactness: im2col and maxPool2d copy values; col2im and maxPool2dBackward add in the order the
// contract fixes (the rows, the outputs), each f32 add correctly rounded, so all four equal the
// TypeScript reference bit for bit. The average pools multiply by 1/count rounded to float32
// where the reference multiplies by it in float64: they agree to a rounding.

/** Zeroes `bytes` bytes (a multiple of 4) at `dst`. */
// @ts-ignore: decorator
@inline
function zeroRun(dst: usize, bytes: usize): void {
  const z = f32x4.splat(0);
  const end16 = bytes & ~15;
  let i: usize = 0;
  for (; i < end16; i += 16) v128.store(dst + i, z);
  for (; i < bytes; i += 4) store<f32>(dst + i, 0);
}

/** Copies `bytes` bytes (a multiple of 4) from `src` to `dst` (not overlapping). */
// @ts-ignore: decorator
@inline
function copyRun(src: usize, dst: usize, bytes: usize): void {
  const end16 = bytes & ~15;
  let i: usize = 0;
  for (; i < end16; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

/** `dst[i] += src[i]` over `bytes` bytes (a multiple of 4). */
// @ts-ignore: decorator
@inline
function addRun(src: usize, dst: usize, bytes: usize): void {
  const end16 = bytes & ~15;
  let i: usize = 0;
  for (; i < end16; i += 16) v128.store(dst + i, f32x4.add(v128.load(dst + i), v128.load(src + i)));
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(src + i));
}

/** Taps of a window row that fall inside the image, `[first, end)`, for a row starting at column `ix0` (dilation 1). */
// @ts-ignore: decorator
@inline
function firstInside(ix0: i32, kw: i32): i32 {
  return ix0 < 0 ? min<i32>(-ix0, kw) : 0;
}
// @ts-ignore: decorator
@inline
function endInside(ix0: i32, kw: i32, w: i32, first: i32): i32 {
  return w - ix0 < kw ? max<i32>(w - ix0, first) : kw;
}

/**
 * Every window of `x` (`[batch, h, w, c]`) as a row of `cols` (`[batch·outH·outW, kh·kw·c]`),
 * taps in (ky, kx, channel) order, zeros for taps in the padding.
 */
export function im2col(
  x: usize,
  cols: usize,
  batch: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
): void {
  if (batch <= 0 || c <= 0 || outH <= 0 || outW <= 0) return;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const tapRow = <usize>kw * pixel;
  const patch = <usize>kh * tapRow;
  const lastTapH = (kh - 1) * dilationH;
  const lastTapW = (kw - 1) * dilationW;
  let o = cols;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * image;
    let iy0 = -padTop;
    for (let oy = 0; oy < outH; oy++) {
      // Rows of the window inside the image: all of them away from the top and bottom edges.
      const rowsInside = iy0 >= 0 && iy0 + lastTapH < h;
      let ix0 = -padLeft;
      for (let ox = 0; ox < outW; ox++) {
        const kx0 = firstInside(ix0, kw);
        const kx1 = endInside(ix0, kw, w, kx0);
        // A window overhanging the padding is zeroed whole, then its pixels inside copied over it.
        if (!rowsInside || ix0 < 0 || ix0 + lastTapW >= w) zeroRun(o, patch);
        const pre = <usize>kx0 * pixel;
        const run = <usize>(kx1 - kx0) * pixel;
        let iy = iy0;
        for (let ky = 0; ky < kh; ky++) {
          if (<u32>iy < <u32>h) {
            const row = xn + <usize>iy * imageRow;
            if (dilationW == 1) {
              copyRun(row + <usize>(ix0 + kx0) * pixel, o + pre, run);
            } else {
              let ix = ix0;
              for (let kx = 0; kx < kw; kx++) {
                if (<u32>ix < <u32>w) copyRun(row + <usize>ix * pixel, o + <usize>kx * pixel, pixel);
                ix += dilationW;
              }
            }
          }
          o += tapRow;
          iy += dilationH;
        }
        ix0 += strideW;
      }
      iy0 += strideH;
    }
  }
}

/**
 * Rows `row0 … row0+nrows` of im2col's `cols` (the windows of output pixels row0 … in (n, oy, ox)
 * order), written from `cols` on: the same values as im2col writes there. The convolution forward
 * unfolds its windows a chunk of rows at a time with it, into a buffer that stays in cache.
 */
export function im2colRows(
  x: usize,
  cols: usize,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  row0: i32,
  nrows: i32,
): void {
  if (nrows <= 0 || c <= 0 || outH <= 0 || outW <= 0) return;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const tapRow = <usize>kw * pixel;
  const patch = <usize>kh * tapRow;
  const lastTapH = (kh - 1) * dilationH;
  const lastTapW = (kw - 1) * dilationW;
  const perImage = outH * outW;
  let n = row0 / perImage;
  const rem = row0 - n * perImage;
  let oy = rem / outW;
  let ox = rem - oy * outW;
  let xn = x + <usize>n * image;
  let iy0 = oy * strideH - padTop;
  let ix0 = ox * strideW - padLeft;
  let rowsInside = iy0 >= 0 && iy0 + lastTapH < h;
  let o = cols;
  for (let r = 0; r < nrows; r++) {
    const kx0 = firstInside(ix0, kw);
    const kx1 = endInside(ix0, kw, w, kx0);
    if (!rowsInside || ix0 < 0 || ix0 + lastTapW >= w) zeroRun(o, patch);
    const pre = <usize>kx0 * pixel;
    const run = <usize>(kx1 - kx0) * pixel;
    let iy = iy0;
    for (let ky = 0; ky < kh; ky++) {
      if (<u32>iy < <u32>h) {
        const row = xn + <usize>iy * imageRow;
        if (dilationW == 1) {
          copyRun(row + <usize>(ix0 + kx0) * pixel, o + pre, run);
        } else {
          let ix = ix0;
          for (let kx = 0; kx < kw; kx++) {
            if (<u32>ix < <u32>w) copyRun(row + <usize>ix * pixel, o + <usize>kx * pixel, pixel);
            ix += dilationW;
          }
        }
      }
      o += tapRow;
      iy += dilationH;
    }
    // The next output pixel: along the row, then the next row, then the next image.
    ox++;
    ix0 += strideW;
    if (ox == outW) {
      ox = 0;
      ix0 = -padLeft;
      oy++;
      iy0 += strideH;
      if (oy == outH) {
        oy = 0;
        iy0 = -padTop;
        n++;
        xn += image;
      }
      rowsInside = iy0 >= 0 && iy0 + lastTapH < h;
    }
  }
}

/**
 * The adjoint of im2col: `dx` (`[batch, h, w, c]`, overwritten) sums the entries of `cols` copied
 * from each pixel, in the order of the rows; taps in the padding are dropped.
 */
export function col2im(
  cols: usize,
  dx: usize,
  batch: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  dilationH: i32,
  dilationW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
): void {
  if (batch <= 0 || c <= 0) return;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const tapRow = <usize>kw * pixel;
  memory.fill(dx, 0, <usize>batch * image);
  let o = cols;
  for (let n = 0; n < batch; n++) {
    const dn = dx + <usize>n * image;
    let iy0 = -padTop;
    for (let oy = 0; oy < outH; oy++) {
      let ix0 = -padLeft;
      for (let ox = 0; ox < outW; ox++) {
        const kx0 = firstInside(ix0, kw);
        const kx1 = endInside(ix0, kw, w, kx0);
        const pre = <usize>kx0 * pixel;
        const run = <usize>(kx1 - kx0) * pixel;
        let iy = iy0;
        for (let ky = 0; ky < kh; ky++) {
          if (<u32>iy < <u32>h) {
            const row = dn + <usize>iy * imageRow;
            if (dilationW == 1) {
              addRun(o + pre, row + <usize>(ix0 + kx0) * pixel, run);
            } else {
              let ix = ix0;
              for (let kx = 0; kx < kw; kx++) {
                if (<u32>ix < <u32>w) addRun(o + <usize>kx * pixel, row + <usize>ix * pixel, pixel);
                ix += dilationW;
              }
            }
          }
          o += tapRow;
          iy += dilationH;
        }
        ix0 += strideW;
      }
      iy0 += strideH;
    }
  }
}

/**
 * Max pooling: `out` (`[batch, outH, outW, c]`) the largest value of each window inside the image
 * (the first on ties, NaN winning), `argmax` the spatial index iy·w + ix of it (as a float).
 */
export function maxPool2d(
  x: usize,
  out: usize,
  argmax: usize,
  batch: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
): void {
  if (batch <= 0) return;
  maxPoolRows(x, out, argmax, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW, 0, batch * outH);
}

/** maxPool2d over the output rows row0 … row1 of the batch (row = n·outH + oy). */
// @ts-ignore: decorator
@inline
function maxPoolRows(x: usize, out: usize, argmax: usize, h: i32, w: i32, c: i32, kh: i32, kw: i32, strideH: i32, strideW: i32,
                     padTop: i32, padLeft: i32, outH: i32, outW: i32, row0: i32, row1: i32): void {
  if (c <= 0 || row0 >= row1) return;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const c4 = <usize>(c & ~3) << 2;
  const outRow = <usize>outW * pixel;
  let o = out + <usize>row0 * outRow;
  let a = argmax + <usize>row0 * outRow;
  for (let r = row0; r < row1; r++) {
    const n = r / outH;
    const oy = r - n * outH;
    const xn = x + <usize>n * image;
    const iy0 = oy * strideH - padTop;
    {
      const iyStart = max<i32>(iy0, 0);
      const iyEnd = min<i32>(iy0 + kh, h);
      let ix0 = -padLeft;
      for (let ox = 0; ox < outW; ox++) {
        const ixStart = max<i32>(ix0, 0);
        const ixEnd = min<i32>(ix0 + kw, w);
        const first = xn + <usize>iyStart * imageRow + <usize>ixStart * pixel;
        const firstPos = <f32>(iyStart * w + ixStart);
        const width = <usize>(ixEnd - ixStart) * pixel;
        let j: usize = 0;
        // Four channels at a time; the window's first pixel seeds them and compares equal to itself.
        for (; j < c4; j += 16) {
          let best = v128.load(first + j);
          let idx = f32x4.splat(firstPos);
          let rowStart = first + j;
          let rowPos = iyStart * w + ixStart;
          for (let iy = iyStart; iy < iyEnd; iy++) {
            let pos = rowPos;
            for (let p = rowStart, end = rowStart + width; p < end; p += pixel) {
              const v = v128.load(p);
              const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
              best = v128.bitselect(v, best, take);
              idx = v128.bitselect(f32x4.splat(<f32>pos), idx, take);
              pos++;
            }
            rowStart += imageRow;
            rowPos += w;
          }
          v128.store(o + j, best);
          v128.store(a + j, idx);
        }
        for (; j < pixel; j += 4) {
          let best = load<f32>(first + j);
          let idx = firstPos;
          let rowStart = first + j;
          let rowPos = iyStart * w + ixStart;
          for (let iy = iyStart; iy < iyEnd; iy++) {
            let pos = rowPos;
            for (let p = rowStart, end = rowStart + width; p < end; p += pixel) {
              const v = load<f32>(p);
              if (v > best || (v != v && best == best)) {
                best = v;
                idx = <f32>pos;
              }
              pos++;
            }
            rowStart += imageRow;
            rowPos += w;
          }
          store<f32>(o + j, best);
          store<f32>(a + j, idx);
        }
        o += pixel;
        a += pixel;
        ix0 += strideW;
      }
    }
  }
}

/**
 * Part `part` of `parts` of maxPool2d (same arguments, then the pool's scratch, unused): the output
 * rows of the batch (n·outH + oy) split into contiguous near-equal ranges by their count and
 * `parts` only; each output element is computed as maxPool2d computes it, so the result is the same.
 */
export function maxPool2dParts(
  x: usize,
  out: usize,
  argmax: usize,
  batch: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
  scratch: usize,
  part: i32,
  parts: i32,
): void {
  if (batch <= 0 || outH <= 0 || parts <= 0 || part < 0 || part >= parts) return;
  const rows = batch * outH;
  const row0 = <i32>(<i64>part * <i64>rows / <i64>parts);
  const row1 = <i32>(<i64>(part + 1) * <i64>rows / <i64>parts);
  maxPoolRows(x, out, argmax, h, w, c, kh, kw, strideH, strideW, padTop, padLeft, outH, outW, row0, row1);
}

/** Gradient of maxPool2d: `dx` (overwritten) receives each `dy` at the pixel `argmax` names, in the order of the outputs. */
export function maxPool2dBackward(dy: usize, argmax: usize, dx: usize, batch: i32, h: i32, w: i32, c: i32, outH: i32, outW: i32): void {
  if (batch <= 0 || c <= 0) return;
  const pixel = <usize>c << 2;
  const image = <usize>h * <usize>w * pixel;
  memory.fill(dx, 0, <usize>batch * image);
  const pixels = outH * outW;
  let o: usize = 0;
  for (let n = 0; n < batch; n++) {
    const dn = dx + <usize>n * image;
    for (let p = 0; p < pixels; p++) {
      for (let j: usize = 0; j < pixel; j += 4) {
        const d = dn + <usize>(<i32>load<f32>(argmax + o)) * pixel + j;
        store<f32>(d, load<f32>(d) + load<f32>(dy + o));
        o += 4;
      }
    }
  }
}

/** Average pooling over the window's pixels inside the image (padding not counted). */
export function avgPool2d(
  x: usize,
  out: usize,
  batch: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
): void {
  if (batch <= 0 || c <= 0) return;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const c4 = <usize>(c & ~3) << 2;
  let o = out;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * image;
    let iy0 = -padTop;
    for (let oy = 0; oy < outH; oy++) {
      const iyStart = max<i32>(iy0, 0);
      const iyEnd = min<i32>(iy0 + kh, h);
      let ix0 = -padLeft;
      for (let ox = 0; ox < outW; ox++) {
        const ixStart = max<i32>(ix0, 0);
        const ixEnd = min<i32>(ix0 + kw, w);
        const first = xn + <usize>iyStart * imageRow + <usize>ixStart * pixel;
        const width = <usize>(ixEnd - ixStart) * pixel;
        const inv = <f32>(1.0 / <f64>((iyEnd - iyStart) * (ixEnd - ixStart)));
        let j: usize = 0;
        for (; j < c4; j += 16) {
          let acc = f32x4.splat(0);
          let rowStart = first + j;
          for (let iy = iyStart; iy < iyEnd; iy++) {
            for (let p = rowStart, end = rowStart + width; p < end; p += pixel) acc = f32x4.add(acc, v128.load(p));
            rowStart += imageRow;
          }
          v128.store(o + j, f32x4.mul(acc, f32x4.splat(inv)));
        }
        for (; j < pixel; j += 4) {
          let acc: f32 = 0;
          let rowStart = first + j;
          for (let iy = iyStart; iy < iyEnd; iy++) {
            for (let p = rowStart, end = rowStart + width; p < end; p += pixel) acc += load<f32>(p);
            rowStart += imageRow;
          }
          store<f32>(o + j, acc * inv);
        }
        o += pixel;
        ix0 += strideW;
      }
      iy0 += strideH;
    }
  }
}

/** Gradient of avgPool2d: `dx` (overwritten) receives `dy / count` at each pixel of each window, in the order of the outputs. */
export function avgPool2dBackward(
  dy: usize,
  dx: usize,
  batch: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  strideH: i32,
  strideW: i32,
  padTop: i32,
  padLeft: i32,
  outH: i32,
  outW: i32,
): void {
  if (batch <= 0 || c <= 0) return;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const c4 = <usize>(c & ~3) << 2;
  memory.fill(dx, 0, <usize>batch * image);
  let o = dy;
  for (let n = 0; n < batch; n++) {
    const dn = dx + <usize>n * image;
    let iy0 = -padTop;
    for (let oy = 0; oy < outH; oy++) {
      const iyStart = max<i32>(iy0, 0);
      const iyEnd = min<i32>(iy0 + kh, h);
      let ix0 = -padLeft;
      for (let ox = 0; ox < outW; ox++) {
        const ixStart = max<i32>(ix0, 0);
        const ixEnd = min<i32>(ix0 + kw, w);
        const first = dn + <usize>iyStart * imageRow + <usize>ixStart * pixel;
        const width = <usize>(ixEnd - ixStart) * pixel;
        const inv = <f32>(1.0 / <f64>((iyEnd - iyStart) * (ixEnd - ixStart)));
        let j: usize = 0;
        for (; j < c4; j += 16) {
          const g = f32x4.mul(v128.load(o + j), f32x4.splat(inv));
          let rowStart = first + j;
          for (let iy = iyStart; iy < iyEnd; iy++) {
            for (let p = rowStart, end = rowStart + width; p < end; p += pixel) v128.store(p, f32x4.add(v128.load(p), g));
            rowStart += imageRow;
          }
        }
        for (; j < pixel; j += 4) {
          const g = load<f32>(o + j) * inv;
          let rowStart = first + j;
          for (let iy = iyStart; iy < iyEnd; iy++) {
            for (let p = rowStart, end = rowStart + width; p < end; p += pixel) store<f32>(p, load<f32>(p) + g);
            rowStart += imageRow;
          }
        }
        o += pixel;
        ix0 += strideW;
      }
      iy0 += strideH;
    }
  }
}
