import type { SequenceKernels } from '@gradstream/tensor';
import type { WasmKernelContext } from './context.js';

/**
 * The {@link SequenceKernels} of the wasm backend. The recurrent cells run their SIMD128 exports
 * (assembly/sequence.ts) when every buffer is a float32 view of the wasm memory. Lookups, scatters
 * and block copies move memory and do no arithmetic worth SIMD: they run the TypeScript kernels over
 * the views (which also throw the same errors for bad token ids).
 */
export function sequenceKernels(k: WasmKernelContext): SequenceKernels {
  const { ts, on, owns, ptr } = k;
  const gruCell = k.exportOf('gruCell');
  const gruCellBackward = k.exportOf('gruCellBackward');
  const lstmCell = k.exportOf('lstmCell');
  const lstmCellBackward = k.exportOf('lstmCellBackward');
  return {
    gatherRows: (table, ids, out, batch, steps, dim, vocab, label) => ts.gatherRows(table, ids, out, batch, steps, dim, vocab, label),
    scatterAddRows: (dOut, ids, dTable, batch, steps, dim, vocab, label) => ts.scatterAddRows(dOut, ids, dTable, batch, steps, dim, vocab, label),
    copyBlocks: (src, dst, count, block, srcStride, dstStride, srcOffset, dstOffset, accumulate) =>
      ts.copyBlocks(src, dst, count, block, srcStride, dstStride, srcOffset, dstOffset, accumulate),
    gruCell: (xProj, hProj, h, hPrev, cache, batch, steps, step, units) =>
      on(xProj, hProj, h, hPrev) && owns(cache)
        ? void gruCell(ptr(xProj), ptr(hProj), ptr(h), ptr(hPrev), ptr(cache), batch, steps, step, units)
        : ts.gruCell(xProj, hProj, h, hPrev, cache, batch, steps, step, units),
    gruCellBackward: (cache, hPrev, dh, dx, dRecSeq, dRec, batch, steps, step, units) =>
      on(cache, hPrev, dh, dx) && owns(dRecSeq) && owns(dRec)
        ? void gruCellBackward(ptr(cache), ptr(hPrev), ptr(dh), ptr(dx), ptr(dRecSeq), ptr(dRec), batch, steps, step, units)
        : ts.gruCellBackward(cache, hPrev, dh, dx, dRecSeq, dRec, batch, steps, step, units),
    lstmCell: (xProj, hProj, h, c, hPrev, cache, batch, steps, step, units) =>
      on(xProj, hProj, h, c) && owns(hPrev) && owns(cache)
        ? void lstmCell(ptr(xProj), ptr(hProj), ptr(h), ptr(c), ptr(hPrev), ptr(cache), batch, steps, step, units)
        : ts.lstmCell(xProj, hProj, h, c, hPrev, cache, batch, steps, step, units),
    lstmCellBackward: (cache, dh, dc, dx, dRec, batch, steps, step, units) =>
      on(cache, dh, dc, dx) && owns(dRec)
        ? void lstmCellBackward(ptr(cache), ptr(dh), ptr(dc), ptr(dx), ptr(dRec), batch, steps, step, units)
        : ts.lstmCellBackward(cache, dh, dc, dx, dRec, batch, steps, step, units),
  };
}
