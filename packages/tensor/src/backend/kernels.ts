import type { TypedArray } from '../dtype.js';
import type { UnaryName } from '../math/unary-ops.js';
import type { Rng } from '../rng.js';
import { IMAGE_KERNEL_NAMES, type ImageKernels } from './kernels-image.js';
import { NORM_KERNEL_NAMES, type NormKernels } from './kernels-norm.js';
import { SEQUENCE_KERNEL_NAMES, type SequenceKernels } from './kernels-sequence.js';
import { ATTENTION_KERNEL_NAMES, type AttentionKernels } from './kernels-attention.js';
import { LOSS_KERNEL_NAMES, type LossKernels } from './kernels-loss.js';

/**
 * The kernel set: every computation ops, losses, optimizers, metrics and gradient norms perform,
 * by name. A backend implements all of them; each writes into buffers its caller allocated (with
 * the backend's `allocate`) and allocates nothing. Sizes are element counts; matrices are
 * row-major. The TypeScript reference implementations (exported under the same names from this
 * package) document each one with an example.
 *
 * @example
 * ```ts
 * import { tsBackend, type Kernels } from '@gradstream/tensor';
 * const k: Kernels = tsBackend;
 * const out = new Float32Array(2);
 * k.unary('relu', new Float32Array([-1, 2]), out); // out = [0, 2]
 * ```
 */
export interface Kernels extends ImageKernels, NormKernels, SequenceKernels, AttentionKernels, LossKernels {
  /** `out = op(A)·op(B)` (or `+=`), `op(A)` m×k, `op(B)` k×n; see the `matmul` function. */
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, m: number, n: number, k: number, transA?: boolean, transB?: boolean, accumulate?: boolean): void;
  /** `out = a + b`, elementwise; `out` may alias either. */
  add(a: TypedArray, b: TypedArray, out: TypedArray): void;
  /** `out = a ⊙ b`, elementwise. */
  mul(a: TypedArray, b: TypedArray, out: TypedArray): void;
  /** `out = s · a`. */
  scale(a: TypedArray, s: number, out: TypedArray): void;
  /** `dst = src` (the first `dst.length` elements). */
  copy(src: TypedArray, dst: TypedArray): void;
  /** Every element of `out` set to `value`. */
  fill(out: TypedArray, value: number): void;
  /** `out[r,c] = x[r,c] + bias[c]`; `out` may be `x`. */
  addRowBroadcast(x: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number): void;
  /** `out[c] = Σ_r x[r,c]` (or `+=`). */
  sumRows(x: TypedArray, out: TypedArray, rows: number, cols: number, accumulate?: boolean): void;
  /** `out = f(x)` for the elementwise function `fn` of `UNARY_OPS`, `p` its parameter. */
  unary(fn: UnaryName, x: TypedArray, out: TypedArray, p?: number): void;
  /** `dx = f′ ⊙ dy` from the value `fn` saves (`x` or `y`, see `UNARY_OPS`). */
  unaryBackward(fn: UnaryName, saved: TypedArray, dy: TypedArray, dx: TypedArray, p?: number): void;
  /** Fused `out[r,c] = f(z[r,c] + bias[c])`; equal bit for bit to `addRowBroadcast` then `unary`. */
  biasUnary(fn: UnaryName, z: TypedArray, bias: TypedArray, out: TypedArray, rows: number, cols: number, p?: number): void;
  /** Fused `dz = f′ ⊙ dy`, `dbias = Σ_r dz`; equal bit for bit to `unaryBackward` then `sumRows`. */
  unaryBiasBackward(fn: UnaryName, saved: TypedArray, dy: TypedArray, dz: TypedArray, dbias: TypedArray, rows: number, cols: number, p?: number): void;
  /** Row-wise softmax, stable. */
  softmaxRows(x: TypedArray, out: TypedArray, rows: number, cols: number): void;
  /** Row-wise softmax backward from its output. */
  softmaxRowsBackward(y: TypedArray, dy: TypedArray, dx: TypedArray, rows: number, cols: number): void;
  /** `loss[0]` = mean softmax cross-entropy of the rows; probabilities into `probs`. */
  softmaxCrossEntropy(logits: TypedArray, target: TypedArray, probs: TypedArray, loss: TypedArray, rows: number, cols: number): void;
  /** Gradient of {@link Kernels.softmaxCrossEntropy} w.r.t. the logits, scaled by `dLoss[0]`. */
  softmaxCrossEntropyBackward(probs: TypedArray, target: TypedArray, dLoss: TypedArray, dx: TypedArray, rows: number, cols: number): void;
  /** `loss[0] = ½ · Σ (pred − target)² / rows`. */
  mse(pred: TypedArray, target: TypedArray, loss: TypedArray, rows: number): void;
  /** `dPred = (dLoss[0] / rows) · (pred − target)`. */
  mseBackward(pred: TypedArray, target: TypedArray, dLoss: TypedArray, dPred: TypedArray, rows: number): void;
  /** An inverted-dropout mask from the generator (one draw per element, in order). */
  dropoutMask(rng: Rng, rate: number, mask: TypedArray): void;
  /** `w ← w − lr·g`. */
  sgdUpdate(w: TypedArray, g: TypedArray, lr: number): void;
  /** `g ← g + l1·sign(w) + l2·w` (sign(±0) = 0): the gradient of the penalty `l1·Σ|w| + (l2/2)·Σw²` added in place. */
  weightPenalty(w: TypedArray, g: TypedArray, l1: number, l2: number): void;
  /** Momentum (optionally Nesterov) step, as PyTorch's SGD. */
  momentumUpdate(w: TypedArray, g: TypedArray, v: TypedArray, lr: number, momentum: number, nesterov: boolean): void;
  /** Adam step (AdamW when `weightDecay` > 0), `t` counting from 1. */
  adamUpdate(w: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, lr: number, beta1: number, beta2: number, epsilon: number, weightDecay: number, t: number): void;
  /** `Σ x²` in float64. */
  sumSquares(x: TypedArray): number;
  /** Index of the first NaN or ±Infinity, or −1. */
  firstNonFinite(x: TypedArray): number;
  /** `Σ_{i<n} (a − b)²` in float64. */
  sumSquaredDiff(a: TypedArray, b: TypedArray, n: number): number;
  /** `Σ_{i<n} |a − b|` in float64. */
  sumAbsDiff(a: TypedArray, b: TypedArray, n: number): number;
  /** How many rows pick the same class in `pred` and `target` (argmax; one column: the side of 0.5). */
  countArgmaxMatches(pred: TypedArray, target: TypedArray, rows: number, cols: number): number;
}

/**
 * The name of a kernel.
 *
 * @example
 * ```ts
 * import type { KernelName } from '@gradstream/tensor';
 * const k: KernelName = 'matmul';
 * ```
 */
export type KernelName = keyof Kernels;

/**
 * Every kernel name, once each (a test holds it equal to the keys of the TypeScript backend).
 *
 * @example
 * ```ts
 * import { KERNEL_NAMES } from '@gradstream/tensor';
 * KERNEL_NAMES.includes('adamUpdate'); // true
 * ```
 */
export const KERNEL_NAMES = Object.freeze([
  'matmul',
  'add',
  'mul',
  'scale',
  'copy',
  'fill',
  'addRowBroadcast',
  'sumRows',
  'unary',
  'unaryBackward',
  'biasUnary',
  'unaryBiasBackward',
  'softmaxRows',
  'softmaxRowsBackward',
  'softmaxCrossEntropy',
  'softmaxCrossEntropyBackward',
  'mse',
  'mseBackward',
  'dropoutMask',
  'sgdUpdate',
  'weightPenalty',
  'momentumUpdate',
  'adamUpdate',
  'sumSquares',
  'firstNonFinite',
  'sumSquaredDiff',
  'sumAbsDiff',
  'countArgmaxMatches',
  ...IMAGE_KERNEL_NAMES,
  ...NORM_KERNEL_NAMES,
  ...SEQUENCE_KERNEL_NAMES,
  ...ATTENTION_KERNEL_NAMES,
  ...LOSS_KERNEL_NAMES,
] as const satisfies readonly KernelName[]);

/**
 * Kernels that return a number computed from the data: they read results at once, so a compiled
 * pass never contains them (and a backend that queues work must finish it before they answer).
 *
 * @example
 * ```ts
 * import { READING_KERNELS } from '@gradstream/tensor';
 * READING_KERNELS.has('sumSquares'); // true
 * ```
 */
export const READING_KERNELS: ReadonlySet<KernelName> = new Set<KernelName>(['sumSquares', 'firstNonFinite', 'sumSquaredDiff', 'sumAbsDiff', 'countArgmaxMatches']);
