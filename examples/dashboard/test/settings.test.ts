import { describe, expect, it } from 'vitest';
import { DEFAULTS, FEATURE_PRESETS, checkSettings, fromQuery, parseHidden, parseNumber, regularizationRates, toQuery, type RawSettings } from '../src/shared/settings.js';

const OPS = ['relu', 'sigmoid', 'swish', 'tanh'];
const raw = (over: Partial<RawSettings>): RawSettings => ({ ...DEFAULTS, ...over });

describe('checkSettings', () => {
  it('reads the defaults into settings', () => {
    const c = checkSettings(DEFAULTS, OPS);
    if (!c.ok) throw new Error(JSON.stringify(c.errors));
    expect(c.settings).toEqual({
      mode: 'playground',
      problem: 'classification',
      dataset: 'circles',
      noise: 0.1,
      trainRatio: 0.5,
      features: ['x', 'y'],
      hidden: [8, 8],
      activation: 'tanh',
      optimizer: 'adam',
      lr: 0.03,
      regularization: 'none',
      regularizationRate: 0.001,
      batchSize: 16,
      seed: 7,
      backend: 'wasm',
    });
    expect(c.stepsPerSecond).toBe(1000);
    expect(checkSettings(raw({ speed: '' }), OPS)).toMatchObject({ ok: true, stepsPerSecond: null });
  });

  it('says what is wrong with each bad field, all at once', () => {
    const c = checkSettings(raw({ hidden: '8, x', lr: '-1', batchSize: '0', activation: 'nope', features: '' }), OPS);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.errors).toEqual({
      hidden: '"x" is not a layer size: write whole numbers from 1 to 64, e.g. 8, 8.',
      lr: 'Between 0.00001 and 10.',
      batchSize: 'Between 1 and 400.',
      activation: 'Choose one of relu, sigmoid, swish, tanh.',
      features: 'Choose at least one input feature.',
    });
  });

  it('refuses a comma as the decimal point with a hint, whatever the browser language', () => {
    const c = checkSettings(raw({ lr: '0,03' }), OPS);
    expect(c).toEqual({ ok: false, errors: { lr: 'Write a number, e.g. 0.00001 (with a dot for decimals).' } });
  });

  it('keeps a data set to its problem and a batch within the training points', () => {
    expect(checkSettings(raw({ problem: 'regression', dataset: 'spirals' }), OPS)).toEqual({ ok: false, errors: { dataset: 'Choose a data set for regression.' } });
    expect(checkSettings(raw({ problem: 'regression', dataset: 'plane' }), OPS).ok).toBe(true);
    expect(checkSettings(raw({ trainRatio: '0.1', batchSize: '41' }), OPS)).toEqual({ ok: false, errors: { batchSize: 'At most 40: the training points of this split.' } });
    expect(checkSettings(raw({ seed: '1.5' }), OPS)).toEqual({ ok: false, errors: { seed: 'Write a whole number.' } });
  });

  it('orders features as the network reads them', () => {
    const c = checkSettings(raw({ features: 'sinY,x' }), OPS);
    expect(c.ok && c.settings.features).toEqual(['x', 'sinY']);
    expect(checkSettings(raw({ features: 'x,z' }), OPS)).toEqual({ ok: false, errors: { features: 'Unknown feature z.' } });
  });
});

describe('the backend', () => {
  const gpu = {
    wasm: { available: true, summary: 'wasm: WebAssembly SIMD128, 4 threads', ops: OPS },
    webgpu: { available: true, summary: 'WebGPU — google swiftshader (software)', ops: ['relu', 'sigmoid', 'tanh'] },
  } as const;
  const noGpu = { wasm: gpu.wasm, webgpu: { available: false, reason: 'the browser found no WebGPU adapter' } } as const;

  it('takes WebGPU where the worker has it, and WebAssembly always', () => {
    const c = checkSettings(raw({ backend: 'webgpu' }), OPS, gpu);
    expect(c.ok && c.settings.backend).toBe('webgpu');
    expect(checkSettings(raw({ backend: 'wasm' }), OPS, noGpu)).toMatchObject({ ok: true, settings: { backend: 'wasm' } });
    // Before the worker says which it has: WebAssembly only.
    expect(checkSettings(DEFAULTS, OPS).ok).toBe(true);
    expect(checkSettings(raw({ backend: 'webgpu' }), OPS)).toEqual({ ok: false, errors: { backend: 'Waiting for the worker.' } });
  });

  it('says why WebGPU cannot be chosen, and refuses a backend it does not know', () => {
    expect(checkSettings(raw({ backend: 'webgpu' }), OPS, noGpu)).toEqual({
      ok: false,
      errors: { backend: 'WebGPU is not available here: the browser found no WebGPU adapter. Choose WebAssembly.' },
    });
    expect(checkSettings(raw({ backend: 'cuda' }), OPS, gpu)).toEqual({ ok: false, errors: { backend: 'Choose WebAssembly or WebGPU.' } });
  });

  it('waits for WebGPU until the worker knows which ops compute on it', () => {
    const trying = { wasm: gpu.wasm, webgpu: { available: true, summary: gpu.webgpu.summary } } as const;
    expect(checkSettings(raw({ backend: 'webgpu' }), OPS, trying)).toEqual({ ok: false, errors: { backend: 'Waiting for the worker to try each op on WebGPU.' } });
  });

  it('refuses an op the chosen backend does not compute', () => {
    expect(checkSettings(raw({ backend: 'webgpu', activation: 'swish' }), OPS, gpu)).toEqual({
      ok: false,
      errors: { activation: 'swish does not run on WebGPU: choose another op, or WebAssembly.' },
    });
    expect(checkSettings(raw({ backend: 'wasm', activation: 'swish' }), OPS, gpu).ok).toBe(true);
  });

  it('is kept in the URL when it is not the default', () => {
    expect(toQuery(raw({ backend: 'webgpu' }))).toBe('?backend=webgpu');
    expect(fromQuery('?backend=webgpu').backend).toBe('webgpu');
    expect(fromQuery('').backend).toBe('wasm');
  });
});

describe('parseHidden and parseNumber', () => {
  it('reads sizes separated by commas or spaces; none is no hidden layer', () => {
    expect(parseHidden('8, 8')).toEqual([8, 8]);
    expect(parseHidden(' 4 2 ')).toEqual([4, 2]);
    expect(parseHidden('')).toEqual([]);
    for (const bad of ['0', '65', '2.5', '-3', 'x']) expect(typeof parseHidden(bad), bad).toBe('string');
    expect(parseHidden('1,1,1,1,1,1,1')).toBe('At most 6 hidden layers.');
  });

  it('reads plain decimal numbers only', () => {
    expect(['0.03', '.5', '1e-3', '+2', '10'].map(parseNumber)).toEqual([0.03, 0.5, 0.001, 2, 10]);
    expect(['', '0,03', '1.2.3', 'abc', '1 000', 'Infinity'].map(parseNumber)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('the URL query', () => {
  it('names only what differs from the defaults, and reads back the same settings', () => {
    expect(toQuery(DEFAULTS)).toBe('');
    const changed = raw({ dataset: 'spirals', features: FEATURE_PRESETS.spirals.join(','), hidden: '16, 4', lr: '0.01', regularization: 'l2' });
    const query = toQuery(changed);
    expect(query).toBe('?dataset=spirals&features=x%2Cy%2CxSquared%2CySquared%2CxTimesY%2CsinX%2CsinY&hidden=16%2C4&lr=0.01&regularization=l2');
    expect(fromQuery(query)).toEqual(changed);
  });

  it('gives a linked data set its preset features, and ignores names it does not know', () => {
    expect(fromQuery('?dataset=spirals&colour=red').features).toBe(FEATURE_PRESETS.spirals.join(','));
    expect(fromQuery('?dataset=spirals&features=x').features).toBe('x');
  });
});

describe('regularizationRates', () => {
  it('puts the rate on the chosen penalty only', () => {
    expect(regularizationRates({ regularization: 'l1', regularizationRate: 0.01 })).toEqual({ l1: 0.01, l2: 0 });
    expect(regularizationRates({ regularization: 'l2', regularizationRate: 0.01 })).toEqual({ l1: 0, l2: 0.01 });
    expect(regularizationRates({ regularization: 'none', regularizationRate: 0.01 })).toEqual({ l1: 0, l2: 0 });
  });
});
