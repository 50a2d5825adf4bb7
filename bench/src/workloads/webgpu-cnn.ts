import { TS_CONFIG, WEBGPU_CONFIG, backendLabel, gradstreamCnnFit } from '../peers/gradstream.js';
import { tfjsCnnFit } from '../peers/tfjs.js';
import type { TfWebGpuStatus } from '../peers/tfjs-webgpu.js';
import type { Measurement } from '../stats.js';
import { checkFitRow, cnnTask, fitSlice, stepLossesAgree, timeFitRows, type CnnFitRow, type CnnOptions } from './cnn.js';
import { PATHS, disposeRows } from './rows.js';
import { REFERENCE_ROWS, WEBGPU_ROWS, tfjsWebGpuRow, type Unavailable } from './webgpu-rows.js';

/** The cnn workload's net and data (see cnn.ts), trained on the GPU: its training options, TF.js's slice. */
export type WebGpuCnnOptions = Pick<
  CnnOptions,
  'padding' | 'batchSize' | 'lr' | 'seed' | 'fitBatches' | 'tfjsFitBatches' | 'checkSteps' | 'fitReps' | 'fitWarmupMs' | 'fitMaxMs' | 'lossTolerance'
>;

/** Training samples/s per row, and the first steps' losses on the CPU and on the GPU. */
export interface WebGpuCnnResult {
  readonly raw: Record<string, Measurement>;
  readonly unavailable: Unavailable;
  /** Per row, the loss of each of the first `checkSteps` steps from the same weights; `gradstream-ts-fit` (the CPU, not timed) is the reference. */
  readonly stepLosses: Record<string, number[]>;
  readonly lossTolerance: number;
  /** Whether every row's step losses are within `lossTolerance` (relative) of the reference's. */
  readonly sane: boolean;
}

/**
 * The comparison CNN (conv 5×5×8 → pool → conv 5×5×16 → pool → dense 10, softmax cross-entropy,
 * Adam; the same digits and initial weights as the cnn workload) trained through the public calls
 * on the GPU: gradstream `fit` with `backend: 'webgpu'`, TF.js `model.fit` on its webgpu backend
 * (on the first `tfjsFitBatches` batches). Each row's first steps are checked against gradstream's
 * TypeScript backend on the CPU, then the calls are timed, interleaved.
 */
export async function webgpuCnnWorkload(options: WebGpuCnnOptions, tfjs: TfWebGpuStatus): Promise<WebGpuCnnResult> {
  const { fitBatches, tfjsFitBatches, checkSteps } = options;
  if (tfjsFitBatches > fitBatches || checkSteps > fitBatches) {
    throw new RangeError(`cnn (webgpu): tfjsFitBatches (${tfjsFitBatches}) and checkSteps (${checkSteps}) must not exceed fitBatches (${fitBatches})`);
  }
  // Training only: the held-out digits are what the CPU run's prediction rows classify.
  const task = cnnTask({ ...options, heldOut: 0 });
  const stepLosses: Record<string, number[]> = { [REFERENCE_ROWS.fit]: await gradstreamCnnFit(TS_CONFIG, task, checkSteps).stepLosses(checkSteps) };
  const gradstream: CnnFitRow = {
    name: WEBGPU_ROWS.fit.gradstream,
    library: 'gradstream',
    backend: backendLabel(WEBGPU_CONFIG),
    path: PATHS.fit,
    trainer: gradstreamCnnFit(WEBGPU_CONFIG, task, fitBatches),
    ...fitSlice(options, fitBatches),
  };
  stepLosses[gradstream.name] = await checkFitRow(gradstream, options);
  const unavailable: Unavailable = {};
  const tf = await tfjsWebGpuRow(WEBGPU_ROWS.fit.tfjs, tfjs, unavailable, async (): Promise<CnnFitRow> => {
    const row: CnnFitRow = {
      name: WEBGPU_ROWS.fit.tfjs,
      library: 'tfjs',
      backend: 'webgpu',
      path: PATHS.modelFit,
      trainer: await tfjsCnnFit('webgpu', task, tfjsFitBatches),
      ...fitSlice(options, tfjsFitBatches),
    };
    try {
      stepLosses[row.name] = await checkFitRow(row, options);
    } catch (e) {
      row.trainer.dispose?.();
      throw e;
    }
    return row;
  });
  const rows = tf === undefined ? [gradstream] : [gradstream, tf];
  const raw = await timeFitRows(rows, options);
  disposeRows(rows);
  const sane = stepLossesAgree(stepLosses, stepLosses[REFERENCE_ROWS.fit] ?? [], options);
  return { raw, unavailable, stepLosses, lossTolerance: options.lossTolerance, sane };
}
