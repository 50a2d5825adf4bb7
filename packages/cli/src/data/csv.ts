import { parse } from 'csv-parse/sync';
import { GradstreamError } from '@gradstream/tensor';
import type { RawSamples } from './samples.js';

/**
 * A CSV file of numbers: the header row if there was one, the rows (all of one width), and the
 * line of the file each row ended on.
 *
 * @example
 * ```ts
 * import { parseCsv, type CsvTable } from '@gradstream/cli';
 * const table: CsvTable = parseCsv('x1,x2,y\n0,1,1\n', 'xor.csv');
 * table.header; // ['x1', 'x2', 'y']
 * ```
 */
export interface CsvTable {
  readonly source: string;
  readonly header: readonly string[] | undefined;
  readonly rows: readonly (readonly number[])[];
  /** `lines[i]`: the 1-based line of the file row `i` ended on. */
  readonly lines: readonly number[];
}

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * Parses CSV text of numbers. Cells are separated by commas, tabs or semicolons; blank lines and
 * lines starting with `#` are skipped. The first row is a header when none of its cells is a
 * number. Every other cell must be a finite number and every row as wide as the first.
 * Problems are `INVALID_DATA` errors naming the row, its line in the file and the column
 * (`xor.csv, row 3 (line 4), column 2: "abc" is not a number`).
 *
 * @param text - the file's contents
 * @param source - the file name messages use
 * @example
 * ```ts
 * import { parseCsv } from '@gradstream/cli';
 * parseCsv('0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'xor.csv').rows.length; // 4
 * ```
 */
export function parseCsv(text: string, source = 'data.csv'): CsvTable {
  const fail = (message: string, details: Record<string, unknown> = {}): never => {
    throw new GradstreamError('INVALID_DATA', `${source}${message}`, { file: source, ...details });
  };
  let records: CsvRecord[];
  try {
    records = parse(text, {
      skip_empty_lines: true,
      trim: true,
      comment: '#',
      delimiter: [',', '\t', ';'],
      // Ragged rows are reported below, with their row and line, instead of csv-parse's own message.
      relax_column_count: true,
      info: true,
    }) as unknown as CsvRecord[];
  } catch (e) {
    return fail(`: not readable as CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) return fail(': the file is empty; expected rows of numbers (an optional header row, then one sample per row)');
  const first = records[0] as CsvRecord;
  const header = first.record.every((cell) => cell !== '' && !isNumber(cell)) ? first.record : undefined;
  const body = header === undefined ? records : records.slice(1);
  if (body.length === 0) return fail(`: only a header row (${header?.join(', ')}), no rows of numbers`);
  const width = header?.length ?? (body[0] as CsvRecord).record.length;
  const rows: number[][] = [];
  const lines: number[] = [];
  body.forEach(({ record, info }, i) => {
    const at = `, row ${i + 1} (line ${info.lines})`;
    if (record.length !== width) {
      const like = header === undefined ? 'row 1' : 'the header';
      fail(`${at}: ${record.length} column(s), expected ${width} like ${like}`, { row: i + 1, line: info.lines, columns: record.length, expected: width });
    }
    rows.push(
      record.map((cell, c) => {
        if (cell === '') fail(`${at}, column ${c + 1}: the cell is empty; expected a number`, { row: i + 1, line: info.lines, column: c + 1 });
        const v = Number(cell);
        if (!isNumber(cell)) {
          fail(`${at}, column ${c + 1}: ${JSON.stringify(cell)} ${notANumber(cell, v)}`, {
            row: i + 1,
            line: info.lines,
            column: c + 1,
          });
        }
        return v;
      }),
    );
    lines.push(info.lines);
  });
  return { source, header, rows, lines };
}

/**
 * A number as data files write them: decimal digits with an optional sign, point and exponent
 * (`-1`, `.5`, `2.`, `6.02e23`). `Number()` also reads `0x10`, `0b1`, `0o7` and `Infinity`, which a
 * column of measurements never means.
 */
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function isNumber(cell: string): boolean {
  return DECIMAL.test(cell) && Number.isFinite(Number(cell));
}

/** Why a cell is not read as a number, as the end of a sentence. */
function notANumber(cell: string, v: number): string {
  if (/^\s*[+-]?0[xXbBoO]/.test(cell)) return 'is not a decimal number (hexadecimal, binary and octal literals are not read as numbers)';
  if (DECIMAL.test(cell)) return 'is not a finite number (too large for a float)';
  return Number.isNaN(v) || !/^\s*[+-]?Infinity\s*$/.test(cell) ? 'is not a number' : 'is not a finite number';
}

/**
 * Splits a table's columns into model inputs and targets: the first `inputWidth` columns are the
 * input, the rest the target. The table must have `inputWidth + targetWidth` columns, or — when
 * the model has several outputs (a classifier) — `inputWidth + 1`, the last one holding a class
 * index that is one-hot encoded later ({@link fitSamples}). Any other width is an `INVALID_DATA`
 * error that says which widths the model takes.
 *
 * @param inputWidth - values per input sample (the product of the spec's `inputShape`)
 * @param targetWidth - values per target (the width of the model's output)
 * @example
 * ```ts
 * import { parseCsv, splitColumns } from '@gradstream/cli';
 * const samples = splitColumns(parseCsv('0,1,1\n1,1,0\n'), 2, 1);
 * samples.y; // [[1], [0]]
 * ```
 */
export function splitColumns(table: CsvTable, inputWidth: number, targetWidth: number): RawSamples {
  const width = table.header?.length ?? (table.rows[0] as readonly number[]).length;
  const targets = width - inputWidth;
  if (targets !== targetWidth && !(targetWidth > 1 && targets === 1)) {
    const classIndex = targetWidth > 1 ? ` (or ${inputWidth + 1}: the last column a class index in 0…${targetWidth - 1})` : '';
    throw new GradstreamError(
      'INVALID_DATA',
      `${table.source}, row 1 (line ${table.lines[0]}): ${width} column(s), but the model takes ${inputWidth} input column(s) ` +
        `followed by ${targetWidth} target column(s) = ${inputWidth + targetWidth}${classIndex}`,
      { file: table.source, columns: width, inputWidth, targetWidth },
    );
  }
  return {
    source: table.source,
    x: table.rows.map((r) => r.slice(0, inputWidth)),
    y: table.rows.map((r) => r.slice(inputWidth)),
    locate: (i, part) => {
      const columns = part === 'x' ? `columns 1…${inputWidth}` : targets === 1 ? `column ${width}` : `columns ${inputWidth + 1}…${width}`;
      return `row ${i + 1} (line ${table.lines[i]}), ${columns}`;
    },
  };
}
