import { GradstreamError, UNARY_OPS, tsBackend, type Kernels, type TypedArray } from '@gradstream/tensor';
import type { KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';
import { renderWgsl } from '../wgsl-expr.js';
import { elementwise } from './elementwise.js';

/**
 * `fn name(x: f32) -> f32`, the forward of `UNARY_OPS[op]`: the cells' gates are the very
 * sigmoid and tanh every other kernel computes, not copies that could drift apart.
 */
function gateFunction(name: string, op: 'sigmoid' | 'tanh'): string {
  const { statements, value } = renderWgsl(UNARY_OPS[op].forward, { x: 'x' }, 'g_');
  return `fn ${name}(x: f32) -> f32 {\n  ${statements}\n  return ${value};\n}`;
}

const GATES = `${gateFunction('seq_sigmoid', 'sigmoid')}\n${gateFunction('seq_tanh', 'tanh')}`;

/**
 * The indices of one cell invocation, `i = b·units + j` over `batch·units`: `xo` and `co` point at
 * unit `j` of row `b·steps + step` of a `[batch, steps, gates·units]` projection and a
 * `[batch, steps, cached·units]` cache, `so` at it in `[batch, steps, units]`, `ho` at it in the
 * step's `[batch, gates·units]`; the state `[batch, units]` is read at `i` itself.
 */
function cellIndices(gates: number, cached: number): string {
  return `let U = u.units;
  let b = i / U;
  let j = i % U;
  let row = b * u.steps + u.step;
  let xo = row * ${gates}u * U + j;
  let co = row * ${cached}u * U + j;
  let so = row * U + j;
  let ho = b * ${gates}u * U + j;`;
}

const CELL_UNIFORMS: KernelSpec['uniforms'] = [
  ['steps', 'u32'],
  ['step', 'u32'],
  ['units', 'u32'],
];

/** One cell kernel over `u.n = batch·units` invocations, one per (batch, unit). */
const cell = (name: string, arrays: readonly string[], gates: number, cached: number, body: string): KernelSpec =>
  elementwise(name, arrays, CELL_UNIFORMS, `${cellIndices(gates, cached)}\n  ${body}`, GATES);

const GRU_CELL = cell(
  'gruCell',
  ['xProj', 'hProj', 'h', 'hPrev', 'cache'],
  3,
  4,
  `let hp = h[i];
  let r = seq_sigmoid(xProj[xo] + hProj[ho]);
  let z = seq_sigmoid(xProj[xo + U] + hProj[ho + U]);
  let hn = hProj[ho + 2u * U];
  let n = seq_tanh(xProj[xo + 2u * U] + r * hn);
  cache[co] = r;
  cache[co + U] = z;
  cache[co + 2u * U] = n;
  cache[co + 3u * U] = hn;
  hPrev[so] = hp;
  h[i] = (1.0 - z) * n + z * hp;`,
);

const GRU_CELL_BACKWARD = cell(
  'gruCellBackward',
  ['cache', 'hPrev', 'dh', 'dx', 'dRecSeq', 'dRec'],
  3,
  4,
  `let g = dh[i];
  let r = cache[co];
  let z = cache[co + U];
  let n = cache[co + 2u * U];
  let hn = cache[co + 3u * U];
  let dn = g * (1.0 - z) * (1.0 - n * n);
  let dz = g * (hPrev[so] - n) * z * (1.0 - z);
  let dr = dn * hn * r * (1.0 - r);
  let dnh = dn * r;
  dx[xo] = dr;
  dx[xo + U] = dz;
  dx[xo + 2u * U] = dn;
  dRecSeq[xo] = dr;
  dRecSeq[xo + U] = dz;
  dRecSeq[xo + 2u * U] = dnh;
  dRec[ho] = dr;
  dRec[ho + U] = dz;
  dRec[ho + 2u * U] = dnh;
  dh[i] = g * z;`,
);

const LSTM_CELL = cell(
  'lstmCell',
  ['xProj', 'hProj', 'h', 'c', 'hPrev', 'cache'],
  4,
  6,
  `let ig = seq_sigmoid(xProj[xo] + hProj[ho]);
  let fg = seq_sigmoid(xProj[xo + U] + hProj[ho + U]);
  let gg = seq_tanh(xProj[xo + 2u * U] + hProj[ho + 2u * U]);
  let og = seq_sigmoid(xProj[xo + 3u * U] + hProj[ho + 3u * U]);
  let cp = c[i];
  let cn = fg * cp + ig * gg;
  let tc = seq_tanh(cn);
  cache[co] = ig;
  cache[co + U] = fg;
  cache[co + 2u * U] = gg;
  cache[co + 3u * U] = og;
  cache[co + 4u * U] = cp;
  cache[co + 5u * U] = tc;
  hPrev[so] = h[i];
  c[i] = cn;
  h[i] = og * tc;`,
);

const LSTM_CELL_BACKWARD = cell(
  'lstmCellBackward',
  ['cache', 'dh', 'dc', 'dx', 'dRec'],
  4,
  6,
  `let gh = dh[i];
  let ig = cache[co];
  let fg = cache[co + U];
  let gg = cache[co + 2u * U];
  let og = cache[co + 3u * U];
  let cp = cache[co + 4u * U];
  let tc = cache[co + 5u * U];
  let dct = dc[i] + gh * og * (1.0 - tc * tc);
  let di = dct * gg * ig * (1.0 - ig);
  let df = dct * cp * fg * (1.0 - fg);
  let dg = dct * ig * (1.0 - gg * gg);
  let dO = gh * tc * og * (1.0 - og);
  dx[xo] = di;
  dx[xo + U] = df;
  dx[xo + 2u * U] = dg;
  dx[xo + 3u * U] = dO;
  dRec[ho] = di;
  dRec[ho + U] = df;
  dRec[ho + 2u * U] = dg;
  dRec[ho + 3u * U] = dO;
  dc[i] = dct * fg;`,
);

// An id that is not an integer in [0, vocab) reads a row of zeros and raises the call's fault
// flag (NaN fails every comparison): the GPU cannot throw, so the next read back turns the flag
// into the TypeScript backend's error, naming the op and the position.
const GATHER_ROWS = elementwise(
  'gatherRows',
  ['table', 'ids', 'out', 'faults'],
  [
    ['dim', 'u32'],
    ['vocab', 'u32'],
    ['slot', 'u32'],
  ],
  `let id = ids[i / u.dim];
  var value = 0.0;
  if (id >= 0.0 && id < f32(u.vocab) && id == floor(id)) { value = table[u32(id) * u.dim + i % u.dim]; }
  else if (i % u.dim == 0u) { faults[u.slot] = 1.0; }
  out[i] = value;`,
);

/** The last lookup of one op (by its label), for the error its fault flag stands for. */
interface Lookup {
  slot: number;
  ids: TypedArray;
  batch: number;
  steps: number;
  dim: number;
  vocab: number;
}

/** The ids back from the device, checked as the TypeScript backend checks them: its error, or a plain one. */
async function explainIds(ctx: GpuContext, label: string, call: Lookup): Promise<never> {
  await ctx.arrays.read([call.ids]);
  const rows = call.batch * call.steps;
  tsBackend.gatherRows(new Float32Array(call.vocab), call.ids.subarray(0, rows), new Float32Array(rows), call.batch, call.steps, 1, call.vocab, label);
  throw new GradstreamError('INVALID_DATA', `${label}: an input id was not a token id (an integer in [0, ${call.vocab}))`, { op: label, vocab: call.vocab });
}

// One invocation per element of dTable, summing the rows of its id in id order: no two
// invocations write one place, and the sum's order is the TypeScript backend's. An id that is not
// an integer in [0, vocab) equals no row's index, so its row is skipped.
const SCATTER_ADD_ROWS = elementwise(
  'scatterAddRows',
  ['dOut', 'ids', 'dTable'],
  [
    ['dim', 'u32'],
    ['rows', 'u32'],
  ],
  `let v = f32(i / u.dim);
  let j = i % u.dim;
  var acc = dTable[i];
  for (var r = 0u; r < u.rows; r++) {
    if (ids[r] == v) { acc += dOut[r * u.dim + j]; }
  }
  dTable[i] = acc;`,
);

const BLOCK_UNIFORMS: KernelSpec['uniforms'] = [
  ['block', 'u32'],
  ['srcStride', 'u32'],
  ['dstStride', 'u32'],
  ['srcOffset', 'u32'],
  ['dstOffset', 'u32'],
];
const BLOCK_INDICES = `let k = i / u.block;
  let j = i % u.block;
  let srcAt = u.srcOffset + k * u.srcStride + j;
  let dstAt = u.dstOffset + k * u.dstStride + j;`;
const COPY_BLOCKS = elementwise('copyBlocks', ['src', 'dst'], BLOCK_UNIFORMS, `${BLOCK_INDICES}\n  dst[dstAt] = src[srcAt];`);
const ADD_BLOCKS = elementwise('copyBlocksAccumulate', ['src', 'dst'], BLOCK_UNIFORMS, `${BLOCK_INDICES}\n  dst[dstAt] = dst[dstAt] + src[srcAt];`);

/**
 * The sequence kernels of the contract: embedding lookup and its backward (`gatherRows`,
 * `scatterAddRows`), strided block copies (`copyBlocks`) and the GRU and LSTM cells with their
 * backwards. An id out of range makes `gatherRows` read zeros and raise a flag that the next read
 * back turns into the same `INVALID_DATA` error as on the CPU; `scatterAddRows` skips it.
 */
export function sequenceKernels(ctx: GpuContext): Pick<Kernels, 'gatherRows' | 'scatterAddRows' | 'copyBlocks' | 'gruCell' | 'gruCellBackward' | 'lstmCell' | 'lstmCellBackward'> {
  const lookups = new Map<string, Lookup>();
  return {
    gatherRows: (table, ids, out, batch, steps, dim, vocab, label = 'gatherRows') => {
      let call = lookups.get(label);
      if (call === undefined) {
        const made: Lookup = { slot: 0, ids, batch, steps, dim, vocab };
        made.slot = ctx.arrays.faultSlot(() => explainIds(ctx, label, made));
        lookups.set(label, (call = made));
      }
      call.ids = ids;
      call.batch = batch;
      call.steps = steps;
      call.dim = dim;
      call.vocab = vocab;
      const n = batch * steps * dim;
      ctx.run1d(GATHER_ROWS, [table, ids, out, ctx.arrays.faultFlags()], [n, dim, vocab, call.slot], n);
    },
    scatterAddRows: (dOut, ids, dTable, batch, steps, dim, vocab) => {
      const n = vocab * dim;
      ctx.run1d(SCATTER_ADD_ROWS, [dOut, ids, dTable], [n, dim, batch * steps], n);
    },
    copyBlocks: (src, dst, count, block, srcStride, dstStride, srcOffset, dstOffset, accumulate = false) => {
      const n = count * block;
      ctx.run1d(accumulate ? ADD_BLOCKS : COPY_BLOCKS, [src, dst], [n, block, srcStride, dstStride, srcOffset, dstOffset], n);
    },
    gruCell: (xProj, hProj, h, hPrev, cache, batch, steps, step, units) => {
      const n = batch * units;
      ctx.run1d(GRU_CELL, [xProj, hProj, h, hPrev, cache], [n, steps, step, units], n);
    },
    gruCellBackward: (cache, hPrev, dh, dx, dRecSeq, dRec, batch, steps, step, units) => {
      const n = batch * units;
      ctx.run1d(GRU_CELL_BACKWARD, [cache, hPrev, dh, dx, dRecSeq, dRec], [n, steps, step, units], n);
    },
    lstmCell: (xProj, hProj, h, c, hPrev, cache, batch, steps, step, units) => {
      const n = batch * units;
      ctx.run1d(LSTM_CELL, [xProj, hProj, h, c, hPrev, cache], [n, steps, step, units], n);
    },
    lstmCellBackward: (cache, dh, dc, dx, dRec, batch, steps, step, units) => {
      const n = batch * units;
      ctx.run1d(LSTM_CELL_BACKWARD, [cache, dh, dc, dx, dRec], [n, steps, step, units], n);
    },
  };
}
