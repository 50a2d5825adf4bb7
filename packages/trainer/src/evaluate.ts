import type { Model } from '@gradstream/graph';
import type { Tensor } from '@gradstream/tensor';
import { Dataset, type ArrayData } from './dataset.js';
import type { Scores } from './events.js';
import { createMetric, type Metric, type MetricName } from './metrics.js';

/**
 * Loss and metrics of a model over a whole dataset, in evaluation mode (no training).
 *
 * @example
 * ```ts
 * import type { Evaluation } from '@gradstream/trainer';
 * const show = (e: Evaluation) => `loss ${e.loss.toFixed(4)}, mse ${e.mse.toFixed(4)}`;
 * ```
 */
export interface Evaluation extends Scores {
  /** Mean squared error of the predictions, `mean (ŷ − y)²` over samples and outputs. */
  readonly mse: number;
  readonly samples: number;
}

/**
 * Scores a model on a fixed dataset again and again (after every epoch, say), reusing its plans:
 * after the first call it allocates no buffers.
 *
 * @example
 * ```ts
 * import { Dataset, Evaluator } from '@gradstream/trainer';
 * // const val = new Evaluator(model, Dataset.from(valData, model), ['accuracy']);
 * // val.run().metrics.accuracy;
 * ```
 */
export class Evaluator {
  private readonly order: Uint32Array;
  private readonly metrics: readonly Metric[];
  private readonly mse: Metric;
  /** Rows each sample's output holds (the time steps of `[batch, T, classes]`) and the classes in each. */
  private readonly rows: number;
  private readonly width: number;

  constructor(
    private readonly model: Model,
    private readonly data: Dataset,
    metrics: readonly MetricName[] = [],
    private readonly batchSize = 256,
  ) {
    this.order = new Uint32Array(data.size);
    for (let i = 0; i < data.size; i++) this.order[i] = i;
    this.metrics = metrics.map((m) => createMetric(m, model.backend));
    this.mse = createMetric('mse', model.backend);
    // Metrics score rows of the last axis: one prediction per time step of a sequence output.
    this.width = model.outputShape.at(-1) ?? 1;
    this.rows = data.y.size / data.size / this.width;
  }

  /** Number of samples scored. */
  get samples(): number {
    return this.data.size;
  }

  /** Loss, MSE and the requested metrics over the dataset. */
  run(): Evaluation {
    const n = this.data.size;
    let lossSum = 0;
    for (const m of this.metrics) m.reset();
    this.mse.reset();
    for (let start = 0; start < n; start += this.batchSize) {
      const size = Math.min(this.batchSize, n - start);
      // Forward-only plans from the model's one cache: evaluation allocates no gradient.
      const plan = this.model.plan(size, 'infer');
      this.data.gather(this.order, start, size, plan.x, plan.y);
      lossSum += plan.forward(false) * size;
      const pred = (plan.values.get(this.model.output) as Tensor).data;
      this.mse.add(pred, plan.y.data, size * this.rows, this.width);
      for (const m of this.metrics) m.add(pred, plan.y.data, size * this.rows, this.width);
    }
    const metrics: Record<string, number> = {};
    for (const m of this.metrics) metrics[m.name] = m.value();
    return { loss: lossSum / n, mse: this.mse.value(), metrics, samples: n };
  }
}

/**
 * Evaluates a model on data without changing it.
 *
 * @example
 * ```ts
 * import { evaluate } from '@gradstream/trainer';
 * // const { mse, metrics } = evaluate(model, { x: [[0, 1]], y: [1] }, ['accuracy']);
 * ```
 */
export function evaluate(model: Model, data: ArrayData, metrics: readonly MetricName[] = [], batchSize = 256): Evaluation {
  return new Evaluator(model, Dataset.from(data, model), metrics, batchSize).run();
}
