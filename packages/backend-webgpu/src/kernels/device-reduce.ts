import type { DeviceSync } from '@gradstream/tensor';
import type { GpuContext } from '../gpu-context.js';
import { runWholeReduction, wholeReduction } from './whole-reduction.js';

const SUM_SQUARES = wholeReduction({
  name: 'sumSquaresInto',
  arrays: ['x', 'out'],
  uniforms: [['index', 'u32']],
  term: '(x[j] * x[j])',
  combine: 'A + B',
  zero: '0.0',
  finish: 'out[u.index] = r;',
});
// A NaN or infinity anywhere makes the flag 1; max keeps it through the tree.
const NON_FINITE = wholeReduction({
  name: 'nonFiniteInto',
  arrays: ['x', 'out'],
  uniforms: [['index', 'u32']],
  term: 'select(1.0, 0.0, gs_finite(x[j]))',
  combine: 'max(A, B)',
  zero: '0.0',
  finish: 'out[u.index] = r;',
});

/** The reductions the training loop reads back with each step's loss instead of whole gradients. */
export function deviceReductions(ctx: GpuContext): Pick<DeviceSync, 'sumSquaresInto' | 'nonFiniteInto'> {
  return {
    sumSquaresInto: (x, out, index) => runWholeReduction(ctx, SUM_SQUARES, [x, out], [x.length, index], x.length),
    nonFiniteInto: (x, out, index) => runWholeReduction(ctx, NON_FINITE, [x, out], [x.length, index], x.length),
  };
}
