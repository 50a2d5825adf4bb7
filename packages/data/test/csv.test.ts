import { describe, expect, it } from 'vitest';
import { parseCsv, splitColumns } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

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
