import { applyNormalization, fitNormalization, type LoadedData, type Normalization } from '@gradstream/data';
import type { Model } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import { targetClasses } from '../data/classes.js';
import { loadData } from '../data/load-data.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { classGaps, splitValidation } from '../data/split.js';

/**
 * The data options of `gradstream train`.
 *
 * @example
 * ```ts
 * import type { TrainingDataOptions } from '@gradstream/cli';
 * const o: TrainingDataOptions = { data: 'iris.csv', seed: 0, val: 0.2, stratify: true, normalize: 'standard' };
 * ```
 */
export interface TrainingDataOptions {
  /** The training data: a file, `-` for stdin, or `builtin:NAME`. */
  readonly data: string;
  /** Seed of the shuffle before the validation split. */
  readonly seed: number;
  /** Fraction of `data` to hold out for validation. */
  readonly val?: number;
  /** A separate file to validate on, instead of a split of `data`. */
  readonly valData?: string;
  /** Hold out each class in proportion when the targets are classes (default true). */
  readonly stratify?: boolean;
  /** The CSV column holding the target: a header name or a 0-based index. */
  readonly labelColumn?: string;
  /** Rescale the inputs with statistics of the training samples. */
  readonly normalize?: Normalization['method'];
}

/**
 * What `gradstream train` trains and validates on: the training samples, the held-out ones, how
 * the summary names them, the preprocessing to keep in the checkpoint, and warnings for stderr.
 *
 * @example
 * ```ts
 * import type { TrainingData } from '@gradstream/cli';
 * const sizes = (t: TrainingData) => `${t.data.x.length} + ${t.validation?.x.length ?? 0}`;
 * ```
 */
export interface TrainingData {
  /** The samples to train on (normalized with `normalize`). */
  readonly data: LoadedData;
  /** The samples to score after each epoch, if any (normalized likewise). */
  readonly validation?: LoadedData;
  /** Where the validation samples come from, e.g. `20% of the data, shuffled with --seed 0, stratified by class`. */
  readonly heldOut?: string;
  /** What to keep in the checkpoint for `eval` and `predict`. */
  readonly preprocessing: Preprocessing;
  /** Sentences about classes only one side holds (see {@link classGaps}). */
  readonly warnings: readonly string[];
}

/**
 * Loads the training data for a model and prepares it as `gradstream train` does: holds out
 * `val` of it (shuffled with `seed`, stratified by class when the targets are classes unless
 * `stratify` is false) or loads `valData` instead, notes classes that only one side holds, and
 * with `normalize` fits the statistics on the training samples alone and rescales both sides.
 *
 * @param model - the model to train (its widths decide the columns)
 * @param options - the data options
 * @param cwd - the directory relative paths start from
 * @param stdin - what `--data -` reads
 * @example
 * ```ts
 * import { trainingData } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * const { data, validation } = await trainingData(model, { data: 'builtin:moons?samples=100', seed: 0, val: 0.2 }, process.cwd());
 * ```
 */
export async function trainingData(
  model: Model,
  options: TrainingDataOptions,
  cwd: string,
  stdin?: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream,
): Promise<TrainingData> {
  if (options.val !== undefined && options.valData !== undefined) {
    throw new GradstreamError('INVALID_USAGE', '--val and --val-data both choose the validation samples; give one of them', {});
  }
  if (options.data === '-' && options.valData === '-') {
    throw new GradstreamError('INVALID_USAGE', '--data - and --val-data - would both read stdin, which can be read once; give one of them as a file', {});
  }
  const columns = options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn };
  const all = await loadData(options.data, model, cwd, stdin, columns);
  let data = all;
  let validation: LoadedData | undefined;
  let heldOut: string | undefined;
  let names = { train: 'the training split', validation: 'the validation split' };
  if (options.val !== undefined) {
    const classes = options.stratify === false ? undefined : targetClasses(model, all.y)?.labels;
    const split = splitValidation(all, options.val, { seed: options.seed, ...(classes === undefined ? {} : { classes }) });
    data = split.train;
    validation = split.validation;
    const share = `${Number((options.val * 100).toFixed(2))}%`;
    heldOut = `${share} of the data, shuffled with --seed ${options.seed}${split.stratified ? ', stratified by class' : ''}`;
  } else if (options.valData !== undefined) {
    validation = await loadData(options.valData, model, cwd, stdin, columns);
    heldOut = validation.source;
    names = { train: `the training data (${all.source})`, validation: `the validation data (${validation.source})` };
  }
  const warnings: string[] = [];
  if (validation !== undefined) {
    const a = targetClasses(model, data.y);
    const b = targetClasses(model, validation.y);
    if (a !== undefined && b !== undefined) warnings.push(...classGaps(a.labels, b.labels, names));
  }
  if (options.normalize === undefined) {
    return { data, ...(validation === undefined ? {} : { validation }), ...(heldOut === undefined ? {} : { heldOut }), preprocessing: {}, warnings };
  }
  const normalize = fitNormalization(data.x, options.normalize);
  const rescaled = (d: LoadedData): LoadedData => ({ ...d, x: applyNormalization(d.x, normalize) });
  return {
    data: rescaled(data),
    ...(validation === undefined ? {} : { validation: rescaled(validation) }),
    ...(heldOut === undefined ? {} : { heldOut }),
    preprocessing: { normalize },
    warnings,
  };
}
