import type { Model, Plan } from '@gradstream/graph';
import type { Tensor } from '@gradstream/tensor';
import { Dataset, type ArrayData } from './dataset.js';

/**
 * Loss and metrics of a model over a whole dataset, in evaluation mode (no training).
 *
 * @example
 * ```ts
 * import type { Evaluation } from '@gradstream/trainer';
 * const show = (e: Evaluation) => `loss ${e.loss.toFixed(4)}, mse ${e.mse.toFixed(4)}`;
 * ```
 */
export interface Evaluation {
  /** Mean of the loss over samples (batch losses weighted by batch size). */
  readonly loss: number;
  /** Mean squared error of the predictions, `mean (ŷ − y)²` over samples and outputs. */
  readonly mse: number;
  readonly samples: number;
}

/**
 * Evaluates a model on data without changing it.
 *
 * @example
 * ```ts
 * import { evaluate } from '@gradstream/trainer';
 * // const { mse } = evaluate(model, { x: [[0, 1]], y: [1] });
 * ```
 */
export function evaluate(model: Model, data: ArrayData, batchSize = 256): Evaluation {
  const dataset = Dataset.from(data, model);
  const n = dataset.size;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const plans = new Map<number, Plan>();
  const width = dataset.y.size / n;
  let lossSum = 0;
  let sq = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    let plan = plans.get(size);
    if (plan === undefined) {
      plan = model.compile(size);
      plans.set(size, plan);
    }
    dataset.gather(order, start, size, plan.x, plan.y);
    lossSum += plan.forward(false) * size;
    const p = (plan.values.get(model.output) as Tensor).data;
    for (let i = 0; i < size * width; i++) {
      const d = (p[i] as number) - (plan.y.data[i] as number);
      sq += d * d;
    }
  }
  return { loss: lossSum / n, mse: sq / (n * width), samples: n };
}
