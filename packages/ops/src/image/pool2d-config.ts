import type { Rng, Shape } from '@gradstream/tensor';
import { PADDING_SCHEMA, SIZE2_SCHEMA, pairOf, windowGeometry, type Padding, type Size2, type WindowGeometry } from './window-geometry.js';

/**
 * Configuration of {@link maxPool2dOp} and {@link avgPool2dOp}.
 *
 * @example
 * ```ts
 * import type { Pool2dConfig } from '@gradstream/ops';
 * const c: Pool2dConfig = { poolSize: 2 }; // 2×2 windows, stride 2
 * ```
 */
export interface Pool2dConfig {
  /** Window height and width (one integer for both). */
  readonly poolSize: Size2;
  /** Step between windows (default: `poolSize`, windows side by side). */
  readonly strides?: Size2;
  /** `'valid'` (default) or `'same'`, as TF's. */
  readonly padding?: Padding;
}

/** The schema both pooling ops take. */
export const POOL2D_SCHEMA = {
  type: 'object',
  properties: { poolSize: SIZE2_SCHEMA, strides: SIZE2_SCHEMA, padding: PADDING_SCHEMA },
  required: ['poolSize'],
  additionalProperties: false,
} as const;

/** The windows of a pooling layer over `x`. */
export function poolGeometry(x: Shape | undefined, c: Pool2dConfig): WindowGeometry {
  return windowGeometry('x', x, { kernel: c.poolSize, strides: c.strides ?? c.poolSize, dilation: 1, padding: c.padding ?? 'valid' });
}

/** `[batch, outHeight, outWidth, channels]`. */
export function poolShape([x]: readonly Shape[], c: Pool2dConfig): Shape {
  const g = poolGeometry(x, c);
  return [g.batch, g.outH, g.outW, g.c];
}

/** A random pooling case for the gradient check: small odd images, random windows, strides and padding. */
export function poolCase(rng: Rng): { config: Pool2dConfig; inputShapes: Shape[] } {
  const pick = (n: number): number => 1 + rng.int(n);
  const poolSize: Size2 = rng.next() < 0.5 ? pick(3) : [pick(3), pick(3)];
  const [ph, pw] = pairOf(poolSize);
  const strides: Size2 | undefined = rng.next() < 0.5 ? undefined : [pick(2), pick(2)];
  const padding: Padding = rng.next() < 0.5 ? 'valid' : 'same';
  const odd = (n: number): number => n + 1 - (n % 2);
  const config = strides === undefined ? { poolSize, padding } : { poolSize, strides, padding };
  return { config, inputShapes: [[pick(3), odd(ph + rng.int(4)), odd(pw + rng.int(4)), pick(3)]] };
}
