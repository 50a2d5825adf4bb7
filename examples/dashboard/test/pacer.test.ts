import { describe, expect, it } from 'vitest';
import { stepsDue } from '../src/worker/pacer.js';

describe('stepsDue', () => {
  it('grants the rate’s share of the elapsed time, carrying the fraction', () => {
    // 500 batches/s for 25 ms is 12.5 batches: 12 now, the half kept for the next tick.
    const first = stepsDue(0, 500, 25, 0, 125);
    expect(first).toEqual({ steps: 12, budget: 0.5 });
    expect(stepsDue(first.budget, 500, 25, 0, 125)).toEqual({ steps: 13, budget: 0 });
  });

  it('lets a slow rate accumulate over ticks', () => {
    // 20 batches/s for 25 ms is half a batch per tick.
    const a = stepsDue(0, 20, 25, 0, 5);
    expect(a).toEqual({ steps: 0, budget: 0.5 });
    expect(stepsDue(a.budget, 20, 25, 0, 5)).toEqual({ steps: 1, budget: 0 });
  });

  it('grants nothing new while the run owes more than the backlog allows', () => {
    expect(stepsDue(0.5, 500, 25, 126, 125)).toEqual({ steps: 0, budget: 0.5 });
  });
});
