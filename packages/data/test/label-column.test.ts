import { describe, expect, it } from 'vitest';
import { fromSpec } from '@gradstream/graph';
import '@gradstream/ops';
import { fitSamples, labelColumnIndex, parseCsv, splitLabelColumn } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

describe('labelColumnIndex and splitLabelColumn', () => {
  const table = parseCsv('species,length,width\n2,5.1,3.5\n0,4.9,3\n', 'iris.csv');

  it('finds the column by header name or 0-based index', () => {
    expect(labelColumnIndex(table, 'species')).toBe(0);
    expect(labelColumnIndex(table, 'width')).toBe(2);
    expect(labelColumnIndex(table, '1')).toBe(1);
  });

  it('says which columns there are when the name or index is wrong', () => {
    const name = catchGradstream(() => labelColumnIndex(table, 'label'));
    expect(name.code).toBe('INVALID_USAGE');
    expect(name.message).toBe('--label-column label: iris.csv has no column named "label"; its columns: 0 species, 1 length, 2 width');
    expect(catchGradstream(() => labelColumnIndex(table, '3')).message).toBe(
      '--label-column 3: iris.csv has 3 column(s), 0…2 (the index counts from 0): 0 species, 1 length, 2 width',
    );
    expect(catchGradstream(() => labelColumnIndex(parseCsv('1,2\n'), 'y')).message).toBe(
      "--label-column y: data.csv has no header row to find the name in; give the column's 0-based index instead",
    );
  });

  it('takes the target from that column and the inputs from the others, in order', () => {
    const samples = splitLabelColumn(table, 'species', 2);
    expect(samples.x).toEqual([[5.1, 3.5], [4.9, 3]]);
    expect(samples.y).toEqual([[2], [0]]);
    const middle = splitLabelColumn(table, '1', 2);
    expect(middle.x).toEqual([[2, 3.5], [0, 3]]);
    expect(middle.y).toEqual([[5.1], [4.9]]);
    expect(catchGradstream(() => splitLabelColumn(table, 'species', 3)).message).toBe(
      'iris.csv, row 1 (line 2): 3 column(s), but with --label-column species the model takes 3 input column(s) and the label column = 4',
    );
    // a bad class names the label column (1-based, like every CSV message)
    const classifier = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 2 }], loss: { op: 'softmaxCrossEntropy' } });
    expect(catchGradstream(() => fitSamples(splitLabelColumn(table, 'species', 2), classifier)).message).toBe(
      'iris.csv, row 1 (line 2), column 1: class 2 is not an integer in 0…1 (the model has 2 outputs)',
    );
  });
});
