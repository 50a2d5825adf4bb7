import type { AttentionKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/** The {@link AttentionKernels} of the wasm backend. */
export function attentionKernels(_k: WasmKernelContext): AttentionKernels {
  return {};
}
