import type { Plan, PlanKind } from './plan.js';

/**
 * A model's plans by (kind, batch size), least recently used dropped first once `capacity` is
 * reached. A dropped plan stays usable by whoever still holds it; its buffers are reclaimed when it
 * is collected. Training, evaluation and prediction share this one cache, so a model never keeps
 * more than `capacity` plans alive on its own, whatever batch sizes it sees.
 */
export class PlanCache {
  /** Keyed by the batch size, negated for forward-only plans: a number, so a lookup allocates nothing. */
  private readonly entries = new Map<number, Plan>();

  constructor(private readonly capacity: number) {}

  get(batchSize: number, kind: PlanKind, make: () => Plan): Plan {
    const k = kind === 'train' ? batchSize : -batchSize;
    const hit = this.entries.get(k);
    if (hit !== undefined) {
      // Re-inserting moves the entry to the newest end of the Map's order.
      this.entries.delete(k);
      this.entries.set(k, hit);
      return hit;
    }
    const plan = make();
    this.entries.set(k, plan);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as number);
    return plan;
  }

  stats(): { plans: number; bytes: number } {
    let bytes = 0;
    for (const p of this.entries.values()) bytes += p.bytes;
    return { plans: this.entries.size, bytes };
  }
}
