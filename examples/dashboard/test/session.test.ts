import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FromWorker, RunSettings, Update } from '../src/shared/protocol.js';
import { Session } from '../src/worker/session.js';

/* The worker's run, driven in Node the way the page drives it through messages. */

const settings: RunSettings = { dataset: 'xorCloud', hidden: [6], activation: 'tanh', optimizer: 'adam', lr: 0.03, batchSize: 20, seed: 1 };

let session: Session | undefined;
afterEach(() => session?.dispose());

function record(): { readonly session: Session; readonly updates: () => Update[]; readonly steps: () => number[] } {
  const messages: FromWorker[] = [];
  session = new Session(1, settings, (m) => messages.push(m));
  const updates = (): Update[] => messages.filter((m): m is Update => m.type === 'update');
  return { session, updates, steps: () => updates().flatMap((u) => Array.from(u.steps)) };
}

describe('Session', () => {
  it('shows the prepared run: its points and the untrained boundary', () => {
    const { session: s } = record();
    const m = s.prepared();
    if (m.type !== 'prepared') throw new Error(`expected a prepared message, got ${m.type}`);
    expect(m.points.labels).toHaveLength(400);
    expect(m.points.xy).toHaveLength(800);
    expect(m.topology.linear).toEqual(['linear_1', 'linear_2']);
    expect(m.boundary.values).toHaveLength(m.boundary.resolution ** 2);
    expect(m.boundary.values.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(m.boundary.step).toBe(0);
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

    // Every sampled norm row has one value per linear layer; epochs of 400 / 20 = 20 steps.
    const sampled = updates().filter((u) => u.normSteps.length > 0);
    expect(sampled.length).toBeGreaterThan(0);
    for (const u of sampled) expect(u.norms.map((v) => v.length)).toEqual([u.normSteps.length, u.normSteps.length]);
    expect(updates().flatMap((u) => (u.epoch ? [u.epoch.step / u.epoch.epoch] : []))).toContain(20);
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
