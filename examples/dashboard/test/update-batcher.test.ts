import { describe, expect, it } from 'vitest';
import { UpdateBatcher } from '../src/worker/update-batcher.js';

describe('UpdateBatcher', () => {
  it('sends every batch loss and only the newest snapshot of the rest', () => {
    const b = new UpdateBatcher(3, 2);
    expect(b.empty).toBe(true);
    b.batch(1, 0.5);
    b.batch(2, 0.25);
    b.norms(2, [1, 2]);
    b.epoch({ epoch: 1, step: 2, loss: 0.4, accuracy: 0.5, testLoss: 0.45, testAccuracy: 0.5 });
    b.epoch({ epoch: 2, step: 4, loss: 0.3, accuracy: 0.75, testLoss: 0.35, testAccuracy: 0.7 });
    b.testLoss(2, 0.45);
    b.testLoss(4, 0.35);
    b.state('running');
    b.state('ended', 'completed');
    const u = b.take();
    expect(u.run).toBe(3);
    expect(Array.from(u.steps)).toEqual([1, 2]);
    expect(Array.from(u.losses)).toEqual([0.5, 0.25]);
    expect(Array.from(u.normSteps)).toEqual([2]);
    expect(u.norms.map((n) => Array.from(n))).toEqual([[1], [2]]);
    expect(u.epoch?.epoch).toBe(2);
    expect(Array.from(u.testSteps)).toEqual([2, 4]);
    expect(Array.from(u.testLosses)).toEqual([0.45, 0.35]);
    expect(u.state).toBe('ended');
    expect(u.reason).toBe('completed');
    expect('boundary' in u).toBe(false);
  });

  it('starts afresh after each take', () => {
    const b = new UpdateBatcher(1, 1);
    b.batch(1, 1);
    b.testLoss(1, 0.5);
    b.take();
    expect(b.empty).toBe(true);
    b.testLoss(2, 0.4);
    expect(b.empty).toBe(false);
    b.take();
    const u = b.take();
    expect(u.steps).toHaveLength(0);
    expect(u.testSteps).toHaveLength(0);
    expect(u.norms).toHaveLength(1);
    expect(u.state).toBeUndefined();
  });

  it('refuses norms for the wrong number of layers', () => {
    expect(() => new UpdateBatcher(1, 3).norms(1, [1, 2])).toThrow(/expected 3 values, got 2/);
  });
});
