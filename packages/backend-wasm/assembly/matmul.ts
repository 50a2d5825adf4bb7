// Packed, cache-blocked, register-tiled float32 GEMM in WebAssembly SIMD128.
//
//   out (m×n) = op(A) (m×k) · op(B) (k×n)      [or  out += …]
//
// Built the way XNNPACK's wasmsimd GEMMs (f32-gemm 4x8 / 6x8 "loadsplat") and BLIS/GotoBLAS are:
//
//   for each block of NCB column panels (a panel = NR = 8 columns of out)   ← this part's share only
//     for each k-block (equal blocks of at most KC steps; boundaries depend on k only)
//       pack op(B)[kblock, panels] into scratch: per panel kc rows × 8 floats, so the
//         micro-kernel reads two v128 per k step, contiguously, whatever transB was
//       for each MR = 4 row tile of out
//         pack op(A)[rows, kblock] into scratch: kc × 4 floats (16 bytes per k step), so the
//           micro-kernel splats each A value with one v128.load32_splat at a constant offset
//         for each panel of the block: 4×8 micro-kernel over the kc steps (a smaller one,
//           4×4 … 1×4, on ragged right/bottom edges, staged through a 4×8 tile in scratch)
//
// The 4×8 micro-kernel keeps 8 f32x4 accumulators in registers across the whole k-block.
// Register budget is what picks the tile: V8 (x64) gives wasm 15 usable xmm registers (xmm15 is its
// scratch), and TurboFan schedules every load of a loop iteration before the arithmetic, so a tile
// needs accumulators + 2 B vectors + MR A splats all live at once: 4×8 → 8+2+4 = 14 fits, 5×8 (17)
// and 6×8 (20) spill accumulators to the stack on every k step and run 15–25 % slower.
//
// Determinism across thread counts: every output element is one sequential float32 chain
//   acc = (out or 0);  for p = 0 … k-1:  acc = acc + a[i,p]·b[p,j]
// (f32x4.mul then f32x4.add: plain SIMD128 has no FMA, so there is no contraction to vary).
// Stopping the chain at a k-block boundary stores acc to out and the next block reloads it, which
// is exact, so the value does not depend on the block boundaries, on the tile an element falls in,
// on the padding lanes computed next to it, or on how the output is split among parts.
//
// Memory rules: the module imports a shared memory owned by a JS allocator, so nothing here uses
// the AssemblyScript runtime (no `new`, arrays, strings, static data or written globals): only raw
// loads/stores on the caller's pointers and on the caller-provided scratch. Nothing outside a, b,
// out (only this part's elements) and scratch is read or written: ragged edges are zero-padded in
// the packed copies and written back element by element.

import { im2colRows } from './image';
import { biasUnaryIndexed } from './generated/unary';

/** Rows of out per micro-tile (see the register budget above). */
const MR: i32 = 4;
/** Columns of out per micro-tile / packed B panel: two f32x4. */
const NR: i32 = 8;
/**
 * Most k steps per block. A packed 4×KC A tile (4 KiB) and the KC×8 B panel (8 KiB) being
 * multiplied stay in L1 (48 KiB); the KC×(8·NCB) packed B block (512 KiB) stays in L2 (2 MiB) while
 * every row tile sweeps it. Longer blocks mean fewer passes loading/storing out. (KC 128…512 and
 * NCB 16…64 measured within noise of each other; 256 × 64 was marginally best.)
 */
const KC: i32 = 256;
/** Column panels per packed B block (NCB·8 = 512 columns). */
const NCB: i32 = 64;

const B_PANEL_BYTES: i32 = KC * NR * 4;
const B_BLOCK_BYTES: i32 = B_PANEL_BYTES * NCB;
const A_TILE_BYTES: i32 = KC * MR * 4;
const C_TILE_BYTES: i32 = MR * NR * 4;

/**
 * Bytes of scratch one `matmul` call (one part) needs: a packed block of B, a packed tile of A,
 * one MR×NR tile used to stage ragged edges, and slack to align them to a cache line. A constant
 * (≈ 516 KiB); give each concurrently running part its own region, any 4-byte alignment.
 */
export function matmulScratchBytes(): i32 {
  return 64 + B_BLOCK_BYTES + A_TILE_BYTES + C_TILE_BYTES; // + up to 60 bytes to align to 64
}

// 4×4 transpose of rows r0..r3 (lanes are k steps) into columns (lanes are rows), used by both
// packers to turn "4 k values of one row" loads into "one k step of 4 rows" stores.
// @ts-ignore: decorator
@inline
function storeTransposed4(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const lo01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const lo23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const hi01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const hi23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(lo01, lo23, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(lo01, lo23, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(hi01, hi23, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(hi01, hi23, 2, 3, 6, 7));
}

/**
 * Packs op(B)[kb .. kb+kc, panels q0 .. q0+nq) into `dst`: panel q at dst + q·kc·32, k step p of
 * it at +p·32 holding the 8 columns. Columns past n are zero (they only feed padding lanes).
 */
function packB(b: usize, n: i32, k: i32, transB: i32, kb: i32, kc: i32, q0: i32, nq: i32, dst: usize): void {
  const zero = f32x4.splat(0);
  for (let q = 0; q < nq; q++) {
    const j = (q0 + q) * NR;
    const nr = min(NR, n - j);
    const panel = dst + <usize>q * <usize>kc * 32;
    if (!transB) {
      // B is k×n: each k step of the panel is 8 contiguous floats of one row.
      const ldb = <usize>n * 4;
      let src = b + (<usize>kb * <usize>n + <usize>j) * 4;
      let d = panel;
      if (nr == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src), 0);
          v128.store(d, v128.load(src, 16), 16);
          src += ldb;
          d += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          v128.store(d, zero, 0);
          v128.store(d, zero, 16);
          for (let x = 0; x < nr; x++) store<f32>(d + (<usize>x << 2), load<f32>(src + (<usize>x << 2)));
          src += ldb;
          d += 32;
        }
      }
    } else {
      // B is stored n×k: column j of op(B) is row j of the stored matrix, contiguous in k.
      // Load 4 k steps of 4 columns, transpose in registers, store 4 k steps × 4 columns.
      const ldb = <usize>k * 4;
      const s0 = b + (<usize>j * <usize>k + <usize>kb) * 4;
      let p = 0;
      if (nr == NR) {
        for (; p + 4 <= kc; p += 4) {
          const s = s0 + (<usize>p << 2);
          const d = panel + (<usize>p << 5);
          storeTransposed4(d, 32, v128.load(s), v128.load(s + ldb), v128.load(s + 2 * ldb), v128.load(s + 3 * ldb));
          const s4 = s + 4 * ldb;
          storeTransposed4(d + 16, 32, v128.load(s4), v128.load(s4 + ldb), v128.load(s4 + 2 * ldb), v128.load(s4 + 3 * ldb));
        }
      }
      // k tail, or a ragged last panel: element by element, zero past n.
      for (; p < kc; p++) {
        const d = panel + (<usize>p << 5);
        v128.store(d, zero, 0);
        v128.store(d, zero, 16);
        let s = s0 + (<usize>p << 2);
        for (let x = 0; x < nr; x++) {
          store<f32>(d + (<usize>x << 2), load<f32>(s));
          s += ldb;
        }
      }
    }
  }
}

/**
 * Packs rows i .. i+mr of op(A), k steps kb .. kb+kc, into `dst` as kc × MR floats (k step p at
 * dst + p·16). Rows past mr are zero. Packing (rather than reading A in place through strides) gives
 * the micro-kernel one pointer and constant offsets, and avoids the L1 set conflicts of walking a
 * transposed A whose row length is a power of two.
 */
function packA(a: usize, m: i32, k: i32, transA: i32, i: i32, mr: i32, kb: i32, kc: i32, dst: usize): void {
  let p = 0;
  if (mr == MR) {
    if (transA) {
      // A stored k×m: one k step of 4 consecutive rows is 4 contiguous floats.
      const lda = <usize>m * 4;
      let s = a + (<usize>kb * <usize>m + <usize>i) * 4;
      let d = dst;
      for (; p < kc; p++) {
        v128.store(d, v128.load(s));
        s += lda;
        d += 16;
      }
      return;
    }
    // A stored m×k: rows are contiguous in k; transpose 4×4 blocks.
    const lda = <usize>k * 4;
    const s0 = a + (<usize>i * <usize>k + <usize>kb) * 4;
    for (; p + 4 <= kc; p += 4) {
      const s = s0 + (<usize>p << 2);
      storeTransposed4(dst + (<usize>p << 4), 16, v128.load(s), v128.load(s + lda), v128.load(s + 2 * lda), v128.load(s + 3 * lda));
    }
  }
  // k tail, or a ragged last row tile: element by element, zero past mr.
  const rowStep: usize = transA ? 4 : <usize>k * 4;
  const kStep: usize = transA ? <usize>m * 4 : 4;
  const base = transA ? a + (<usize>kb * <usize>m + <usize>i) * 4 : a + (<usize>i * <usize>k + <usize>kb) * 4;
  for (; p < kc; p++) {
    const d = dst + (<usize>p << 4);
    v128.store(d, f32x4.splat(0));
    let s = base + <usize>p * kStep;
    for (let r = 0; r < mr; r++) {
      store<f32>(d + (<usize>r << 2), load<f32>(s));
      s += rowStep;
    }
  }
}

/**
 * The micro-kernel: c[0..ROWS, 0..(WIDE ? 8 : 4)] (row stride ldc bytes) = (c if `resume` else 0)
 * + Σₚ a·b over kc steps of a packed A tile `ap` (16 bytes per step) and a packed B panel `bp`
 * (32 bytes per step). Always inlined with literal ROWS/WIDE, so each call site compiles to a
 * straight kernel of its own size: 4×8 for full tiles, and 4×4 / 2×8 / 2×4 / 1×8 / 1×4 for ragged
 * edges (n = 10 or m = 10 would otherwise spend a third of their time on zero padding).
 */
// @ts-ignore: decorator
@inline
function microKernel(ap: usize, bp: usize, kc: i32, c: usize, ldc: usize, resume: bool, ROWS: i32, WIDE: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (resume) {
    c00 = v128.load(c, 0);
    if (WIDE) c01 = v128.load(c, 16);
    if (ROWS > 1) { c10 = v128.load(c + ldc, 0); if (WIDE) c11 = v128.load(c + ldc, 16); }
    if (ROWS > 2) {
      c20 = v128.load(c + 2 * ldc, 0); if (WIDE) c21 = v128.load(c + 2 * ldc, 16);
      c30 = v128.load(c + 3 * ldc, 0); if (WIDE) c31 = v128.load(c + 3 * ldc, 16);
    }
  }
  // One k step per iteration: unrolling (×2) makes TurboFan hoist twice the loads and spill
  // accumulators, which costs more than the loop overhead it saves (V8 unrolls the loop itself).
  const end = bp + (<usize>kc << 5);
  while (bp < end) {
    const b0 = v128.load(bp, 0);
    let b1 = b0;
    if (WIDE) b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap, 0);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    if (WIDE) c01 = f32x4.add(c01, f32x4.mul(av, b1));
    if (ROWS > 1) {
      av = v128.load32_splat(ap, 4);
      c10 = f32x4.add(c10, f32x4.mul(av, b0));
      if (WIDE) c11 = f32x4.add(c11, f32x4.mul(av, b1));
    }
    if (ROWS > 2) {
      av = v128.load32_splat(ap, 8);
      c20 = f32x4.add(c20, f32x4.mul(av, b0));
      if (WIDE) c21 = f32x4.add(c21, f32x4.mul(av, b1));
      av = v128.load32_splat(ap, 12);
      c30 = f32x4.add(c30, f32x4.mul(av, b0));
      if (WIDE) c31 = f32x4.add(c31, f32x4.mul(av, b1));
    }
    ap += 16;
    bp += 32;
  }
  v128.store(c, c00, 0);
  if (WIDE) v128.store(c, c01, 16);
  if (ROWS > 1) { v128.store(c + ldc, c10, 0); if (WIDE) v128.store(c + ldc, c11, 16); }
  if (ROWS > 2) {
    v128.store(c + 2 * ldc, c20, 0); if (WIDE) v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30, 0); if (WIDE) v128.store(c + 3 * ldc, c31, 16);
  }
}

/** Runs the smallest micro-kernel covering an mr×nr edge tile on the staged tile `ct` (ldc 32). */
function edgeKernel(ap: usize, bp: usize, kc: i32, ct: usize, resume: bool, mr: i32, nr: i32): void {
  if (nr > 4) {
    if (mr > 2) microKernel(ap, bp, kc, ct, 32, resume, 4, true);
    else if (mr == 2) microKernel(ap, bp, kc, ct, 32, resume, 2, true);
    else microKernel(ap, bp, kc, ct, 32, resume, 1, true);
  } else {
    if (mr > 2) microKernel(ap, bp, kc, ct, 32, resume, 4, false);
    else if (mr == 2) microKernel(ap, bp, kc, ct, 32, resume, 2, false);
    else microKernel(ap, bp, kc, ct, 32, resume, 1, false);
  }
}

/** Start of part t's range when `count` units are split into `parts` near-equal contiguous ranges. */
// @ts-ignore: decorator
@inline
function splitPoint(count: i32, t: i32, parts: i32): i32 {
  return <i32>(<i64>t * <i64>count / <i64>parts);
}

/** Columns the kernels actually compute for panels [qa, qz): 8 each, 4 for a last panel of ≤ 4. */
function effectiveCols(qa: i32, qz: i32, n: i32): i32 {
  if (qa >= qz) return 0;
  const tail = n - (qz - 1) * NR; // columns in panel qz-1
  return (qz - qa - 1) * NR + (tail > 4 ? NR : 4);
}

/** Rows the kernels actually compute for row tiles [ta, tz): 4 each, 1 or 2 for a last tile of 1 or 2. */
function effectiveRows(ta: i32, tz: i32, m: i32): i32 {
  if (ta >= tz) return 0;
  const tail = min(MR, m - (tz - 1) * MR); // rows in tile tz-1
  return (tz - ta - 1) * MR + (tail > 2 ? MR : tail);
}

/**
 * Float32 matrix product over raw linear-memory pointers, row-major:
 * `out = op(A)·op(B)`, or `out += op(A)·op(B)` when `accumulate != 0`.
 *
 * op(A) is m×k: `a` holds it as m×k, or as k×m when `transA != 0` (read through strides, never
 * transposed in place). op(B) is k×n: `b` holds it as k×n, or as n×k when `transB != 0`. `out` is
 * m×n and must not overlap `a` or `b`. Pointers are byte offsets, multiples of 4. k = 0 zeroes out
 * (or leaves it, accumulating); m = 0 or n = 0 does nothing.
 *
 * Threads: call once per part `part` in 0 … parts-1 (concurrently, each instance over the same
 * shared memory), each with its own `scratch` of {@link matmulScratchBytes} bytes. The parts write
 * disjoint sets of output elements that together cover out: whole 8-column panels when n is wide
 * enough to keep the parts balanced, otherwise whole 4-row tiles. Each part packs only the B panels
 * its elements need. Every element's value is bit-identical whatever `parts` is.
 */
export function matmul(a: usize, b: usize, out: usize, m: i32, n: i32, k: i32,
                       transA: i32, transB: i32, accumulate: i32,
                       scratch: usize, part: i32, parts: i32): void {
  if (m <= 0 || n <= 0 || parts <= 0 || part < 0 || part >= parts) return;

  // ---- this part's share: panels [q0, q1) × rows [i0, i1)
  const np = (n + NR - 1) / NR; // column panels
  const nt = (m + MR - 1) / MR; // row tiles
  let q0 = 0, q1 = np, i0 = 0, i1 = m;
  if (parts > 1) {
    // Parts get contiguous ranges of whole panels (column split) or whole row tiles (row split),
    // whichever leaves the busiest part less work. Work is counted in multiply-adds per k step as
    // the kernels really do them (a ragged edge runs a narrower or shorter kernel, see edgeKernel),
    // plus packing B at ≈ PACK multiply-adds per element: a column split packs only the part's own
    // panels, a row split makes every part pack all of B. A function of (m, n, parts) only, so every
    // part computes the same split.
    const PACK: i64 = 2;
    const rowsAll = effectiveRows(0, nt, m), colsAll = effectiveCols(0, np, n);
    let colWorst: i64 = 0, rowWorst: i64 = 0;
    for (let t = 0; t < parts; t++) {
      const qa = splitPoint(np, t, parts), qz = splitPoint(np, t + 1, parts);
      const c = <i64>effectiveCols(qa, qz, n) * <i64>rowsAll + PACK * <i64>(min(n, qz * NR) - qa * NR);
      if (c > colWorst) colWorst = c;
      const ta = splitPoint(nt, t, parts), tz = splitPoint(nt, t + 1, parts);
      const r = <i64>effectiveRows(ta, tz, m) * <i64>colsAll + PACK * <i64>n;
      if (ta < tz && r > rowWorst) rowWorst = r;
    }
    if (colWorst <= rowWorst) {
      q0 = splitPoint(np, part, parts);
      q1 = splitPoint(np, part + 1, parts);
    } else {
      i0 = splitPoint(nt, part, parts) * MR;
      i1 = min(m, splitPoint(nt, part + 1, parts) * MR);
    }
  }
  if (q0 >= q1 || i0 >= i1) return;
  const ldc = <usize>n * 4;

  if (k <= 0) {
    if (!accumulate) {
      const j0 = q0 * NR, j1 = min(n, q1 * NR);
      for (let i = i0; i < i1; i++) {
        const row = out + <usize>i * ldc;
        for (let j = j0; j < j1; j++) store<f32>(row + (<usize>j << 2), 0);
      }
    }
    return;
  }

  // k-blocks of equal length (k = 784 → 4 × 196 rather than 3 × 256 + 16): the short tail block
  // would pay a full load/store of its out tiles for few k steps. A function of k only.
  const kBlocks = (k + KC - 1) / KC;
  const kStep = (k + kBlocks - 1) / kBlocks;

  // Cache-line align the packed buffers (the caller only promises 4-byte alignment), so no v128
  // access of the micro-kernel straddles two lines.
  const bBlock = (scratch + 63) & ~(<usize>63);
  const aTile = bBlock + <usize>B_BLOCK_BYTES;
  const cTile = aTile + <usize>A_TILE_BYTES;

  for (let qb = q0; qb < q1; qb += NCB) {
    const nq = min(NCB, q1 - qb);
    for (let kb = 0; kb < k; kb += kStep) {
      const kc = min(kStep, k - kb);
      // The first k-block starts each chain from 0 (or from out when accumulating); later blocks
      // continue the chain stored in out.
      const resume = accumulate != 0 || kb > 0;
      packB(b, n, k, transB, kb, kc, qb, nq, bBlock);
      for (let i = i0; i < i1; i += MR) {
        const mr = min(MR, i1 - i);
        packA(a, m, k, transA, i, mr, kb, kc, aTile);
        const cRow = out + <usize>i * ldc;
        for (let q = 0; q < nq; q++) {
          const j = (qb + q) * NR;
          const nr = min(NR, n - j);
          const bp = bBlock + <usize>q * <usize>kc * 32;
          const c = cRow + (<usize>j << 2);
          if (mr == MR && nr == NR) {
            microKernel(aTile, bp, kc, c, ldc, resume, 4, true);
          } else {
            // Ragged edge: run a kernel just big enough on a staged 4×8 tile, so nothing outside
            // out (or outside this part's elements) is touched; padding lanes are discarded.
            if (resume) {
              for (let r = 0; r < mr; r++) {
                for (let x = 0; x < nr; x++) {
                  store<f32>(cTile + <usize>(r * 32 + x * 4), load<f32>(c + <usize>r * ldc + (<usize>x << 2)));
                }
              }
            }
            edgeKernel(aTile, bp, kc, cTile, resume, mr, nr);
            for (let r = 0; r < mr; r++) {
              for (let x = 0; x < nr; x++) {
                store<f32>(c + <usize>r * ldc + (<usize>x << 2), load<f32>(cTile + <usize>(r * 32 + x * 4)));
              }
            }
          }
        }
      }
    }
  }
}

// ---- Convolution forward on the GEMM: out = f(im2col(x)·Wᵀ + bias), without the whole im2col.
//
// Each part takes a contiguous range of output rows (output pixels of the batch), in whole MR-row
// tiles, split by (rows, parts) only. It packs all of Wᵀ once (every k-block, every panel) when that
// fits the B block, then walks its rows in chunks of R: im2col of the chunk into its own cache-sized
// area, the GEMM of the chunk on the packed W (the same micro-kernels, the same k-blocks), then bias
// and activation over the chunk's outputs while they are in cache. Every output element is the same
// float32 chain as matmul's (its k-blocks depend on k only; which rows are packed together never
// changes a row's sums), so the result equals im2col + matmul + biasUnary bit for bit, for any parts.
// A W too large to keep packed is multiplied per chunk by matmul itself (repacking it each chunk).

/** Bytes of unfolded windows a chunk aims at (L1/L2-sized; the chunk is read once per k-block). */
const CONV_CHUNK_TARGET: i32 = 32 * 1024;
/** Bytes of the chunk area in each part's scratch: at least MR rows must fit, so kh·kw·c ≤ 8192. */
const CONV_CHUNK_BYTES: i32 = 128 * 1024;

/** Bytes of scratch one part of {@link conv2dForward} needs (matmul's, then the chunk area). */
export function conv2dScratchBytes(): i32 {
  return matmulScratchBytes() + 64 + CONV_CHUNK_BYTES;
}

/** The largest window (kh·kw·c floats) {@link conv2dForward} takes: MR rows of it fill the chunk area. */
export function conv2dMaxPatch(): i32 {
  return CONV_CHUNK_BYTES / (MR * 4);
}

/** Bytes of the parameter block {@link conv2dForward} reads (see there). */
export function conv2dParamsBytes(): i32 {
  return 96;
}

/** out (m×n, row stride n) = A (m×k, rows contiguous) · B, B packed whole at bAll by k-blocks of kStep. */
function gemmPrepacked(a: usize, m: i32, n: i32, k: i32, kStep: i32, np: i32, bAll: usize, aTile: usize, cTile: usize, out: usize): void {
  const ldc = <usize>n * 4;
  for (let kb = 0; kb < k; kb += kStep) {
    const kc = min(kStep, k - kb);
    const resume = kb > 0;
    const bBase = bAll + <usize>kb * <usize>np * 32;
    for (let i = 0; i < m; i += MR) {
      const mr = min(MR, m - i);
      packA(a, m, k, 0, i, mr, kb, kc, aTile);
      const cRow = out + <usize>i * ldc;
      for (let q = 0; q < np; q++) {
        const j = q * NR;
        const nr = min(NR, n - j);
        const bp = bBase + <usize>q * <usize>kc * 32;
        const c = cRow + (<usize>j << 2);
        if (mr == MR && nr == NR) {
          microKernel(aTile, bp, kc, c, ldc, resume, 4, true);
        } else {
          if (resume) {
            for (let r = 0; r < mr; r++) {
              for (let x = 0; x < nr; x++) {
                store<f32>(cTile + <usize>(r * 32 + x * 4), load<f32>(c + <usize>r * ldc + (<usize>x << 2)));
              }
            }
          }
          edgeKernel(aTile, bp, kc, cTile, resume, mr, nr);
          for (let r = 0; r < mr; r++) {
            for (let x = 0; x < nr; x++) {
              store<f32>(c + <usize>r * ldc + (<usize>x << 2), load<f32>(cTile + <usize>(r * 32 + x * 4)));
            }
          }
        }
      }
    }
  }
}

/** Runs the micro-kernels of one packed A tile (rows i … i+mr of out) against every packed panel of one k-block. */
// @ts-ignore: decorator
@inline
function tileTimesPanels(aTile: usize, bBase: usize, kc: i32, np: i32, n: i32, mr: i32, cRow: usize, ldc: usize, resume: bool, cTile: usize): void {
  for (let q = 0; q < np; q++) {
    const j = q * NR;
    const nr = min(NR, n - j);
    const bp = bBase + <usize>q * <usize>kc * 32;
    const c = cRow + (<usize>j << 2);
    if (mr == MR && nr == NR) {
      microKernel(aTile, bp, kc, c, ldc, resume, 4, true);
    } else {
      if (resume) {
        for (let r = 0; r < mr; r++) {
          for (let x = 0; x < nr; x++) {
            store<f32>(cTile + <usize>(r * 32 + x * 4), load<f32>(c + <usize>r * ldc + (<usize>x << 2)));
          }
        }
      }
      edgeKernel(aTile, bp, kc, cTile, resume, mr, nr);
      for (let r = 0; r < mr; r++) {
        for (let x = 0; x < nr; x++) {
          store<f32>(c + <usize>r * ldc + (<usize>x << 2), load<f32>(cTile + <usize>(r * 32 + x * 4)));
        }
      }
    }
  }
}

/** Rows per bias-and-activation pass of the direct path (their outputs are still in cache). */
const CONV_BIAS_ROWS: i32 = 64;

/**
 * The direct path of conv2dForward for one k-block (k ≤ KC): each 4-row A tile is packed straight
 * from the image, no im2col at all, when its four output pixels are consecutive on one output row
 * with their windows inside the image (dilationW 1): with one channel at stride 1 each k step of
 * the tile is one v128 load of the image; otherwise 4×4 transposes along each window row. Other
 * tiles (edges, padding) are unfolded by im2colRows into a small area and packed by packA. Either
 * way the tile holds the same values as packA of im2col's rows, so the sums are the same.
 */
function convDirect(x: usize, bias: usize, out: usize, h: i32, w: i32, c: i32, kh: i32, kw: i32, strideH: i32, strideW: i32,
                    dilationH: i32, dilationW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32, n: i32, fn: i32, p: f64,
                    r0: i32, r1: i32, np: i32, bBlock: usize, aTile: usize, cTile: usize, temp: usize): void {
  const k = kh * kw * c;
  const ldc = <usize>n * 4;
  const pixel = <usize>c << 2;
  const imageRow = <usize>w * pixel;
  const image = <usize>h * imageRow;
  const run = kw * c; // floats of one window row
  const lastTapH = (kh - 1) * dilationH;
  const lastTapW = kw - 1;
  const perImage = outH * outW;
  let nImg = r0 / perImage;
  const rem = r0 - nImg * perImage;
  let oy = rem / outW;
  let ox = rem - oy * outW;
  let biasFrom = r0;
  const one = c == 1 && strideW == 1;
  for (let i = r0; i < r1; i += MR) {
    const mr = min(MR, r1 - i);
    const iy0 = oy * strideH - padTop;
    const ix0 = ox * strideW - padLeft;
    if (dilationW == 1 && mr == MR && ox + 3 < outW && iy0 >= 0 && iy0 + lastTapH < h && ix0 >= 0 && ix0 + 3 * strideW + lastTapW < w) {
      const base = x + <usize>nImg * image + <usize>iy0 * imageRow + <usize>ix0 * pixel;
      const rowStep = <usize>dilationH * imageRow;
      if (one) {
        let src = base;
        let d = aTile;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) v128.store(d + (<usize>kx << 4), v128.load(src + (<usize>kx << 2)));
          d += <usize>kw << 4;
          src += rowStep;
        }
      } else {
        const step = <usize>strideW * pixel; // from one output pixel's window to the next's
        let src = base;
        let d = aTile;
        for (let ky = 0; ky < kh; ky++) {
          let t = 0;
          for (; t + 4 <= run; t += 4) {
            const s = src + (<usize>t << 2);
            storeTransposed4(d + (<usize>t << 4), 16, v128.load(s), v128.load(s + step), v128.load(s + 2 * step), v128.load(s + 3 * step));
          }
          for (; t < run; t++) {
            const s = src + (<usize>t << 2);
            const dd = d + (<usize>t << 4);
            store<f32>(dd, load<f32>(s));
            store<f32>(dd, load<f32>(s + step), 4);
            store<f32>(dd, load<f32>(s + 2 * step), 8);
            store<f32>(dd, load<f32>(s + 3 * step), 12);
          }
          d += <usize>run << 4;
          src += rowStep;
        }
      }
    } else {
      im2colRows(x, temp, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW, i, mr);
      packA(temp, mr, k, 0, 0, mr, 0, k, aTile);
    }
    tileTimesPanels(aTile, bBlock, k, np, n, mr, out + <usize>i * ldc, ldc, false, cTile);
    if (i + mr - biasFrom >= CONV_BIAS_ROWS || i + mr >= r1) {
      const o = out + <usize>biasFrom * ldc;
      biasUnaryIndexed(fn, o, bias, o, i + mr - biasFrom, n, p);
      biasFrom = i + mr;
    }
    // The next tile's first output pixel.
    ox += MR;
    while (ox >= outW) {
      ox -= outW;
      oy++;
      if (oy == outH) {
        oy = 0;
        nImg++;
      }
    }
  }
}

/**
 * A convolution's forward pass with bias and activation (the ImageKernels contract's
 * conv2dForward), part `part` of `parts`, its arguments in a parameter block at `params` (more
 * than a pool run carries): i32 slots x, weight, bias, out (pointers), batch, h, w, c, kh, kw,
 * strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW, filters, fn (index in
 * UNARY_NAMES), then the f64 parameter p at byte 88. `scratch`: {@link conv2dScratchBytes} bytes
 * per part. kh·kw·c must be 1 … {@link conv2dMaxPatch}.
 */
export function conv2dForward(params: usize, scratch: usize, part: i32, parts: i32): void {
  const x = <usize>load<u32>(params, 0);
  const weight = <usize>load<u32>(params, 4);
  const bias = <usize>load<u32>(params, 8);
  const out = <usize>load<u32>(params, 12);
  const batch = load<i32>(params, 16);
  const h = load<i32>(params, 20);
  const w = load<i32>(params, 24);
  const c = load<i32>(params, 28);
  const kh = load<i32>(params, 32);
  const kw = load<i32>(params, 36);
  const strideH = load<i32>(params, 40);
  const strideW = load<i32>(params, 44);
  const dilationH = load<i32>(params, 48);
  const dilationW = load<i32>(params, 52);
  const padTop = load<i32>(params, 56);
  const padLeft = load<i32>(params, 60);
  const outH = load<i32>(params, 64);
  const outW = load<i32>(params, 68);
  const n = load<i32>(params, 72);
  const fn = load<i32>(params, 76);
  const p = load<f64>(params, 88);
  const rows = batch * outH * outW;
  const k = kh * kw * c;
  if (rows <= 0 || n <= 0 || k <= 0 || k > conv2dMaxPatch() || parts <= 0 || part < 0 || part >= parts) return;
  const nt = (rows + MR - 1) / MR;
  const r0 = splitPoint(nt, part, parts) * MR;
  const r1 = min(rows, splitPoint(nt, part + 1, parts) * MR);
  if (r0 >= r1) return;

  const rowBytes = k * 4;
  let chunkRows = (CONV_CHUNK_TARGET / rowBytes) & ~(MR - 1);
  if (chunkRows < MR) chunkRows = MR;
  const maxRows = (CONV_CHUNK_BYTES / rowBytes) & ~(MR - 1);
  if (chunkRows > maxRows) chunkRows = maxRows;
  const chunk = (scratch + <usize>matmulScratchBytes() + 63) & ~(<usize>63);
  const pointwise = kh == 1 && kw == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == h && outW == w;

  const ldc = <usize>n * 4;
  const np = (n + NR - 1) / NR;
  const kBlocks = (k + KC - 1) / KC;
  const kStep = (k + kBlocks - 1) / kBlocks;
  const prepacked = <i64>np * <i64>(NR * 4) * <i64>k <= <i64>B_BLOCK_BYTES;
  const bBlock = (scratch + 63) & ~(<usize>63);
  const aTile = bBlock + <usize>B_BLOCK_BYTES;
  const cTile = aTile + <usize>A_TILE_BYTES;
  if (prepacked) {
    for (let kb = 0; kb < k; kb += kStep) packB(weight, n, k, 1, kb, min(kStep, k - kb), 0, np, bBlock + <usize>kb * <usize>np * 32);
  }
  if (prepacked && k <= KC) {
    convDirect(x, bias, out, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW, n, fn, p, r0, r1, np, bBlock, aTile, cTile, chunk);
    return;
  }
  for (let r = r0; r < r1; r += chunkRows) {
    const m = min(chunkRows, r1 - r);
    let a = chunk;
    if (pointwise) a = x + <usize>r * <usize>rowBytes;
    else im2colRows(x, chunk, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, outH, outW, r, m);
    const o = out + <usize>r * ldc;
    if (prepacked) gemmPrepacked(a, m, n, k, kStep, np, bBlock, aTile, cTile, o);
    else matmul(a, weight, o, m, n, k, 0, 1, 0, scratch, 0, 1);
    biasUnaryIndexed(fn, o, bias, o, m, n, p);
  }
}
