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

/**
 * Keeps a run's history cheaply and hands out immutable states on request: each epoch's summary is
 * appended to a plain list (O(1), no copy), and a frozen {@link TrainerState} is produced with
 * immer only when someone reads it, sharing the entries (and the previous state's structure)
 * instead of copying them.
 */
export class StateKeeper {
  private readonly summaries: EpochSummary[] = [];
  private best: { epoch: number; loss: number } | undefined;
  private cached: TrainerState;

  constructor(config: RunConfig) {
    this.cached = freeze({ config, epoch: 0, step: 0, history: [] }, true);
  }

  /** Records an epoch. */
  add(summary: EpochSummary): void {
    const entry = freeze(summary, true);
    this.summaries.push(entry);
    const loss = entry.validation?.loss ?? entry.loss;
    if (this.best === undefined || loss < this.best.loss) this.best = { epoch: entry.epoch, loss };
  }

  /** The state after the last recorded epoch (the same object until another epoch is recorded). */
  state(): TrainerState {
    const have = this.cached.history.length;
    if (have === this.summaries.length) return this.cached;
    const summaries = this.summaries;
    const best = this.best;
    this.cached = produce(this.cached, (draft: Draft<TrainerState>) => {
      for (let i = have; i < summaries.length; i++) draft.history.push(summaries[i] as Draft<EpochSummary>);
      const last = summaries[summaries.length - 1] as EpochSummary;
      draft.epoch = last.epoch;
      draft.step = last.step;
      if (best !== undefined) draft.best = { ...best };
    });
    return this.cached;
  }
}
