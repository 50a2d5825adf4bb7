import { describe, expect, it } from 'vitest';
import { GradstreamError } from '@gradstream/tensor';
import { createRegistry, defineOp } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

const scaleOp = (name = 'scaleBy') =>
  defineOp({
    name,
    paramsSchema: {
      type: 'object',
      properties: { factor: { type: 'number' }, times: { type: 'integer', minimum: 1, default: 1 } },
      required: ['factor'],
      additionalProperties: false,
    },
    inputs: ['x'],
    save: {},
    outputShape: ([x]: readonly (readonly number[])[], _c: { factor: number; times?: number }) => x!,
    forward: ({ inputs, out, config, backend }) => backend.scale(inputs.x.data, config.factor, out.data),
    backward: ({ dy, dInputs, config, backend }) => {
      if (dInputs.x) backend.scale(dy.data, config.factor, dInputs.x.data);
    },
  });

describe('Registry', () => {
  it('rejects a second op under the same name', () => {
    const r = createRegistry([scaleOp()]);
    const e = catchGradstream(() => r.register(scaleOp()));
    expect(e.code).toBe('DUPLICATE_OP');
    expect(e.message).toContain('"scaleBy"');
  });

  it('lists the known names when asked for an unknown op', () => {
    const r = createRegistry([scaleOp('b'), scaleOp('a')]);
    const e = catchGradstream(() => r.get('c', 'layers/0/op'));
    expect(e.code).toBe('UNKNOWN_OP');
    expect(e.message).toBe('layers/0/op: unknown op "c"; registered ops: a, b');
  });

  it('validates configs with every problem and its JSON path, and applies defaults to a copy', () => {
    const r = createRegistry([scaleOp()]);
    const config = { factor: 2 };
    expect(r.validateConfig('scaleBy', config)).toEqual({ factor: 2, times: 1 });
    expect(config).toEqual({ factor: 2 });
    const e = catchGradstream(() => r.validateConfig('scaleBy', { factor: 'x', times: 0, extra: 1 }, 'layers/3'));
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message.split('\n').slice(1).sort()).toEqual([
      'layers/3/extra is not a known property',
      'layers/3/factor must be number',
      'layers/3/times must be >= 1',
    ]);
    const missing = catchGradstream(() => r.validateConfig('scaleBy', {}));
    expect(missing.message).toContain('scaleBy/factor is required');
  });

  it('keeps isolated registries apart', () => {
    const a = createRegistry([scaleOp('shared')]);
    const b = createRegistry();
    expect(a.has('shared')).toBe(true);
    expect(b.has('shared')).toBe(false);
  });

  it('refuses plugins that break the contract', () => {
    expect(() => defineOp({ name: '', inputs: ['x'], save: {}, outputShape: (s) => s[0]!, forward: () => {}, backward: () => {} })).toThrow(
      /name must be a non-empty identifier/,
    );
    const e = catchGradstream(() =>
      defineOp({ name: 'bad', inputs: ['x'], save: { inputs: ['y' as 'x'] }, outputShape: (s) => s[0]!, forward: () => {}, backward: () => {} }),
    );
    expect(e.code).toBe('INVALID_PLUGIN');
    expect(e.message).toContain('save.inputs names "y"');
  });
});
