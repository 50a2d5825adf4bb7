import type { Kernels, TypedArray } from '@gradstream/tensor';
import { MAX_GROUPS, type KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';
import { elementwise } from './elementwise.js';

/** Invocations per workgroup of the segmented reductions. */
const SEG_WG = 256;
/** About how many elements one lane sums sequentially before the tree takes over. */
const PER_LANE = 8;

/**
 * What a segmented reduction sums along: each column over the rows, or each row over the columns.
 * A workgroup of {@link SEG_WG} invocations takes `SEG_WG / lanes` segments, `lanes` invocations
 * each, so a tall column or a wide row gets up to a whole workgroup and a short one a single
 * invocation, without a kernel per case. Each lane sums its strided share sequentially, then the
 * lanes meet in a fixed-order tree: deterministic, the order depending only on the shape.
 */
type Layout = 'columns' | 'rows';

/**
 * Shared partial sums and the tree over the lanes of every segment at once. `gs_reduce` must be
 * reached by the whole workgroup (it holds barriers); the total lands at the segment's lane 0.
 */
function reducePrelude(sums: 1 | 2): string {
  const decls = (sums === 2 ? ['red0', 'red1'] : ['red0']).map((name) => `var<workgroup> ${name}: array<f32, ${SEG_WG}>;`).join('\n');
  const add = sums === 2 ? 'red0[t] += red0[t + s * stride]; red1[t] += red1[t + s * stride];' : 'red0[t] += red0[t + s * stride];';
  return `
${decls}
fn gs_reduce(t: u32, lane: u32, lanes: u32, stride: u32) {
  workgroupBarrier();
  for (var s = lanes / 2u; s > 0u; s = s / 2u) {
    if (lane < s) { ${add} }
    workgroupBarrier();
  }
}
`;
}

/**
 * The first lines of a segmented kernel: `t` the invocation, `lane` its place in its segment,
 * `item` the segment (column or row; past the end in the last workgroup, where it must still reach
 * the barriers), `head` the slot of the segment's total, `stride` the slot distance between lanes.
 * Columns put the segments fastest so neighbouring invocations read neighbouring elements of a
 * row; rows put the lanes fastest for the same reason.
 */
function segmentHead(layout: Layout): string {
  const place =
    layout === 'columns'
      ? `  let slot = t % per;
  let lane = t / per;
  let stride = per;
  let head = slot;`
      : `  let slot = t / u.lanes;
  let lane = t % u.lanes;
  let stride = 1u;
  let head = slot * u.lanes;`;
  return `
  let t = lid.x;
  let per = ${SEG_WG}u / u.lanes;
${place}
  let item = (wid.x + wid.y * nwg.x) * per + slot;`;
}

/** A segmented kernel's spec; its uniforms start `rows, cols, lanes`. */
function segmented(name: string, layout: Layout, sums: 1 | 2, arrays: readonly string[], extra: KernelSpec['uniforms'], body: string): KernelSpec {
  const spec: KernelSpec = {
    name,
    arrays,
    uniforms: [['rows', 'u32'], ['cols', 'u32'], ['lanes', 'u32'], ...extra],
    workgroupSize: [SEG_WG],
    prelude: reducePrelude(sums),
    body: segmentHead(layout) + body,
  };
  return Object.freeze(spec);
}

const COLUMN_MOMENTS = segmented(
  'columnMoments',
  'columns',
  1,
  ['x', 'mean', 'variance'],
  [],
  `
  let c = item;
  let live = c < u.cols;
  let n = f32(max(u.rows, 1u));
  var acc = 0.0;
  if (live) {
    for (var r = lane; r < u.rows; r += u.lanes) { acc += x[r * u.cols + c]; }
  }
  red0[t] = acc;
  gs_reduce(t, lane, u.lanes, stride);
  let m = red0[head] / n;
  // Everyone has read the mean before red0 takes the squares.
  workgroupBarrier();
  var sq = 0.0;
  if (live) {
    for (var r = lane; r < u.rows; r += u.lanes) {
      let d = x[r * u.cols + c] - m;
      sq += d * d;
    }
  }
  red0[t] = sq;
  gs_reduce(t, lane, u.lanes, stride);
  if (live && lane == 0u) {
    mean[c] = m;
    variance[c] = red0[head] / n;
  }`,
);

const MOVING_AVERAGE = elementwise('movingAverage', ['average', 'value'], [['momentum', 'f32'], ['fresh', 'f32']], 'average[i] = u.momentum * average[i] + u.fresh * value[i];');

const BATCH_NORM = elementwise(
  'batchNorm',
  ['x', 'mean', 'variance', 'gamma', 'beta', 'out'],
  [['cols', 'u32'], ['epsilon', 'f32']],
  `let c = i % u.cols;
  out[i] = (x[i] - mean[c]) * (gamma[c] / sqrt(variance[c] + u.epsilon)) + beta[c];`,
);

// Σ dy·(x − mean) is scaled by 1/√(variance + ε) once per column rather than per element.
const BATCH_NORM_PARAM_GRADS = segmented(
  'batchNormBackward.params',
  'columns',
  2,
  ['x', 'mean', 'variance', 'dy', 'dgamma', 'dbeta'],
  [['epsilon', 'f32']],
  `
  let c = item;
  let live = c < u.cols;
  var sdx = 0.0;
  var sdy = 0.0;
  if (live) {
    let m = mean[c];
    for (var r = lane; r < u.rows; r += u.lanes) {
      let k = r * u.cols + c;
      let g = dy[k];
      sdx += g * (x[k] - m);
      sdy += g;
    }
  }
  red0[t] = sdx;
  red1[t] = sdy;
  gs_reduce(t, lane, u.lanes, stride);
  if (live && lane == 0u) {
    dgamma[c] = red0[head] / sqrt(variance[c] + u.epsilon);
    dbeta[c] = red1[head];
  }`,
);

// Eight arrays, the device's limit: the column sums come from the kernel above.
const BATCH_NORM_DX = elementwise(
  'batchNormBackward.dx',
  ['x', 'mean', 'variance', 'gamma', 'dy', 'dgamma', 'dbeta', 'dx'],
  [['cols', 'u32'], ['rows', 'u32'], ['epsilon', 'f32']],
  `let c = i % u.cols;
  let n = f32(max(u.rows, 1u));
  let s = 1.0 / sqrt(variance[c] + u.epsilon);
  let xhat = (x[i] - mean[c]) * s;
  dx[i] = gamma[c] * s * (dy[i] - dbeta[c] / n - xhat * (dgamma[c] / n));`,
);

// `out` may be `x`: every read of the row's x precedes the barriers of the second sum.
const LAYER_NORM = segmented(
  'layerNorm',
  'rows',
  1,
  ['x', 'gamma', 'beta', 'out', 'mean', 'invStd'],
  [['epsilon', 'f32']],
  `
  let r = item;
  let live = r < u.rows;
  let o = r * u.cols;
  let n = f32(max(u.cols, 1u));
  var acc = 0.0;
  if (live) {
    for (var c = lane; c < u.cols; c += u.lanes) { acc += x[o + c]; }
  }
  red0[t] = acc;
  gs_reduce(t, lane, u.lanes, stride);
  let m = red0[head] / n;
  workgroupBarrier();
  var sq = 0.0;
  if (live) {
    for (var c = lane; c < u.cols; c += u.lanes) {
      let d = x[o + c] - m;
      sq += d * d;
    }
  }
  red0[t] = sq;
  gs_reduce(t, lane, u.lanes, stride);
  let s = 1.0 / sqrt(red0[head] / n + u.epsilon);
  if (live) {
    if (lane == 0u) {
      mean[r] = m;
      invStd[r] = s;
    }
    for (var c = lane; c < u.cols; c += u.lanes) { out[o + c] = (x[o + c] - m) * s * gamma[c] + beta[c]; }
  }`,
);

const LAYER_NORM_PARAM_GRADS = segmented(
  'layerNormBackward.params',
  'columns',
  2,
  ['x', 'mean', 'invStd', 'dy', 'dgamma', 'dbeta'],
  [],
  `
  let c = item;
  let live = c < u.cols;
  var sdx = 0.0;
  var sdy = 0.0;
  if (live) {
    for (var r = lane; r < u.rows; r += u.lanes) {
      let k = r * u.cols + c;
      let g = dy[k];
      sdx += g * ((x[k] - mean[r]) * invStd[r]);
      sdy += g;
    }
  }
  red0[t] = sdx;
  red1[t] = sdy;
  gs_reduce(t, lane, u.lanes, stride);
  if (live && lane == 0u) {
    dgamma[c] = red0[head];
    dbeta[c] = red1[head];
  }`,
);

// `dx` may be `dy`: every read of the row's dy precedes the barriers of the sums.
const LAYER_NORM_DX = segmented(
  'layerNormBackward.dx',
  'rows',
  2,
  ['x', 'mean', 'invStd', 'gamma', 'dy', 'dx'],
  [],
  `
  let r = item;
  let live = r < u.rows;
  let o = r * u.cols;
  var m = 0.0;
  var s = 0.0;
  var sg = 0.0;
  var sgx = 0.0;
  if (live) {
    m = mean[r];
    s = invStd[r];
    for (var c = lane; c < u.cols; c += u.lanes) {
      let g = dy[o + c] * gamma[c];
      sg += g;
      sgx += g * ((x[o + c] - m) * s);
    }
  }
  red0[t] = sg;
  red1[t] = sgx;
  gs_reduce(t, lane, u.lanes, stride);
  let n = f32(max(u.cols, 1u));
  let meanG = red0[head] / n;
  let meanGx = red1[head] / n;
  if (live) {
    for (var c = lane; c < u.cols; c += u.lanes) {
      let xhat = (x[o + c] - m) * s;
      dx[o + c] = s * (dy[o + c] * gamma[c] - meanG - xhat * meanGx);
    }
  }`,
);

/** Lanes for a segment of `length` elements: a power of two, about {@link PER_LANE} elements each. */
function lanesFor(length: number): number {
  let lanes = 1;
  while (lanes < SEG_WG && lanes * PER_LANE < length) lanes *= 2;
  return lanes;
}

/**
 * Records a segmented kernel over `segments` segments of `length` elements; its uniforms are
 * `rows, cols, lanes, ...extra`. The workgroups spill into y beyond 65,535.
 */
function runSegmented(ctx: GpuContext, spec: KernelSpec, arrays: readonly TypedArray[], rows: number, cols: number, segments: number, length: number, extra: readonly number[] = []): void {
  if (segments <= 0) return;
  const lanes = lanesFor(length);
  const groups = Math.ceil(segments / (SEG_WG / lanes));
  const y = Math.ceil(groups / MAX_GROUPS);
  ctx.run(spec, arrays, [rows, cols, lanes, ...extra], Math.ceil(groups / y), y);
}

/**
 * The normalization kernels of the contract on the GPU, summing in float32 in a fixed order.
 * Column statistics (`columnMoments`, the parameters' gradients) and row statistics (`layerNorm`,
 * layer normalization's `dx`) are segmented reductions, a few lanes to a whole workgroup per
 * segment by its length, two passes (mean, then squared deviations) where a variance is formed;
 * per-element outputs take one invocation each.
 */
export function normKernels(ctx: GpuContext): Pick<Kernels, 'columnMoments' | 'movingAverage' | 'batchNorm' | 'batchNormBackward' | 'layerNorm' | 'layerNormBackward'> {
  return {
    columnMoments: (x, mean, variance, rows, cols) => runSegmented(ctx, COLUMN_MOMENTS, [x, mean, variance], rows, cols, cols, rows),
    movingAverage: (average, value, momentum) => ctx.run1d(MOVING_AVERAGE, [average, value], [average.length, momentum, 1 - momentum], average.length),
    batchNorm: (x, mean, variance, gamma, beta, out, rows, cols, epsilon) =>
      ctx.run1d(BATCH_NORM, [x, mean, variance, gamma, beta, out], [rows * cols, cols, epsilon], rows * cols),
    batchNormBackward: (x, mean, variance, gamma, dy, dx, dgamma, dbeta, rows, cols, epsilon) => {
      runSegmented(ctx, BATCH_NORM_PARAM_GRADS, [x, mean, variance, dy, dgamma, dbeta], rows, cols, cols, rows, [epsilon]);
      // After the sums: dx may be dy.
      if (dx !== undefined) ctx.run1d(BATCH_NORM_DX, [x, mean, variance, gamma, dy, dgamma, dbeta, dx], [rows * cols, cols, rows, epsilon], rows * cols);
    },
    layerNorm: (x, gamma, beta, out, mean, invStd, rows, cols, epsilon) => runSegmented(ctx, LAYER_NORM, [x, gamma, beta, out, mean, invStd], rows, cols, rows, cols, [epsilon]),
    layerNormBackward: (x, mean, invStd, gamma, dy, dx, dgamma, dbeta, rows, cols) => {
      runSegmented(ctx, LAYER_NORM_PARAM_GRADS, [x, mean, invStd, dy, dgamma, dbeta], rows, cols, cols, rows);
      // After the sums: dx may be dy.
      if (dx !== undefined) runSegmented(ctx, LAYER_NORM_DX, [x, mean, invStd, gamma, dy, dx], rows, cols, rows, cols);
    },
  };
}
