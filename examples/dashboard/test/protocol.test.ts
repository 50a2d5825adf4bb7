import { describe, expect, it } from 'vitest';
import { transferables, type Update } from '../src/shared/protocol.js';

describe('transferables', () => {
  it('moves every typed array of an update, each buffer once', () => {
    const shared = new Float32Array(4);
    const update: Update = {
      type: 'update',
      run: 1,
      steps: new Float64Array([1, 2]),
      losses: new Float64Array([0.5, 0.4]),
      testSteps: new Float64Array([2]),
      testLosses: new Float64Array([0.45]),
      normSteps: new Float64Array([2]),
      norms: [new Float64Array([0.1]), new Float64Array([0.2])],
      boundary: { step: 2, resolution: 2, values: new Float32Array(4), unitResolution: 1, units: [new Float32Array(3)] },
      network: { step: 2, weightGrads: [shared], weights: [shared], biasGrads: [new Float32Array(2)] },
    };
    const list = transferables({ ...update });
    expect(list).toHaveLength(11);
    // structuredClone with a transfer list is what postMessage does: the sender's arrays are emptied.
    const copy = structuredClone(update, { transfer: list });
    expect(update.steps.length).toBe(0);
    expect(update.boundary?.values.length).toBe(0);
    expect(update.boundary?.units[0]?.length).toBe(0);
    expect(shared.length).toBe(0);
    expect(Array.from(copy.losses)).toEqual([0.5, 0.4]);
    expect(Array.from(copy.testLosses)).toEqual([0.45]);
    expect(copy.network?.weights[0]).toBe(copy.network?.weightGrads[0]);
  });

  it('moves an exported file', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const list = transferables({ type: 'exported', run: 1, format: 'onnx', filename: 'm.onnx', bytes });
    expect(list).toEqual([bytes.buffer]);
  });
});
