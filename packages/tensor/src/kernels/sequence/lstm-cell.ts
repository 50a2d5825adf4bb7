import type { TypedArray } from '../../dtype.js';
import { sigmoid } from './gates.js';

/**
 * One step of an LSTM, PyTorch's equations, gates in the order i, f, g, o:
 *
 * i = σ(pi), f = σ(pf), g = tanh(pg), o = σ(po), c ← f ⊙ c + i ⊙ g, h ← o ⊙ tanh(c)
 *
 * where the pre-activations `p·` are the step's input projections, read from `xProj`
 * (`[batch, steps, 4·units]`) at `step`, plus its recurrent ones in `hProj` (`[batch, 4·units]`).
 * `h` and `c` (`[batch, units]`) are updated in place; what backward needs is written at `step`:
 * the previous h into `hPrev` (`[batch, steps, units]`), and i, f, g, o, the previous c and
 * tanh(c) into `cache` (`[batch, steps, 6·units]`).
 *
 * @example
 * ```ts
 * import { lstmCell } from '@gradstream/tensor';
 * // one sample, one step, one unit, every pre-activation 0: i = f = o = ½, g = 0, so c ← ½·c
 * const h = new Float64Array(1);
 * const c = new Float64Array([2]);
 * lstmCell(new Float64Array(4), new Float64Array(4), h, c, new Float64Array(1), new Float64Array(6), 1, 1, 0, 1);
 * console.log(c[0], h[0]); // 1, ½·tanh(1)
 * ```
 */
export function lstmCell(
  xProj: TypedArray,
  hProj: TypedArray,
  h: TypedArray,
  c: TypedArray,
  hPrev: TypedArray,
  cache: TypedArray,
  batch: number,
  steps: number,
  step: number,
  units: number,
): void {
  const u = units;
  for (let b = 0; b < batch; b++) {
    const row = b * steps + step;
    const xo = row * 4 * u;
    const co = row * 6 * u;
    const so = row * u;
    const ho = b * 4 * u;
    const hb = b * u;
    for (let j = 0; j < u; j++) {
      const i = sigmoid((xProj[xo + j] as number) + (hProj[ho + j] as number));
      const f = sigmoid((xProj[xo + u + j] as number) + (hProj[ho + u + j] as number));
      const g = Math.tanh((xProj[xo + 2 * u + j] as number) + (hProj[ho + 2 * u + j] as number));
      const o = sigmoid((xProj[xo + 3 * u + j] as number) + (hProj[ho + 3 * u + j] as number));
      const cp = c[hb + j] as number;
      const cn = f * cp + i * g;
      const tc = Math.tanh(cn);
      cache[co + j] = i;
      cache[co + u + j] = f;
      cache[co + 2 * u + j] = g;
      cache[co + 3 * u + j] = o;
      cache[co + 4 * u + j] = cp;
      cache[co + 5 * u + j] = tc;
      hPrev[so + j] = h[hb + j] as number;
      c[hb + j] = cn;
      h[hb + j] = o * tc;
    }
  }
}

/**
 * Backward of {@link lstmCell} at `step`, from what it cached. With `dh` (∂L/∂h after the step)
 * and `dc` (∂L/∂c from the steps after it): ∂c = dc + dh ⊙ o ⊙ (1 − tanh²c), then the
 * pre-activations' gradients ∂i = ∂c ⊙ g ⊙ i(1 − i), ∂f = ∂c ⊙ c_prev ⊙ f(1 − f),
 * ∂g = ∂c ⊙ i ⊙ (1 − g²), ∂o = dh ⊙ tanh(c) ⊙ o(1 − o), written to `dx`
 * (`[batch, steps, 4·units]`, at `step`) and to `dRec` (`[batch, 4·units]`, for the step's
 * matmul). `dc` becomes ∂c ⊙ f, ∂L/∂c before the step; `dh` is only read.
 *
 * @example
 * ```ts
 * import { lstmCellBackward } from '@gradstream/tensor';
 * // cached i = f = o = ½, g = 0, c_prev = 2, tanh(c) = 0: ∂c = 1, ∂f = 1·2·¼ = ½, ∂g = ½
 * const dc = new Float64Array([1]);
 * const dx = new Float64Array(4);
 * lstmCellBackward(new Float64Array([0.5, 0.5, 0, 0.5, 2, 0]), new Float64Array(1), dc, dx, new Float64Array(4), 1, 1, 0, 1);
 * console.log(dx, dc[0]); // [0, 0.5, 0.5, 0] 0.5
 * ```
 */
export function lstmCellBackward(cache: TypedArray, dh: TypedArray, dc: TypedArray, dx: TypedArray, dRec: TypedArray, batch: number, steps: number, step: number, units: number): void {
  const u = units;
  for (let b = 0; b < batch; b++) {
    const row = b * steps + step;
    const xo = row * 4 * u;
    const co = row * 6 * u;
    const ho = b * 4 * u;
    const hb = b * u;
    for (let j = 0; j < u; j++) {
      const gh = dh[hb + j] as number;
      const i = cache[co + j] as number;
      const f = cache[co + u + j] as number;
      const g = cache[co + 2 * u + j] as number;
      const o = cache[co + 3 * u + j] as number;
      const cp = cache[co + 4 * u + j] as number;
      const tc = cache[co + 5 * u + j] as number;
      const dct = (dc[hb + j] as number) + gh * o * (1 - tc * tc);
      const di = dct * g * i * (1 - i);
      const df = dct * cp * f * (1 - f);
      const dg = dct * i * (1 - g * g);
      const dO = gh * tc * o * (1 - o);
      dx[xo + j] = di;
      dx[xo + u + j] = df;
      dx[xo + 2 * u + j] = dg;
      dx[xo + 3 * u + j] = dO;
      dRec[ho + j] = di;
      dRec[ho + u + j] = df;
      dRec[ho + 2 * u + j] = dg;
      dRec[ho + 3 * u + j] = dO;
      dc[hb + j] = dct * f;
    }
  }
}
