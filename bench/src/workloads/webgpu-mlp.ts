import { TS_CONFIG, WEBGPU_CONFIG, backendLabel, gradstreamMlpFit } from '../peers/gradstream.js';
import { tfjsMlpFit } from '../peers/tfjs.js';
import type { TfWebGpuStatus } from '../peers/tfjs-webgpu.js';
import type { Trainer } from '../nets.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';
import { mlpTask, type MlpOptions } from './mlp.js';
import { PATHS, candidates, disposeRows, type Row } from './rows.js';
import { REFERENCE_ROWS, WEBGPU_ROWS, tfjsWebGpuRow, type Unavailable } from './webgpu-rows.js';

/** The MLP workload's net and data (see mlp.ts), and how it is trained and timed on the GPU. */
export interface WebGpuMlpOptions extends MlpOptions {
  /** Batches per timed `fit` / `model.fit` call: one epoch over the first `fitBatches` batches. */
  readonly fitBatches: number;
  /** Timing of the training calls: each repetition runs whole calls for at least `minMs`. */
  readonly timing: TimingOptions;
  /** The check passes when every row's final loss is within this relative distance of the CPU's. */
  readonly lossTolerance: number;
}

/** Samples/s per row, and the final losses of the same training on the CPU and on the GPU. */
export interface WebGpuMlpResult {
  readonly raw: Record<string, Measurement>;
  readonly unavailable: Unavailable;
  /**
   * Per row, the loss of one training epoch over the first `lossSteps` batches from the same
   * weights, as the training call reports it (the epoch's mean batch loss): gradstream on the CPU
   * (`gradstream-ts-fit`, the reference, not timed), on WebGPU, and TF.js webgpu.
   */
  readonly finalLoss: Record<string, number>;
  readonly lossSteps: number;
  readonly lossTolerance: number;
  /** Whether every final loss is within `lossTolerance` of the reference's. */
  readonly sane: boolean;
}

const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);

/** Trains one epoch with a fresh trainer and returns its loss; the trainer is freed either way. */
async function epochLoss(trainer: Trainer & { lastEpochLoss: () => number }): Promise<number> {
  try {
    await trainer.prepare?.();
    await trainer.run(1);
    return trainer.lastEpochLoss();
  } finally {
    trainer.dispose?.();
  }
}

/**
 * The MLP workload (784-hidden-10 sigmoid, ½-MSE, SGD; the same digits and initial weights) trained
 * through the public calls on the GPU: gradstream `fit` with `backend: 'webgpu'` (which reads the
 * loss back every step) and TF.js `model.fit` on its webgpu backend. The check trains the first
 * `lossSteps` batches on the CPU and on the GPU and compares the final losses; then the timed
 * calls, interleaved.
 */
export async function webgpuMlpWorkload(options: WebGpuMlpOptions, tfjs: TfWebGpuStatus): Promise<WebGpuMlpResult> {
  const task = mlpTask(options);
  const { fitBatches, lossSteps } = options;
  if (fitBatches < 1 || fitBatches > task.batches) throw new RangeError(`mlp (webgpu): fitBatches must be in 1…${task.batches}, got ${fitBatches}`);
  const finalLoss: Record<string, number> = {
    [REFERENCE_ROWS.fit]: await epochLoss(gradstreamMlpFit(TS_CONFIG, task, lossSteps)),
    [WEBGPU_ROWS.fit.gradstream]: await epochLoss(gradstreamMlpFit(WEBGPU_CONFIG, task, lossSteps)),
  };
  const epoch = { perIteration: fitBatches * task.batchSize, iteration: `epoch of ${fitBatches * task.batchSize} samples` };
  const unavailable: Unavailable = {};
  const rows: Row[] = [
    { name: WEBGPU_ROWS.fit.gradstream, library: 'gradstream', backend: backendLabel(WEBGPU_CONFIG), path: PATHS.fit, trainer: gradstreamMlpFit(WEBGPU_CONFIG, task, fitBatches), ...epoch },
  ];
  const tfRow = await tfjsWebGpuRow(WEBGPU_ROWS.fit.tfjs, tfjs, unavailable, async (): Promise<Row> => {
    finalLoss[WEBGPU_ROWS.fit.tfjs] = await epochLoss(await tfjsMlpFit('webgpu', task, lossSteps));
    return { name: WEBGPU_ROWS.fit.tfjs, library: 'tfjs', backend: 'webgpu', path: PATHS.modelFit, trainer: await tfjsMlpFit('webgpu', task, fitBatches), ...epoch };
  });
  if (tfRow !== undefined) rows.push(tfRow);
  const raw = await measureInterleaved(candidates(rows, 'samples/s'), options.timing);
  disposeRows(rows);
  const reference = finalLoss[REFERENCE_ROWS.fit] as number;
  const sane = Object.values(finalLoss).every((l) => relDiff(l, reference) <= options.lossTolerance);
  return { raw, unavailable, finalLoss, lossSteps, lossTolerance: options.lossTolerance, sane };
}
