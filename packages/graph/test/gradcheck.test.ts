import { describe, expect, it } from 'vitest';
import { defineOp, gradcheck } from '../src/index.js';

const cube = (wrongBackward: boolean) =>
  defineOp({
    name: 'cube',
    inputs: ['x'],
    save: { inputs: ['x'] },
    outputShape: ([x]: readonly (readonly number[])[]) => x!,
    forward: ({ inputs, out }) => {
      const x = inputs.x.data;
      for (let i = 0; i < x.length; i++) out.data[i] = x[i]! ** 3;
    },
    backward: ({ dy, saved, dInputs }) => {
      const x = saved.inputs.x.data;
      const dx = dInputs.x!.data;
      // d(x³)/dx = 3x²; the wrong variant forgets the factor 3.
      for (let i = 0; i < x.length; i++) dx[i] = (wrongBackward ? 1 : 3) * x[i]! ** 2 * dy.data[i]!;
    },
  });

describe('gradcheck', () => {
  it('passes a correct backward with errors far below tolerance', () => {
    const r = gradcheck(cube(false), { inputShapes: [[3, 4]], seed: 1 });
    expect(r.ok).toBe(true);
    expect(r.maxRelError).toBeLessThan(1e-8);
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.kind).toBe('input');
  });

  it('fails a wrong backward and reports the worst element', () => {
    const r = gradcheck(cube(true), { inputShapes: [[3, 4]], seed: 1 });
    expect(r.ok).toBe(false);
    // analytic is a third of the numeric gradient, so the relative error is about 2/3
    expect(r.maxRelError).toBeGreaterThan(0.6);
    const w = r.entries[0]!.worst;
    expect(w.analytic * 3).toBeCloseTo(w.numeric, 6);
  });
});
