import { produce, freeze, type Draft } from 'immer';
import type { RunConfig, Scores } from './events.js';

/**
 * One line of a run's history: an epoch's training loss and metrics, and its validation scores.
 *
 * @example
 * ```ts
 * import type { EpochSummary } from '@gradstream/trainer';
 * const row = (s: EpochSummary) => `${s.epoch}\t${s.loss}\t${s.validation?.loss ?? ''}`;
 * ```
 */
export interface EpochSummary extends Scores {
  readonly epoch: number;
  readonly step: number;
  readonly validation?: Scores;
}

/**
 * The trainer's state: the run's configuration, its history and its best epoch so far. Every
 * update makes a new immutable (immer-frozen) state sharing what did not change, so a subscriber
 * that keeps the state of epoch N still sees exactly that after later epochs.
 *
 * @example
 * ```ts
 * import type { TrainerState } from '@gradstream/trainer';
 * const lastLoss = (s: TrainerState) => s.history[s.history.length - 1]?.loss;
 * ```
 */
export interface TrainerState {
  readonly config: RunConfig;
  readonly epoch: number;
  readonly step: number;
  readonly history: readonly EpochSummary[];
  /** Lowest training loss so far (validation loss when there is validation data). */
  readonly best?: { readonly epoch: number; readonly loss: number };
}

/** The state before the first epoch. */
export function initialState(config: RunConfig): TrainerState {
  return freeze({ config, epoch: 0, step: 0, history: [] }, true);
}

/** The state after an epoch: appended to the history, best updated. */
export function withEpoch(state: TrainerState, summary: EpochSummary): TrainerState {
  return produce(state, (draft: Draft<TrainerState>) => {
    draft.epoch = summary.epoch;
    draft.step = summary.step;
    draft.history.push(summary as Draft<EpochSummary>);
    const loss = summary.validation?.loss ?? summary.loss;
    if (draft.best === undefined || loss < draft.best.loss) draft.best = { epoch: summary.epoch, loss };
  });
}
