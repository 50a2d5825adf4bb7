/**
 * The kernels of batch and layer normalization: part of the {@link Kernels} contract every backend implements.
 *
 * @example
 * ```ts
 * import { tsBackend, type NormKernels } from '@gradstream/tensor';
 * const k: NormKernels = tsBackend;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface NormKernels {}

/**
 * The names of the {@link NormKernels}, once each.
 *
 * @example
 * ```ts
 * import { NORM_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(NORM_KERNEL_NAMES.length);
 * ```
 */
export const NORM_KERNEL_NAMES = Object.freeze([] as const satisfies readonly (keyof NormKernels)[]);
