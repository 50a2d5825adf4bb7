import type { Kernels } from '@gradstream/tensor';
import type { GpuContext } from '../gpu-context.js';
import { elementwise } from './elementwise.js';
import { recordBatchMatmul } from './matmul.js';

// One invocation per element of `out`, which finds its source: every write is a plain copy.
const TRANSPOSE_HEADS = elementwise(
  'transposeHeads',
  ['x', 'out'],
  [
    ['rows', 'u32'],
    ['cols', 'u32'],
    ['depth', 'u32'],
  ],
  `let d = i % u.depth;
  let t = i / u.depth;
  let r = t % u.rows;
  let t2 = t / u.rows;
  let c = t2 % u.cols;
  let o = t2 / u.cols;
  out[i] = x[((o * u.rows + r) * u.cols + c) * u.depth + d];`,
);

// One invocation per entry of the blocks; those on or below the diagonal leave theirs alone.
const CAUSAL_MASK = elementwise(
  'causalMask',
  ['x'],
  [['size', 'u32']],
  `let col = i % u.size;
  let row = (i / u.size) % u.size;
  if (col > row) { x[i] = -gs_inf(); }`,
);

/**
 * The attention kernels of the contract: `batchMatmul` (the tiled product, batches on the grid's
 * z axis), `transposeHeads` and `causalMask` (one invocation per element).
 */
export function attentionKernels(ctx: GpuContext): Pick<Kernels, 'batchMatmul' | 'transposeHeads' | 'causalMask'> {
  return {
    batchMatmul: (a, b, out, batches, m, n, k, transA, transB, accumulate) => recordBatchMatmul(ctx, a, b, out, batches, m, n, k, transA, transB, accumulate),
    transposeHeads: (x, out, outer, rows, cols, depth) => {
      const total = outer * rows * cols * depth;
      ctx.run1d(TRANSPOSE_HEADS, [x, out], [total, rows, cols, depth], total);
    },
    causalMask: (x, blocks, size) => {
      const total = blocks * size * size;
      ctx.run1d(CAUSAL_MASK, [x], [total, size], total);
    },
  };
}
