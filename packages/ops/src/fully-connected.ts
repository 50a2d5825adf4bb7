import { shapeError, type ConfigOf, type FilledConfig, type ParamDecl } from '@gradstream/graph';
import { initSpecSchema, type Shape } from '@gradstream/tensor';

/** The schema of what `linear` and `dense` share, which they widen with their own fields. */
export const FULLY_CONNECTED_PROPERTIES = {
  inFeatures: { type: 'integer', minimum: 1, description: 'width of the last axis of x (default: read off the input)' },
  outFeatures: { type: 'integer', minimum: 1 },
  weightInit: { ...initSpecSchema, default: { type: 'glorotUniform' } },
  biasInit: { ...initSpecSchema, default: { type: 'zeros' } },
} as const;

/** The shared fields as the op sees them: validated, `inFeatures` filled in from the input. */
export type FullyConnected = FilledConfig<ConfigOf<{ type: 'object'; properties: typeof FULLY_CONNECTED_PROPERTIES; required: ['outFeatures']; additionalProperties: false }>, 'inFeatures'>;

/** `inFeatures` where a layer leaves it out: the last axis of x, as the previous layer made it (none without a feature axis). */
export const FULLY_CONNECTED_INPUTS = { inFeatures: ([x]: readonly Shape[]) => (x !== undefined && x.length >= 2 ? x.at(-1) : undefined) };

/** The weight `[outFeatures, inFeatures]` and the bias `[outFeatures]`. */
export function fullyConnectedParams(c: FullyConnected): Readonly<Record<'weight' | 'bias', ParamDecl>> {
  const fans = { fanIn: c.inFeatures, fanOut: c.outFeatures };
  return {
    weight: { shape: [c.outFeatures, c.inFeatures], init: c.weightInit, ...fans },
    bias: { shape: [c.outFeatures], init: c.biasInit, ...fans },
  };
}

/**
 * `[batch, …, outFeatures]` from `x` of `[batch, …, inFeatures]`: every axis but the last is kept,
 * as Keras' Dense and PyTorch's Linear do, and each row of the last axis is transformed alike.
 */
export function fullyConnectedShape([x]: readonly Shape[], c: FullyConnected): Shape {
  if (x === undefined || x.length < 2 || x[x.length - 1] !== c.inFeatures) {
    // The axes between batch and the last are echoed from x, so the message asks only for the last one
    // (by name, where the input had no feature axis to read it off).
    shapeError('x', `[${['batch', ...(x ?? []).slice(1, -1), c.inFeatures ?? 'inFeatures'].join(',')}]`, x ?? []);
  }
  return [...x.slice(0, -1), c.outFeatures];
}

/** Rows the matmuls see: every axis but the last, flattened (the batch, for a rank-2 input). */
export function rowsOf(x: { readonly size: number }, c: FullyConnected): number {
  return x.size / c.inFeatures;
}
