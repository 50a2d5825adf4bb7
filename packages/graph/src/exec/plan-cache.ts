import type { Plan, PlanKind } from './plan.js';

/**
 * A model's plans by (kind, batch size), least recently used dropped first once `capacity` is
 * reached. A dropped plan stays usable by whoever still holds it; its buffers are reclaimed when it
 * is collected, or at once when it was never lent out (only the model's `predict` used it).
 * Training, evaluation and prediction share this one cache, so a model never keeps more than
 * `capacity` plans alive on its own, whatever batch sizes it sees.
 */
export class PlanCache {
  /** Keyed by the batch size, negated for forward-only plans: a number, so a lookup allocates nothing. */
  private readonly entries = new Map<number, Plan>();
  /** Plans handed to callers that may keep them; nothing but the cache holds the others. */
  private readonly lent = new WeakSet<Plan>();

  constructor(private readonly capacity: number) {}

  /** The plan for a batch size and kind, made on a miss; `lend: false` for a caller that does not keep it past its call. */
  get(batchSize: number, kind: PlanKind, make: () => Plan, lend = true): Plan {
    const k = kind === 'train' ? batchSize : -batchSize;
    const hit = this.entries.get(k);
    if (hit !== undefined) {
      // Re-inserting moves the entry to the newest end of the Map's order.
      this.entries.delete(k);
      this.entries.set(k, hit);
      if (lend) this.lent.add(hit);
      return hit;
    }
    const plan = make();
    this.entries.set(k, plan);
    if (lend) this.lent.add(plan);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as number;
      const dropped = this.entries.get(oldest) as Plan;
      this.entries.delete(oldest);
      // The collector does not count memory outside the heap (the wasm backend's): left to it,
      // plans dropped one after another pile up there far beyond `capacity` before it runs.
      if (dropped !== plan && !this.lent.has(dropped)) dropped.free();
    }
    return plan;
  }

  /** Frees every plan now and forgets them (the model is being released). */
  clear(): void {
    for (const p of this.entries.values()) p.free();
    this.entries.clear();
  }

  stats(): { plans: number; bytes: number } {
    let bytes = 0;
    for (const p of this.entries.values()) bytes += p.bytes;
    return { plans: this.entries.size, bytes };
  }
}
