import type { Trainer } from '../nets.js';
import type { Candidate, RowInfo } from '../stats.js';

/** Short names of the code paths a row can measure (the `path` column). */
export const PATHS = {
  plan: 'plan',
  fit: 'fit',
  loop: 'minimize loop',
  modelFit: 'model.fit',
  trainPattern: 'trainPattern',
  perSample: 'trainPattern, per sample',
  kernel: 'kernel',
} as const;

/** One row of a workload: a named trainer, what it measures, and how its iterations count. */
export interface Row extends RowInfo {
  readonly name: string;
  readonly trainer: Trainer;
  /** Units of work (samples, steps) per iteration of `trainer.run`. */
  readonly perIteration: number;
  /** What one iteration is (`step`, `epoch of 8000 samples`). */
  readonly iteration: string;
}

/** The rows as timing candidates in `unit`. */
export function candidates(rows: readonly Row[], unit: string): Candidate[] {
  return rows.map((r) => ({
    name: r.name,
    library: r.library,
    backend: r.backend,
    path: r.path,
    unit,
    perIteration: r.perIteration,
    iteration: r.iteration,
    run: r.trainer.run,
    ...(r.trainer.prepare ? { prepare: r.trainer.prepare } : {}),
  }));
}

/** Frees what every row's trainer holds outside the JS heap. */
export function disposeRows(rows: readonly Row[]): void {
  for (const r of rows) r.trainer.dispose?.();
}
