import { brainLesson } from '../peers/brain.js';
import { GRADSTREAM_CONFIGS, backendLabel, gradstreamLessonFit, gradstreamLessonPlan } from '../peers/gradstream.js';
import { tfjsLessonFit, tfjsLessonLoop, type TfBackend } from '../peers/tfjs.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';
import { PATHS, candidates, disposeRows, type Row } from './rows.js';

/** The lesson workload's size: timing, the steps before the loss check, and the steps in one epoch of a `fit` row. */
export interface LessonOptions extends TimingOptions {
  /** SGD steps trained before the losses are compared. */
  readonly lossSteps: number;
  /** Copies of the sample in the data given to `fit` / `model.fit`: one epoch is this many steps. */
  readonly fitSteps: number;
}

/** Steps/s of the seed's 1-1-1 network per row, and each one's loss after the same steps. */
export interface LessonResult {
  readonly raw: Record<string, Measurement>;
  /** ½(ŷ − y)² after `steps` SGD steps from the lesson's weights (brain.js: its own network, see README). */
  readonly losses: Record<string, number>;
  readonly steps: number;
}

const TFJS_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];

/**
 * Every row of the lesson: gradstream's plan and `fit` in each backend configuration, TF.js's
 * minimize loop and `model.fit` on cpu and wasm, brain.js's `trainPattern`. A `fit` row's
 * iteration is one epoch of `fitSteps` steps.
 */
async function lessonRows(fitSteps: number): Promise<Row[]> {
  const step = { perIteration: 1, iteration: 'step' };
  const epoch = { perIteration: fitSteps, iteration: `epoch of ${fitSteps} steps` };
  const rows: Row[] = [];
  for (const c of GRADSTREAM_CONFIGS) {
    rows.push({ name: `gradstream${c.suffix}-plan`, library: 'gradstream', backend: backendLabel(c), path: PATHS.plan, trainer: gradstreamLessonPlan(c), ...step });
  }
  for (const c of GRADSTREAM_CONFIGS) {
    rows.push({ name: `gradstream${c.suffix}-fit`, library: 'gradstream', backend: backendLabel(c), path: PATHS.fit, trainer: gradstreamLessonFit(c, fitSteps), ...epoch });
  }
  for (const b of TFJS_BACKENDS) {
    rows.push({ name: `tfjs-${b}-loop`, library: 'tfjs', backend: b, path: PATHS.loop, trainer: await tfjsLessonLoop(b), ...step });
  }
  for (const b of TFJS_BACKENDS) {
    rows.push({ name: `tfjs-${b}-fit`, library: 'tfjs', backend: b, path: PATHS.modelFit, trainer: await tfjsLessonFit(b, fitSteps), ...epoch });
  }
  rows.push({ name: 'brain.js-trainPattern', library: 'brain.js', backend: 'js', path: PATHS.trainPattern, trainer: brainLesson(), ...step });
  return rows;
}

/** Runs the lesson workload: first the loss check on fresh rows, then the interleaved timing. */
export async function lessonWorkload(options: LessonOptions): Promise<LessonResult> {
  const steps = options.lossSteps;
  const losses: Record<string, number> = {};
  // The check's `fit` rows hold exactly `steps` copies, so one epoch is the check's steps.
  const fresh = await lessonRows(steps);
  for (const r of fresh) {
    await r.trainer.prepare?.();
    await r.trainer.run(steps / r.perIteration);
    losses[r.name] = await r.trainer.loss();
  }
  disposeRows(fresh);
  const rows = await lessonRows(options.fitSteps);
  const raw = await measureInterleaved(candidates(rows, 'steps/s'), options);
  disposeRows(rows);
  return { raw, losses, steps };
}
