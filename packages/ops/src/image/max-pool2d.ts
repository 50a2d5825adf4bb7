import { defineOp, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from '../layer-options.js';
import { POOL2D_SCHEMA, poolCase, poolGeometry, poolShape, type Pool2dConfig } from './pool2d-config.js';

/**
 * Max pooling over NHWC images: each output is the largest value of its `poolSize` window, per
 * channel, windows `strides` apart (default `poolSize`: side by side). Input
 * `[batch, height, width, channels]`, output `[batch, outHeight, outWidth, channels]`; `'valid'`
 * padding keeps windows inside the image, `'same'` pads to `ceil(size / stride)` outputs and never
 * lets the padding win. Forward keeps the index of each window's maximum (in scratch), so backward
 * sends each gradient to that one pixel; on ties the first pixel of the window wins.
 *
 * - TF.js / Keras: `tf.layers.maxPooling2d({ poolSize, strides, padding })`.
 * - PyTorch: `nn.MaxPool2d(kernel_size, stride, padding)` on NCHW (symmetric padding only).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { maxPool2dOp } from '@gradstream/ops';
 * createRegistry([maxPool2dOp]).has('maxPool2d'); // true
 * ```
 */
export const maxPool2dOp = defineOp({
  name: 'maxPool2d',
  description: 'max pooling over NHWC images, [batch, h, w, c] → [batch, outH, outW, c]',
  paramsSchema: POOL2D_SCHEMA,
  inputs: ['x'],
  save: {},
  outputShape: (shapes, c: Pool2dConfig) => poolShape(shapes, c),
  // Where each window's maximum was: the spatial index of the pixel, per output.
  scratch: (shapes, c) => ({ argmax: poolShape(shapes, c) }),
  forward({ inputs: { x }, out, scratch, config: c, backend }) {
    const g = poolGeometry(x.shape, c);
    backend.maxPool2d(x.data, out.data, scratch.argmax.data, g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
  },
  backward({ dy, dInputs, scratch, config: c, backend }) {
    if (dInputs.x === undefined) return;
    const g = poolGeometry(dInputs.x.shape, c);
    backend.maxPool2dBackward(dy.data, scratch.argmax.data, dInputs.x.data, g.batch, g.h, g.w, g.c, g.outH, g.outW);
  },
  gradcheckCase: (rng) => ({
    ...poolCase(rng),
    // Values 0.01 apart, shuffled: no two in a window are within the finite difference's step.
    fillInput: (_i, d, r) => {
      for (let j = 0; j < d.length; j++) d[j] = (j - d.length / 2) * 0.01;
      r.shuffle(d);
    },
  }),
});

/**
 * A {@link maxPool2dOp} layer over NHWC images.
 *
 * @example
 * ```ts
 * import { maxPool2d } from '@gradstream/ops';
 * maxPool2d({ poolSize: 2 }); // 2×2 windows, stride 2: halves height and width
 * ```
 */
export function maxPool2d(config: Pool2dConfig & LayerOptions): LayerSpec {
  return { op: maxPool2dOp.name, ...config };
}
