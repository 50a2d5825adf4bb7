import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FromWorker, RunSettings, Update } from '../src/shared/protocol.js';
import { runSettings } from './support/run-settings.js';
import { Session } from '../src/worker/session.js';

/* The worker's run, driven in Node the way the page drives it through messages. */

const settings = runSettings({ dataset: 'xorCloud', hidden: [6], batchSize: 20, seed: 1 });

let session: Session | undefined;
afterEach(() => session?.dispose());

function record(over: Partial<RunSettings> = {}): { readonly session: Session; readonly updates: () => Update[]; readonly steps: () => number[] } {
  const messages: FromWorker[] = [];
  session = new Session(1, { ...settings, ...over }, (m) => messages.push(m));
  const updates = (): Update[] => messages.filter((m): m is Update => m.type === 'update');
  return { session, updates, steps: () => updates().flatMap((u) => Array.from(u.steps)) };
}

describe('Session', () => {
  it('shows the prepared run: its points, the untrained output and every unit’s map', async () => {
    const { session: s } = record({ features: ['x', 'y', 'xTimesY'] });
    const m = await s.prepared();
    if (m.type !== 'prepared') throw new Error(`expected a prepared message, got ${m.type}`);
    expect(m.points.labels).toHaveLength(400);
    expect(m.points.xy).toHaveLength(800);
    expect(m.points.test.reduce((a, b) => a + b, 0)).toBe(200);
    expect(m.topology.linear).toEqual(['linear_1', 'linear_2']);
    expect(m.boundary.values).toHaveLength(m.boundary.resolution ** 2);
    expect(m.boundary.values.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(m.boundary.step).toBe(0);
    // One map per hidden unit: tanh outputs, in (−1, 1), not all alike.
    const cells = m.boundary.unitResolution ** 2;
    expect(m.boundary.units).toHaveLength(1);
    expect(m.boundary.units[0]).toHaveLength(6 * cells);
    expect(m.boundary.units[0]?.every((v) => v > -1 && v < 1)).toBe(true);
    expect(new Set(m.boundary.units[0]).size).toBeGreaterThan(cells);
    // The input column's maps are the features over the grid: x·y is x times y, cell by cell.
    expect(m.featureMaps).toHaveLength(3 * cells);
    for (const c of [0, 17, cells - 1]) expect(m.featureMaps[2 * cells + c]).toBeCloseTo((m.featureMaps[c] as number) * (m.featureMaps[cells + c] as number), 5);
  });

  it('predicts a value over the plane in regression', async () => {
    const { session: s } = record({ problem: 'regression', dataset: 'plane' });
    const m = await s.prepared();
    if (m.type !== 'prepared') throw new Error(`expected a prepared message, got ${m.type}`);
    // An untrained network's outputs: real values, some negative (not probabilities).
    expect(m.boundary.values.some((v) => v < 0)).toBe(true);
    expect(m.topology.columns.at(-1)?.units).toBe(1);
  });

  it('steps one batch at a time while paused, and holds a pause', async () => {
    const { session: s, updates, steps } = record();
    s.setSpeed(null);
    s.start(true);
    await vi.waitFor(() => expect(updates().some((u) => u.state === 'paused')).toBe(true));
    expect(steps()).toEqual([]);

    s.step();
    await vi.waitFor(() => expect(steps()).toEqual([1]));
    // Paused, nothing else flushes: the session still comes back with step 1's boundary.
    await vi.waitFor(() => expect(updates().some((u) => u.boundary?.step === 1)).toBe(true));

    s.resume();
    await vi.waitFor(() => expect(steps().length).toBeGreaterThan(60), { timeout: 10_000 });
    s.pause();
    // The pause flushed every batch before it, ending with the new state.
    const n = steps().length;
    expect(updates().at(-1)?.state).toBe('paused');
    expect(steps()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    await new Promise((r) => setTimeout(r, 300));
    expect(steps().length).toBe(n);

    // Every sampled norm row has one value per linear layer; epochs of 200 training points / 20 = 10 steps.
    const sampled = updates().filter((u) => u.normSteps.length > 0);
    expect(sampled.length).toBeGreaterThan(0);
    for (const u of sampled) expect(u.norms.map((v) => v.length)).toEqual([u.normSteps.length, u.normSteps.length]);
    expect(updates().flatMap((u) => (u.epoch ? [u.epoch.step / u.epoch.epoch] : []))).toContain(10);
    // A test loss after every epoch, at the epoch's last step.
    const testSteps = updates().flatMap((u) => Array.from(u.testSteps));
    expect(testSteps.slice(0, 3)).toEqual([10, 20, 30]);
    const testLosses = updates().flatMap((u) => Array.from(u.testLosses));
    expect(testLosses.every((l) => l > 0 && Number.isFinite(l))).toBe(true);
    const epochs = updates().flatMap((u) => (u.epoch ? [u.epoch] : []));
    expect(epochs.at(-1)?.testAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('sends what the running run did every few dozen milliseconds, not only with each boundary', async () => {
    const at: number[] = [];
    session = new Session(1, settings, (m) => {
      if (m.type === 'update' && m.steps.length > 0) at.push(performance.now());
    });
    session.setSpeed(1000);
    session.start(false);
    await vi.waitFor(() => expect(at.length).toBeGreaterThan(16), { timeout: 10_000 });
    session.pause();
    // A flush FLUSH_MS (40 ms) after the batches that came in: the boundary's pace (200 ms) is
    // only for a paused run, which nothing else would flush. Most gaps are near 40 ms.
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number)).sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length * 0.75)]).toBeLessThan(120);
  });

  it('keeps to a speed limit through the control stream', async () => {
    const { session: s, updates, steps } = record();
    s.setSpeed(200);
    s.start(false);
    await vi.waitFor(() => expect(steps().length).toBeGreaterThan(10), { timeout: 10_000 });
    expect(updates().find((u) => u.state !== undefined)?.state).toBe('running');
    s.pause();
    const n = steps().length;
    await new Promise((r) => setTimeout(r, 300));
    expect(steps()).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });
});
