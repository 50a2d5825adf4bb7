import type { SequenceKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/** The {@link SequenceKernels} of the wasm backend. */
export function sequenceKernels(_k: WasmKernelContext): SequenceKernels {
  return {};
}
