// The recurrent cells in WebAssembly SIMD128: one GRU or LSTM step over [batch, units], forward and
// backward, as @gradstream/tensor's kernels/sequence/gru-cell.ts and lstm-cell.ts define them
// (PyTorch's equations; the sequences batch-major [batch, steps, width], step `step` of row b at
// (b·steps + step)·width). Conventions as elementwise.ts: byte pointers, element counts, 4 units
// per step of a loop and the ragged tail one at a time with the same arithmetic, nothing allocated.
//
// σ and tanh are the elementwise kernels' own (generated/unary.ts renders σ from UNARY_OPS the same
// way: t = e^(−|x|), then 1/(1+t) or t/(1+t)), so a gate equals the sigmoid kernel on the same
// pre-activation. The arithmetic is float32 throughout: within a few roundings of the TypeScript
// reference, which carries each unit's values in float64 and rounds them on store.

import { expS, expV, tanhS, tanhV } from './unary-math';

// @ts-ignore: decorator
@inline
function sigmoidV(x: v128): v128 {
  const t = expV(f32x4.neg(f32x4.abs(x)));
  const d = f32x4.add(f32x4.splat(<f32>1.0), t);
  return f32x4.div(v128.bitselect(f32x4.splat(<f32>1.0), t, f32x4.ge(x, f32x4.splat(<f32>0.0))), d);
}

// @ts-ignore: decorator
@inline
function sigmoidS(x: f32): f32 {
  const t = expS(-abs<f32>(x));
  const d = <f32>1.0 + t;
  return select<f32>(<f32>1.0, t, x >= <f32>0.0) / d;
}

/**
 * One GRU step, gates r, z, n: h ← (1 − z)·n + z·h in place, the previous h into hPrev and r, z,
 * n, hn into cache at `step` (see gruCell in @gradstream/tensor).
 */
export function gruCell(xProj: usize, hProj: usize, h: usize, hPrev: usize, cache: usize, batch: i32, steps: i32, step: i32, units: i32): void {
  if (batch <= 0 || units <= 0) return;
  const ub = <usize>units << 2;
  const end4 = <usize>(units & ~3) << 2;
  const one = f32x4.splat(<f32>1.0);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * steps + step);
    const xo = xProj + row * 3 * ub;
    const co = cache + row * 4 * ub;
    const so = hPrev + row * ub;
    const ho = hProj + <usize>b * 3 * ub;
    const hb = h + <usize>b * ub;
    let i: usize = 0;
    for (; i < end4; i += 16) {
      const hp = v128.load(hb + i);
      const r = sigmoidV(f32x4.add(v128.load(xo + i), v128.load(ho + i)));
      const z = sigmoidV(f32x4.add(v128.load(xo + ub + i), v128.load(ho + ub + i)));
      const hn = v128.load(ho + 2 * ub + i);
      const n = tanhV(f32x4.add(v128.load(xo + 2 * ub + i), f32x4.mul(r, hn)));
      v128.store(co + i, r);
      v128.store(co + ub + i, z);
      v128.store(co + 2 * ub + i, n);
      v128.store(co + 3 * ub + i, hn);
      v128.store(so + i, hp);
      v128.store(hb + i, f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, hp)));
    }
    for (; i < ub; i += 4) {
      const hp = load<f32>(hb + i);
      const r = sigmoidS(load<f32>(xo + i) + load<f32>(ho + i));
      const z = sigmoidS(load<f32>(xo + ub + i) + load<f32>(ho + ub + i));
      const hn = load<f32>(ho + 2 * ub + i);
      const n = tanhS(load<f32>(xo + 2 * ub + i) + r * hn);
      store<f32>(co + i, r);
      store<f32>(co + ub + i, z);
      store<f32>(co + 2 * ub + i, n);
      store<f32>(co + 3 * ub + i, hn);
      store<f32>(so + i, hp);
      store<f32>(hb + i, (<f32>1.0 - z) * n + z * hp);
    }
  }
}

/**
 * Backward of gruCell at `step`: the input projections' gradient into dx, the recurrent ones' into
 * dRecSeq (at `step`) and dRec ([batch, 3·units]); dh becomes z·dh.
 */
export function gruCellBackward(
  cache: usize,
  hPrev: usize,
  dh: usize,
  dx: usize,
  dRecSeq: usize,
  dRec: usize,
  batch: i32,
  steps: i32,
  step: i32,
  units: i32,
): void {
  if (batch <= 0 || units <= 0) return;
  const ub = <usize>units << 2;
  const end4 = <usize>(units & ~3) << 2;
  const one = f32x4.splat(<f32>1.0);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * steps + step);
    const xo = row * 3 * ub;
    const co = cache + row * 4 * ub;
    const so = hPrev + row * ub;
    const ho = dRec + <usize>b * 3 * ub;
    const hb = dh + <usize>b * ub;
    let i: usize = 0;
    for (; i < end4; i += 16) {
      const g = v128.load(hb + i);
      const r = v128.load(co + i);
      const z = v128.load(co + ub + i);
      const n = v128.load(co + 2 * ub + i);
      const hn = v128.load(co + 3 * ub + i);
      const dn = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dz = f32x4.mul(f32x4.mul(f32x4.mul(g, f32x4.sub(v128.load(so + i), n)), z), f32x4.sub(one, z));
      const dr = f32x4.mul(f32x4.mul(f32x4.mul(dn, hn), r), f32x4.sub(one, r));
      const dnh = f32x4.mul(dn, r);
      v128.store(dx + xo + i, dr);
      v128.store(dx + xo + ub + i, dz);
      v128.store(dx + xo + 2 * ub + i, dn);
      v128.store(dRecSeq + xo + i, dr);
      v128.store(dRecSeq + xo + ub + i, dz);
      v128.store(dRecSeq + xo + 2 * ub + i, dnh);
      v128.store(ho + i, dr);
      v128.store(ho + ub + i, dz);
      v128.store(ho + 2 * ub + i, dnh);
      v128.store(hb + i, f32x4.mul(g, z));
    }
    for (; i < ub; i += 4) {
      const g = load<f32>(hb + i);
      const r = load<f32>(co + i);
      const z = load<f32>(co + ub + i);
      const n = load<f32>(co + 2 * ub + i);
      const hn = load<f32>(co + 3 * ub + i);
      const dn = g * (<f32>1.0 - z) * (<f32>1.0 - n * n);
      const dz = g * (load<f32>(so + i) - n) * z * (<f32>1.0 - z);
      const dr = dn * hn * r * (<f32>1.0 - r);
      const dnh = dn * r;
      store<f32>(dx + xo + i, dr);
      store<f32>(dx + xo + ub + i, dz);
      store<f32>(dx + xo + 2 * ub + i, dn);
      store<f32>(dRecSeq + xo + i, dr);
      store<f32>(dRecSeq + xo + ub + i, dz);
      store<f32>(dRecSeq + xo + 2 * ub + i, dnh);
      store<f32>(ho + i, dr);
      store<f32>(ho + ub + i, dz);
      store<f32>(ho + 2 * ub + i, dnh);
      store<f32>(hb + i, g * z);
    }
  }
}

/**
 * One LSTM step, gates i, f, g, o: c ← f·c + i·g and h ← o·tanh(c) in place, the previous h into
 * hPrev and i, f, g, o, the previous c and tanh(c) into cache at `step` (see lstmCell in
 * @gradstream/tensor).
 */
export function lstmCell(xProj: usize, hProj: usize, h: usize, c: usize, hPrev: usize, cache: usize, batch: i32, steps: i32, step: i32, units: i32): void {
  if (batch <= 0 || units <= 0) return;
  const ub = <usize>units << 2;
  const end4 = <usize>(units & ~3) << 2;
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * steps + step);
    const xo = xProj + row * 4 * ub;
    const co = cache + row * 6 * ub;
    const so = hPrev + row * ub;
    const ho = hProj + <usize>b * 4 * ub;
    const hb = h + <usize>b * ub;
    const cb = c + <usize>b * ub;
    let i: usize = 0;
    for (; i < end4; i += 16) {
      const ig = sigmoidV(f32x4.add(v128.load(xo + i), v128.load(ho + i)));
      const fg = sigmoidV(f32x4.add(v128.load(xo + ub + i), v128.load(ho + ub + i)));
      const gg = tanhV(f32x4.add(v128.load(xo + 2 * ub + i), v128.load(ho + 2 * ub + i)));
      const og = sigmoidV(f32x4.add(v128.load(xo + 3 * ub + i), v128.load(ho + 3 * ub + i)));
      const cp = v128.load(cb + i);
      const cn = f32x4.add(f32x4.mul(fg, cp), f32x4.mul(ig, gg));
      const tc = tanhV(cn);
      v128.store(co + i, ig);
      v128.store(co + ub + i, fg);
      v128.store(co + 2 * ub + i, gg);
      v128.store(co + 3 * ub + i, og);
      v128.store(co + 4 * ub + i, cp);
      v128.store(co + 5 * ub + i, tc);
      v128.store(so + i, v128.load(hb + i));
      v128.store(cb + i, cn);
      v128.store(hb + i, f32x4.mul(og, tc));
    }
    for (; i < ub; i += 4) {
      const ig = sigmoidS(load<f32>(xo + i) + load<f32>(ho + i));
      const fg = sigmoidS(load<f32>(xo + ub + i) + load<f32>(ho + ub + i));
      const gg = tanhS(load<f32>(xo + 2 * ub + i) + load<f32>(ho + 2 * ub + i));
      const og = sigmoidS(load<f32>(xo + 3 * ub + i) + load<f32>(ho + 3 * ub + i));
      const cp = load<f32>(cb + i);
      const cn = fg * cp + ig * gg;
      const tc = tanhS(cn);
      store<f32>(co + i, ig);
      store<f32>(co + ub + i, fg);
      store<f32>(co + 2 * ub + i, gg);
      store<f32>(co + 3 * ub + i, og);
      store<f32>(co + 4 * ub + i, cp);
      store<f32>(co + 5 * ub + i, tc);
      store<f32>(so + i, load<f32>(hb + i));
      store<f32>(cb + i, cn);
      store<f32>(hb + i, og * tc);
    }
  }
}

/**
 * Backward of lstmCell at `step`: the pre-activations' gradient into dx (at `step`) and dRec
 * ([batch, 4·units]); dc becomes ∂L/∂c before the step; dh is only read.
 */
export function lstmCellBackward(cache: usize, dh: usize, dc: usize, dx: usize, dRec: usize, batch: i32, steps: i32, step: i32, units: i32): void {
  if (batch <= 0 || units <= 0) return;
  const ub = <usize>units << 2;
  const end4 = <usize>(units & ~3) << 2;
  const one = f32x4.splat(<f32>1.0);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * steps + step);
    const xo = dx + row * 4 * ub;
    const co = cache + row * 6 * ub;
    const ho = dRec + <usize>b * 4 * ub;
    const hb = dh + <usize>b * ub;
    const cb = dc + <usize>b * ub;
    let i: usize = 0;
    for (; i < end4; i += 16) {
      const gh = v128.load(hb + i);
      const ig = v128.load(co + i);
      const fg = v128.load(co + ub + i);
      const gg = v128.load(co + 2 * ub + i);
      const og = v128.load(co + 3 * ub + i);
      const cp = v128.load(co + 4 * ub + i);
      const tc = v128.load(co + 5 * ub + i);
      const dct = f32x4.add(v128.load(cb + i), f32x4.mul(f32x4.mul(gh, og), f32x4.sub(one, f32x4.mul(tc, tc))));
      const di = f32x4.mul(f32x4.mul(f32x4.mul(dct, gg), ig), f32x4.sub(one, ig));
      const df = f32x4.mul(f32x4.mul(f32x4.mul(dct, cp), fg), f32x4.sub(one, fg));
      const dg = f32x4.mul(f32x4.mul(dct, ig), f32x4.sub(one, f32x4.mul(gg, gg)));
      const dO = f32x4.mul(f32x4.mul(f32x4.mul(gh, tc), og), f32x4.sub(one, og));
      v128.store(xo + i, di);
      v128.store(xo + ub + i, df);
      v128.store(xo + 2 * ub + i, dg);
      v128.store(xo + 3 * ub + i, dO);
      v128.store(ho + i, di);
      v128.store(ho + ub + i, df);
      v128.store(ho + 2 * ub + i, dg);
      v128.store(ho + 3 * ub + i, dO);
      v128.store(cb + i, f32x4.mul(dct, fg));
    }
    for (; i < ub; i += 4) {
      const gh = load<f32>(hb + i);
      const ig = load<f32>(co + i);
      const fg = load<f32>(co + ub + i);
      const gg = load<f32>(co + 2 * ub + i);
      const og = load<f32>(co + 3 * ub + i);
      const cp = load<f32>(co + 4 * ub + i);
      const tc = load<f32>(co + 5 * ub + i);
      const dct = load<f32>(cb + i) + gh * og * (<f32>1.0 - tc * tc);
      const di = dct * gg * ig * (<f32>1.0 - ig);
      const df = dct * cp * fg * (<f32>1.0 - fg);
      const dg = dct * ig * (<f32>1.0 - gg * gg);
      const dO = gh * tc * og * (<f32>1.0 - og);
      store<f32>(xo + i, di);
      store<f32>(xo + ub + i, df);
      store<f32>(xo + 2 * ub + i, dg);
      store<f32>(xo + 3 * ub + i, dO);
      store<f32>(ho + i, di);
      store<f32>(ho + ub + i, df);
      store<f32>(ho + 2 * ub + i, dg);
      store<f32>(ho + 3 * ub + i, dO);
      store<f32>(cb + i, dct * fg);
    }
  }
}
