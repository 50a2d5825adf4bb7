import { describe, expect, it } from 'vitest';
import { fromSpec } from '@gradstream/graph';
import { builtinSamples, fitSamples, loadData, parseCsv, parseJsonSamples, splitColumns } from '../src/index.js';
import { tempDir } from './capture.js';
import { catchGradstream } from '../../../test/support/errors.js';

const model = (inputs: number, outputs: number, loss = 'mse') =>
  fromSpec({ version: 1, inputShape: [inputs], layers: [{ op: 'linear', inFeatures: inputs, outFeatures: outputs }], loss: { op: loss } });


describe('CSV', () => {
  it('reads numbers with or without a header row, skipping blank and # lines', () => {
    const withHeader = parseCsv('x1,x2,y\n0,1,1\n\n# a comment\n1,1,0\n', 'xor.csv');
    expect(withHeader.header).toEqual(['x1', 'x2', 'y']);
    expect(withHeader.rows).toEqual([[0, 1, 1], [1, 1, 0]]);
    expect(withHeader.lines).toEqual([2, 5]);
    const bare = parseCsv('0\t1\t1\n1\t1\t0', 'xor.tsv');
    expect(bare.header).toBeUndefined();
    expect(bare.rows).toEqual([[0, 1, 1], [1, 1, 0]]);
  });

  it('names the row, its line and the column of a cell that is not a number', () => {
    const e = catchGradstream(() => parseCsv('a,b,y\n0,1,1\n1,abc,0\n', 'data.csv'));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe('data.csv, row 2 (line 3), column 2: "abc" is not a number');
    expect(e.details).toMatchObject({ row: 2, line: 3, column: 2 });
    expect(catchGradstream(() => parseCsv('1,Infinity\n', 'inf.csv')).message).toBe('inf.csv, row 1 (line 1), column 2: "Infinity" is not a finite number');
    expect(catchGradstream(() => parseCsv('1,,2\n', 'gap.csv')).message).toBe('gap.csv, row 1 (line 1), column 2: the cell is empty; expected a number');
  });

  it('reads decimal numbers only: hexadecimal, binary and octal literals are errors, exponents are not', () => {
    expect(parseCsv('-1,.5,2.,6.02e23,+3E-2\n', 'ok.csv').rows).toEqual([[-1, 0.5, 2, 6.02e23, 0.03]]);
    for (const cell of ['0x10', '0b1', '0o7', '-0x1F']) {
      expect(catchGradstream(() => parseCsv(`1,${cell}\n`, 'lit.csv')).message).toBe(
        `lit.csv, row 1 (line 1), column 2: ${JSON.stringify(cell)} is not a decimal number (hexadecimal, binary and octal literals are not read as numbers)`,
      );
    }
    expect(catchGradstream(() => parseCsv('1,1e999\n', 'big.csv')).message).toBe('big.csv, row 1 (line 1), column 2: "1e999" is not a finite number (too large for a float)');
    expect(catchGradstream(() => parseCsv('1,1_000\n', 'sep.csv')).message).toBe('sep.csv, row 1 (line 1), column 2: "1_000" is not a number');
  });

  it('names a ragged row', () => {
    const e = catchGradstream(() => parseCsv('0,1,1\n1,0,1\n1,1\n', 'ragged.csv'));
    expect(e.message).toBe('ragged.csv, row 3 (line 3): 2 column(s), expected 3 like row 1');
    const h = catchGradstream(() => parseCsv('x1,x2,y\n0,1,1,7\n', 'h.csv'));
    expect(h.message).toBe('h.csv, row 1 (line 2): 4 column(s), expected 3 like the header');
  });

  it('rejects an empty file and a header without rows', () => {
    expect(catchGradstream(() => parseCsv('\n\n', 'empty.csv')).message).toMatch(/^empty\.csv: the file is empty/);
    expect(catchGradstream(() => parseCsv('x,y\n', 'head.csv')).message).toBe('head.csv: only a header row (x, y), no rows of numbers');
  });

  it("splits columns by the model's widths and says which widths it takes", () => {
    const table = parseCsv('0,1,1\n1,1,0\n', 'xor.csv');
    expect(splitColumns(table, 2, 1).x).toEqual([[0, 1], [1, 1]]);
    const e = catchGradstream(() => splitColumns(table, 3, 1));
    expect(e.message).toBe('xor.csv, row 1 (line 1): 3 column(s), but the model takes 3 input column(s) followed by 1 target column(s) = 4');
    // 2 target columns fit neither 4 outputs nor one class index
    const classes = catchGradstream(() => splitColumns(table, 1, 4));
    expect(classes.message).toContain('3 column(s), but the model takes 1 input column(s) followed by 4 target column(s) = 5 (or 2: the last column a class index in 0…3)');
    // one column after the inputs is a class index for a model with several outputs
    expect(splitColumns(table, 2, 4).y).toEqual([[1], [0]]);
  });
});

describe('JSON', () => {
  it('reads { x, y } rows and an array of { x, y } samples alike', () => {
    const a = parseJsonSamples('{"x":[[0,1],[1,1]],"y":[[1],[0]]}', 'a.json');
    const b = parseJsonSamples('[{"x":[0,1],"y":1},{"x":[1,1],"y":[0]}]', 'b.json');
    expect(a.x).toEqual(b.x);
    expect(a.y).toEqual(b.y);
    expect(b.y).toEqual([[1], [0]]);
  });

  it('names the JSON path of a bad value, a ragged row or a missing part', () => {
    expect(catchGradstream(() => parseJsonSamples('{"x":[[0,1],[1,"a"]],"y":[1,0]}', 'd.json')).message).toBe('d.json: x/1/1 must be a number, got "a"');
    expect(catchGradstream(() => parseJsonSamples('{"x":[[0,1],[1]],"y":[1,0]}', 'd.json')).message).toBe('d.json: x/1 has 1 value(s), expected 2 like x/0');
    expect(catchGradstream(() => parseJsonSamples('[{"x":[0,1]}]', 'd.json')).message).toBe('d.json: 0/y is required');
    expect(catchGradstream(() => parseJsonSamples('{"x":[[0]],"y":[1,0]}', 'd.json')).message).toMatch(/^d\.json: \(root\) has 1 x row\(s\) but 2 y row\(s\)/);
    expect(catchGradstream(() => parseJsonSamples('{"x":[],"y":[]}', 'd.json')).message).toBe('d.json: (root) holds no samples');
    expect(catchGradstream(() => parseJsonSamples('{"x": [1,', 'd.json')).message).toMatch(/^d\.json: not a JSON file/);
  });
});

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
