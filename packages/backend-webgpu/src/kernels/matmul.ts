import type { Kernels, TypedArray } from '@gradstream/tensor';
import { MAX_GROUPS, type KernelSpec } from '../dispatcher.js';
import type { GpuContext } from '../gpu-context.js';

/*
 * The tiled product. A workgroup of 16×16 invocations owns a 64×64 tile of `out`; each invocation
 * sums a 4×4 block of it, rows `ty + 16r` and columns `tx + 16c` (interleaved rather than
 * contiguous, so the 16 invocations of a row write 16 neighbouring columns). `k` is walked in
 * steps of KT: each step, the workgroup stages the 64×KT slice of op(A) and the KT×64 slice of
 * op(B) in workgroup memory (zeros past the matrices' edges, so ragged tiles need no other case),
 * then each invocation reads 4 + 4 staged values per step of `k` for its 16 multiply-adds. The
 * transposes only change which storage index a staged value comes from, and which way the
 * invocations walk a slice so that neighbours read neighbouring addresses. Each element of `out`
 * is one sum over `k` in increasing order (a float32 fused multiply-add per term), the same on
 * every run; `accumulate` adds the old value once, at the end.
 */

/** Side of the output tile a workgroup computes. */
const TILE = 64;
/** Invocations along each side of the workgroup (each owns TILE / THREADS rows and columns). */
const THREADS = 16;
/** Length of the step along `k` staged in workgroup memory. */
const KT = 16;
/**
 * Row length of the staged slices: one more than TILE, so the loads along `k` (stride STRIDE in
 * workgroup memory) fall in different banks.
 */
const STRIDE = TILE + 1;
/** The rows (and the columns) of an invocation's block, 0 … TILE / THREADS − 1. */
const BLOCK = Array.from({ length: TILE / THREADS }, (_, c) => c);
/** Its columns in fours (one `vec4f` of sums each). */
const GROUPS = Array.from({ length: TILE / THREADS / 4 }, (_, g) => g);

/**
 * How one staged slice is loaded: `e` (the element an invocation loads, 0…TILE·KT−1) split into
 * its position along the tile's side (`s`) and along `k` (`p`) so that neighbouring invocations
 * read neighbouring addresses of the stored matrix; `index` is the element's offset in storage.
 */
function loadSlice(target: string, source: string, base: string, sideLimit: string, sideStart: string, contiguousAlongK: boolean, index: string): string {
  const split = contiguousAlongK ? `let p = e % ${KT}u; let s = e / ${KT}u;` : `let s = e % ${TILE}u; let p = e / ${TILE}u;`;
  return `    {
      ${split}
      let gs = ${sideStart} + s;
      let gp = p0 + p;
      var v = 0.0;
      if (gs < ${sideLimit} && gp < u.k) { v = ${source}[${base} + ${index}]; }
      ${target}[p * ${STRIDE}u + s] = v;
    }`;
}

/** The sums of one row `r` of an invocation's block, updated by one step `p`. */
function multiplyAdd(r: number): string {
  const a = `As[p * ${STRIDE}u + lid.y + ${r * THREADS}u]`;
  return GROUPS.map((g) => `      acc${r}_${g} = fma(vec4f(${a}), bv${g}, acc${r}_${g});`).join('\n');
}

/** The `g`th four staged values of op(B) an invocation reads at step `p`. */
function loadB(g: number): string {
  const at = (c: number): string => `Bs[bi + ${(4 * g + c) * THREADS}u]`;
  return `      let bv${g} = vec4f(${at(0)}, ${at(1)}, ${at(2)}, ${at(3)});`;
}

/** Writes (or adds into `out`) row `r` of an invocation's block, where it lies inside `out`. */
function store(r: number): string {
  const cols = BLOCK.map(
    (c) => `      {
        let col = col0 + lid.x + ${c * THREADS}u;
        if (col < u.n) {
          let o = oBase + row * u.n + col;
          var v = acc${r}_${c >> 2}[${c & 3}];
          if (u.accumulate != 0u) { v = v + out[o]; }
          out[o] = v;
        }
      }`,
  );
  return `  {
    let row = row0 + lid.y + ${r * THREADS}u;
    if (row < u.m) {
${cols.join('\n')}
    }
  }`;
}

/** The kernel for one pair of transposes (the strides of the loads are fixed in its WGSL). */
function matmulSpec(transA: boolean, transB: boolean): KernelSpec {
  // op(A)[s, p] is a[s·k + p], or a[p·m + s] when stored transposed; op(B)[p, s] is b[p·n + s],
  // or b[s·k + p] when stored transposed.
  const aIndex = transA ? 'gp * u.m + gs' : 'gs * u.k + gp';
  const bIndex = transB ? 'gs * u.k + gp' : 'gp * u.n + gs';
  const body = `
  let z = wid.z + u.z0;
  let aBase = z * u.m * u.k;
  let bBase = z * u.k * u.n;
  let oBase = z * u.m * u.n;
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let t = lid.y * ${THREADS}u + lid.x;
${BLOCK.map((r) => GROUPS.map((g) => `  var acc${r}_${g} = vec4f(0.0);`).join('\n')).join('\n')}
  for (var p0 = 0u; p0 < u.k; p0 += ${KT}u) {
    for (var q = 0u; q < ${(TILE * KT) / (THREADS * THREADS)}u; q++) {
      let e = t + q * ${THREADS * THREADS}u;
${loadSlice('As', 'a', 'aBase', 'u.m', 'row0', !transA, aIndex)}
${loadSlice('Bs', 'b', 'bBase', 'u.n', 'col0', transB, bIndex)}
    }
    workgroupBarrier();
    for (var p = 0u; p < ${KT}u; p++) {
      let bi = p * ${STRIDE}u + lid.x;
${GROUPS.map(loadB).join('\n')}
${BLOCK.map(multiplyAdd).join('\n')}
    }
    workgroupBarrier();
  }
${BLOCK.map(store).join('\n')}`;
  const spec: KernelSpec = {
    name: `matmul${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`,
    arrays: ['a', 'b', 'out'],
    uniforms: [
      ['m', 'u32'],
      ['n', 'u32'],
      ['k', 'u32'],
      ['accumulate', 'u32'],
      ['z0', 'u32'],
    ],
    workgroupSize: [THREADS, THREADS],
    prelude: `var<workgroup> As: array<f32, ${KT * STRIDE}>;\nvar<workgroup> Bs: array<f32, ${KT * STRIDE}>;`,
    body,
  };
  return Object.freeze(spec);
}

/** The four kernels, indexed by `transA · 2 + transB`. */
const SPECS: readonly KernelSpec[] = [matmulSpec(false, false), matmulSpec(false, true), matmulSpec(true, false), matmulSpec(true, true)];

/**
 * Up to this many outputs (over all batches) a product takes one invocation per output element
 * instead of tiles: a small output fills few tiles, and staging through workgroup memory costs
 * barriers that such a product cannot repay (as TF.js's small-output matmul). Each element is
 * the same sum in the same order as the tiled kernel's, so the two agree bit for bit.
 */
const SMALL_OUTPUT = 4096;

/** The one-invocation-per-output product for `op(A)` and `op(B)`. */
function smallMatmulSpec(transA: boolean, transB: boolean): KernelSpec {
  const aAt = transA ? 'p * u.m + r' : 'r * u.k + p';
  const bAt = transB ? 'c * u.k + p' : 'p * u.n + c';
  const spec: KernelSpec = {
    name: `matmulSmall_${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`,
    arrays: ['a', 'b', 'out'],
    uniforms: [
      ['total', 'u32'],
      ['m', 'u32'],
      ['n', 'u32'],
      ['k', 'u32'],
      ['accumulate', 'u32'],
    ],
    workgroupSize: [64],
    body: `  if (i >= u.total) { return; }
  let mn = u.m * u.n;
  let z = i / mn;
  let r = (i % mn) / u.n;
  let c = i % u.n;
  let aBase = z * u.m * u.k;
  let bBase = z * u.k * u.n;
  var v = 0.0;
  for (var p = 0u; p < u.k; p++) { v = fma(a[aBase + ${aAt}], b[bBase + ${bAt}], v); }
  if (u.accumulate != 0u) { v = v + out[i]; }
  out[i] = v;`,
  };
  return Object.freeze(spec);
}

/** The small-output kernels, indexed as {@link SPECS}. */
const SMALL_SPECS: readonly KernelSpec[] = [smallMatmulSpec(false, false), smallMatmulSpec(false, true), smallMatmulSpec(true, false), smallMatmulSpec(true, true)];

/**
 * Records `batches` independent products `out_i = op(A_i)·op(B_i)` (or `+=` with `accumulate`),
 * the blocks stored one after another at strides `m·k`, `k·n` and `m·n`, as the contract's
 * `batchMatmul` (`matmul` is the case of one batch). One workgroup per 64×64 tile of each block,
 * the batches along the grid's z axis.
 */
export function recordBatchMatmul(
  ctx: GpuContext,
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  batches: number,
  m: number,
  n: number,
  k: number,
  transA = false,
  transB = false,
  accumulate = false,
): void {
  if (batches <= 0 || m <= 0 || n <= 0) return;
  const which = (transA ? 2 : 0) + (transB ? 1 : 0);
  const total = batches * m * n;
  if (total <= SMALL_OUTPUT) {
    ctx.run1d(SMALL_SPECS[which] as KernelSpec, [a, b, out], [total, m, n, Math.max(k, 0), accumulate ? 1 : 0], total);
    return;
  }
  const spec = SPECS[which] as KernelSpec;
  const gx = Math.ceil(n / TILE);
  const gy = Math.ceil(m / TILE);
  for (let z0 = 0; z0 < batches; z0 += MAX_GROUPS) {
    ctx.run(spec, [a, b, out], [m, n, Math.max(k, 0), accumulate ? 1 : 0, z0], gx, gy, Math.min(MAX_GROUPS, batches - z0));
  }
}

/** The contract's `matmul`: one tiled product (see {@link recordBatchMatmul}). */
export function matmulKernels(ctx: GpuContext): Pick<Kernels, 'matmul'> {
  return {
    matmul: (a, b, out, m, n, k, transA, transB, accumulate) => recordBatchMatmul(ctx, a, b, out, 1, m, n, k, transA, transB, accumulate),
  };
}
