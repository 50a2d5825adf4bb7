import { describe, expect, it } from 'vitest';
import { fromSpec } from '@gradstream/graph';
import { builtinSamples, loadData } from '../src/index.js';
import { tempDir } from './capture.js';
import { catchGradstream } from '../../../test/support/errors.js';

const model = (inputs: number, outputs: number, loss = 'mse') =>
  fromSpec({ version: 1, inputShape: [inputs], layers: [{ op: 'linear', inFeatures: inputs, outFeatures: outputs }], loss: { op: loss } });

describe('built-in datasets', () => {
  it('generates them by name, with settings from the query', () => {
    expect(builtinSamples('builtin:xor').y).toEqual([[0], [1], [1], [0]]);
    expect(builtinSamples('builtin:spirals?samples=30&seed=2').x).toHaveLength(30);
    expect(builtinSamples('builtin:sine?points=5').x.map((r) => r[0])).toEqual([-Math.PI, -Math.PI / 2, 0, Math.PI / 2, Math.PI]);
  });

  it('lists the known names and settings when one is wrong', () => {
    expect(catchGradstream(() => builtinSamples('builtin:mnist')).message).toMatch(/unknown built-in dataset "mnist"; known: builtin:xor, builtin:sine, .*builtin:digits/);
    expect(catchGradstream(() => builtinSamples('builtin:spirals?size=3')).message).toBe(
      '--data builtin:spirals?size=3: builtin:spirals has no setting "size"; it takes samples, noise, seed',
    );
    expect(catchGradstream(() => builtinSamples('builtin:spirals?samples=1.5')).message).toBe('--data builtin:spirals?samples=1.5: samples must be an integer, got "1.5"');
  });
});

describe('loadData', () => {
  it('reads CSV and JSON files by extension and fits them to the model', async () => {
    const t = tempDir({ 'xor.csv': 'x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'xor.json': '{"x":[[0,0],[0,1]],"y":[0,1]}', 'xor.data': '0,1,1\n' });
    try {
      const csv = await loadData('xor.csv', model(2, 1), t.dir);
      expect(csv.y).toEqual([[0], [1], [1], [0]]);
      const json = await loadData('xor.json', model(2, 1), t.dir);
      expect(json.x).toEqual([[0, 0], [0, 1]]);
      // no known extension: sniffed from the first character
      expect((await loadData('xor.data', model(2, 1), t.dir)).x).toEqual([[0, 1]]);
    } finally {
      t.cleanup();
    }
  });
});
