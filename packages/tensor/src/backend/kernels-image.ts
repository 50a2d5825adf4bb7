import type { TypedArray } from '../dtype.js';
import type { UnaryName } from '../math/unary-ops.js';

/**
 * The kernels of convolution (im2col / col2im over NHWC images) and pooling: part of the {@link Kernels} contract every backend implements.
 *
 * Images are NHWC, `[batch, h, w, c]`, row-major, so the `c` values of one pixel are contiguous.
 * A window of `kh × kw` taps, `dilationH`/`dilationW` apart, is placed every `strideH`/`strideW`
 * pixels starting `padTop`/`padLeft` pixels above and left of the image; output pixel
 * `(oy, ox)` reads the input rows `oy·strideH − padTop + ky·dilationH` (and the columns alike).
 * Taps outside the image read zero (convolution) or are left out (pooling); every pooling window
 * holds at least one pixel of the image, as `'valid'` and `'same'` padding guarantee. The
 * geometry comes as plain numbers, `outH × outW` included, so a compiled pass writes them in.
 *
 * @example
 * ```ts
 * import { tsBackend, type ImageKernels } from '@gradstream/tensor';
 * const k: ImageKernels = tsBackend;
 * ```
 */
export interface ImageKernels {
  /**
   * Unfolds every window of `x` (`[batch, h, w, c]`) into a row of `cols`
   * (`[batch·outH·outW, kh·kw·c]`, taps in `(ky, kx, channel)` order, zeros where a tap falls in
   * the padding): a convolution is then one matmul of `cols` by the `[filters, kh·kw·c]` weight.
   */
  im2col(
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
  ): void;
  /**
   * The adjoint of {@link ImageKernels.im2col}: `dx` (`[batch, h, w, c]`, overwritten) is the sum,
   * for each of its pixels, of the rows of `cols` whose windows read it, added in the order of the
   * rows (so every implementation gives the same bits); taps in the padding are dropped.
   */
  col2im(
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
  ): void;
  /**
   * A convolution's forward pass with its bias and activation: `out` (`[batch, outH, outW, filters]`,
   * i.e. `[batch·outH·outW, filters]`) `= f(im2col(x) · weightᵀ + bias, p)` for the `[filters,
   * kh·kw·c]` `weight`, the `[filters]` `bias` and the elementwise function `fn` of `UNARY_OPS`
   * with parameter `p`. Equal bit for bit to {@link ImageKernels.im2col} into a buffer, then the
   * backend's `matmul(cols, weight, out, rows, filters, kh·kw·c, false, true)`, then
   * `biasUnary(fn, out, bias, out, rows, filters, p)`, whatever the backend's thread count; a
   * backend may compute it without the whole `cols` (in cache-sized chunks of rows, on all cores).
   * `cols` (`[batch·outH·outW, kh·kw·c]`, the caller's) is where it may unfold the windows; what it
   * holds afterwards is unspecified. A 1×1 window at stride 1 without padding needs none (`cols`
   * may then be empty).
   */
  conv2dForward(
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
    p?: number,
  ): void;
  /**
   * Max pooling: `out[n, oy, ox, ch]` (`[batch, outH, outW, c]`) is the largest value of the window
   * over the image's pixels (the first one in `(ky, kx)` order on ties; NaN wins), and `argmax`
   * (shaped like `out`) receives the spatial index `iy·w + ix` of that pixel (exact in float32 for
   * images of up to 2²⁴ pixels).
   */
  maxPool2d(
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
  ): void;
  /**
   * Gradient of {@link ImageKernels.maxPool2d}: `dx` (overwritten) receives each `dy` at the pixel
   * `argmax` names, added in the order of the outputs.
   */
  maxPool2dBackward(dy: TypedArray, argmax: TypedArray, dx: TypedArray, batch: number, h: number, w: number, c: number, outH: number, outW: number): void;
  /**
   * Average pooling over the window's pixels inside the image (padding not counted, as TF's
   * `'same'` average pooling and ONNX's `count_include_pad = 0`): `out` is `[batch, outH, outW, c]`.
   */
  avgPool2d(
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
  ): void;
  /**
   * Gradient of {@link ImageKernels.avgPool2d}: `dx` (overwritten) receives `dy / count` at each
   * pixel of each window, added in the order of the outputs.
   */
  avgPool2dBackward(
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
  ): void;
}

/**
 * The names of the {@link ImageKernels}, once each.
 *
 * @example
 * ```ts
 * import { IMAGE_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(IMAGE_KERNEL_NAMES.length);
 * ```
 */
export const IMAGE_KERNEL_NAMES = Object.freeze(['im2col', 'col2im', 'conv2dForward', 'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward'] as const satisfies readonly (keyof ImageKernels)[]);
