import { circles, gaussians } from '@gradstream/datasets';
import { describe, expect, it } from 'vitest';
import { runSettings } from './support/run-settings.js';
import { SAMPLES, buildNetwork, hiddenOps, testMask, toyData, topologyOf } from '../src/worker/network.js';
import '../src/worker/plugins.js';

const settings = runSettings({ trainRatio: 0.75, features: ['x', 'y', 'xTimesY'], activation: 'relu', optimizer: 'sgd', lr: 0.1 });

describe('the worker’s network', () => {
  it('goes features → hidden layers → 2 logits in classification', () => {
    const model = buildNetwork(settings);
    expect(model.inputShape).toEqual([3]);
    expect(model.nodes.map((n) => n.op.name)).toEqual(['linear', 'relu', 'linear', 'relu', 'linear', 'softmaxCrossEntropy']);
    // Weights and biases: (3·8 + 8) + (8·4 + 4) + (4·2 + 2) = 32 + 36 + 10.
    expect(model.parameters().reduce((n, p) => n + p.value.size, 0)).toBe(78);
  });

  it('ends in one value and the squared error in regression, and takes a custom op', () => {
    const model = buildNetwork({ ...settings, problem: 'regression', dataset: 'gaussians', activation: 'swish' });
    expect(model.nodes.map((n) => n.op.name)).toEqual(['linear', 'swish', 'linear', 'swish', 'linear', 'mse']);
    expect(model.outputShape).toEqual([1]);
  });

  it('has no hidden layer when none is asked for', () => {
    const model = buildNetwork({ ...settings, hidden: [] });
    expect(model.nodes.map((n) => n.op.name)).toEqual(['linear', 'softmaxCrossEntropy']);
    expect(topologyOf(model, { ...settings, hidden: [] }).hidden).toEqual([]);
  });

  it('is drawn as one column per layer of units, the inputs named after their features', () => {
    const topology = topologyOf(buildNetwork(settings), settings);
    expect(topology.columns).toEqual([
      { label: 'features', units: 3, unitLabels: ['x', 'y', 'x·y'] },
      { label: 'linear_1 → relu', units: 8, unitLabels: [] },
      { label: 'linear_2 → relu', units: 4, unitLabels: [] },
      { label: 'output', units: 2, unitLabels: [] },
    ]);
    expect(topology.linear).toEqual(['linear_1', 'linear_2', 'linear_3']);
    expect(topology.hidden).toEqual(['relu_1', 'relu_2']);
  });
});

describe('hiddenOps', () => {
  it('offers the registry’s shape-keeping one-input ops, the custom one included, and nothing else', () => {
    const ops = hiddenOps();
    for (const op of ['tanh', 'relu', 'sigmoid', 'gelu', 'softplus', 'leakyRelu', 'swish', 'layerNorm']) expect(ops).toContain(op);
    // Ops that change the shape, need settings, read two inputs, or are losses are not offered.
    for (const op of ['linear', 'dense', 'conv2d', 'concat', 'embedding', 'mse', 'softmaxCrossEntropy']) expect(ops).not.toContain(op);
    expect([...ops].sort()).toEqual(ops);
  });
});

describe('toyData', () => {
  it('splits the seeded toy set into training and test rows of the chosen features', () => {
    const data = toyData(settings);
    const reference = circles({ samples: SAMPLES, noise: 0.1, seed: 3 });
    expect(data.train.x).toHaveLength(300);
    expect(data.test.x).toHaveLength(100);
    expect(data.points.labels).toHaveLength(SAMPLES);
    expect(data.points.test.reduce((a, b) => a + b, 0)).toBe(100);
    // The first training point: its features, and its class one-hot.
    const first = data.points.test.indexOf(0);
    const [x, y] = reference.x[first] as [number, number];
    const row = data.train.x[0] as number[];
    expect(row[0]).toBe(Math.fround(x));
    expect(row[1]).toBe(Math.fround(y));
    expect(row[2]).toBeCloseTo(x * y, 6);
    const label = reference.y[first]?.[0] as number;
    expect(data.train.y[0]).toEqual([1 - label, label]);
  });

  it('keeps the real target in regression', () => {
    const data = toyData({ ...settings, problem: 'regression', dataset: 'gaussians', features: ['x', 'y'] });
    const reference = gaussians({ samples: SAMPLES, noise: 0.1, seed: 3 });
    const first = data.points.test.indexOf(0);
    expect(data.train.y[0]).toEqual([Math.fround(reference.y[first]?.[0] as number)]);
  });
});

describe('testMask', () => {
  it('draws the test share at random, the same for the same seed', () => {
    const a = testMask(400, 0.7, 5);
    expect(a.reduce((s, v) => s + v, 0)).toBe(120);
    expect(testMask(400, 0.7, 5)).toEqual(a);
    expect(testMask(400, 0.7, 6)).not.toEqual(a);
    // Not simply the last points.
    expect(a.subarray(0, 280).reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
  });
});
