import { describe, expect, it } from 'vitest';
import { identity, identityOp } from '../src/index.js';
import { flat, runOp } from './run-op.js';

describe('identity', () => {
  it('copies its input into its own output buffer', () => {
    const r = runOp(identityOp, [[[1, -2], [3.5, 0]]]);
    expect(r.out.shape).toEqual([2, 2]);
    expect(flat(r.out)).toEqual([1, -2, 3.5, 0]);
  });

  it('passes the gradient signal back unchanged', () => {
    const r = runOp(identityOp, [[[1, -2], [3.5, 0]]]);
    expect(flat(r.backward([[5, 6], [7, 8]]).x!)).toEqual([5, 6, 7, 8]);
  });

  it('builds a layer spec', () => {
    expect(identity({ name: 'tap' })).toEqual({ op: 'identity', name: 'tap' });
  });
});
