import { shapeError } from '@gradstream/graph';
import { GradstreamError, type Shape } from '@gradstream/tensor';

/**
 * A size along height and width: one integer for both, or `[height, width]`.
 *
 * @example
 * ```ts
 * import type { Size2 } from '@gradstream/ops';
 * const square: Size2 = 3;
 * const wide: Size2 = [1, 5];
 * ```
 */
export type Size2 = number | readonly [number, number];

/**
 * How windows meet the image's edges, as TF names it: `'valid'` keeps every window inside the
 * image; `'same'` pads so that there are `ceil(size / stride)` windows along each axis, the extra
 * row or column of padding (when the total is odd) going to the bottom and right.
 *
 * @example
 * ```ts
 * import type { Padding } from '@gradstream/ops';
 * const p: Padding = 'same';
 * ```
 */
export type Padding = 'valid' | 'same';

/** The schema of a {@link Size2}: a positive integer, or two of them. */
export const SIZE2_SCHEMA = {
  oneOf: [
    { type: 'integer', minimum: 1 },
    { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
  ],
} as const;

/** The schema of a {@link Padding}. */
export const PADDING_SCHEMA = { enum: ['valid', 'same'], default: 'valid' } as const;

/** `[height, width]` of a {@link Size2}. */
export function pairOf(size: Size2): readonly [number, number] {
  return typeof size === 'number' ? [size, size] : size;
}

/** A window as a layer configures it. */
export interface WindowSpec {
  readonly kernel: Size2;
  readonly strides: Size2;
  readonly dilation: Size2;
  readonly padding: Padding;
}

/** Where a layer's windows sit over an NHWC batch: the sizes the image kernels take, in their order. */
export interface WindowGeometry {
  readonly batch: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly outH: number;
  readonly outW: number;
}

/** A shape as messages show it: the batch axis by name, since a spec is checked at batch size 1. */
export const batchShape = (shape: Shape): string => `[batch,${shape.slice(1).join(',')}]`;

/** `2×2`, or `2` where both sides agree and `single` allows it. */
const sides = ([a, b]: readonly [number, number], single: boolean): string => (single && a === b ? `${a}` : `${a}×${b}`);

/**
 * The windows of `spec` over input `input` (`[batch, h, w, c]`, NHWC), as TF lays them out; a
 * `SHAPE_MISMATCH` naming the input, the window and the shape when the input is not an image or a
 * `'valid'` window does not fit in it.
 */
export function windowGeometry(input: string, x: Shape | undefined, spec: WindowSpec): WindowGeometry {
  if (x === undefined || x.length !== 4) shapeError(input, '[batch,height,width,channels] (NHWC)', x ?? []);
  const [batch = 0, h = 0, w = 0, c = 0] = x;
  const [kh, kw] = pairOf(spec.kernel);
  const [strideH, strideW] = pairOf(spec.strides);
  const [dilationH, dilationW] = pairOf(spec.dilation);
  const spanH = (kh - 1) * dilationH + 1;
  const spanW = (kw - 1) * dilationW + 1;
  if (spec.padding === 'valid' && (spanH > h || spanW > w)) {
    const dilated = dilationH !== 1 || dilationW !== 1;
    const window = `a ${sides([kh, kw], false)} window (stride ${sides([strideH, strideW], true)}${dilated ? `, dilation ${sides([dilationH, dilationW], true)}` : ''}, padding valid)`;
    throw new GradstreamError(
      'SHAPE_MISMATCH',
      `input ${input}: ${window} does not fit ${batchShape(x)}: it needs at least ${spanH}×${spanW} pixels; use a smaller window, or padding 'same'`,
      { input, expected: `[batch,>=${spanH},>=${spanW},channels]`, actual: [...x] },
    );
  }
  const along = (size: number, span: number, stride: number): readonly [number, number] => {
    if (spec.padding === 'valid') return [Math.floor((size - span) / stride) + 1, 0];
    const out = Math.ceil(size / stride);
    return [out, Math.floor(Math.max((out - 1) * stride + span - size, 0) / 2)];
  };
  const [outH, padTop] = along(h, spanH, strideH);
  const [outW, padLeft] = along(w, spanW, strideW);
  return { batch, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW };
}
