import type { Model } from '@gradstream/graph';
import { sizeOf } from '@gradstream/tensor';
import { predictedClass, targetClasses } from '../data/classes.js';
import { formatNumber } from '../format.js';
import { modelOutputs, modelOutputsAsync } from '../predict/predictions.js';

/**
 * How well one class is told apart: `precision` — of the samples predicted as the class, the share
 * that are; `recall` — of the samples of the class, the share predicted as it; `null` when nothing
 * was predicted as the class, or it has no samples. `samples` counts the samples of the class.
 *
 * @example
 * ```ts
 * import type { ClassScore } from '@gradstream/cli';
 * const s: ClassScore = { class: 2, precision: 0.9, recall: 1, samples: 9 };
 * ```
 */
export interface ClassScore {
  /** The class index. */
  readonly class: number;
  /** Of the samples predicted as the class, the share that are (`null`: none was). */
  readonly precision: number | null;
  /** Of the samples of the class, the share predicted as it (`null`: it has none). */
  readonly recall: number | null;
  /** How many samples of the class there are. */
  readonly samples: number;
}

/**
 * A classifier's results on labelled data: the confusion matrix (`matrix[t][p]` counts the samples
 * of class `t` predicted as `p`) and each class's precision and recall.
 *
 * @example
 * ```ts
 * import type { ClassReport } from '@gradstream/cli';
 * const hits = (r: ClassReport) => r.matrix.reduce((n, row, t) => n + (row[t] ?? 0), 0);
 * ```
 */
export interface ClassReport {
  /** `matrix[t][p]`: samples of class `t` predicted as `p`. */
  readonly matrix: readonly (readonly number[])[];
  /** Precision and recall of each class, in class order. */
  readonly classes: readonly ClassScore[];
}

/**
 * Counts (true class, predicted class) pairs: `matrix[t][p]` is how many samples of class `t` were
 * predicted as `p`.
 *
 * @param actual - the true class of every sample
 * @param predicted - the predicted class of every sample
 * @param classes - the number of classes (the matrix is `classes × classes`)
 * @example
 * ```ts
 * import { confusionMatrix } from '@gradstream/cli';
 * confusionMatrix([0, 0, 1, 1], [0, 1, 1, 1], 2); // [[1, 1], [0, 2]]
 * ```
 */
export function confusionMatrix(actual: readonly number[], predicted: readonly number[], classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  actual.forEach((t, i) => {
    const row = matrix[t];
    const p = predicted[i] as number;
    if (row !== undefined && p >= 0 && p < classes) row[p] = (row[p] as number) + 1;
  });
  return matrix;
}

/**
 * Precision and recall of every class of a confusion matrix ({@link confusionMatrix}).
 *
 * @example
 * ```ts
 * import { classScores } from '@gradstream/cli';
 * classScores([[1, 1], [0, 2]]);
 * // [{ class: 0, precision: 1, recall: 0.5, samples: 2 }, { class: 1, precision: 0.6667, recall: 1, samples: 2 }] (to 4 digits)
 * ```
 */
export function classScores(matrix: readonly (readonly number[])[]): ClassScore[] {
  return matrix.map((row, c) => {
    const hits = row[c] ?? 0;
    const samples = row.reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, r) => a + (r[c] ?? 0), 0);
    return { class: c, precision: predicted === 0 ? null : hits / predicted, recall: samples === 0 ? null : hits / samples, samples };
  });
}

/**
 * A model's {@link ClassReport} on labelled data, predicted in evaluation mode, when the targets are
 * classes (see {@link targetClasses}); `undefined` for regression targets. The classes are read the
 * way the `accuracy` metric reads them, so the matrix's diagonal holds its hits.
 * On WebGPU, use {@link classReportAsync}.
 *
 * @param model - the model
 * @param x - input rows, as the model takes them (preprocessed)
 * @param y - target rows, as fitted to the model
 * @param batch - rows per forward pass
 * @example
 * ```ts
 * import { classReport } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 2 }], loss: { op: 'softmaxCrossEntropy' } });
 * classReport(model, [[0, 1], [1, 0]], [[1, 0], [0, 1]])?.matrix; // 2 × 2 counts summing to 2
 * ```
 */
export function classReport(model: Model, x: readonly (readonly number[])[], y: readonly (readonly number[])[], batch = 256): ClassReport | undefined {
  const targets = targetClasses(model, y);
  return targets === undefined ? undefined : reportOf(model, targets, modelOutputs(model, x, batch));
}

/**
 * {@link classReport} on any backend, the WebGPU one included: the outputs are read back from the
 * device batch by batch (see {@link modelOutputsAsync}).
 *
 * @param model - the model
 * @param x - input rows, as the model takes them (preprocessed)
 * @param y - target rows, as fitted to the model
 * @param batch - rows per forward pass
 * @example
 * ```ts
 * import { classReportAsync } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 2 }], loss: { op: 'softmaxCrossEntropy' } });
 * (await classReportAsync(model, [[0, 1], [1, 0]], [[1, 0], [0, 1]]))?.matrix; // 2 × 2 counts summing to 2
 * ```
 */
export async function classReportAsync(model: Model, x: readonly (readonly number[])[], y: readonly (readonly number[])[], batch = 256): Promise<ClassReport | undefined> {
  const targets = targetClasses(model, y);
  return targets === undefined ? undefined : reportOf(model, targets, await modelOutputsAsync(model, x, batch));
}

/** The report from the true classes and the model's outputs (`rows × classes`, row after row). */
function reportOf(model: Model, targets: { readonly labels: readonly number[]; readonly count: number }, outputs: Float64Array): ClassReport {
  const width = sizeOf(model.outputShape);
  const predicted = targets.labels.map((_, i) => predictedClass(outputs, i, width));
  const matrix = confusionMatrix(targets.labels, predicted, targets.count);
  return { matrix, classes: classScores(matrix) };
}

/**
 * A confusion matrix as a table: a row per true class and a column per predicted class, then each
 * row's total and the class's precision and recall; a last row totals the predictions per class.
 * Counts are right-aligned to the widest.
 *
 * @example
 * ```ts
 * import { formatConfusion } from '@gradstream/cli';
 * console.log(formatConfusion([[9, 1], [0, 10]]));
 * // true\pred   0   1 | all  precision  recall
 * //         0   9   1 |  10     1.0000  0.9000
 * //         1   0  10 |  10     0.9091  1.0000
 * //       all   9  11 |  20
 * ```
 */
export function formatConfusion(matrix: readonly (readonly number[])[]): string {
  const scores = classScores(matrix);
  const totals = matrix.map((_, p) => matrix.reduce((a, r) => a + (r[p] ?? 0), 0));
  const all = totals.reduce((a, b) => a + b, 0);
  const width = Math.max(3, String(all).length) + 1;
  const cell = (v: string | number): string => String(v).padStart(width);
  const label = 'true\\pred';
  const score = (v: number | null): string => (v === null ? '—' : formatNumber(v));
  const lines = [`${label}${matrix.map((_, p) => cell(p)).join('')} | ${'all'.padStart(width - 1)}  precision  recall`];
  matrix.forEach((row, t) => {
    const s = scores[t] as ClassScore;
    lines.push(`${String(t).padStart(label.length)}${row.map(cell).join('')} | ${String(s.samples).padStart(width - 1)}  ${score(s.precision).padStart(9)}  ${score(s.recall).padStart(6)}`);
  });
  lines.push(`${'all'.padStart(label.length)}${totals.map(cell).join('')} | ${String(all).padStart(width - 1)}`);
  return lines.join('\n');
}
