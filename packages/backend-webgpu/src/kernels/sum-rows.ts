import type { Kernels, TypedArray } from '@gradstream/tensor';
import type { KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';
import { WG, elementwise } from './elementwise.js';

/**
 * Below this many rows one invocation per column loops them (a workgroup per column would leave
 * most of its lanes idle); from it on, a workgroup shares each column's rows among its lanes.
 */
const TREE_MIN_ROWS = WG;
/**
 * From this many columns on, one invocation per column already fills the device (and the tree's
 * grid, one workgroup per column, stays within one axis's 65,535).
 */
const TREE_MAX_COLS = 4096;

/*
 * Each sum starts from its first term (or the accumulated value), never from a 0 it adds to: a
 * column of −0s then sums to −0, as the TypeScript kernel's, which assigns the first row. (−0, the
 * identity of addition, cannot be the start: WGSL compilers fold the literal −0.0 to +0.)
 */

/** One invocation per column, adding its rows in order: the TypeScript kernel's order, so its f32 result. */
const SUM_ROWS_LOOP = elementwise(
  'sumRows',
  ['x', 'out'],
  [
    ['rows', 'u32'],
    ['cols', 'u32'],
    ['accumulate', 'u32'],
  ],
  `var s: f32;
  var r = 0u;
  if (u.accumulate != 0u) { s = out[i]; } else if (u.rows == 0u) { out[i] = 0.0; return; } else { s = x[i]; r = 1u; }
  var o = r * u.cols + i;
  for (; r < u.rows; r++) {
    s = s + x[o];
    o = o + u.cols;
  }
  out[i] = s;`,
);

/**
 * One workgroup per column: lane l sums rows l, l + WG, … in order, then the lanes' sums meet in a
 * tree of fixed shape, so the result does not depend on scheduling. Only used with rows ≥ WG, so
 * every lane has a first row.
 */
const SUM_ROWS_TREE = Object.freeze<KernelSpec>({
  name: 'sumRowsTree',
  arrays: ['x', 'out'],
  uniforms: [
    ['rows', 'u32'],
    ['cols', 'u32'],
    ['accumulate', 'u32'],
  ],
  workgroupSize: [WG],
  prelude: `var<workgroup> part: array<f32, ${WG}>;`,
  // No early return: every lane reaches the barriers.
  body: `  let c = wid.x;
  var s = x[lid.x * u.cols + c];
  for (var r = lid.x + ${WG}u; r < u.rows; r += ${WG}u) { s = s + x[r * u.cols + c]; }
  part[lid.x] = s;
  for (var w = ${WG / 2}u; w > 0u; w = w >> 1u) {
    workgroupBarrier();
    if (lid.x < w) { part[lid.x] = part[lid.x] + part[lid.x + w]; }
  }
  if (lid.x == 0u) {
    if (u.accumulate != 0u) { out[c] = out[c] + part[0]; } else { out[c] = part[0]; }
  }`,
});

/**
 * Records `out[c] = Σ_r x[r,c]` (or `+=` with `accumulate`) for a `rows × cols` matrix: the column
 * sum the kernels that reduce a bias gradient share. A fixed order of additions for each shape.
 */
export function recordSumRows(ctx: GpuContext, x: TypedArray, out: TypedArray, rows: number, cols: number, accumulate = false): void {
  const flags = [rows, cols, accumulate ? 1 : 0];
  if (rows < TREE_MIN_ROWS || cols >= TREE_MAX_COLS) {
    ctx.run1d(SUM_ROWS_LOOP, [x, out], [cols, ...flags], cols);
    return;
  }
  ctx.run(SUM_ROWS_TREE, [x, out], flags, cols);
}

/** The kernel `sumRows`: column sums, parallel over the columns (and over the rows when they are many). */
export function sumRowsKernel(ctx: GpuContext): Pick<Kernels, 'sumRows'> {
  return { sumRows: (x, out, rows, cols, accumulate = false) => recordSumRows(ctx, x, out, rows, cols, accumulate) };
}
