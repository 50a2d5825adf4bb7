import type { NormKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/** The {@link NormKernels} of the wasm backend. */
export function normKernels(_k: WasmKernelContext): NormKernels {
  return {};
}
