import { circles } from '@gradstream/datasets';
import { describe, expect, it } from 'vitest';
import type { RunSettings } from '../src/shared/protocol.js';
import { buildNetwork, toyData, topologyOf } from '../src/worker/network.js';

const settings: RunSettings = { dataset: 'circles', hidden: [8, 4], activation: 'relu', optimizer: 'sgd', lr: 0.1, batchSize: 16, seed: 3 };

describe('the worker’s network', () => {
  it('goes 2 → hidden layers → 2 logits', () => {
    const model = buildNetwork(settings);
    expect(model.nodes.map((n) => n.op.name)).toEqual(['linear', 'relu', 'linear', 'relu', 'linear', 'softmaxCrossEntropy']);
    // Weights and biases: (2·8 + 8) + (8·4 + 4) + (4·2 + 2) = 24 + 36 + 10.
    expect(model.parameters().reduce((n, p) => n + p.value.size, 0)).toBe(70);
  });

  it('is drawn as one column per layer of units', () => {
    const topology = topologyOf(buildNetwork(settings));
    expect(topology.columns).toEqual([
      { label: 'x', units: 2 },
      { label: 'linear_1 → relu', units: 8 },
      { label: 'linear_2 → relu', units: 4 },
      { label: 'logits', units: 2 },
    ]);
    expect(topology.linear).toEqual(['linear_1', 'linear_2', 'linear_3']);
  });
});

describe('toyData', () => {
  it('is the seeded toy set with one-hot targets and the same points to draw', () => {
    const data = toyData(settings);
    const reference = circles({ samples: 400, seed: 3 });
    expect(data.x).toEqual(reference.x);
    expect(data.points.labels).toHaveLength(400);
    // circles puts even-numbered points inside (label 1) and odd ones in the ring (label 0).
    expect(Array.from(data.points.labels.slice(0, 4))).toEqual([1, 0, 1, 0]);
    expect(data.y.slice(0, 2)).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(data.points.xy[2 * 5 + 1]).toBe(Math.fround(reference.x[5]?.[1] as number));
  });
});
