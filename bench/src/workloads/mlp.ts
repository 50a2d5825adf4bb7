import { loadDigits } from '../data/mnist.js';
import { brainMlp } from '../peers/brain.js';
import { GRADSTREAM_CONFIGS, backendLabel, gradstreamMlpFit, gradstreamMlpInit, gradstreamMlpPlan } from '../peers/gradstream.js';
import { tfjsMlpFit, tfjsMlpLoop, type TfBackend } from '../peers/tfjs.js';
import type { MlpTask } from '../nets.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';
import { PATHS, candidates, disposeRows, type Row } from './rows.js';

/** The MLP workload's size: 784-`hidden`-10, sigmoid, ½-MSE, SGD. */
export interface MlpOptions {
  readonly samples: number;
  readonly batchSize: number;
  readonly hidden: number;
  readonly lr: number;
  /** Steps trained before the losses are compared. */
  readonly lossSteps: number;
  readonly seed: number;
}

/** Samples/s per row, and the losses before and after the same steps from the same weights. */
export interface MlpResult {
  readonly raw: Record<string, Measurement>;
  /** ½-MSE on batch 0 at the initial weights (the same for every row doing the same computation). */
  readonly initialLoss: Record<string, number>;
  /** ½-MSE on batch 0 after `lossSteps` steps. brain.js trains per sample with a sigmoid output, so it is left out. */
  readonly losses: Record<string, number>;
  readonly lossSteps: number;
}

const TFJS_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];

/**
 * The batched rows: gradstream's plan and `fit` per backend configuration, TF.js's minimize loop
 * and `model.fit` per backend. A `fit` row's iteration is one epoch over the first `fitBatches`
 * batches, in order.
 */
async function batchedRows(task: MlpTask, fitBatches: number): Promise<Row[]> {
  const step = { perIteration: task.batchSize, iteration: `step of ${task.batchSize} samples` };
  const epoch = { perIteration: fitBatches * task.batchSize, iteration: `epoch of ${fitBatches * task.batchSize} samples` };
  const rows: Row[] = [];
  for (const c of GRADSTREAM_CONFIGS) {
    rows.push({ name: `gradstream${c.suffix}-plan`, library: 'gradstream', backend: backendLabel(c), path: PATHS.plan, trainer: gradstreamMlpPlan(c, task), ...step });
  }
  for (const c of GRADSTREAM_CONFIGS) {
    rows.push({ name: `gradstream${c.suffix}-fit`, library: 'gradstream', backend: backendLabel(c), path: PATHS.fit, trainer: gradstreamMlpFit(c, task, fitBatches), ...epoch });
  }
  for (const b of TFJS_BACKENDS) {
    rows.push({ name: `tfjs-${b}-loop`, library: 'tfjs', backend: b, path: PATHS.loop, trainer: await tfjsMlpLoop(b, task), ...step });
  }
  for (const b of TFJS_BACKENDS) {
    rows.push({ name: `tfjs-${b}-fit`, library: 'tfjs', backend: b, path: PATHS.modelFit, trainer: await tfjsMlpFit(b, task, fitBatches), ...epoch });
  }
  return rows;
}

/**
 * What every library trains on the MLP workload: the seeded digits cut into whole batches, and
 * gradstream's initial weights (seed `options.seed`) for everyone.
 */
export function mlpTask(options: MlpOptions): MlpTask {
  const batches = Math.floor(options.samples / options.batchSize);
  if (batches < 1) throw new RangeError(`mlp: ${options.samples} samples make no batch of ${options.batchSize}`);
  if (options.lossSteps > batches) throw new RangeError(`mlp: lossSteps (${options.lossSteps}) exceeds the ${batches} batches`);
  return {
    data: loadDigits(options.samples, options.seed),
    batchSize: options.batchSize,
    batches,
    lr: options.lr,
    init: gradstreamMlpInit(options.hidden, options.seed),
  };
}

/** Loads the digits, takes gradstream's initial weights for everyone, checks losses, then times. */
export async function mlpWorkload(options: MlpOptions, timing: TimingOptions): Promise<MlpResult> {
  const task = mlpTask(options);
  const initialLoss: Record<string, number> = {};
  const losses: Record<string, number> = {};
  // The check's `fit` rows train one epoch of exactly `lossSteps` batches.
  const fresh = await batchedRows(task, options.lossSteps);
  for (const r of fresh) {
    await r.trainer.prepare?.();
    initialLoss[r.name] = await r.trainer.loss();
    await r.trainer.run((options.lossSteps * task.batchSize) / r.perIteration);
    losses[r.name] = await r.trainer.loss();
  }
  disposeRows(fresh);
  const rows: Row[] = [
    ...(await batchedRows(task, task.batches)),
    // brain.js has no batches: one of its iterations is one sample, one update.
    { name: 'brain.js-per-sample', library: 'brain.js', backend: 'js', path: PATHS.perSample, trainer: brainMlp(task), perIteration: 1, iteration: 'sample (one update)' },
  ];
  const raw = await measureInterleaved(candidates(rows, 'samples/s'), timing);
  disposeRows(rows);
  return { raw, initialLoss, losses, lossSteps: options.lossSteps };
}
