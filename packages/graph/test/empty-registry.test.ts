import { describe, expect, it } from 'vitest';
import { createRegistry, defineOp, validateSpec } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';

const ident = defineOp({
  name: 'ident',
  inputs: ['x'],
  save: {},
  outputShape: ([x]: readonly (readonly number[])[]) => x!,
  forward: ({ inputs, out }) => out.data.set(inputs.x.data),
  backward: ({ dy, dInputs }) => dInputs.x?.data.set(dy.data),
});

describe('a registry without the ops a spec position takes', () => {
  const spec = { version: 1, inputShape: [2], layers: [{ op: 'ident' }], loss: { op: 'mse' } };

  it('refuses the spec with INVALID_SPEC saying none is registered (not a schema compiler error)', () => {
    for (const [registry, problems] of [
      [createRegistry([]), ['layers/0/op', 'loss/op']],
      [createRegistry([ident]), ['loss/op']],
    ] as const) {
      let error: unknown;
      try {
        validateSpec(spec, registry);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GradstreamError);
      expect((error as GradstreamError).code).toBe('INVALID_SPEC');
      for (const path of problems) expect((error as Error).message).toContain(`${path} must be one of ["(none registered: import @gradstream/ops or register plugins)"]`);
    }
  });
});
