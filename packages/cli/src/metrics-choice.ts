import type { Model } from '@gradstream/graph';
import type { MetricName } from '@gradstream/trainer';

/**
 * The metrics worth reporting for a model and its targets: accuracy for a classifier (a
 * `softmaxCrossEntropy` loss); MSE and MAE for regression, plus accuracy when every target is 0
 * or 1 (a binary classifier trained with `mse`, such as XOR).
 *
 * @example
 * ```ts
 * import { chooseMetrics } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [1], layers: [{ op: 'linear', inFeatures: 1, outFeatures: 1 }], loss: { op: 'mse' } });
 * chooseMetrics(model, [[0.3], [1.7]]); // ['mse', 'mae']
 * ```
 */
export function chooseMetrics(model: Model, targets: readonly (readonly number[])[]): MetricName[] {
  if (model.lossNode.op.name === 'softmaxCrossEntropy') return ['accuracy'];
  const binary = targets.every((row) => row.every((v) => v === 0 || v === 1));
  return binary ? ['mse', 'mae', 'accuracy'] : ['mse', 'mae'];
}
