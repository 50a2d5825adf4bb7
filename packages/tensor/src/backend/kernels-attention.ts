/**
 * The kernels of attention (batched products, head layout, masks): part of the {@link Kernels} contract every backend implements.
 *
 * @example
 * ```ts
 * import { tsBackend, type AttentionKernels } from '@gradstream/tensor';
 * const k: AttentionKernels = tsBackend;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface AttentionKernels {}

/**
 * The names of the {@link AttentionKernels}, once each.
 *
 * @example
 * ```ts
 * import { ATTENTION_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(ATTENTION_KERNEL_NAMES.length);
 * ```
 */
export const ATTENTION_KERNEL_NAMES = Object.freeze([] as const satisfies readonly (keyof AttentionKernels)[]);
