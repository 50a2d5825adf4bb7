/**
 * σ(x) as `UNARY_OPS.sigmoid` defines it: t = e^(−|x|) ≤ 1, then 1/(1+t) for x ≥ 0 and t/(1+t)
 * below, so no exponential overflows and NaN stays NaN. The recurrent cells' gates use it; their
 * n and g gates use `Math.tanh`, as `UNARY_OPS.tanh` does.
 */
export function sigmoid(x: number): number {
  const t = Math.exp(-Math.abs(x));
  const d = 1 + t;
  return x >= 0 ? 1 / d : t / d;
}
