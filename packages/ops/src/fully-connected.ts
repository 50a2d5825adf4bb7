import { expectRows, type ParamDecl } from '@gradstream/graph';
import { initSpecSchema, type InitSpec, type Shape } from '@gradstream/tensor';

/** What `linear` and `dense` share: the features on each side, and the initializers of W and b. */
export interface FullyConnected {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weightInit?: InitSpec;
  readonly biasInit?: InitSpec;
}

/** The schema of those fields, which `linear` and `dense` widen with their own. */
export const FULLY_CONNECTED_PROPERTIES = {
  inFeatures: { type: 'integer', minimum: 1 },
  outFeatures: { type: 'integer', minimum: 1 },
  weightInit: { ...initSpecSchema, default: { type: 'glorotUniform' } },
  biasInit: { ...initSpecSchema, default: { type: 'zeros' } },
} as const;

/** The weight `[outFeatures, inFeatures]` and the bias `[outFeatures]`. */
export function fullyConnectedParams(c: FullyConnected): Readonly<Record<'weight' | 'bias', ParamDecl>> {
  const fans = { fanIn: c.inFeatures, fanOut: c.outFeatures };
  return {
    weight: { shape: [c.outFeatures, c.inFeatures], init: c.weightInit ?? { type: 'glorotUniform' }, ...fans },
    bias: { shape: [c.outFeatures], init: c.biasInit ?? { type: 'zeros' }, ...fans },
  };
}

/** `[batch, outFeatures]` from `x` of `[batch, inFeatures]`. */
export function fullyConnectedShape([x]: readonly Shape[], c: FullyConnected): Shape {
  return [expectRows('x', x, c.inFeatures), c.outFeatures];
}
