import type { LossKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/** The {@link LossKernels} of the wasm backend. */
export function lossKernels(_k: WasmKernelContext): LossKernels {
  return {};
}
