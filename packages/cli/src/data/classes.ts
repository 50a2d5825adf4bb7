import type { Model } from '@gradstream/graph';
import { sizeOf } from '@gradstream/tensor';

/**
 * The class of every target row, when the targets are classes: for a model with several outputs,
 * the arg-max of each row (a `softmaxCrossEntropy` classifier, or any model whose target rows are
 * all one-hot); for a one-output model whose targets are all 0 or 1, the target itself. Otherwise
 * (regression) `undefined`. `count` is the number of classes (the model's outputs, or 2).
 *
 * @param model - the model the targets are for
 * @param y - target rows as fitted to the model (one-hot rows for class indices)
 * @example
 * ```ts
 * import { targetClasses } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 3 }], loss: { op: 'softmaxCrossEntropy' } });
 * targetClasses(model, [[0, 0, 1], [1, 0, 0]]); // { count: 3, labels: [2, 0] }
 * ```
 */
export function targetClasses(model: Model, y: readonly (readonly number[])[]): { readonly count: number; readonly labels: number[] } | undefined {
  const width = sizeOf(model.outputShape);
  if (width === 1) {
    if (!y.every((row) => row[0] === 0 || row[0] === 1)) return undefined;
    return { count: 2, labels: y.map((row) => row[0] as number) };
  }
  const classifier = model.lossNode.op.name === 'softmaxCrossEntropy';
  if (!classifier && !y.every(isOneHot)) return undefined;
  return { count: width, labels: y.map((row) => argmax(row, 0, width)) };
}

/**
 * The class a model's output row stands for, as the `accuracy` metric reads it: the arg-max of
 * several outputs (the first on a tie), or, for one output, 1 when it is ≥ 0.5 and 0 otherwise.
 *
 * @param output - the model's outputs, row after row
 * @param row - which row
 * @param width - outputs per row
 * @example
 * ```ts
 * import { predictedClass } from '@gradstream/cli';
 * predictedClass([0.1, 2.5, -1], 0, 3); // 1
 * predictedClass([0.7], 0, 1); // 1
 * ```
 */
export function predictedClass(output: ArrayLike<number>, row: number, width: number): number {
  if (width === 1) return (output[row] as number) >= 0.5 ? 1 : 0;
  return argmax(output, row * width, width);
}

function isOneHot(row: readonly number[]): boolean {
  let ones = 0;
  for (const v of row) {
    if (v === 1) ones++;
    else if (v !== 0) return false;
  }
  return ones === 1;
}

function argmax(a: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if ((a[offset + j] as number) > (a[offset + best] as number)) best = j;
  return best;
}
