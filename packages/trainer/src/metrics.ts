import { GradstreamError, tsBackend, type Backend, type TypedArray } from '@gradstream/tensor';
import { describeValue } from './check-option.js';

/**
 * Names of the built-in metrics: `mse` (mean of (ŷ − y)²), `mae` (mean |ŷ − y|), `rmse` (√mse),
 * `accuracy` (share of rows whose arg-max matches the target's; for one output, ŷ and y rounded
 * at 0.5 must agree).
 *
 * @example
 * ```ts
 * import type { MetricName } from '@gradstream/trainer';
 * const wanted: MetricName[] = ['accuracy', 'rmse'];
 * ```
 */
export type MetricName = 'mse' | 'mae' | 'rmse' | 'accuracy';

/**
 * A running metric: fed batch after batch, read at the end of an epoch. Allocates nothing per batch.
 *
 * @example
 * ```ts
 * import { createMetric } from '@gradstream/trainer';
 * const acc = createMetric('accuracy');
 * acc.add(new Float32Array([0.9, 0.1]), new Float32Array([1, 0]), 1, 2);
 * acc.value(); // 1
 * ```
 */
export interface Metric {
  readonly name: MetricName;
  /** Adds `rows` predictions and targets of `width` values each. */
  add(pred: TypedArray, target: TypedArray, rows: number, width: number): void;
  value(): number;
  reset(): void;
  /** The two running sums behind the value (for a checkpoint: a resumed epoch goes on from them). */
  state(): [number, number];
  /** Continues from sums given by {@link Metric.state}. */
  setState(state: readonly number[]): void;
}

class ErrorMetric implements Metric {
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: 'mse' | 'mae' | 'rmse',
    private readonly absolute: boolean,
    private readonly root: boolean,
    private readonly backend: Backend,
  ) {}
  add(pred: TypedArray, target: TypedArray, rows: number, width: number): void {
    const n = rows * width;
    this.sum += this.absolute ? this.backend.sumAbsDiff(pred, target, n) : this.backend.sumSquaredDiff(pred, target, n);
    this.count += n;
  }
  value(): number {
    const mean = this.sum / this.count;
    return this.root ? Math.sqrt(mean) : mean;
  }
  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
  state(): [number, number] {
    return [this.sum, this.count];
  }
  setState(state: readonly number[]): void {
    this.sum = state[0] as number;
    this.count = state[1] as number;
  }
}

class Accuracy implements Metric {
  readonly name = 'accuracy' as const;
  private hits = 0;
  private rows = 0;
  constructor(private readonly backend: Backend) {}
  add(pred: TypedArray, target: TypedArray, rows: number, width: number): void {
    this.hits += this.backend.countArgmaxMatches(pred, target, rows, width);
    this.rows += rows;
  }
  value(): number {
    return this.hits / this.rows;
  }
  reset(): void {
    this.hits = 0;
    this.rows = 0;
  }
  state(): [number, number] {
    return [this.hits, this.rows];
  }
  setState(state: readonly number[]): void {
    this.hits = state[0] as number;
    this.rows = state[1] as number;
  }
}

/**
 * A fresh running metric by name; an unknown name is an `INVALID_OPTION` error listing the known ones.
 *
 * @example
 * ```ts
 * import { createMetric } from '@gradstream/trainer';
 * const mae = createMetric('mae');
 * ```
 */
export function createMetric(name: MetricName, backend: Backend = tsBackend): Metric {
  switch (name) {
    case 'mse':
      return new ErrorMetric('mse', false, false, backend);
    case 'rmse':
      return new ErrorMetric('rmse', false, true, backend);
    case 'mae':
      return new ErrorMetric('mae', true, false, backend);
    case 'accuracy':
      return new Accuracy(backend);
    default:
      throw new GradstreamError('INVALID_OPTION', `unknown metric ${describeValue(name)}; known metrics: accuracy, mae, mse, rmse`, { metric: name });
  }
}
