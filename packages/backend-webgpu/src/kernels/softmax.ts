import type { Kernels, TypedArray } from '@gradstream/tensor';
import type { KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';
import { runWholeReduction, wholeReduction } from './whole-reduction.js';

/** The widest row one invocation takes alone, a sequential loop with no barrier (classes, mostly). */
const SERIAL_COLS = 32;
/** Rows per workgroup of the one-invocation-per-row kernels. */
const WG_SERIAL = 64;
/** Invocations of a row's workgroup for rows up to {@link MID_COLS} wide. */
const WG_MID = 64;
/** The widest row the 64-invocation workgroup takes: at most 16 columns per invocation. */
const MID_COLS = 16 * WG_MID;
/** Invocations of a row's workgroup for wider rows. */
const WG_WIDE = 256;
/**
 * The most workgroups a row kernel's grid has: enough to fill any GPU, far below the 65,535 of an
 * axis; each workgroup loops over the rows `wid.x`, `wid.x + nwg.x`, …
 */
const MAX_ROW_GROUPS = 4096;

/**
 * Tree reductions over a workgroup of `size` invocations, for a prelude. Each must be reached by
 * the whole workgroup (they hold barriers); every invocation gets the same result, and the order
 * of the operations depends only on `size`, so the results are deterministic.
 */
function reductions(size: number): string {
  return `
var<workgroup> gs_red: array<f32, ${size}>;
fn gs_row_sum(v: f32, l: u32) -> f32 {
  gs_red[l] = v;
  workgroupBarrier();
  for (var s = ${size / 2}u; s > 0u; s >>= 1u) {
    if (l < s) { gs_red[l] = gs_red[l] + gs_red[l + s]; }
    workgroupBarrier();
  }
  let total = gs_red[0];
  // Nobody writes gs_red again before everyone has read the total.
  workgroupBarrier();
  return total;
}
fn gs_row_max(v: f32, l: u32) -> f32 {
  gs_red[l] = v;
  workgroupBarrier();
  for (var s = ${size / 2}u; s > 0u; s >>= 1u) {
    if (l < s) { gs_red[l] = max(gs_red[l], gs_red[l + s]); }
    workgroupBarrier();
  }
  let m = gs_red[0];
  workgroupBarrier();
  return m;
}
`;
}

/** The reductions of a row one invocation walks alone: it already holds the whole row's value. */
const SERIAL_REDUCTIONS = `
fn gs_row_sum(v: f32, l: u32) -> f32 { return v; }
fn gs_row_max(v: f32, l: u32) -> f32 { return v; }
`;

/**
 * A row kernel's body given its step `wg` (its workgroup's size, or 1 for one invocation per row):
 * with `r` the row, `o` its first element and `l` the invocation's index in the row, each
 * invocation takes the columns l, l + wg, … and combines them with `gs_row_sum`/`gs_row_max`.
 */
type RowBody = (wg: string) => string;

/** A kernel with one invocation per row of a `u.rows × u.cols` matrix, a 1-D dispatch over the rows. */
function serialRowKernel(name: string, arrays: readonly string[], body: RowBody): KernelSpec {
  const spec: KernelSpec = {
    name: `${name}/serial`,
    arrays,
    uniforms: [['rows', 'u32'], ['cols', 'u32']],
    workgroupSize: [WG_SERIAL],
    prelude: SERIAL_REDUCTIONS,
    body: `
  let r = i;
  if (r >= u.rows) { return; }
  let o = r * u.cols;
  let l = 0u;${body('1u')}`,
  };
  return Object.freeze(spec);
}

/**
 * A kernel with one `size`-invocation workgroup per row of a `u.rows × u.cols` matrix, each
 * workgroup looping over rows. The loop's bounds depend on the workgroup only, so the whole
 * workgroup reaches every barrier in it together.
 */
function groupRowKernel(name: string, arrays: readonly string[], size: number, body: RowBody): KernelSpec {
  const spec: KernelSpec = {
    name: `${name}/${size}`,
    arrays,
    uniforms: [['rows', 'u32'], ['cols', 'u32']],
    workgroupSize: [size],
    prelude: reductions(size),
    body: `
  let l = lid.x;
  for (var r = wid.x; r < u.rows; r += nwg.x) {
    let o = r * u.cols;${body(`${size}u`)}
  }`,
  };
  return Object.freeze(spec);
}


const SOFTMAX_BODY: RowBody = (wg) => `
  var m = -gs_inf();
  for (var c = l; c < u.cols; c += ${wg}) { m = max(m, x[o + c]); }
  m = gs_row_max(m, l);
  var s = 0.0;
  for (var c = l; c < u.cols; c += ${wg}) {
    let e = exp(x[o + c] - m);
    out[o + c] = e;
    s += e;
  }
  let inv = 1.0 / gs_row_sum(s, l);
  for (var c = l; c < u.cols; c += ${wg}) { out[o + c] = out[o + c] * inv; }`;

// Every invocation reads its columns of dy before the row's sum (and its barriers) and writes only
// its own columns after it, so dx may be dy.
const SOFTMAX_BACKWARD_BODY: RowBody = (wg) => `
  var s = 0.0;
  for (var c = l; c < u.cols; c += ${wg}) { s += dy[o + c] * y[o + c]; }
  s = gs_row_sum(s, l);
  for (var c = l; c < u.cols; c += ${wg}) { dx[o + c] = y[o + c] * (dy[o + c] - s); }`;

// Writes the probabilities and the row's loss Σ_j t_j·(m + log s − z_j), skipping zero targets so
// a probability that underflowed contributes nothing.
const CROSS_ENTROPY_BODY: RowBody = (wg) => `
  var m = -gs_inf();
  for (var c = l; c < u.cols; c += ${wg}) { m = max(m, logits[o + c]); }
  m = gs_row_max(m, l);
  var s = 0.0;
  for (var c = l; c < u.cols; c += ${wg}) {
    let e = exp(logits[o + c] - m);
    probs[o + c] = e;
    s += e;
  }
  s = gs_row_sum(s, l);
  let shift = m + log(s);
  let inv = 1.0 / s;
  var row = 0.0;
  for (var c = l; c < u.cols; c += ${wg}) {
    let t = tgt[o + c];
    if (t != 0.0) { row += t * (shift - logits[o + c]); }
    probs[o + c] = probs[o + c] * inv;
  }
  row = gs_row_sum(row, l);
  if (l == 0u) { rowLoss[r] = row; }`;

// The target's mass Σ_k t_k makes the gradient right for target rows that do not sum to 1.
const CROSS_ENTROPY_BACKWARD_BODY: RowBody = (wg) => `
  var mass = 0.0;
  for (var c = l; c < u.cols; c += ${wg}) { mass += tgt[o + c]; }
  mass = gs_row_sum(mass, l);
  let k = dLoss[0] / f32(max(u.rows, 1u));
  for (var c = l; c < u.cols; c += ${wg}) { dx[o + c] = k * (probs[o + c] * mass - tgt[o + c]); }`;

/** A row kernel in its three widths, for short, medium and long rows. */
interface RowSpecs {
  readonly serial: KernelSpec;
  readonly mid: KernelSpec;
  readonly wide: KernelSpec;
}

function rowSpecs(name: string, arrays: readonly string[], body: RowBody): RowSpecs {
  return Object.freeze({
    serial: serialRowKernel(name, arrays, body),
    mid: groupRowKernel(name, arrays, WG_MID, body),
    wide: groupRowKernel(name, arrays, WG_WIDE, body),
  });
}

const SOFTMAX = rowSpecs('softmaxRows', ['x', 'out'], SOFTMAX_BODY);
const SOFTMAX_BACKWARD = rowSpecs('softmaxRowsBackward', ['y', 'dy', 'dx'], SOFTMAX_BACKWARD_BODY);
const CROSS_ENTROPY = rowSpecs('softmaxCrossEntropy', ['logits', 'tgt', 'probs', 'rowLoss'], CROSS_ENTROPY_BODY);
const CROSS_ENTROPY_BACKWARD = rowSpecs('softmaxCrossEntropyBackward', ['probs', 'tgt', 'dLoss', 'dx'], CROSS_ENTROPY_BACKWARD_BODY);

// The mean of the per-row losses, in a fixed order.
const MEAN_ROWS = wholeReduction({
  name: 'softmaxCrossEntropyMean',
  arrays: ['rowLoss', 'loss'],
  uniforms: [],
  term: 'rowLoss[j]',
  combine: 'A + B',
  zero: '0.0',
  finish: 'loss[0] = r / f32(max(u.n, 1u));',
});

/**
 * The softmax kernels of the contract: `softmaxRows`, `softmaxRowsBackward`,
 * `softmaxCrossEntropy` (whose per-row losses a second dispatch averages into
 * `loss[0]`) and `softmaxCrossEntropyBackward`. Rows of up to 32 columns take one invocation each;
 * longer rows one workgroup each (64 invocations up to 1,024 columns, 256 beyond), which reduces
 * over the columns in a fixed order.
 */
export function softmaxKernels(ctx: GpuContext): Pick<Kernels, 'softmaxRows' | 'softmaxRowsBackward' | 'softmaxCrossEntropy' | 'softmaxCrossEntropyBackward'> {
  // The per-row losses, one array per row count, kept for the context's lifetime.
  const rowLosses = new Map<number, Float32Array>();
  const rowLoss = (rows: number): Float32Array => {
    let a = rowLosses.get(rows);
    if (a === undefined) rowLosses.set(rows, (a = ctx.arrays.allocate(rows)));
    return a;
  };
  const perRow = (specs: RowSpecs, arrays: readonly TypedArray[], rows: number, cols: number): void => {
    if (cols <= SERIAL_COLS) ctx.run1d(specs.serial, arrays, [rows, cols], rows);
    else ctx.run(cols <= MID_COLS ? specs.mid : specs.wide, arrays, [rows, cols], Math.min(rows, MAX_ROW_GROUPS));
  };
  return {
    softmaxRows: (x, out, rows, cols) => perRow(SOFTMAX, [x, out], rows, cols),
    softmaxRowsBackward: (y, dy, dx, rows, cols) => perRow(SOFTMAX_BACKWARD, [y, dy, dx], rows, cols),
    softmaxCrossEntropy: (logits, target, probs, loss, rows, cols) => {
      const losses = rowLoss(rows);
      perRow(CROSS_ENTROPY, [logits, target, probs, losses], rows, cols);
      runWholeReduction(ctx, MEAN_ROWS, [losses, loss], [rows], rows);
    },
    softmaxCrossEntropyBackward: (probs, target, dLoss, dx, rows, cols) => perRow(CROSS_ENTROPY_BACKWARD, [probs, target, dLoss, dx], rows, cols),
  };
}
