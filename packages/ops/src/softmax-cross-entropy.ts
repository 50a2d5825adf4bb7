import { defineOp, expectSameShape, shapeError, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';
import { lossRows } from './losses/loss-rows.js';

/**
 * Softmax cross-entropy loss on logits, fused and numerically stable:
 * `L = (1/R) · Σ_r −Σ_j target_rj · log softmax(logits_r)_j` over the R rows of `logits`.
 *
 * Inputs: `logits` and `target` of the same shape `[batch, classes]`, or any rank ≥ 2 with the
 * classes last — `[batch, T, classes]` for a class per time step —, the softmax taken over the last
 * axis and R the product of the leading axes (the batch, or batch·T). Each target row is one-hot or
 * any probability distribution. The target receives no gradient. The log-probabilities come from
 * log-sum-exp with the row maximum subtracted, so logits of ±1000 still give a finite loss.
 *
 * Forward keeps the softmax probabilities `p` in a scratch buffer, so backward never recomputes
 * an exponential: `∂L/∂logits = dy · (p − target) / R`. (For a target row whose sum `s` is not 1
 * the exact gradient `dy · (p·s − target) / R` is used, which reduces to the former when `s = 1`.)
 *
 * Reduction: the sum over the classes and the mean over the rows, as `mse` and the other losses;
 * the same as PyTorch's `CrossEntropyLoss()` (mean over the batch and every position) and Keras's
 * `CategoricalCrossentropy(from_logits=True)`.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, softmaxCrossEntropy } from '@gradstream/ops';
 * // 4 features → 3 class logits; targets are one-hot rows of width 3.
 * const model = sequential([linear({ inFeatures: 4, outFeatures: 3 })], { inputShape: [4], loss: softmaxCrossEntropy() });
 * ```
 */
export const softmaxCrossEntropyOp = defineOp({
  name: 'softmaxCrossEntropy',
  description: 'loss L = mean over rows of −Σ target · log softmax(logits) over the last axis, fused and stable',
  inputs: ['logits', 'target'],
  nonDifferentiable: ['target'],
  save: { inputs: ['target'] },
  outputShape: ([logits, target]: readonly Shape[]) => {
    if (logits === undefined || logits.length < 2) shapeError('logits', '[batch,...,classes] (rank ≥ 2)', logits ?? []);
    expectSameShape('logits', logits, 'target', target);
    return [];
  },
  scratch: ([logits]: readonly Shape[]) => ({ probs: logits as Shape }),
  forward({ inputs: { logits, target }, out, scratch, backend }) {
    const classes = logits.shape[logits.shape.length - 1] as number;
    backend.softmaxCrossEntropy(logits.data, target.data, scratch.probs.data, out.data, lossRows(logits.shape), classes);
  },
  backward({ dy, saved, dInputs, scratch, backend }) {
    const dx = dInputs.logits;
    if (dx === undefined) return;
    const classes = dx.shape[dx.shape.length - 1] as number;
    backend.softmaxCrossEntropyBackward(scratch.probs.data, saved.inputs.target.data, dy.data, dx.data, lossRows(dx.shape), classes);
  },
  gradcheckCase: (rng) => {
    const classes = 2 + rng.int(5);
    const shape = [1 + rng.int(5), classes];
    // Sometimes a time axis: rows over several leading axes.
    if (rng.next() < 0.5) shape.splice(1, 0, 1 + rng.int(3));
    return {
      config: {},
      inputShapes: [shape, shape],
      fillInput: (index, data, r) => {
        if (index === 0) {
          for (let j = 0; j < data.length; j++) data[j] = r.uniform(-3, 3);
          return;
        }
        // Target rows: positive weights normalised to sum to 1 (probability rows).
        for (let o = 0; o < data.length; o += classes) {
          let s = 0;
          for (let c = 0; c < classes; c++) s += data[o + c] = 0.05 + r.next();
          for (let c = 0; c < classes; c++) data[o + c] = (data[o + c] as number) / s;
        }
      },
    };
  },
});

/**
 * A {@link softmaxCrossEntropyOp} loss for `sequential` or a model spec: the model's last layer
 * outputs logits, the targets are one-hot (or probability) rows of the same width.
 *
 * @example
 * ```ts
 * import { softmaxCrossEntropy } from '@gradstream/ops';
 * softmaxCrossEntropy(); // { op: 'softmaxCrossEntropy' }
 * ```
 */
export function softmaxCrossEntropy(options: LayerOptions = {}): LayerSpec {
  return { op: softmaxCrossEntropyOp.name, ...options };
}
