import type { RunSettings } from '../../src/shared/protocol.js';

/** Settings of a small playground run, for tests to override what they are about. */
export function runSettings(over: Partial<RunSettings> = {}): RunSettings {
  return {
    mode: 'playground',
    problem: 'classification',
    dataset: 'circles',
    noise: 0.1,
    trainRatio: 0.5,
    features: ['x', 'y'],
    hidden: [8, 4],
    activation: 'tanh',
    optimizer: 'adam',
    lr: 0.03,
    regularization: 'none',
    regularizationRate: 0,
    batchSize: 16,
    seed: 3,
    backend: 'wasm',
    ...over,
  };
}
