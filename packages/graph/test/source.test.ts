import { describe, expect, it } from 'vitest';
import { Tensor, cpuBackend, kernelSource, sizeOf, type Shape } from '@gradstream/tensor';
import { linear, mse, mseOp, sigmoid } from '@gradstream/ops';
import { catchGradstream } from '../../../test/support/errors.js';
import { checkSource, createRegistry, defineOp, sequential } from '../src/index.js';

/** y = 2x, with the given source for its passes. */
const double = (emit: (x: string, out: string, dy: string, dx: string | undefined, size: number) => { forward: string; backward: string }) =>
  defineOp({
    name: 'double',
    inputs: ['x'],
    save: {},
    outputShape: ([x]) => x as Shape,
    forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, 2, out.data),
    backward: ({ dy, dInputs, backend }) => {
      if (dInputs.x) backend.scale(dy.data, 2, dInputs.x.data);
    },
    emit: ({ inputs, out, dy, dInputs, outputShape }) => emit(inputs.x, out, dy, dInputs.x, sizeOf(outputShape)),
  });

const right = double((x, out, dy, dx, n) => ({
  forward: `for (let i = 0; i < ${n}; i++) ${out}[i] = 2 * ${x}[i];`,
  backward: dx ? `for (let i = 0; i < ${n}; i++) ${dx}[i] = 2 * ${dy}[i];` : '',
}));

describe('checkSource', () => {
  it('passes source that computes what the functions compute', () => {
    const report = checkSource(right, { shapes: [[3, 4]], dtype: 'float32' });
    expect(report.emitted).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.format()).toBe('source check of op "double" (float32): ok');
  });

  it('reports the first differing element of each buffer and asserts with SOURCE_MISMATCH', () => {
    // skips the last element of the gradient: stays NaN where the function wrote a number
    const wrong = double((x, out, dy, dx, n) => ({
      forward: `for (let i = 0; i < ${n}; i++) ${out}[i] = 2 * ${x}[i];`,
      backward: `for (let i = 0; i < ${n - 1}; i++) ${dx}[i] = 2 * ${dy}[i];`,
    }));
    const report = checkSource(wrong, { shapes: [[2, 3]], seed: 3 });
    expect(report.ok).toBe(false);
    expect(report.mismatches).toHaveLength(1);
    expect(report.mismatches[0]).toMatchObject({ buffer: 'd input x', index: 5 });
    expect(report.mismatches[0]!.actual).toBeNaN();
    const err = catchGradstream(() => report.assert());
    expect(err.code).toBe('SOURCE_MISMATCH');
    expect(err.message).toContain('d input x[5]: functions wrote');
  });

  it('compares forward in evaluation mode too', () => {
    const trainingOnly = double((x, out, dy, dx, n) => ({
      forward: `for (let i = 0; i < ${n}; i++) ${out}[i] = training ? 2 * ${x}[i] : ${x}[i];`,
      backward: `for (let i = 0; i < ${n}; i++) ${dx}[i] = 2 * ${dy}[i];`,
    }));
    expect(checkSource(trainingOnly, { shapes: [[1, 2]] }).mismatches.map((m) => m.buffer)).toEqual(['out (evaluation)']);
  });

  it('a registry made with checkSource refuses an op whose source is wrong', () => {
    const withCase = { gradcheckCase: () => ({ config: {}, inputShapes: [[2, 3]] }) };
    const wrong = defineOp({
      ...double((x, out, dy, dx, n) => ({ forward: `for (let i = 0; i < ${n}; i++) ${out}[i] = ${x}[i] + ${x}[i] + 1e-7;`, backward: '' })),
      ...withCase,
    });
    const err = catchGradstream(() => createRegistry([wrong], { checkSource: true }));
    expect(err.code).toBe('SOURCE_MISMATCH');
    expect(err.message).toMatch(/^source check of op "double" \(float32\): FAILED\n {2}out \(training\)\[0\]/);
    expect(createRegistry([defineOp({ ...right, ...withCase })], { checkSource: true }).has('double')).toBe(true);
    expect(createRegistry([wrong], { checkSource: false }).has('double')).toBe(true);
  });

  it('has nothing to compare for an op without emit', () => {
    const plain = defineOp({ ...right, emit: undefined });
    const report = checkSource(plain, { shapes: [[2]] });
    expect(report).toMatchObject({ emitted: false, ok: true });
  });
});

describe('source inlined into a compiled plan', () => {
  const lesson = (dtype: 'float32' | 'float64', backend = cpuBackend) =>
    sequential([linear({ inFeatures: 1, outFeatures: 1 }), sigmoid(), linear({ inFeatures: 1, outFeatures: 1 })], {
      inputShape: [1],
      loss: mse(),
      dtype,
      backend,
      seed: 2,
    });

  it('inlines every node of the lesson network', () => {
    expect(lesson('float32').compile(1).inlinedNodes).toEqual(['linear_1', 'sigmoid_1', 'linear_2', 'mse_1']);
  });

  it('calls the kernel for a layer too large to inline', () => {
    const model = sequential([linear({ inFeatures: 64, outFeatures: 8 }), sigmoid()], { inputShape: [64], loss: mse() });
    expect(model.compile(4).inlinedNodes).toEqual(['sigmoid_1', 'mse_1']);
  });

  it('inlines nothing on another backend, whose kernels the source does not spell out', () => {
    const other = { ...cpuBackend, name: 'other' };
    expect(lesson('float64', other).compile(1).inlinedNodes).toEqual([]);
  });

  it('refuses source that does not parse, naming the node and the pass', () => {
    const broken = double((x, out) => ({ forward: `${out}[0] = ${x}[0] *;`, backward: '' }));
    const registry = createRegistry([broken, mseOp]);
    const model = sequential([{ op: 'double' }], { inputShape: [2], loss: mse(), registry });
    const err = catchGradstream(() => model.compile(1));
    expect(err.code).toBe('INVALID_PLUGIN');
    expect(err.message).toMatch(/^node "double_1" \(double\): the forward source its op emitted does not parse: /);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`gives the numbers of the node-by-node loop over many steps (${dtype})`, () => {
      const inlined = lesson(dtype).compile(1);
      const looped = lesson(dtype).compile(1);
      looped.enableProfiling(); // times each node, so it calls them one by one
      expect(inlined.inlinedNodes.length).toBe(4);
      for (const plan of [inlined, looped]) {
        plan.setBatch(Tensor.from([[1]], dtype), Tensor.from([[1]], dtype));
        const params = plan.model.parameters();
        for (let step = 0; step < 50; step++) {
          plan.forward();
          plan.backward();
          for (const p of params) {
            const g = plan.paramGrads.get(p.id)!.data;
            for (let i = 0; i < g.length; i++) p.value.data[i] = p.value.data[i]! - 0.5 * g[i]!;
          }
        }
      }
      expect(inlined.loss).toBe(looped.loss);
      for (const [id, g] of inlined.paramGrads) expect(Array.from(g.data), id).toEqual(Array.from(looped.paramGrads.get(id)!.data));
    });
  }
});
