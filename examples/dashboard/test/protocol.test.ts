import { describe, expect, it } from 'vitest';
import { parseHidden, transferables, type Update } from '../src/shared/protocol.js';

describe('parseHidden', () => {
  it('reads units separated by commas or spaces', () => {
    expect(parseHidden('8, 8')).toEqual([8, 8]);
    expect(parseHidden(' 4 2 ')).toEqual([4, 2]);
    expect(parseHidden('64')).toEqual([64]);
  });

  it('refuses what is not 1 to 6 whole numbers from 1 to 64', () => {
    for (const bad of ['', ' , ', '8,x', '0', '65', '2.5', '-3', '1,1,1,1,1,1,1']) expect(parseHidden(bad), bad).toBeUndefined();
  });
});

describe('transferables', () => {
  it('moves every typed array of an update, each buffer once', () => {
    const shared = new Float32Array(4);
    const update: Update = {
      type: 'update',
      run: 1,
      steps: new Float64Array([1, 2]),
      losses: new Float64Array([0.5, 0.4]),
      normSteps: new Float64Array([2]),
      norms: [new Float64Array([0.1]), new Float64Array([0.2])],
      boundary: { step: 2, resolution: 2, values: new Float32Array(4) },
      network: { step: 2, weightGrads: [shared], weights: [shared], biasGrads: [new Float32Array(2)] },
    };
    const list = transferables({ ...update });
    expect(list).toHaveLength(8);
    // structuredClone with a transfer list is what postMessage does: the sender's arrays are emptied.
    const copy = structuredClone(update, { transfer: list });
    expect(update.steps.length).toBe(0);
    expect(update.boundary?.values.length).toBe(0);
    expect(shared.length).toBe(0);
    expect(Array.from(copy.losses)).toEqual([0.5, 0.4]);
    expect(copy.network?.weights[0]).toBe(copy.network?.weightGrads[0]);
  });
});
