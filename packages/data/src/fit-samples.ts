import { formatShape, GradstreamError, sizeOf } from '@gradstream/tensor';
import type { Model } from '@gradstream/graph';
import type { RawSamples } from './samples.js';

/**
 * Samples ready for `fit` and `evaluate`: rows as wide as the model's input and output.
 *
 * @example
 * ```ts
 * import type { LoadedData } from '@gradstream/data';
 * const describe = (d: LoadedData) => `${d.x.length} samples from ${d.source}`;
 * ```
 */
export interface LoadedData {
  readonly source: string;
  readonly x: readonly (readonly number[])[];
  readonly y: readonly (readonly number[])[];
}

/** Losses whose target rows are probability distributions: entries ≥ 0 that sum to 1. */
const DISTRIBUTION_LOSSES = new Set(['softmaxCrossEntropy']);

/** How far a target row's sum may be from 1 (float32 data written with a few digits). */
const SUM_TOLERANCE = 1e-4;

/** What keeps a row from being a probability distribution, or undefined when it is one. */
function notADistribution(row: readonly number[]): string | undefined {
  const negative = row.findIndex((v) => v < 0);
  if (negative >= 0) return `entry ${negative} is ${row[negative]}, below 0`;
  const sum = row.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > SUM_TOLERANCE) return `its entries sum to ${sum}, not 1`;
  return undefined;
}

/**
 * Checks samples against a model and shapes their targets for it. Input rows must hold as many
 * values as the model's `inputShape`; target rows as many as its output — or, for a model with
 * several outputs (a classifier), a single class index `k` in `0…outputs−1`, which becomes the
 * one-hot row with a 1 at `k`. For a softmax cross-entropy model, target rows must be probability
 * distributions (entries ≥ 0, summing to 1 within 1e-4). A mismatch is an `INVALID_DATA` error
 * naming the sample's place in its source and the widths the model takes.
 *
 * @example
 * ```ts
 * import { fitSamples, parseCsv, splitColumns } from '@gradstream/data';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 2 }], loss: { op: 'softmaxCrossEntropy' } });
 * const xor = splitColumns(parseCsv('0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'xor.csv'), 2, 2);
 * fitSamples(xor, model).y; // [[1, 0], [0, 1], [0, 1], [1, 0]]
 * ```
 */
export function fitSamples(raw: RawSamples, model: Model): LoadedData {
  const inputWidth = sizeOf(model.inputShape);
  const outputWidth = sizeOf(model.outputShape);
  const fail = (i: number, part: 'x' | 'y', message: string): never => {
    throw new GradstreamError('INVALID_DATA', `${raw.source}, ${raw.locate(i, part)}: ${message}`, { source: raw.source, sample: i, part });
  };
  if (raw.x.length === 0) throw new GradstreamError('INVALID_DATA', `${raw.source}: no samples`, { source: raw.source });
  raw.x.forEach((row, i) => {
    if (row.length !== inputWidth) {
      fail(i, 'x', `${row.length} input value(s), but the model's input takes ${inputWidth} (inputShape ${formatShape(model.inputShape)})`);
    }
  });
  const classes = raw.y.every((row) => row.length === 1) && outputWidth > 1;
  const lossName = model.lossNode.op.name;
  const distributions = DISTRIBUTION_LOSSES.has(lossName);
  const y = raw.y.map((row, i) => {
    if (classes) {
      const k = row[0] as number;
      if (!Number.isInteger(k) || k < 0 || k >= outputWidth) {
        fail(i, 'y', `class ${k} is not an integer in 0…${outputWidth - 1} (the model has ${outputWidth} outputs)`);
      }
      const oneHot = new Array<number>(outputWidth).fill(0);
      oneHot[k] = 1;
      return oneHot;
    }
    if (row.length !== outputWidth) {
      const alt = outputWidth > 1 ? ` (or 1 class index in 0…${outputWidth - 1})` : '';
      fail(i, 'y', `${row.length} target value(s), but the model outputs ${outputWidth}${alt}`);
    }
    if (distributions) {
      const problem = notADistribution(row);
      if (problem !== undefined) fail(i, 'y', `target ${JSON.stringify(row)} is not a probability distribution: ${problem} (the ${lossName} loss compares the output with one)`);
    }
    return row;
  });
  return { source: raw.source, x: raw.x, y };
}
