import { GradstreamError, Rng } from '@gradstream/tensor';
import type { LoadedData } from '@gradstream/data';

/**
 * Options of {@link splitValidation}.
 *
 * @example
 * ```ts
 * import type { SplitOptions } from '@gradstream/cli';
 * const options: SplitOptions = { seed: 7, classes: [0, 0, 1, 1, 2, 2] };
 * ```
 */
export interface SplitOptions {
  /** Seed of the shuffle that decides which samples are held out. */
  readonly seed: number;
  /** The class of every sample: given, each class is held out in proportion (stratified). */
  readonly classes?: readonly number[];
}

/**
 * Samples cut in two by {@link splitValidation}: the part to train on and the held-out part, each
 * in shuffled order.
 *
 * @example
 * ```ts
 * import type { ValidationSplit } from '@gradstream/cli';
 * const sizes = (s: ValidationSplit) => [s.train.x.length, s.validation.x.length];
 * ```
 */
export interface ValidationSplit {
  /** The samples to train on. */
  readonly train: LoadedData;
  /** The held-out samples. */
  readonly validation: LoadedData;
  /** Whether each class was held out in proportion. */
  readonly stratified: boolean;
}

/**
 * Holds out a `fraction` of the samples for validation, after shuffling them with a generator
 * seeded by `seed` (the same seed holds out the same samples). With `classes`, the split is
 * stratified: each class contributes round(fraction · its count) samples to the held-out part, at
 * least 1 when it has 2 or more and never all of them (a class of 1 sample stays in training).
 * Without, round(fraction · samples) of the shuffled samples are held out. A split that leaves
 * either part empty is an `INVALID_USAGE` error.
 *
 * @param data - the samples, in the order their source holds them
 * @param fraction - the share to hold out, in (0, 1)
 * @example
 * ```ts
 * import { splitValidation } from '@gradstream/cli';
 * const data = { source: 'inline', x: [[0], [1], [2], [3], [4], [5]], y: [[0], [0], [0], [1], [1], [1]] };
 * const { train, validation } = splitValidation(data, 0.34, { seed: 1, classes: [0, 0, 0, 1, 1, 1] });
 * validation.y; // one sample of each class, e.g. [[1], [0]]
 * ```
 */
export function splitValidation(data: LoadedData, fraction: number, options: SplitOptions): ValidationSplit {
  const n = data.x.length;
  if (!(fraction > 0 && fraction < 1)) {
    throw new GradstreamError('INVALID_USAGE', `--val ${fraction}: expected a fraction between 0 and 1`, { fraction });
  }
  const { classes } = options;
  if (classes !== undefined && classes.length !== n) {
    throw new GradstreamError('INVALID_OPTION', `splitValidation: ${classes.length} class label(s) for ${n} sample(s)`, { classes: classes.length, samples: n });
  }
  const order = Rng.fromSeed(options.seed).shuffle(Uint32Array.from({ length: n }, (_, i) => i));
  const held = new Uint8Array(n);
  if (classes === undefined) {
    const count = Math.round(fraction * n);
    for (let i = 0; i < count && i < n; i++) held[order[i] as number] = 1;
  } else {
    // Per class: how many it has, then how many of them (the first ones in shuffled order) to hold out.
    const counts = new Map<number, number>();
    for (const c of classes) counts.set(c, (counts.get(c) ?? 0) + 1);
    const quota = new Map<number, number>();
    for (const [c, count] of counts) quota.set(c, count < 2 ? 0 : Math.min(count - 1, Math.max(1, Math.round(fraction * count))));
    for (const i of order) {
      const c = classes[i] as number;
      const left = quota.get(c) as number;
      if (left > 0) {
        held[i] = 1;
        quota.set(c, left - 1);
      }
    }
  }
  const trainRows: number[] = [];
  const heldRows: number[] = [];
  for (const i of order) (held[i] === 1 ? heldRows : trainRows).push(i);
  if (heldRows.length === 0 || trainRows.length === 0) {
    const what = heldRows.length === 0 ? 'holds out no sample' : 'leaves no sample to train on';
    throw new GradstreamError('INVALID_USAGE', `--val ${fraction} of ${n} sample(s) in ${data.source} ${what}; use another fraction, or --val-data`, {
      fraction,
      samples: n,
    });
  }
  const pick = (rows: readonly number[]): LoadedData => ({
    source: data.source,
    x: rows.map((i) => data.x[i] as readonly number[]),
    y: rows.map((i) => data.y[i] as readonly number[]),
  });
  return { train: pick(trainRows), validation: pick(heldRows), stratified: classes !== undefined };
}

/**
 * Sentences about classes that one part of a split has and the other lacks (validation scores
 * then say nothing about that class, or score a class never trained on), one per class, in class
 * order; empty when both parts hold the same classes.
 *
 * @param train - the class of every training sample
 * @param validation - the class of every held-out sample
 * @param names - how to name the two parts
 * @example
 * ```ts
 * import { classGaps } from '@gradstream/cli';
 * classGaps([0, 0, 1, 2], [0, 1]);
 * // ['the validation split has no sample of class 2, which the training split has (1 sample)']
 * ```
 */
export function classGaps(
  train: readonly number[],
  validation: readonly number[],
  names: { readonly train: string; readonly validation: string } = { train: 'the training split', validation: 'the validation split' },
): string[] {
  const count = (labels: readonly number[]): Map<number, number> => {
    const m = new Map<number, number>();
    for (const c of labels) m.set(c, (m.get(c) ?? 0) + 1);
    return m;
  };
  const a = count(train);
  const b = count(validation);
  const all = [...new Set([...a.keys(), ...b.keys()])].sort((p, q) => p - q);
  const samples = (k: number): string => `${k} sample${k === 1 ? '' : 's'}`;
  return all.flatMap((c) => {
    const inTrain = a.get(c) ?? 0;
    const inVal = b.get(c) ?? 0;
    if (inVal === 0) return [`${names.validation} has no sample of class ${c}, which ${names.train} has (${samples(inTrain)})`];
    if (inTrain === 0) return [`${names.train} has no sample of class ${c}, which ${names.validation} has (${samples(inVal)})`];
    return [];
  });
}
