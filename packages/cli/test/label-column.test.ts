import { describe, expect, it } from 'vitest';
import { fromSpec } from '@gradstream/graph';
import { fitSamples, labelColumnIndex, parseCsv, splitLabelColumn } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';
import { run, tempDir } from './capture.js';
import { csvText, IRIS_HEADER, IRIS_SPEC, irisRows } from './iris.js';

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

describe('--label-column on the command line', () => {
  const rows = irisRows();
  const first = rows.map((r) => [r[4] as number, ...r.slice(0, 4)]);
  const argv = ['--epochs', '2', '--batch', '8', '--optimizer', 'adam', '--lr', '0.05', '--val', '0.2', '--normalize', 'standard'];

  it('train and eval read the target from the named column: the same run as with the target last', async () => {
    const t = tempDir({
      'last.csv': csvText(rows),
      'first.csv': csvText(first, ['species', ...IRIS_HEADER.slice(0, 4)]),
      'spec.json': IRIS_SPEC,
    });
    try {
      const last = await run(['train', 'spec.json', '--data', 'last.csv', ...argv, '--json', '--checkpoint', 'last.json'], { cwd: t.dir });
      expect(last.code).toBe(0);
      const epochs = (out: string) => out.split('\n').filter((l) => l.includes('"type":"epoch"')).map((l) => JSON.parse(l) as { loss: number; validation: { loss: number } });
      for (const label of ['species', '0']) {
        const byColumn = await run(['train', 'spec.json', '--data', 'first.csv', '--label-column', label, ...argv, '--json', '--checkpoint', 'first.json'], { cwd: t.dir });
        expect(byColumn.code).toBe(0);
        expect(epochs(byColumn.stdout).map((e) => [e.loss, e.validation.loss])).toEqual(epochs(last.stdout).map((e) => [e.loss, e.validation.loss]));
      }
      const scoreLast = JSON.parse((await run(['eval', 'last.json', '--data', 'last.csv', '--json'], { cwd: t.dir })).stdout) as { loss: number };
      const scoreFirst = await run(['eval', 'last.json', '--data', 'first.csv', '--label-column', 'species', '--json'], { cwd: t.dir });
      expect(scoreFirst.code).toBe(0);
      expect((JSON.parse(scoreFirst.stdout) as { loss: number }).loss).toBe(scoreLast.loss);
    } finally {
      t.cleanup();
    }
  });

  it('is an error for data that is not CSV, and for a name the header lacks', async () => {
    const t = tempDir({ 'first.csv': csvText(first, ['species', ...IRIS_HEADER.slice(0, 4)]), 'spec.json': IRIS_SPEC });
    try {
      const json = await run(['train', 'spec.json', '--data', 'builtin:xor', '--label-column', '2'], { cwd: t.dir });
      expect(json.code).toBe(2);
      expect(json.stderr).toContain('error (INVALID_USAGE): --label-column 2: builtin:xor is not a CSV file; --label-column chooses a column of CSV data');
      const unknown = await run(['train', 'spec.json', '--data', 'first.csv', '--label-column', 'class'], { cwd: t.dir });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('--label-column class: first.csv has no column named "class"; its columns: 0 species, 1 sepal_length');
    } finally {
      t.cleanup();
    }
  });
});
