import type { Labeled } from '@gradstream/datasets';
import type { Model } from '@gradstream/graph';
import type { Tensor } from '@gradstream/tensor';
import { Dataset } from '@gradstream/trainer';

/**
 * Counts of (true digit, predicted digit) over a labelled set, predicted in evaluation mode
 * (dropout off): `matrix[t][p]` is how many images of digit `t` the model called `p`.
 */
export async function confusionMatrix(model: Model, data: Labeled, batchSize = 500): Promise<number[][]> {
  const set = Dataset.from(data, model);
  const classes = model.outputShape[0] as number;
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const order = Uint32Array.from({ length: set.size }, (_, i) => i);
  const plans = new Map<number, ReturnType<Model['compile']>>();
  for (let start = 0; start < set.size; start += batchSize) {
    const size = Math.min(batchSize, set.size - start);
    let plan = plans.get(size);
    if (plan === undefined) {
      plan = model.compile(size);
      plans.set(size, plan);
    }
    set.gather(order, start, size, plan.x, plan.y);
    // On a device backend (WebGPU) the batch goes up and the logits come back.
    model.backend.sync?.upload([plan.x.data]);
    plan.forward(false);
    const logits = (plan.values.get(model.output) as Tensor).data;
    await model.backend.sync?.download([logits]);
    const targets = plan.y.data;
    for (let r = 0; r < size; r++) {
      const row = matrix[argmax(targets, r * classes, classes)] as number[];
      row[argmax(logits, r * classes, classes)]! += 1;
    }
  }
  return matrix;
}

/** Share of the images on the diagonal: correct predictions over all predictions. */
export function accuracyOf(matrix: readonly (readonly number[])[]): number {
  let hits = 0;
  let total = 0;
  matrix.forEach((row, t) => {
    for (const c of row) total += c;
    hits += row[t] ?? 0;
  });
  return total === 0 ? 0 : hits / total;
}

/**
 * The matrix as a table: one row per true digit, one column per predicted digit, then each
 * row's total and recall (its diagonal share). Columns are right-aligned to the widest count.
 */
export function formatConfusion(matrix: readonly (readonly number[])[]): string {
  const totals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const width = Math.max(3, ...matrix.flat().map((c) => String(c).length)) + 1;
  const cell = (v: string | number): string => String(v).padStart(width);
  const label = 'true\\pred';
  const lines = [`${label} ${matrix.map((_, p) => cell(p)).join('')} | ${'all'.padStart(5)} recall`];
  matrix.forEach((row, t) => {
    const total = totals[t] as number;
    const recall = total === 0 ? '—' : `${((100 * (row[t] ?? 0)) / total).toFixed(1)}%`;
    lines.push(`${String(t).padStart(label.length)} ${row.map(cell).join('')} | ${String(total).padStart(5)} ${recall.padStart(6)}`);
  });
  return lines.join('\n');
}

function argmax(a: ArrayLike<number>, offset: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if ((a[offset + j] as number) > (a[offset + best] as number)) best = j;
  return best;
}
