import { defineOp, shapeError, type LayerSpec, type ParamDecl } from '@gradstream/graph';
import { GradstreamError, UNARY_NAMES, initSpecSchema, type InitSpec, type Shape, type UnaryName } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';
import { activationOf, activationParam as paramOf, keepsPreActivation as keepsZ } from '../fused-activation.js';
import { PADDING_SCHEMA, SIZE2_SCHEMA, pairOf, windowGeometry, type Padding, type Size2, type WindowGeometry } from './window-geometry.js';

/**
 * Configuration of {@link conv2dOp}.
 *
 * @example
 * ```ts
 * import type { Conv2dConfig } from '@gradstream/ops';
 * const c: Conv2dConfig = { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' };
 * ```
 */
export interface Conv2dConfig {
  /** Output channels: how many kernels slide over the image. */
  readonly filters: number;
  /** Window height and width (one integer for both). */
  readonly kernelSize: Size2;
  /** Step between windows (default 1). */
  readonly strides?: Size2;
  /** `'valid'` (default) or `'same'`, as TF's. */
  readonly padding?: Padding;
  /** Spacing of the taps inside a window (default 1: adjacent pixels). */
  readonly dilation?: Size2;
  /** Activation applied after the bias, any function of `UNARY_OPS` (default `identity`). */
  readonly activation?: UnaryName;
  /** The activation's parameter where it takes one (leaky ReLU's slope; default: the function's own). */
  readonly alpha?: number;
  /** Input channels (default: read off the last axis of the input). */
  readonly inChannels?: number;
  /** Initializer of the weight (default `glorotUniform`). */
  readonly weightInit?: InitSpec;
  /** Initializer of the bias (default `zeros`). */
  readonly biasInit?: InitSpec;
}


/** Input channels, filled in from the input's shape before the engine asks for parameters or shapes. */
function inChannelsOf(c: Conv2dConfig): number {
  if (c.inChannels === undefined) {
    throw new GradstreamError('INVALID_CONFIG', 'conv2d: inChannels is unknown; it is read off the last axis of the input, or give it', { field: 'inChannels' });
  }
  return c.inChannels;
}

/** The windows over `x`, after checking `x` is an NHWC batch of `inChannels` channels. */
function geometryOf(x: Shape | undefined, c: Conv2dConfig): WindowGeometry {
  const g = windowGeometry('x', x, { kernel: c.kernelSize, strides: c.strides ?? 1, dilation: c.dilation ?? 1, padding: c.padding ?? 'valid' });
  const inChannels = inChannelsOf(c);
  if (g.c !== inChannels) shapeError('x', `[batch,height,width,${inChannels}] (NHWC, channels = inChannels)`, x ?? []);
  return g;
}

/** A 1×1 window at stride 1 without padding reads each pixel once, in order: the input already is the cols matrix. */
const isPointwise = (g: WindowGeometry): boolean => g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;

/** Rows (output pixels of the whole batch) and columns (weights per filter) of the product. */
const productOf = (g: WindowGeometry): { readonly rows: number; readonly patch: number } => ({ rows: g.batch * g.outH * g.outW, patch: g.kh * g.kw * g.c });

/**
 * A 2-D convolution over NHWC images with its activation fused in: each output pixel of each
 * filter is `f(Σ_taps x·W + b)` over a `kernelSize` window of the input, sliding by `strides`,
 * its taps `dilation` pixels apart. Input `[batch, height, width, inChannels]`, output
 * `[batch, outHeight, outWidth, filters]`; `'valid'` padding keeps windows inside the image,
 * `'same'` pads to `ceil(size / stride)` outputs (the extra row and column at the bottom and right,
 * as TF). The weight is `[filters, kh, kw, inChannels]`, i.e. a `[filters, kh·kw·inChannels]`
 * matrix over the flattened window as `linear`'s `[out, in]`; the bias is `[filters]`.
 *
 * It computes as one matmul, as `dense` does: every window of the batch unfolded into a row
 * (`im2col`), times the weight, straight into the NHWC output, with the bias and activation fused
 * in — the backend's `conv2dForward`, which unfolds a cache-sized chunk of rows at a time. Backward is the fused `∂L/∂z` and bias pass, `∂W = dzᵀ·cols`,
 * `∂cols = dz·W` and `col2im` summing `∂cols` back onto the input's pixels. A 1×1 window at stride
 * 1 skips the unfolding. `inChannels` is read off the input.
 *
 * - TF.js / Keras: `tf.layers.conv2d({ filters, kernelSize, strides, padding, dilationRate, activation })`
 *   (channels last; its kernel is `[kh, kw, in, out]`).
 * - PyTorch: `nn.Conv2d(inChannels, filters, kernelSize, stride, padding, dilation)` on NCHW
 *   (its weight is `[out, in, kh, kw]`; `padding='same'` only at stride 1).
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { conv2d, dense, flatten, maxPool2d, softmaxCrossEntropy } from '@gradstream/ops';
 * const model = sequential(
 *   [conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }), maxPool2d({ poolSize: 2 }), flatten(), dense({ inFeatures: 13 * 13 * 8, outFeatures: 10 })],
 *   { inputShape: [28, 28, 1], loss: softmaxCrossEntropy() },
 * );
 * ```
 */
export const conv2dOp = defineOp({
  name: 'conv2d',
  description: '2-D convolution over NHWC images with a fused activation a = f(conv(x, W) + b), W is [filters, kh, kw, inChannels]',
  paramsSchema: {
    type: 'object',
    properties: {
      filters: { type: 'integer', minimum: 1 },
      kernelSize: SIZE2_SCHEMA,
      strides: { ...SIZE2_SCHEMA, default: 1 },
      padding: PADDING_SCHEMA,
      dilation: { ...SIZE2_SCHEMA, default: 1 },
      activation: { enum: [...UNARY_NAMES], default: 'identity' },
      alpha: { type: 'number', minimum: 0 },
      inChannels: { type: 'integer', minimum: 1 },
      weightInit: { ...initSpecSchema, default: { type: 'glorotUniform' } },
      biasInit: { ...initSpecSchema, default: { type: 'zeros' } },
    },
    required: ['filters', 'kernelSize'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'], output: true },
  fromInputs: ([x]): Partial<Conv2dConfig> => (x?.length === 4 && x[3] !== undefined ? { inChannels: x[3] } : {}),
  params: (c: Conv2dConfig): Readonly<Record<'weight' | 'bias', ParamDecl>> => {
    const [kh, kw] = pairOf(c.kernelSize);
    const fans = { fanIn: kh * kw * inChannelsOf(c), fanOut: kh * kw * c.filters };
    return {
      weight: { shape: [c.filters, kh, kw, inChannelsOf(c)], init: c.weightInit ?? { type: 'glorotUniform' }, ...fans },
      bias: { shape: [c.filters], init: c.biasInit ?? { type: 'zeros' }, ...fans },
    };
  },
  outputShape: ([x], c) => {
    const g = geometryOf(x, c);
    return [g.batch, g.outH, g.outW, c.filters];
  },
  // The unfolded windows and their gradient (none for a pointwise convolution), ∂L/∂z, and z itself where f′ reads it.
  scratch: ([x], c) => {
    const g = geometryOf(x, c);
    const { rows, patch } = productOf(g);
    const cols = isPointwise(g) ? [0] : [rows, patch];
    return { cols, dcols: cols, dz: [rows, c.filters], z: keepsZ(c) ? [rows, c.filters] : [0] };
  },
  forward({ inputs: { x }, params: { weight, bias }, out, scratch, config: c, backend }) {
    const g = geometryOf(x.shape, c);
    // One fused kernel (windows unfolded a cache-sized chunk at a time, on all cores), equal bit for
    // bit to im2col, matmul and the bias pass; backward unfolds the windows it needs itself.
    const conv = (into: typeof out.data, fn: UnaryName, p: number): void =>
      backend.conv2dForward(x.data, weight.data, bias.data, into, scratch.cols.data, g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW, c.filters, fn, p);
    if (keepsZ(c)) {
      const z = scratch.z.data;
      conv(z, 'identity', 0);
      backend.unary(activationOf(c), z, out.data, paramOf(c));
    } else {
      conv(out.data, activationOf(c), paramOf(c));
    }
  },
  backward({ dy, saved, params: { weight }, dInputs, dParams, scratch, config: c, backend }) {
    const x = saved.inputs.x;
    const g = geometryOf(x.shape, c);
    const { rows, patch } = productOf(g);
    const pointwise = isPointwise(g);
    const dz = scratch.dz.data;
    const s = keepsZ(c) ? scratch.z.data : saved.output.data;
    // The unfolded windows ∂W needs (forward does not keep them).
    if (!pointwise) {
      backend.im2col(x.data, scratch.cols.data, g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
    }
    backend.unaryBiasBackward(activationOf(c), s, dy.data, dz, dParams.bias.data, rows, c.filters, paramOf(c));
    backend.matmul(dz, pointwise ? x.data : scratch.cols.data, dParams.weight.data, c.filters, patch, rows, true, false);
    if (dInputs.x === undefined) return;
    if (pointwise) {
      backend.matmul(dz, weight.data, dInputs.x.data, rows, patch, c.filters, false, false);
      return;
    }
    const dcols = scratch.dcols.data;
    backend.matmul(dz, weight.data, dcols, rows, patch, c.filters, false, false);
    backend.col2im(dcols, dInputs.x.data, g.batch, g.h, g.w, g.c, g.kh, g.kw, g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft, g.outH, g.outW);
  },
  gradcheckCase: (rng) => {
    const pick = (n: number): number => 1 + rng.int(n);
    const size = (): Size2 => (rng.next() < 0.5 ? pick(3) : [pick(3), pick(3)]);
    const kernelSize = size();
    const strides = size();
    const dilation: Size2 = rng.next() < 0.5 ? 1 : [pick(2), pick(2)];
    const padding: Padding = rng.next() < 0.5 ? 'valid' : 'same';
    const [kh, kw] = pairOf(kernelSize);
    const [dh, dw] = pairOf(dilation);
    // Odd sizes, at least the window's span so that a 'valid' window fits.
    const odd = (n: number): number => n + 1 - (n % 2);
    const h = odd((kh - 1) * dh + 1 + rng.int(4));
    const w = odd((kw - 1) * dw + 1 + rng.int(4));
    const activation = UNARY_NAMES[rng.int(UNARY_NAMES.length)] ?? 'identity';
    return {
      config: { filters: pick(3), kernelSize, strides, padding, dilation, activation },
      inputShapes: [[pick(3), h, w, pick(3)]],
      // Away from relu's kink: inputs of at least 0.2 in size, either sign.
      fillInput: (_i, d, r) => {
        for (let j = 0; j < d.length; j++) d[j] = r.uniform(0.2, 1) * (r.next() < 0.5 ? -1 : 1);
      },
    };
  },
});

/**
 * A {@link conv2dOp} layer: NHWC input `[batch, height, width, channels]`, weight `[filters, kh, kw, channels]`.
 *
 * @example
 * ```ts
 * import { conv2d } from '@gradstream/ops';
 * conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' });
 * ```
 */
export function conv2d(config: Conv2dConfig & LayerOptions): LayerSpec {
  return { op: conv2dOp.name, ...config };
}
