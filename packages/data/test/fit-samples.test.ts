import { describe, expect, it } from 'vitest';
import { fromSpec } from '@gradstream/graph';
import '@gradstream/ops';
import { fitSamples, parseCsv, parseJsonSamples, splitColumns } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

const model = (inputs: number, outputs: number, loss = 'mse') =>
  fromSpec({ version: 1, inputShape: [inputs], layers: [{ op: 'linear', inFeatures: inputs, outFeatures: outputs }], loss: { op: loss } });

describe('fitting samples to a model', () => {
  it('checks input and target widths, naming the sample in its source', () => {
    const csv = splitColumns(parseCsv('0,1,2,3\n', 'w.csv'), 2, 2);
    expect(fitSamples(csv, model(2, 2)).y).toEqual([[2, 3]]);
    const json = parseJsonSamples('{"x":[[0,1,2]],"y":[[1]]}', 'w.json');
    expect(catchGradstream(() => fitSamples(json, model(2, 1))).message).toBe("w.json, x/0: 3 input value(s), but the model's input takes 2 (inputShape [2])");
    const wide = parseJsonSamples('{"x":[[0,1]],"y":[[1,0]]}', 'w.json');
    expect(catchGradstream(() => fitSamples(wide, model(2, 1))).message).toBe('w.json, y/0: 2 target value(s), but the model outputs 1');
  });

  it('one-hot encodes a class index for a classifier and rejects one out of range', () => {
    const table = parseCsv('0.5,0.5,2\n0.1,0.9,0\n', 'c.csv');
    const classifier = model(2, 3, 'softmaxCrossEntropy');
    const fitted = fitSamples(splitColumns(table, 2, 3), classifier);
    expect(fitted.y).toEqual([[0, 0, 1], [1, 0, 0]]);
    const bad = parseCsv('0.5,0.5,3\n', 'c.csv');
    expect(catchGradstream(() => fitSamples(splitColumns(bad, 2, 3), classifier)).message).toBe(
      'c.csv, row 1 (line 1), column 3: class 3 is not an integer in 0…2 (the model has 3 outputs)',
    );
  });

  it('takes softmax cross-entropy targets only as probability distributions, naming the row', () => {
    const classifier = model(2, 3, 'softmaxCrossEntropy');
    const soft = parseCsv('0,0,0.2,0.3,0.5\n', 's.csv');
    expect(fitSamples(splitColumns(soft, 2, 3), classifier).y).toEqual([[0.2, 0.3, 0.5]]);
    const negative = parseJsonSamples('{"x":[[0,0],[1,1]],"y":[[0,1,0],[0,2,-1]]}', 't.json');
    expect(catchGradstream(() => fitSamples(negative, classifier)).message).toBe(
      't.json, y/1: target [0,2,-1] is not a probability distribution: entry 2 is -1, below 0 (the softmaxCrossEntropy loss compares the output with one)',
    );
    const sum = parseCsv('0,0,0.5,0.5,0.5\n', 'u.csv');
    expect(catchGradstream(() => fitSamples(splitColumns(sum, 2, 3), classifier)).message).toBe(
      'u.csv, row 1 (line 1), columns 3…5: target [0.5,0.5,0.5] is not a probability distribution: its entries sum to 1.5, not 1 (the softmaxCrossEntropy loss compares the output with one)',
    );
    // other losses take any finite targets
    expect(fitSamples(negative, model(2, 3)).y).toEqual([[0, 1, 0], [0, 2, -1]]);
  });
});
