/**
 * The kernels of embeddings, concatenation and recurrent cells: part of the {@link Kernels} contract every backend implements.
 *
 * @example
 * ```ts
 * import { tsBackend, type SequenceKernels } from '@gradstream/tensor';
 * const k: SequenceKernels = tsBackend;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface SequenceKernels {}

/**
 * The names of the {@link SequenceKernels}, once each.
 *
 * @example
 * ```ts
 * import { SEQUENCE_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(SEQUENCE_KERNEL_NAMES.length);
 * ```
 */
export const SEQUENCE_KERNEL_NAMES = Object.freeze([] as const satisfies readonly (keyof SequenceKernels)[]);
