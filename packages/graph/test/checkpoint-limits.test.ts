import { describe, expect, it } from 'vitest';
import { linearOp, mseOp } from '@gradstream/ops';
import { CHECKPOINT_LIMITS, createRegistry, fromCheckpoint, parseCheckpoint, sequential, toCheckpoint, validateCheckpoint, type Checkpoint } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

// A checkpoint is refused for what it holds beyond its model before anything is decoded or copied:
// too many parameters, free-form JSON nested too deep, a generator state of the wrong length, a
// tensor of too many axes; and a file with many stray keys gets a short message, not a huge one.

const registry = createRegistry([linearOp, mseOp]);
const model = sequential([{ op: 'linear', inFeatures: 2, outFeatures: 1 }], { inputShape: [2], loss: { op: 'mse' }, seed: 1, registry });
const base = (): Checkpoint & Record<string, unknown> => JSON.parse(JSON.stringify(toCheckpoint(model))) as Checkpoint & Record<string, unknown>;

/** An array nested `depth` levels deep, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('checkpoint limits', () => {
  it('free-form JSON nests at most CHECKPOINT_LIMITS.depth levels, in meta, optimizer and run', () => {
    for (const field of ['meta', 'optimizer', 'run'] as const) {
      const ok = { ...base(), [field]: nested(CHECKPOINT_LIMITS.depth) };
      expect(validateCheckpoint(ok)[field]).toBeDefined();
      const e = catchGradstream(() => validateCheckpoint({ ...base(), [field]: nested(CHECKPOINT_LIMITS.depth + 1) }));
      expect(e.code).toBe('CHECKPOINT_INVALID');
      expect(e.message).toContain(`${field}: nests deeper than ${CHECKPOINT_LIMITS.depth} levels`);
    }
    // Deep enough to overflow a recursive walk: refused all the same, without a RangeError.
    const e = catchGradstream(() => parseCheckpoint(JSON.stringify({ ...base(), meta: 0 }).replace('"meta":0', `"meta":${'['.repeat(200_000)}${']'.repeat(200_000)}`)));
    expect(e.code).toBe('CHECKPOINT_INVALID');
  });

  it('a generator state is 4 integers; a tensor has at most 32 axes', () => {
    expect(catchGradstream(() => validateCheckpoint({ ...base(), rng: [1, 2, 3] })).message).toContain('rng');
    const c = base();
    const first = Object.keys(c.params)[0] as string;
    (c.params as unknown as Record<string, { shape: number[] }>)[first]!.shape = Array.from({ length: 33 }, () => 1);
    expect(catchGradstream(() => validateCheckpoint(c)).message).toContain(`params/${first}/shape`);
  });

  it('parameter ids are at most 1,024 characters', () => {
    const c = base();
    const params = c.params as Record<string, unknown>;
    params['x'.repeat(CHECKPOINT_LIMITS.idLength + 1)] = params[Object.keys(params)[0] as string];
    expect(catchGradstream(() => validateCheckpoint(c)).code).toBe('CHECKPOINT_INVALID');
  });

  it('many stray parameter keys: the model ids once, 20 problem lines, the rest counted', () => {
    const c = base();
    const params = c.params as Record<string, unknown>;
    const one = params[Object.keys(params)[0] as string];
    for (let i = 0; i < 5000; i++) params[`stray_${i}.weight`] = one;
    const e = catchGradstream(() => fromCheckpoint(c, { registry }));
    expect(e.code).toBe('CHECKPOINT_INVALID');
    expect(e.message).toContain('5000 keys that are not parameters of this model (it has linear_1.weight, linear_1.bias)');
    expect(e.message.split('\n').length).toBeLessThan(25);
    expect(e.message).toContain('… and 4981 more');
    expect(e.message.length).toBeLessThan(2000);
  });

  it('a data string of the wrong length is refused from its length, naming the bytes', () => {
    const c = base();
    const bias = (c.params as Record<string, { data: string }>)['linear_1.bias']!;
    bias.data = 'A'.repeat(4 * 1000);
    const e = catchGradstream(() => fromCheckpoint(c, { registry }));
    expect(e.message).toContain('params/linear_1.bias/data: expected 4 bytes (1 float32), got 3000');
  });
});
