import type { Kernels } from '@gradstream/tensor';

/**
 * A convolution's forward pass as the contract defines it: the windows unfolded into `cols` (not
 * needed by a 1×1 window at stride 1 without padding), one tiled matmul by the weight, then the
 * bias and activation in place — three dispatches recorded back to back, with nothing read back.
 */
export function conv2dForwardKernel(k: Pick<Kernels, 'im2col' | 'matmul' | 'biasUnary'>): Pick<Kernels, 'conv2dForward'> {
  return {
    conv2dForward: (x, weight, bias, out, cols, batch, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW, filters, fn, p = 0) => {
      const rows = batch * outH * outW;
      const pointwise = kh === 1 && kw === 1 && strideH === 1 && strideW === 1 && padTop === 0 && padLeft === 0 && outH === h && outW === w;
      if (!pointwise) k.im2col(x, cols, batch, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW);
      k.matmul(pointwise ? x : cols, weight, out, rows, filters, kh * kw * c, false, true);
      k.biasUnary(fn, out, bias, out, rows, filters, p);
    },
  };
}
