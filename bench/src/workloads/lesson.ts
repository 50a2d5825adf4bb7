import { brainLesson } from '../peers/brain.js';
import { gradstreamLessonFit, gradstreamLessonPlan } from '../peers/gradstream.js';
import { tfjsLesson } from '../peers/tfjs.js';
import type { Trainer } from '../nets.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';

/** Steps/s of the seed's 1-1-1 network per library, and each one's loss after the same steps. */
export interface LessonResult {
  readonly raw: Record<string, Measurement>;
  /** ½(ŷ − y)² after `steps` SGD steps from the lesson's weights (brain.js: its own network, see README). */
  readonly losses: Record<string, number>;
  readonly steps: number;
}

/** Runs the lesson workload: first the loss check on fresh trainers, then the interleaved timing. */
export async function lessonWorkload(timing: TimingOptions, steps: number): Promise<LessonResult> {
  const make = async (): Promise<Record<string, Trainer>> => ({
    'gradstream-plan': gradstreamLessonPlan(),
    'gradstream-fit': gradstreamLessonFit(),
    'tfjs-cpu': await tfjsLesson('cpu'),
    'tfjs-wasm': await tfjsLesson('wasm'),
    'brain.js': brainLesson(),
  });
  const losses: Record<string, number> = {};
  for (const [name, t] of Object.entries(await make())) {
    await t.prepare?.();
    await t.run(steps);
    losses[name] = await t.loss();
    t.dispose?.();
  }
  const trainers = await make();
  const raw = await measureInterleaved(
    Object.entries(trainers).map(([name, t]) => ({ name, unit: 'steps/s', perIteration: 1, run: t.run, ...(t.prepare ? { prepare: t.prepare } : {}) })),
    timing,
  );
  for (const t of Object.values(trainers)) t.dispose?.();
  return { raw, losses, steps };
}
