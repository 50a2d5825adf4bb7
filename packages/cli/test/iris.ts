import { Rng } from '@gradstream/tensor';

/** Flower measurements around three centres; the last feature is a weight in grams, on another scale. */
const CENTRES = [
  [5.0, 3.4, 1.5, 120],
  [5.9, 2.8, 4.3, 160],
  [6.6, 3.0, 5.6, 200],
] as const;

export const IRIS_HEADER = ['sepal_length', 'sepal_width', 'petal_length', 'weight', 'species'] as const;

/**
 * A small iris-like table: `perClass[k]` rows of class k, sorted by class (all of class 0, then 1,
 * then 2), 4 features then the class index; the same rows for the same arguments.
 */
export function irisRows(perClass: readonly number[] = [20, 20, 20], seed = 5): number[][] {
  const rng = Rng.fromSeed(seed);
  const rows: number[][] = [];
  perClass.forEach((count, k) => {
    const centre = CENTRES[k] as readonly number[];
    for (let i = 0; i < count; i++) {
      rows.push([...centre.map((v, j) => Number((v + (j === 3 ? 15 : 0.3) * rng.normal()).toFixed(2))), k]);
    }
  });
  return rows;
}

/** Rows as CSV text with the header row. */
export function csvText(rows: readonly (readonly number[])[], header: readonly string[] = IRIS_HEADER): string {
  return `${[header.join(','), ...rows.map((r) => r.join(','))].join('\n')}\n`;
}

/** 4 → linear 8 → tanh → linear 3, a softmax cross-entropy classifier. */
export const IRIS_SPEC = JSON.stringify({
  version: 1,
  inputShape: [4],
  layers: [
    { op: 'linear', inFeatures: 4, outFeatures: 8 },
    { op: 'tanh' },
    { op: 'linear', inFeatures: 8, outFeatures: 3 },
  ],
  loss: { op: 'softmaxCrossEntropy' },
});

/** Softmax of each row (in double precision). */
export function softmaxRows(logits: readonly (readonly number[])[]): number[][] {
  return logits.map((row) => {
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

/** Index of the first largest value. */
export const argmax = (row: readonly number[]): number => row.reduce((best, v, i) => (v > (row[best] as number) ? i : best), 0);
