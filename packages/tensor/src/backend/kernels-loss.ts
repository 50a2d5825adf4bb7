/**
 * The kernels of the losses beyond MSE and softmax cross-entropy: part of the {@link Kernels} contract every backend implements.
 *
 * @example
 * ```ts
 * import { tsBackend, type LossKernels } from '@gradstream/tensor';
 * const k: LossKernels = tsBackend;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface LossKernels {}

/**
 * The names of the {@link LossKernels}, once each.
 *
 * @example
 * ```ts
 * import { LOSS_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(LOSS_KERNEL_NAMES.length);
 * ```
 */
export const LOSS_KERNEL_NAMES = Object.freeze([] as const satisfies readonly (keyof LossKernels)[]);
