/**
 * The kernels of convolution (im2col / col2im over NHWC images) and pooling: part of the {@link Kernels} contract every backend implements.
 *
 * @example
 * ```ts
 * import { tsBackend, type ImageKernels } from '@gradstream/tensor';
 * const k: ImageKernels = tsBackend;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface ImageKernels {}

/**
 * The names of the {@link ImageKernels}, once each.
 *
 * @example
 * ```ts
 * import { IMAGE_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(IMAGE_KERNEL_NAMES.length);
 * ```
 */
export const IMAGE_KERNEL_NAMES = Object.freeze([] as const satisfies readonly (keyof ImageKernels)[]);
