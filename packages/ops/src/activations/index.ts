import type { AnyOpPlugin } from '@gradstream/graph';
import { geluOp } from './gelu.js';
import { softplusOp } from './softplus.js';

export { gelu, geluOp } from './gelu.js';
export { softplus, softplusOp } from './softplus.js';

/** The op plugins of elementwise activations beyond the first five, registered with the other built-in ops. */
export const ACTIVATION_OPS: readonly AnyOpPlugin[] = Object.freeze([geluOp, softplusOp]);
