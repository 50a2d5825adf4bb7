import type { Model, Plan } from '@gradstream/graph';
import { GradstreamError, type Tensor } from '@gradstream/tensor';
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
    if (this.model.backend.sync !== undefined) {
      throw new GradstreamError('INVALID_USAGE', `evaluate: the ${this.model.backend.name} backend's results come back asynchronously: use await evaluateAsync(…) (or Evaluator.runAsync)`, {
        backend: this.model.backend.name,
      });
    }
    this.begin();
    for (let start = 0; start < this.data.size; start += this.batchSize) this.score(this.forward(start));
    return this.result();
  }

  /**
   * {@link Evaluator.run} on any backend: on a device backend (WebGPU) each batch's loss and
   * predictions are read back in one transfer.
   */
  async runAsync(): Promise<Evaluation> {
    const sync = this.model.backend.sync;
    this.begin();
    for (let start = 0; start < this.data.size; start += this.batchSize) {
      const plan = this.forward(start);
      if (sync !== undefined) await sync.download([(plan.values.get(this.model.lossNode.name) as Tensor).data, (plan.values.get(this.model.output) as Tensor).data]);
      this.score(plan);
    }
    return this.result();
  }

  private lossSum = 0;

  private begin(): void {
    this.lossSum = 0;
    for (const m of this.metrics) m.reset();
    this.mse.reset();
  }

  /** The batch from `start` gathered into its plan (sent to the device, if any) and run forward. */
  private forward(start: number): Plan {
    const size = Math.min(this.batchSize, this.data.size - start);
    // Forward-only plans from the model's one cache: evaluation allocates no gradient.
    const plan = this.model.plan(size, 'infer');
    this.data.gather(this.order, start, size, plan.x, plan.y);
    this.model.backend.sync?.upload([plan.x.data, plan.y.data]);
    plan.forward(false);
    return plan;
  }

  private score(plan: Plan): void {
    const size = plan.batchSize;
    this.lossSum += plan.loss * size;
    const pred = (plan.values.get(this.model.output) as Tensor).data;
    this.mse.add(pred, plan.y.data, size * this.rows, this.width);
    for (const m of this.metrics) m.add(pred, plan.y.data, size * this.rows, this.width);
  }

  private result(): Evaluation {
    const metrics: Record<string, number> = {};
    for (const m of this.metrics) metrics[m.name] = m.value();
    const n = this.data.size;
    return { loss: this.lossSum / n, mse: this.mse.value(), metrics, samples: n };
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

/**
 * {@link evaluate} on any backend: on the WebGPU one, each batch's results are read back from the
 * device before they are scored.
 *
 * @example
 * ```ts
 * import { evaluateAsync } from '@gradstream/trainer';
 * // const { metrics } = await evaluateAsync(model, { x: testX, y: testY }, ['accuracy']);
 * ```
 */
export function evaluateAsync(model: Model, data: ArrayData, metrics: readonly MetricName[] = [], batchSize = 256): Promise<Evaluation> {
  return new Evaluator(model, Dataset.from(data, model), metrics, batchSize).runAsync();
}
