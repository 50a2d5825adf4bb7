import { UNARY_OPS, type UnaryDefinition, type UnaryName } from '@gradstream/tensor';

/**
 * The fields of a layer with a fused activation (`dense`, `conv2d`) that choose it.
 *
 * @example
 * ```ts
 * import type { FusedActivation } from '@gradstream/ops';
 * const a: FusedActivation = { activation: 'leakyRelu', alpha: 0.2 };
 * ```
 */
export interface FusedActivation {
  readonly activation?: UnaryName;
  readonly alpha?: number;
}

/**
 * The elementwise function a layer with a fused activation applies (default `identity`).
 *
 * @example
 * ```ts
 * import { activationOf } from '@gradstream/ops';
 * activationOf({}); // 'identity'
 * ```
 */
export const activationOf = (c: FusedActivation): UnaryName => c.activation ?? 'identity';

/**
 * The parameter its kernels are given: the layer's `alpha`, else the function's own default
 * (leaky ReLU's 0.01), else 0. Exporters use it too, so an exported model computes the same.
 *
 * @example
 * ```ts
 * import { activationParam } from '@gradstream/ops';
 * activationParam({ activation: 'leakyRelu' }); // 0.01
 * ```
 */
export function activationParam(c: FusedActivation): number {
  const def: UnaryDefinition = UNARY_OPS[activationOf(c)];
  return c.alpha ?? def.param?.default ?? 0;
}

/** Activations whose derivative reads their input keep the pre-activation `z` in scratch. */
export const keepsPreActivation = (c: FusedActivation): boolean => UNARY_OPS[activationOf(c)].saves === 'x';
