import type { AttentionKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/**
 * The {@link AttentionKernels} of the wasm backend. A batched product is the backend's one matmul
 * per block, at the block's address, so each block is as fast (and split across threads when
 * large) as any product of its size. The head rearrangement and the mask only move or set values:
 * their exports equal the TypeScript kernels bit for bit.
 */
export function attentionKernels(k: WasmKernelContext): AttentionKernels {
  const { on, ptr, matmulPointers, ts } = k;
  const ex = { transposeHeads: k.exportOf('transposeHeads'), causalMask: k.exportOf('causalMask') };
  return {
    batchMatmul(a, b, out, batches, m, n, kk, transA = false, transB = false, accumulate = false) {
      if (!on(a, b, out)) {
        ts.batchMatmul(a, b, out, batches, m, n, kk, transA, transB, accumulate);
        return;
      }
      // Addresses in bytes: float32 blocks of m·k, k·n and m·n elements.
      const pa = ptr(a);
      const pb = ptr(b);
      const po = ptr(out);
      for (let i = 0; i < batches; i++) matmulPointers(pa + 4 * i * m * kk, pb + 4 * i * kk * n, po + 4 * i * m * n, m, n, kk, transA, transB, accumulate);
    },
    transposeHeads: (x, out, outer, rows, cols, depth) =>
      on(x, out) ? void ex.transposeHeads(ptr(x), ptr(out), outer, rows, cols, depth) : ts.transposeHeads(x, out, outer, rows, cols, depth),
    causalMask: (x, blocks, size) => (on(x) ? void ex.causalMask(ptr(x), blocks, size) : ts.causalMask(x, blocks, size)),
  };
}
