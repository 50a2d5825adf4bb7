import type { TypedArray } from '../../dtype.js';
import { sigmoid } from './gates.js';

/**
 * One step of a GRU, PyTorch's equations (ONNX's GRU with `linear_before_reset = 1`), gates in
 * the order r, z, n:
 *
 * r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h ← (1 − z) ⊙ n + z ⊙ h
 *
 * where `x·` are the step's input projections (`W_i· x + b_i·`), read from `xProj`
 * (`[batch, steps, 3·units]`) at `step`, and `h·` its recurrent ones (`W_h· h + b_h·`) in `hProj`
 * (`[batch, 3·units]`). `h` (`[batch, units]`) is updated in place; what backward needs is written
 * at `step`: the previous h into `hPrev` (`[batch, steps, units]`), and r, z, n, hn into `cache`
 * (`[batch, steps, 4·units]`).
 *
 * @example
 * ```ts
 * import { gruCell } from '@gradstream/tensor';
 * // one sample, one step, one unit, every projection 0: r = z = ½, n = 0, so h ← ½·h
 * const h = new Float64Array([0.8]);
 * gruCell(new Float64Array(3), new Float64Array(3), h, new Float64Array(1), new Float64Array(4), 1, 1, 0, 1);
 * console.log(h[0]); // 0.4
 * ```
 */
export function gruCell(xProj: TypedArray, hProj: TypedArray, h: TypedArray, hPrev: TypedArray, cache: TypedArray, batch: number, steps: number, step: number, units: number): void {
  const u = units;
  for (let b = 0; b < batch; b++) {
    const row = b * steps + step;
    const xo = row * 3 * u;
    const co = row * 4 * u;
    const so = row * u;
    const ho = b * 3 * u;
    const hb = b * u;
    for (let j = 0; j < u; j++) {
      const hp = h[hb + j] as number;
      const r = sigmoid((xProj[xo + j] as number) + (hProj[ho + j] as number));
      const z = sigmoid((xProj[xo + u + j] as number) + (hProj[ho + u + j] as number));
      const hn = hProj[ho + 2 * u + j] as number;
      const n = Math.tanh((xProj[xo + 2 * u + j] as number) + r * hn);
      cache[co + j] = r;
      cache[co + u + j] = z;
      cache[co + 2 * u + j] = n;
      cache[co + 3 * u + j] = hn;
      hPrev[so + j] = hp;
      h[hb + j] = (1 - z) * n + z * hp;
    }
  }
}

/**
 * Backward of {@link gruCell} at `step`, from what it cached. With `g = dh` (∂L/∂h after the
 * step): ∂n = g ⊙ (1 − z) ⊙ (1 − n²), ∂z = g ⊙ (h_prev − n) ⊙ z(1 − z), ∂r = ∂n ⊙ hn ⊙ r(1 − r)
 * (all of pre-activations). The input projections' gradient (∂r, ∂z, ∂n) goes to `dx`
 * (`[batch, steps, 3·units]`, at `step`); the recurrent ones' (∂r, ∂z, ∂n ⊙ r) to `dRecSeq`
 * (the same layout) and to `dRec` (`[batch, 3·units]`, for the step's matmul). `dh` becomes
 * `z ⊙ g`, the part of ∂L/∂h_prev that does not pass through the recurrent weights.
 *
 * @example
 * ```ts
 * import { gruCellBackward } from '@gradstream/tensor';
 * // cached r = z = ½, n = 0, hn = 0 and h_prev = 0.8: ∂z = 1·0.8·¼ = 0.2, ∂n = ½, ∂r = 0
 * const dh = new Float64Array([1]);
 * const dx = new Float64Array(3);
 * gruCellBackward(new Float64Array([0.5, 0.5, 0, 0]), new Float64Array([0.8]), dh, dx, new Float64Array(3), new Float64Array(3), 1, 1, 0, 1);
 * console.log(dx, dh[0]); // [0, 0.2, 0.5] 0.5
 * ```
 */
export function gruCellBackward(
  cache: TypedArray,
  hPrev: TypedArray,
  dh: TypedArray,
  dx: TypedArray,
  dRecSeq: TypedArray,
  dRec: TypedArray,
  batch: number,
  steps: number,
  step: number,
  units: number,
): void {
  const u = units;
  for (let b = 0; b < batch; b++) {
    const row = b * steps + step;
    const xo = row * 3 * u;
    const co = row * 4 * u;
    const so = row * u;
    const ho = b * 3 * u;
    const hb = b * u;
    for (let j = 0; j < u; j++) {
      const g = dh[hb + j] as number;
      const r = cache[co + j] as number;
      const z = cache[co + u + j] as number;
      const n = cache[co + 2 * u + j] as number;
      const hn = cache[co + 3 * u + j] as number;
      const dn = g * (1 - z) * (1 - n * n);
      const dz = g * ((hPrev[so + j] as number) - n) * z * (1 - z);
      const dr = dn * hn * r * (1 - r);
      const dnh = dn * r;
      dx[xo + j] = dr;
      dx[xo + u + j] = dz;
      dx[xo + 2 * u + j] = dn;
      dRecSeq[xo + j] = dr;
      dRecSeq[xo + u + j] = dz;
      dRecSeq[xo + 2 * u + j] = dnh;
      dRec[ho + j] = dr;
      dRec[ho + u + j] = dz;
      dRec[ho + 2 * u + j] = dnh;
      dh[hb + j] = g * z;
    }
  }
}
