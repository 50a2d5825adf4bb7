import { defineOp, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from '../layer-options.js';
import { POOL2D_SCHEMA, poolCase, poolGeometry, poolShape, type Pool2dConfig } from './pool2d-config.js';

/**
 * Average pooling over NHWC images: each output is the mean of its `poolSize` window, per channel,
 * windows `strides` apart (default `poolSize`: side by side). Input
 * `[batch, height, width, channels]`, output `[batch, outHeight, outWidth, channels]`; `'valid'`
 * padding keeps windows inside the image, `'same'` pads to `ceil(size / stride)` outputs and
 * averages only the pixels inside the image (the padding is not counted). Backward spreads each
 * gradient evenly over its window.
 *
 * - TF.js / Keras: `tf.layers.averagePooling2d({ poolSize, strides, padding })`.
 * - PyTorch: `nn.AvgPool2d(kernel_size, stride, padding, count_include_pad=False)` on NCHW.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { avgPool2dOp } from '@gradstream/ops';
 * createRegistry([avgPool2dOp]).has('avgPool2d'); // true
 * ```
 */
export const avgPool2dOp = defineOp({
  name: 'avgPool2d',
  description: 'average pooling over NHWC images (padding not counted), [batch, h, w, c] → [batch, outH, outW, c]',
  paramsSchema: POOL2D_SCHEMA,
  inputs: ['x'],
  save: {},
  outputShape: (shapes, c: Pool2dConfig) => poolShape(shapes, c),
  forward({ inputs: { x }, out, config: c, backend }) {
    const g = poolGeometry(x.shape, c);
    backend.avgPool2d(x.data, out.data, g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
  },
  backward({ dy, dInputs, config: c, backend }) {
    if (dInputs.x === undefined) return;
    const g = poolGeometry(dInputs.x.shape, c);
    backend.avgPool2dBackward(dy.data, dInputs.x.data, g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW);
  },
  gradcheckCase: (rng) => poolCase(rng),
});

/**
 * An {@link avgPool2dOp} layer over NHWC images.
 *
 * @example
 * ```ts
 * import { avgPool2d } from '@gradstream/ops';
 * avgPool2d({ poolSize: 3, strides: 1, padding: 'same' }); // keeps height and width
 * ```
 */
export function avgPool2d(config: Pool2dConfig & LayerOptions): LayerSpec {
  return { op: avgPool2dOp.name, ...config };
}
