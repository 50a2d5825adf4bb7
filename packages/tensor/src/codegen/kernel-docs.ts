/*
 * The TSDoc of the kernel functions in kernels/generated.ts, kept apart from kernels/templates.ts:
 * the TypeScript backend loads the templates at run time (compiled plans write their loops in
 * place), so any text stored there ships in every bundle, while these comments are needed only
 * when generated.ts is rendered. Only the generator imports this module.
 */

/**
 * TSDoc of each kernel that generated.ts exports (without the comment markers), by the name of
 * its template in `TEMPLATES`. Every template has exactly one entry here, and a test holds the
 * two sets of names equal.
 *
 * @example
 * ```ts
 * import { KERNEL_DOCS } from './kernel-docs.js';
 * KERNEL_DOCS.fill?.split('\n')[0]; // 'Sets every element of `out` to `value`.'
 * ```
 */
export const KERNEL_DOCS: Readonly<Record<string, string>> = {
  add: `\`out[i] = a[i] + b[i]\` for every element of \`out\`. \`out\` may be \`a\` or \`b\` (gradients that meet
are summed in place this way).

@example
\`\`\`ts
import { add } from '@gradstream/tensor';
const out = new Float32Array(2);
add(new Float32Array([1, 2]), new Float32Array([3, 4]), out); // out = [4, 6]
\`\`\``,
  mul: `\`out[i] = a[i] * b[i]\` for every element of \`out\`.

@example
\`\`\`ts
import { mul } from '@gradstream/tensor';
const out = new Float32Array(1);
mul(new Float32Array([2]), new Float32Array([3]), out); // out = [6]
\`\`\``,
  scale: `\`out[i] = s * a[i]\` for every element of \`out\`.

@example
\`\`\`ts
import { scale } from '@gradstream/tensor';
const out = new Float32Array(2);
scale(new Float32Array([1, 2]), 0.5, out); // out = [0.5, 1]
\`\`\``,
  copy: `Copies the first \`dst.length\` elements of \`src\` into \`dst\`.

@example
\`\`\`ts
import { copy } from '@gradstream/tensor';
const dst = new Float32Array(2);
copy(new Float32Array([1, 2]), dst); // dst = [1, 2]
\`\`\``,
  fill: `Sets every element of \`out\` to \`value\`.

@example
\`\`\`ts
import { fill } from '@gradstream/tensor';
const out = new Float32Array(3);
fill(out, 1); // out = [1, 1, 1]
\`\`\``,
  addRowBroadcast: `\`out[r, c] = x[r, c] + bias[c]\`: adds a row vector to every row of a \`rows×cols\` matrix.
\`out\` may be \`x\`.

@example
\`\`\`ts
import { addRowBroadcast } from '@gradstream/tensor';
const out = new Float32Array(4);
addRowBroadcast(new Float32Array([1, 2, 3, 4]), new Float32Array([10, 20]), out, 2, 2); // [11, 22, 13, 24]
\`\`\``,
  sumRows: `Column sums of a \`rows×cols\` matrix: \`out[c] = Σ_r x[r, c]\` (reduces axis 0; a bias gradient).
Without \`accumulate\` the first row is assigned, not added to a zero fill.

@param accumulate - add into \`out\` instead of overwriting it
@example
\`\`\`ts
import { sumRows } from '@gradstream/tensor';
const out = new Float32Array(2);
sumRows(new Float32Array([1, 2, 3, 4]), out, 2, 2); // out = [4, 6]
\`\`\``,
  matmulSmall: `\`out = op(A)·op(B)\` (or \`+=\`) as one plain loop through strides, summed in float64: what
\`matmul\` runs for products of at most 64 multiply-adds, where tiling costs more than it saves.
\`aRs\`/\`aPs\` step to the next row of op(A) and along k; \`bPs\`/\`bCs\` along k and to the next column of op(B).

@example
\`\`\`ts
import { matmulSmall } from '@gradstream/tensor';
const out = new Float32Array(1);
matmulSmall(new Float32Array([1, 2]), new Float32Array([3, 4]), out, 1, 1, 2, 2, 1, 1, 1, false); // out = [11]
\`\`\``,
  mse: `Halved mean squared error over a batch: \`loss[0] = ½ · (1/rows) · Σ_i (pred[i] − target[i])²\`,
the sum running over every element of \`pred\` (\`rows\` samples of any width).

@example
\`\`\`ts
import { mse } from '@gradstream/tensor';
const loss = new Float64Array(1);
mse(new Float64Array([3]), new Float64Array([1]), loss, 1); // loss = [2]
\`\`\``,
  mseBackward: `Backward of {@link mse}: \`dPred[i] = (dLoss[0] / rows) · (pred[i] − target[i])\`.

@example
\`\`\`ts
import { mseBackward } from '@gradstream/tensor';
const dPred = new Float64Array(1);
mseBackward(new Float64Array([3]), new Float64Array([1]), new Float64Array([1]), dPred, 1); // dPred = [2]
\`\`\``,
  sgdUpdate: `Plain gradient descent on one parameter, in place: \`w[i] ← w[i] − lr · g[i]\`.

@example
\`\`\`ts
import { sgdUpdate } from '@gradstream/tensor';
const w = new Float32Array([1]);
sgdUpdate(w, new Float32Array([2]), 0.1); // w = [0.8]
\`\`\``,
  weightPenalty: `Adds the gradient of the weight penalty \`l1·Σ|w| + (l2/2)·Σw²\` (L1 and L2 regularization) to a
parameter's gradient, in place: \`g[i] ← g[i] + l1·sign(w[i]) + l2·w[i]\`, with sign(±0) = 0. An optimizer
step after it descends the penalized objective; with \`l1\` = 0 it is the L2 penalty of PyTorch's
\`weight_decay\`.

@example
\`\`\`ts
import { weightPenalty } from '@gradstream/tensor';
const g = new Float32Array([1, 1, 1]);
weightPenalty(new Float32Array([2, 0, -4]), g, 0.5, 0.25); // g = [2, 1, -0.5]
\`\`\``,
  momentumUpdate: `Gradient descent with momentum on one parameter, in place, as PyTorch's \`SGD(momentum=μ)\`:
\`v ← μ·v + g\`, then \`w ← w − lr·v\`, or with Nesterov's look-ahead \`w ← w − lr·(g + μ·v)\`.

@example
\`\`\`ts
import { momentumUpdate } from '@gradstream/tensor';
const w = new Float32Array([1]), v = new Float32Array([0]);
momentumUpdate(w, new Float32Array([1]), v, 0.1, 0.9, false); // v = [1], w = [0.9]
\`\`\``,
  adamUpdate: `One bias-corrected Adam step on one parameter, in place, in PyTorch's order of operations:
\`m ← β₁m + (1−β₁)g\`, \`v ← β₂v + (1−β₂)g²\`, \`w ← w − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)\`, with
\`t\` counting steps from 1. With \`weightDecay\` λ > 0 it is AdamW: \`w\` first shrinks by the
factor \`1 − lr·λ\`, decoupled from the gradient (Adam's per-weight scaling never weakens it).

@example
\`\`\`ts
import { adamUpdate } from '@gradstream/tensor';
const w = new Float64Array([1]), m = new Float64Array(1), v = new Float64Array(1);
adamUpdate(w, new Float64Array([3]), m, v, 0.1, 0.9, 0.999, 1e-8, 0, 1); // w ≈ [0.9]
\`\`\``,
};
