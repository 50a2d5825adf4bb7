import type { TrainEventType } from '../events.js';

/** What a subscriber of a run reads: some event types (or all), and whether it needs gradient or trace copies in batch events. */
export interface Reads {
  readonly types: readonly TrainEventType[] | 'all';
  readonly gradients?: boolean;
  readonly trace?: boolean;
}

/** Everything: a subscriber of the run itself. */
export const READS_ALL: Reads = { types: 'all' };

/**
 * What the subscribers of one run read, counted, so the run builds the events (and the copies in
 * them) that somebody reads and skips the rest. Subscribers of the run's Observable read
 * everything; the stream helpers (`loss$`, `epochs$`, `end$`, …) say what they read.
 */
export class Interest {
  private all = 0;
  // A field per type, not a keyed record: `wants('batch')` is read on every step.
  private readonly counts: Record<TrainEventType, number> = {
    start: 0,
    epochStart: 0,
    batch: 0,
    epoch: 0,
    params: 0,
    checkpoint: 0,
    end: 0,
    error: 0,
  };
  private gradients = 0;
  private trace = 0;

  add(reads: Reads, sign: 1 | -1 = 1): void {
    if (reads.types === 'all') this.all += sign;
    else for (const t of reads.types) this.counts[t] += sign;
    if (reads.gradients === true) this.gradients += sign;
    if (reads.trace === true) this.trace += sign;
  }

  remove(reads: Reads): void {
    this.add(reads, -1);
  }

  /** True when some subscriber reads events of this type. */
  wants(type: TrainEventType): boolean {
    return this.all > 0 || this.counts[type] > 0;
  }

  /** True when some subscriber asked for gradient copies in batch events. */
  wantsGradients(): boolean {
    return this.gradients > 0;
  }

  /** True when some subscriber asked for every node's output and signal in batch events. */
  wantsTrace(): boolean {
    return this.trace > 0;
  }
}
