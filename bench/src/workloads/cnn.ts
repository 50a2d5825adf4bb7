import { CLASSES, PIXELS, loadDigits, type Digits } from '../data/mnist.js';
import { GRADSTREAM_CONFIGS, backendLabel, gradstreamCnnFit, gradstreamCnnInit, gradstreamCnnPredict } from '../peers/gradstream.js';
import { tfjsCnnFit, tfjsCnnPredict } from '../peers/tfjs.js';
import type { CnnPadding, CnnTask, Trainer } from '../nets.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';
import { PATHS, candidates, disposeRows, type Row } from './rows.js';

/** The cnn workload's size, timing and check thresholds. */
export interface CnnOptions {
  /** Padding of both convolutions (the comparison net: conv 5×5×8, pool, conv 5×5×16, pool, dense 10). */
  readonly padding: CnnPadding;
  readonly batchSize: number;
  /** Adam's learning rate, the same in every library. */
  readonly lr: number;
  readonly seed: number;
  /** Batches per gradstream `fit` call: the first `fitBatches · batchSize` digits, one epoch per repetition. */
  readonly fitBatches: number;
  /**
   * Batches per TF.js cpu `model.fit` call: the first of the same digits (at most `fitBatches`).
   * TF.js cpu trains this network at a few tens of samples per second, so it is timed on a slice.
   */
  readonly tfjsFitBatches: number;
  /** Training steps of the loss check (at most `fitBatches`): one `fit` call of this many batches per row, from the initial weights. */
  readonly checkSteps: number;
  /** Timed `fit` calls per training row (each one repetition). */
  readonly fitReps: number;
  /** Untimed `fit` calls per training row, the check's call included, until this many milliseconds have passed. */
  readonly fitWarmupMs: number;
  /** A training row stops repeating once its timed calls have taken this long, after at least 3. */
  readonly fitMaxMs?: number;
  /** Digits after the training ones that the prediction rows classify. */
  readonly heldOut: number;
  /** Timing of the prediction rows (one iteration: every held-out digit once, in batches of `batchSize`). */
  readonly predict: TimingOptions;
  /** The check passes when every training row's step losses are within this relative distance of `gradstream-fit`'s … */
  readonly lossTolerance: number;
  /** … and every prediction row's logits within this absolute distance of `gradstream-predict`'s. */
  readonly logitTolerance: number;
}

/** Samples/s of training and of prediction, and the cross-library checks. */
export interface CnnResult {
  readonly raw: Record<string, Measurement>;
  /** Per training row: the loss of each of the first `checkSteps` steps from the same weights (step 1: at those weights). */
  readonly stepLosses: Record<string, number[]>;
  /** Per prediction row: the largest |logit − gradstream-predict's logit| over the held-out digits, at the initial weights. */
  readonly logitDiff: Record<string, number>;
  readonly lossTolerance: number;
  readonly logitTolerance: number;
  /** Whether every row passed its check. */
  readonly sane: boolean;
}

/** The first `n` digits of a set, and the rest, as views. */
function split(all: Digits, n: number): [Digits, Digits] {
  const part = (from: number, to: number): Digits => ({
    size: to - from,
    x: all.x.subarray(from * PIXELS, to * PIXELS),
    y: all.y.subarray(from * CLASSES, to * CLASSES),
    labels: all.labels.subarray(from, to),
  });
  return [part(0, n), part(n, all.size)];
}

const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);

/** The configurations measured: the default (all cores) and the wasm kernels on one thread. The TS backend is left out (see the README). */
const CONFIGS = GRADSTREAM_CONFIGS.filter((c) => c.key !== 'ts');

const PREDICT_PATH = 'model.predict';

/**
 * What every library trains and classifies: the first `fitBatches · batchSize` seeded digits, the
 * `heldOut` digits after them, and gradstream's initial weights (seed `options.seed`).
 */
export function cnnTask(options: Pick<CnnOptions, 'padding' | 'batchSize' | 'lr' | 'seed' | 'fitBatches' | 'heldOut'>): CnnTask {
  const samples = options.fitBatches * options.batchSize;
  const [data, heldOut] = split(loadDigits(samples + options.heldOut, options.seed), samples);
  return { data, heldOut, batchSize: options.batchSize, lr: options.lr, init: gradstreamCnnInit(options.padding, options.seed) };
}

/** A training row: `stepLosses(k)` trains one epoch of the first k batches and returns each step's loss. */
export type CnnFitRow = Row & { trainer: Trainer & { stepLosses: (k: number) => Promise<number[]> } };

/** How a training row's iterations count: one epoch of `batches` batches, and what that is. */
export function fitSlice(options: Pick<CnnOptions, 'batchSize' | 'fitBatches'>, batches: number): Pick<Row, 'perIteration' | 'iteration'> {
  const samples = batches * options.batchSize;
  return {
    perIteration: samples,
    iteration: batches === options.fitBatches ? `epoch of ${samples} samples` : `epoch of the first ${batches} batches (${samples} samples)`,
  };
}

/**
 * A training row's check, from the initial weights: the losses of its first `checkSteps` steps.
 * Then untimed calls until `fitWarmupMs` have passed since the check began (the check's call
 * counts as warm-up).
 */
export async function checkFitRow(r: CnnFitRow, options: Pick<CnnOptions, 'checkSteps' | 'fitWarmupMs'>): Promise<number[]> {
  await r.trainer.prepare?.();
  const t0 = performance.now();
  const losses = await r.trainer.stepLosses(options.checkSteps);
  while (performance.now() - t0 < options.fitWarmupMs) await r.trainer.run(1);
  return losses;
}

/** Whether every row's first `checkSteps` losses are within `lossTolerance` (relative) of `base`'s. */
export function stepLossesAgree(stepLosses: Record<string, readonly number[]>, base: readonly number[], options: Pick<CnnOptions, 'checkSteps' | 'lossTolerance'>): boolean {
  return Object.values(stepLosses).every(
    (losses) => losses.length === options.checkSteps && losses.every((l, i) => relDiff(l, base[i] ?? Number.NaN) <= options.lossTolerance),
  );
}

/** The training rows' timed `fit` calls, interleaved: one call (one epoch) per repetition. */
export function timeFitRows(rows: readonly CnnFitRow[], options: Pick<CnnOptions, 'fitReps' | 'fitMaxMs'>): Promise<Record<string, Measurement>> {
  const timing: TimingOptions = { reps: options.fitReps, minMs: 0, chunk: 1, warmupMs: 0, ...(options.fitMaxMs === undefined ? {} : { maxMs: options.fitMaxMs }) };
  return measureInterleaved(candidates(rows, 'samples/s'), timing);
}

/**
 * The comparison CNN trained through each library's public call from gradstream's
 * initial weights, the digits in order: gradstream `fit` per configuration, TF.js `model.fit` on
 * its cpu backend (its wasm backend has no convolution gradients). Then prediction of the
 * held-out digits, batch by batch, through `model.predict`: gradstream per configuration and
 * TF.js wasm. Checks first (each training row's first steps, each prediction row's logits), then
 * the timed repetitions, interleaved.
 */
export async function cnnWorkload(options: CnnOptions): Promise<CnnResult> {
  const { fitBatches, tfjsFitBatches, checkSteps } = options;
  if (tfjsFitBatches > fitBatches || checkSteps > fitBatches) {
    throw new RangeError(`cnn: tfjsFitBatches (${tfjsFitBatches}) and checkSteps (${checkSteps}) must not exceed fitBatches (${fitBatches})`);
  }
  const task = cnnTask(options);
  const { heldOut, batchSize } = task;

  // Training: the check (each row's first steps from the initial weights), warm-up, then timing.
  const fitRows: CnnFitRow[] = [
    ...CONFIGS.map((c) => ({
      name: `gradstream${c.suffix}-fit`,
      library: 'gradstream',
      backend: backendLabel(c),
      path: PATHS.fit,
      trainer: gradstreamCnnFit(c, task, fitBatches),
      ...fitSlice(options, fitBatches),
    })),
    { name: 'tfjs-cpu-fit', library: 'tfjs', backend: 'cpu', path: PATHS.modelFit, trainer: await tfjsCnnFit('cpu', task, tfjsFitBatches), ...fitSlice(options, tfjsFitBatches) },
  ];
  const stepLosses: Record<string, number[]> = {};
  for (const r of fitRows) stepLosses[r.name] = await checkFitRow(r, options);
  const lossesAgree = stepLossesAgree(stepLosses, stepLosses['gradstream-fit'] ?? [], options);
  const fitRaw = await timeFitRows(fitRows, options);
  disposeRows(fitRows);

  // Prediction: every row from the same initial weights, so the logits must agree.
  const pass = { perIteration: heldOut.size, iteration: `pass over ${heldOut.size} held-out digits, batches of ${batchSize}` };
  const predictRows: (Row & { trainer: Trainer & { logits: () => Float32Array } })[] = [
    ...CONFIGS.map((c) => ({
      name: `gradstream${c.suffix}-predict`,
      library: 'gradstream',
      backend: backendLabel(c),
      path: PREDICT_PATH,
      trainer: gradstreamCnnPredict(c, task),
      ...pass,
    })),
    { name: 'tfjs-wasm-predict', library: 'tfjs', backend: 'wasm', path: PREDICT_PATH, trainer: await tfjsCnnPredict('wasm', task), ...pass },
  ];
  const logits: Record<string, Float32Array> = {};
  for (const r of predictRows) {
    await r.trainer.prepare?.();
    logits[r.name] = r.trainer.logits();
  }
  const reference = logits['gradstream-predict'] ?? new Float32Array(0);
  const logitDiff: Record<string, number> = {};
  for (const [name, l] of Object.entries(logits)) {
    if (name === 'gradstream-predict') continue;
    let d = l.length === reference.length ? 0 : Number.POSITIVE_INFINITY;
    for (let i = 0; i < l.length && d < Number.POSITIVE_INFINITY; i++) d = Math.max(d, Math.abs((l[i] as number) - (reference[i] as number)));
    logitDiff[name] = d;
  }
  const logitsAgree = reference.length === heldOut.size * CLASSES && Object.values(logitDiff).every((d) => d <= options.logitTolerance);
  const predictRaw = await measureInterleaved(candidates(predictRows, 'samples/s'), options.predict);
  disposeRows(predictRows);

  return {
    raw: { ...fitRaw, ...predictRaw },
    stepLosses,
    logitDiff,
    lossTolerance: options.lossTolerance,
    logitTolerance: options.logitTolerance,
    sane: lossesAgree && logitsAgree,
  };
}
