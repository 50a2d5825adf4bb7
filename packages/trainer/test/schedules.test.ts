import { describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { cosineDecay, exponentialDecay, lrSchedule, reduceOnPlateau, stepDecay, type LrSchedule, type PlateauState } from '../src/index.js';
import { expectGradstreamError } from '../../../test/support/errors.js';

const at = (schedule: LrSchedule, ts: number[]): number[] => ts.map(schedule);

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 14));
}

/** Expects an INVALID_OPTION error whose message contains every word. */
const expectInvalid = (make: () => unknown, ...words: string[]): unknown => expectGradstreamError(make, 'INVALID_OPTION', ...words);

describe('stepDecay', () => {
  it('holds the rate for `every` units, then multiplies it by `factor`', () => {
    const lr = stepDecay({ initial: 0.1, factor: 0.5, every: 10 });
    expectClose(at(lr, [0, 9, 9.99, 10, 19, 20, 35]), [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it('is a pure function of t (any order, same answers)', () => {
    const lr = stepDecay({ initial: 1, factor: 0.1, every: 3 });
    const forward = at(lr, [0, 3, 6, 9]);
    expect(at(lr, [9, 6, 3, 0]).reverse()).toEqual(forward);
    expectClose(forward, [1, 0.1, 0.01, 0.001]);
  });

  it('rejects bad options and times', () => {
    expectInvalid(() => stepDecay({ initial: 0, factor: 0.5, every: 1 }), 'stepDecay', 'initial');
    expectInvalid(() => stepDecay({ initial: 0.1, factor: 0, every: 1 }), 'stepDecay', 'factor', '(0, 1]');
    expectInvalid(() => stepDecay({ initial: 0.1, factor: 1.5, every: 1 }), 'stepDecay', 'factor');
    expectInvalid(() => stepDecay({ initial: 0.1, factor: 0.5, every: 0 }), 'stepDecay', 'every');
    const lr = stepDecay({ initial: 0.1, factor: 0.5, every: 1 });
    expectInvalid(() => lr(-1), 'stepDecay', 't', 'got -1');
    expectInvalid(() => lr(Number.NaN), 'stepDecay', 't');
  });
});

describe('exponentialDecay', () => {
  it('shrinks the rate by `rate` every `every` units, smoothly in between', () => {
    const lr = exponentialDecay({ initial: 0.1, rate: 0.5, every: 100 });
    // Halfway through a period the rate has shrunk by √0.5.
    expectClose(at(lr, [0, 50, 100, 300]), [0.1, 0.1 * Math.SQRT1_2, 0.05, 0.0125]);
  });

  it('defaults to one unit per `rate`', () => {
    expectClose(at(exponentialDecay({ initial: 1, rate: 0.9 }), [0, 1, 2]), [1, 0.9, 0.81]);
  });

  it('rejects bad options', () => {
    expectInvalid(() => exponentialDecay({ initial: 0.1, rate: 0 }), 'exponentialDecay', 'rate');
    expectInvalid(() => exponentialDecay({ initial: 0.1, rate: 1.1 }), 'exponentialDecay', 'rate');
    expectInvalid(() => exponentialDecay({ initial: 0.1, rate: 0.5, every: -2 }), 'exponentialDecay', 'every');
  });
});

describe('cosineDecay', () => {
  it('follows half a cosine from initial to minimum over the period, then stays at minimum', () => {
    const lr = cosineDecay({ initial: 0.1, minimum: 0.01, period: 100 });
    // minimum + (initial − minimum)·(1 + cos(π·t/100))/2: t = 25 → cos = √½, t = 50 → 0, t = 75 → −√½.
    const q = (0.09 * (1 + Math.SQRT1_2)) / 2;
    expectClose(at(lr, [0, 25, 50, 75, 100, 150]), [0.1, 0.01 + q, 0.055, 0.01 + 0.09 - q, 0.01, 0.01]);
  });

  it('decays to 0 by default and never rises within the period', () => {
    const lr = cosineDecay({ initial: 1, period: 10 });
    const values = at(lr, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(values[10]).toBe(0);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1] as number);
  });

  it('rejects bad options', () => {
    expectInvalid(() => cosineDecay({ initial: 0.1, period: 0 }), 'cosineDecay', 'period');
    expectInvalid(() => cosineDecay({ initial: 0.1, minimum: -0.1, period: 10 }), 'cosineDecay', 'minimum');
    expectInvalid(() => cosineDecay({ initial: 0.1, minimum: 0.2, period: 10 }), 'cosineDecay', 'minimum', 'initial');
    expectInvalid(() => cosineDecay({ initial: 0.1, period: 10 })(-0.5), 'cosineDecay', 't');
  });
});

describe('reduceOnPlateau', () => {
  const feed = (metrics: number[], lr: number, plateau = reduceOnPlateau({ factor: 0.5, patience: 2 })): number[] =>
    metrics.map((m) => (lr = plateau.update(m, lr)));

  it('multiplies the rate by factor after `patience` updates without improvement, then counts again', () => {
    // 1 and 0.9 improve; the next two 0.9s are the plateau (drop to 0.05); two more (drop to 0.025); 0.8 improves.
    expect(feed([1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8], 0.1)).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it('counts a gain of at most minDelta as no improvement', () => {
    const plateau = reduceOnPlateau({ factor: 0.5, patience: 1, minDelta: 0.1 });
    // 0.95 is better than 1 by only 0.05; 0.85 is better than 1 by 0.15.
    expect(feed([1, 0.95], 0.1, plateau)).toEqual([0.1, 0.05]);
    const again = reduceOnPlateau({ factor: 0.5, patience: 1, minDelta: 0.1 });
    expect(feed([1, 0.85], 0.1, again)).toEqual([0.1, 0.1]);
  });

  it('never goes below minLr', () => {
    const plateau = reduceOnPlateau({ factor: 0.1, patience: 1, minLr: 0.005 });
    expect(feed([1, 1, 1, 1], 0.1, plateau)).toEqual([0.1, 0.1 * 0.1, 0.005, 0.005]);
  });

  it('defaults to factor 0.1 after 10 updates without improvement', () => {
    const plateau = reduceOnPlateau();
    const lrs = feed([1, ...Array<number>(10).fill(1)], 0.1, plateau);
    expect(lrs.slice(0, 10)).toEqual(Array<number>(10).fill(0.1));
    expect(lrs[10]).toBeCloseTo(0.01, 15);
  });

  it('counts a NaN metric as no improvement', () => {
    expect(feed([1, Number.NaN, Number.NaN], 0.1)).toEqual([0.1, 0.1, 0.05]);
  });

  it('saves and restores its state as JSON, continuing identically', () => {
    const metrics = [1, 0.9, 0.95, 0.93, 0.92, 0.91, 0.7, 0.71, 0.72, 0.73];
    const a = reduceOnPlateau({ factor: 0.5, patience: 2 });
    expect(a.state()).toEqual({ best: null, wait: 0 });
    let lr = 0.1;
    for (const m of metrics.slice(0, 3)) lr = a.update(m, lr);
    const saved = JSON.parse(JSON.stringify(a.state())) as PlateauState;
    expect(saved).toEqual({ best: 0.9, wait: 1 });
    const b = reduceOnPlateau({ factor: 0.5, patience: 2 });
    b.setState(saved);
    const rest = metrics.slice(3);
    // 0.93 is the second update without improvement (drop); 0.92, 0.91 (drop); 0.7 improves; 0.71, 0.72 (drop); 0.73.
    const expected = [0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125];
    expect(feed(rest, lr, b)).toEqual(expected);
    expect(feed(rest, lr, a)).toEqual(expected);
  });

  it('rejects bad options and states', () => {
    expectInvalid(() => reduceOnPlateau({ factor: 1 }), 'reduceOnPlateau', 'factor', '(0, 1)');
    expectInvalid(() => reduceOnPlateau({ patience: 1.5 }), 'reduceOnPlateau', 'patience', 'integer');
    expectInvalid(() => reduceOnPlateau({ minDelta: -1 }), 'reduceOnPlateau', 'minDelta');
    expectInvalid(() => reduceOnPlateau({ minLr: -1 }), 'reduceOnPlateau', 'minLr');
    expectInvalid(() => reduceOnPlateau().update(1, Number.NaN), 'reduceOnPlateau.update', 'lr');
    expectInvalid(() => reduceOnPlateau().setState({ best: 1, wait: -1 }), 'reduceOnPlateau.setState', 'wait');
    expectInvalid(() => reduceOnPlateau().setState({ best: 'x', wait: 0 } as never), 'reduceOnPlateau.setState', 'best');
  });
});

describe('lrSchedule', () => {
  it("takes per 'epoch' or 'step' and refuses anything else, which would otherwise pass for 'step'", () => {
    expect(() => lrSchedule(stepDecay({ initial: 0.1, factor: 0.5, every: 2 }), { per: 'step' })).not.toThrow();
    expect(() => lrSchedule(stepDecay({ initial: 0.1, factor: 0.5, every: 2 }))).not.toThrow();
    for (const per of ['epochs', 'batch', '', 1]) {
      expectInvalid(() => lrSchedule(stepDecay({ initial: 0.1, factor: 0.5, every: 2 }), { per: per as 'epoch' }), 'per', JSON.stringify(per));
    }
  });
});
