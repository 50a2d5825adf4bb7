import { fromCheckpoint, parseCheckpoint } from '@gradstream/graph';
import { fromOnnx } from '@gradstream/onnx';
import { Tensor } from '@gradstream/tensor';
import { describe, expect, it } from 'vitest';
import { runSettings } from './support/run-settings.js';
import { exportModel } from '../src/worker/export.js';
import { buildNetwork } from '../src/worker/network.js';
import '../src/worker/plugins.js';

const settings = runSettings({ dataset: 'spirals', features: ['x', 'y', 'sinX'], hidden: [5, 3], seed: 4 });

const rows = Tensor.from([
  [0.1, -0.4, Math.sin(0.1)],
  [0.9, 0.3, Math.sin(0.9)],
]);

describe('exportModel', () => {
  it('saves a checkpoint that loads back into the same predictions, custom op included', () => {
    for (const activation of ['tanh', 'swish']) {
      const model = buildNetwork({ ...settings, activation });
      const { filename, bytes } = exportModel(model, 'checkpoint', 'gradstream-spirals');
      expect(filename).toBe('gradstream-spirals.checkpoint.json');
      const back = fromCheckpoint(parseCheckpoint(new TextDecoder().decode(bytes))).model;
      expect(back.predict(rows).toArray()).toEqual(model.predict(rows).toArray());
    }
  });

  it('exports ONNX that imports back into the same predictions', () => {
    const model = buildNetwork(settings);
    const { filename, bytes } = exportModel(model, 'onnx', 'gradstream-spirals');
    expect(filename).toBe('gradstream-spirals.onnx');
    const back = fromOnnx(bytes);
    const a = model.predict(rows).data;
    const b = back.predict(rows).data;
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 6));
  });
});
