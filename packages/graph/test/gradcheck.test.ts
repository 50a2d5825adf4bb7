import { describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { checkGradients, createRegistry, defineOp, gradcheck } from '../src/index.js';

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

describe('checkGradients', () => {
  it('draws shapes from the op’s gradcheckCase when none are given, and formats a report', () => {
    const op = defineOp({
      ...cube(false),
      gradcheckCase: () => ({ config: {}, inputShapes: [[2, 3]] }),
    });
    const report = checkGradients(op, { seed: 3 });
    expect(report.entries[0]!.shape).toEqual([2, 3]);
    expect(report.format()).toMatch(/^gradient check of op "cube": ok \(tolerance 1e-6\)\n {2}input x \[2,3\]: max abs .*, max rel .*, worst \[\d+\]/);
    expect(() => report.assert()).not.toThrow();
  });

  it('assert() throws GRADIENT_MISMATCH with the table when backward is wrong', () => {
    const report = checkGradients(cube(true), { shapes: [[3, 2]], seed: 1 });
    let err: unknown;
    try {
      report.assert();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradstreamError);
    expect((err as GradstreamError).code).toBe('GRADIENT_MISMATCH');
    expect((err as GradstreamError).message).toContain('gradient check of op "cube": FAILED');
  });

  it('needs shapes or a gradcheckCase', () => {
    expect(() => checkGradients(cube(false))).toThrow(/give shapes, or declare a gradcheckCase/);
  });

  it('a registry made with checkGradients refuses an op whose backward is wrong', () => {
    const wrong = defineOp({ ...cube(true), gradcheckCase: () => ({ config: {}, inputShapes: [[2, 2]] }) });
    const right = defineOp({ ...cube(false), gradcheckCase: () => ({ config: {}, inputShapes: [[2, 2]] }) });
    expect(() => createRegistry([wrong], { checkGradients: true })).toThrow(/FAILED/);
    expect(createRegistry([right], { checkGradients: true }).has('cube')).toBe(true);
    expect(createRegistry([wrong], { checkGradients: false }).has('cube')).toBe(true);
  });
});
