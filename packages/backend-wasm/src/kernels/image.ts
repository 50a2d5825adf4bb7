import type { ImageKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/** The {@link ImageKernels} of the wasm backend. */
export function imageKernels(_k: WasmKernelContext): ImageKernels {
  return {};
}
