import type { ImageKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/**
 * The {@link ImageKernels} of the wasm backend: the SIMD128 exports of assembly/image.ts where
 * every buffer is a float32 view of the runtime's memory, the TypeScript reference otherwise.
 * (Convolution itself is im2col, then the backend's matmul on all cores.)
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
  return {
    im2col: (x, cols, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow) =>
      on(x, cols)
        ? void ex.im2col(ptr(x), ptr(cols), batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
        : ts.im2col(x, cols, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
    col2im: (cols, dx, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow) =>
      on(cols, dx)
        ? void ex.col2im(ptr(cols), ptr(dx), batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow)
        : ts.col2im(cols, dx, batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow),
    maxPool2d: (x, out, argmax, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow) =>
      on(x, out, argmax)
        ? void ex.maxPool2d(ptr(x), ptr(out), ptr(argmax), batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow)
        : ts.maxPool2d(x, out, argmax, batch, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow),
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
