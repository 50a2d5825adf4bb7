import { GradstreamError, type TypedArray } from '@gradstream/tensor';

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
}

class ErrorMetric implements Metric {
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: 'mse' | 'mae' | 'rmse',
    private readonly absolute: boolean,
    private readonly root: boolean,
  ) {}
  add(pred: TypedArray, target: TypedArray, rows: number, width: number): void {
    const n = rows * width;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = (pred[i] as number) - (target[i] as number);
      s += this.absolute ? Math.abs(d) : d * d;
    }
    this.sum += s;
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
}

class Accuracy implements Metric {
  readonly name = 'accuracy' as const;
  private hits = 0;
  private rows = 0;
  add(pred: TypedArray, target: TypedArray, rows: number, width: number): void {
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      if (width === 1) {
        if ((pred[o] as number) >= 0.5 === (target[o] as number) >= 0.5) this.hits++;
      } else if (argmax(pred, o, width) === argmax(target, o, width)) {
        this.hits++;
      }
    }
    this.rows += rows;
  }
  value(): number {
    return this.hits / this.rows;
  }
  reset(): void {
    this.hits = 0;
    this.rows = 0;
  }
}

function argmax(a: TypedArray, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if ((a[offset + j] as number) > (a[offset + best] as number)) best = j;
  return best;
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
export function createMetric(name: MetricName): Metric {
  switch (name) {
    case 'mse':
      return new ErrorMetric('mse', false, false);
    case 'rmse':
      return new ErrorMetric('rmse', false, true);
    case 'mae':
      return new ErrorMetric('mae', true, false);
    case 'accuracy':
      return new Accuracy();
    default:
      throw new GradstreamError('INVALID_OPTION', `unknown metric "${String(name)}"; known metrics: accuracy, mae, mse, rmse`, { metric: name });
  }
}
