import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/** `[batch, height, width, channels]` of an NHWC input, checked. */
function imageOf(x: Shape | undefined): readonly [number, number, number, number] {
  if (x === undefined || x.length !== 4) shapeError('x', '[batch,height,width,channels] (NHWC)', x ?? []);
  const [batch = 0, h = 0, w = 0, c = 0] = x;
  return [batch, h, w, c];
}

/**
 * Global average pooling: the mean of each channel over the whole image, NHWC
 * `[batch, height, width, channels]` → `[batch, channels]`, ready for a `dense` head. It is the
 * average pooling kernel with one window the size of the image.
 *
 * - TF.js / Keras: `tf.layers.globalAveragePooling2d({})`.
 * - PyTorch: `nn.AdaptiveAvgPool2d(1)` then `flatten(1)` on NCHW.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { globalAvgPoolOp } from '@gradstream/ops';
 * createRegistry([globalAvgPoolOp]).has('globalAvgPool'); // true
 * ```
 */
export const globalAvgPoolOp = defineOp({
  name: 'globalAvgPool',
  description: 'mean of each channel over the image, [batch, h, w, c] → [batch, c]',
  inputs: ['x'],
  save: {},
  outputShape: ([x]) => {
    const [batch, , , c] = imageOf(x);
    return [batch, c];
  },
  forward({ inputs: { x }, out, backend }) {
    const [batch, h, w, c] = imageOf(x.shape);
    backend.avgPool2d(x.data, out.data, batch, h, w, c, h, w, h, w, 0, 0, 1, 1);
  },
  backward({ dy, dInputs, backend }) {
    if (dInputs.x === undefined) return;
    const [batch, h, w, c] = imageOf(dInputs.x.shape);
    backend.avgPool2dBackward(dy.data, dInputs.x.data, batch, h, w, c, h, w, h, w, 0, 0, 1, 1);
  },
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(3), 1 + rng.int(5), 1 + rng.int(5), 1 + rng.int(4)]] }),
});

/**
 * A {@link globalAvgPoolOp} layer: NHWC `[batch, height, width, channels]` → `[batch, channels]`.
 *
 * @example
 * ```ts
 * import { globalAvgPool } from '@gradstream/ops';
 * globalAvgPool(); // { op: 'globalAvgPool' }
 * ```
 */
export function globalAvgPool(options: LayerOptions = {}): LayerSpec {
  return { op: globalAvgPoolOp.name, ...options };
}
