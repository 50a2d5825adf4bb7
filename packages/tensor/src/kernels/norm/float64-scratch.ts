/** The float64 slots the norm kernels sum in; grown, never shrunk, so calls after the first allocate nothing. */
let slots = new Float64Array(64);

/**
 * At least `n` float64 slots (their contents left from the previous call): where the norm kernels
 * carry per-column sums in float64 whatever the buffers' type. Kernels run one at a time, so one
 * area serves them all, as matmul's packing panels do.
 */
export function float64Scratch(n: number): Float64Array {
  if (slots.length < n) slots = new Float64Array(Math.max(n, 2 * slots.length));
  return slots;
}
