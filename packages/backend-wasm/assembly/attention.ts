// The head layout of attention: transposeHeads and causalMask. (Kernel conventions: see
// elementwise.ts.) Both only move or set values, so they equal the TypeScript reference bit for
// bit; the batched products are the matmul export, called per block from the host.

/**
 * `out[o, j, i, :] = x[o, i, j, :]` for `x` of `[outer, rows, cols, depth]`: each run of `depth`
 * floats copied whole, 4 at a time, then the tail. `out` must not overlap `x`.
 */
export function transposeHeads(x: usize, out: usize, outer: i32, rows: i32, cols: i32, depth: i32): void {
  if (outer <= 0 || rows <= 0 || cols <= 0 || depth <= 0) return;
  const run: usize = <usize>depth << 2;
  const run4: usize = <usize>(depth & ~3) << 2;
  const r: usize = <usize>rows, c: usize = <usize>cols;
  const plane: usize = r * c * run;
  for (let o: usize = 0; o < <usize>outer; o++) {
    const base = o * plane;
    for (let i: usize = 0; i < r; i++) {
      for (let j: usize = 0; j < c; j++) {
        const from = x + base + (i * c + j) * run;
        const to = out + base + (j * r + i) * run;
        let d: usize = 0;
        for (; d < run4; d += 16) v128.store(to + d, v128.load(from + d));
        for (; d < run; d += 4) store<f32>(to + d, load<f32>(from + d));
      }
    }
  }
}

/**
 * In each of `blocks` size×size matrices stored one after another, every entry above the diagonal
 * (column j > row i) set to −Infinity, in place; the diagonal and below untouched.
 */
export function causalMask(x: usize, blocks: i32, size: i32): void {
  if (blocks <= 0 || size <= 1) return;
  const n: usize = <usize>size;
  const minusInf = f32x4.splat(-Infinity);
  for (let b: usize = 0; b < <usize>blocks; b++) {
    for (let i: usize = 0; i < n; i++) {
      const row: usize = x + (((b * n + i) * n) << 2);
      let j: usize = i + 1;
      for (; j + 4 <= n; j += 4) v128.store(row + (j << 2), minusInf);
      for (; j < n; j++) store<f32>(row + (j << 2), -Infinity);
    }
  }
}
