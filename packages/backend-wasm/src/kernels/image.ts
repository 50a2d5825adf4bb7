import { UNARY_NAMES, type ImageKernels, type UnaryName } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/**
 * The {@link ImageKernels} of the wasm backend: the SIMD128 exports of assembly/image.ts where
 * every buffer is a float32 view of the runtime's memory, the TypeScript reference otherwise.
 * conv2dForward unfolds, multiplies and activates cache-sized chunks of rows on all cores (one
 * export, assembly/matmul.ts); a window too large for its chunks takes im2col, matmul and
 * biasUnary in turn through the caller's `cols`.
 */
export function imageKernels(k: WasmKernelContext): ImageKernels {
  const { on, ptr, ts } = k;
  const ex = {
    im2col: k.exportOf('im2col'),
    col2im: k.exportOf('col2im'),
    maxPool2d: k.exportOf('maxPool2d'),
    maxPool2dBackward: k.exportOf('maxPool2dBackward'),
    avgPool2d: k.exportOf('avgPool2d'),
    avgPool2dBackward: k.exportOf('avgPool2dBackward'),
  };
  const conv2dValues = new Float64Array(20);
  const poolValues = new Float64Array(15);
  const conv2dForward: ImageKernels['conv2dForward'] = (x, weight, bias, out, cols, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, filters, fn, p = 0) => {
    const f = UNARY_NAMES.indexOf(fn as UnaryName);
    const rows = batch * oh * ow;
    const patch = kh * kw * c;
    const fallback = (): void => ts.conv2dForward(x, weight, bias, out, cols, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, filters, fn, p);
    if (f < 0 || !(k.owns(x) && k.owns(weight) && k.owns(bias) && k.owns(out)) || rows <= 0 || filters <= 0 || patch <= 0) {
      fallback();
      return;
    }
    // Whatever the sizes, the same bits as im2col, matmul and biasUnary called in turn, each as
    // this backend runs it: a product or a bias pass that backend would leave to the TypeScript
    // loops (tiny ones), or a window too large for the chunks, takes exactly that composition.
    if (patch > k.conv2dMaxPatch || !on(out, bias) || rows * filters * patch <= k.tiny) {
      const n = rows * patch;
      if (!k.owns(cols) || cols.length < n) {
        fallback();
        return;
      }
      ex.im2col(ptr(x), ptr(cols), batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow);
      if (rows * filters * patch > k.tiny) k.matmulPointers(ptr(cols), ptr(weight), ptr(out), rows, filters, patch, false, true, false);
      else ts.matmul(cols.length === n ? cols : cols.subarray(0, n), weight, out, rows, filters, patch, false, true);
      if (on(out, bias)) void k.exportOf(`biasUnary_${UNARY_NAMES[f]}`)(ptr(out), ptr(bias), ptr(out), rows, filters, p);
      else ts.biasUnary(fn, out, bias, out, rows, filters, p);
      return;
    }
    const v = conv2dValues;
    v[0] = ptr(x);
    v[1] = ptr(weight);
    v[2] = ptr(bias);
    v[3] = ptr(out);
    v[4] = batch;
    v[5] = h;
    v[6] = w;
    v[7] = c;
    v[8] = kh;
    v[9] = kw;
    v[10] = sh;
    v[11] = sw;
    v[12] = dh;
    v[13] = dw;
    v[14] = pt;
    v[15] = pl;
    v[16] = oh;
    v[17] = ow;
    v[18] = filters;
    v[19] = f;
    k.conv2dPointers(v, p, rows * patch * (filters + 2));
  };
  return {
    conv2dForward,
    im2col: (x, cols, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow) =>
      on(x, cols)
        ? void ex.im2col(ptr(x), ptr(cols), batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
        : ts.im2col(x, cols, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
    col2im: (cols, dx, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow) =>
      on(cols, dx)
        ? void ex.col2im(ptr(cols), ptr(dx), batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
        : ts.col2im(cols, dx, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
    maxPool2d: (x, out, argmax, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow) => {
      if (!on(x, out, argmax)) {
        ts.maxPool2d(x, out, argmax, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow);
        return;
      }
      const a = poolValues;
      a[0] = ptr(x);
      a[1] = ptr(out);
      a[2] = ptr(argmax);
      a[3] = batch;
      a[4] = h;
      a[5] = w;
      a[6] = c;
      a[7] = kh;
      a[8] = kw;
      a[9] = sh;
      a[10] = sw;
      a[11] = pt;
      a[12] = pl;
      a[13] = oh;
      a[14] = ow;
      k.maxPoolPointers(a, batch * oh * ow * c * kh * kw);
    },
    maxPool2dBackward: (dy, argmax, dx, batch, h, w, c, oh, ow) =>
      on(dy, argmax, dx) ? void ex.maxPool2dBackward(ptr(dy), ptr(argmax), ptr(dx), batch, h, w, c, oh, ow) : ts.maxPool2dBackward(dy, argmax, dx, batch, h, w, c, oh, ow),
    avgPool2d: (x, out, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow) =>
      on(x, out) ? void ex.avgPool2d(ptr(x), ptr(out), batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow) : ts.avgPool2d(x, out, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow),
    avgPool2dBackward: (dy, dx, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow) =>
      on(dy, dx)
        ? void ex.avgPool2dBackward(ptr(dy), ptr(dx), batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow)
        : ts.avgPool2dBackward(dy, dx, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow),
  };
}
