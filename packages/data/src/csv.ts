// Node gets csv-parse's own build; every other runtime the one that brings its own Buffer (see
// package.json "imports"): csv-parse's plain build reads the global Buffer, which browsers lack.
import { parse } from '#csv-parse-sync';
import { GradstreamError } from '@gradstream/tensor';
import type { RawSamples } from './samples.js';

/**
 * A CSV file of numbers: the header row if there was one, the rows (all of one width), and the
 * line of the file each row ended on.
 *
 * @example
 * ```ts
 * import { parseCsv, type CsvTable } from '@gradstream/data';
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

/** A record as csv-parse gives it with `info: true`: the cells and the line it ended on. */
export interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * csv-parse's settings, for {@link parseCsv} and for the Node entry's stream alike, so that a file
 * splits into the same cells either way; `info` adds the line each record ended on (at a cost:
 * the stream leaves it out until a row needs naming). A new object per call: csv-parse is handed
 * its own.
 */
export function csvParseOptions<Info extends boolean>(
  info: Info,
): {
  skip_empty_lines: boolean;
  trim: boolean;
  comment: string;
  delimiter: string[];
  relax_column_count: boolean;
  info: Info;
} {
  return {
    skip_empty_lines: true,
    trim: true,
    comment: '#',
    delimiter: [',', '\t', ';'],
    // Ragged rows are reported by CsvRows, with their row and line, instead of csv-parse's own message.
    relax_column_count: true,
    info,
  };
}

/** What a failure of csv-parse itself (an unclosed quote, say) reads as. */
export function unreadableCsv(source: string, cause: unknown): GradstreamError {
  return new GradstreamError('INVALID_DATA', `${source}: not readable as CSV: ${(cause as Error).message}`, { file: source });
}

/**
 * Reads a CSV file's records one at a time, as {@link parseCsv} reads a whole text and the Node
 * entry's stream reads a file: the first record is a header when none of its cells is a number,
 * every other row must be as wide as the first and hold only finite decimal numbers. Problems are
 * `INVALID_DATA` errors naming the row, its line and the column.
 */
export class CsvRows {
  /** The header row, once the first record showed there is one. */
  header: readonly string[] | undefined;
  /** Cells per row, once the first record came (0 before). */
  width = 0;
  /** Data rows read so far (the header is not one). */
  count = 0;
  /** The line the first data row ended on (0 before it came). */
  firstLine = 0;
  private started = false;

  constructor(readonly source: string) {}

  /** The numbers of one record, or `undefined` for the header row. */
  read(record: readonly string[], line: number): number[] | undefined {
    if (!this.started) {
      this.started = true;
      if (record.every((cell) => cell !== '' && !isNumber(cell))) {
        this.header = record;
        this.width = record.length;
        return undefined;
      }
      this.width = record.length;
    }
    const row = this.count + 1;
    const at = (): string => `, row ${row} (line ${line})`;
    if (record.length !== this.width) {
      const like = this.header === undefined ? 'row 1' : 'the header';
      this.fail(`${at()}: ${record.length} column(s), expected ${this.width} like ${like}`, { row, line, columns: record.length, expected: this.width });
    }
    // A loop, not map: this runs for every cell of files of millions of rows.
    const values: number[] = [];
    for (let c = 0; c < record.length; c++) {
      const cell = record[c] as string;
      const v = Number(cell);
      if (!DECIMAL.test(cell) || !Number.isFinite(v)) {
        const why = cell === '' ? 'the cell is empty; expected a number' : `${JSON.stringify(cell)} ${notANumber(cell, v)}`;
        this.fail(`${at()}, column ${c + 1}: ${why}`, { row, line, column: c + 1 });
      }
      values.push(v);
    }
    if (this.count === 0) this.firstLine = line;
    this.count++;
    return values;
  }

  /** Checks, once the records have run out, that there was a row of numbers. */
  end(): void {
    if (!this.started) this.fail(': the file is empty; expected rows of numbers (an optional header row, then one sample per row)');
    if (this.count === 0) this.fail(`: only a header row (${this.header?.join(', ')}), no rows of numbers`);
  }

  private fail(message: string, details: Record<string, unknown> = {}): never {
    throw new GradstreamError('INVALID_DATA', `${this.source}${message}`, { file: this.source, ...details });
  }
}

/**
 * Parses CSV text of numbers. Cells are separated by commas, tabs or semicolons; blank lines and
 * lines starting with `#` are skipped. The first row is a header when none of its cells is a
 * number. Every other cell must be a finite number and every row as wide as the first.
 * Problems are `INVALID_DATA` errors naming the row, its line in the file and the column
 * (`xor.csv, row 3 (line 4), column 2: "abc" is not a number`). Runs anywhere, browsers included;
 * a file too large to read whole streams through `csvSamples` of `@gradstream/data/node`.
 *
 * @param text - the file's contents
 * @param source - the file name messages use
 * @example
 * ```ts
 * import { parseCsv } from '@gradstream/data';
 * parseCsv('0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'xor.csv').rows.length; // 4
 * ```
 */
export function parseCsv(text: string, source = 'data.csv'): CsvTable {
  let records: CsvRecord[];
  try {
    records = parse(text, csvParseOptions(true)) as unknown as CsvRecord[];
  } catch (e) {
    throw unreadableCsv(source, e);
  }
  const reader = new CsvRows(source);
  const rows: number[][] = [];
  const lines: number[] = [];
  for (const { record, info } of records) {
    const row = reader.read(record, info.lines);
    if (row === undefined) continue;
    rows.push(row);
    lines.push(info.lines);
  }
  reader.end();
  return { source, header: reader.header, rows, lines };
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
 * How many target columns follow `inputWidth` input columns in rows `width` cells wide: exactly
 * `targetWidth`, or 1 (a class index) when there are several targets. Any other width is an
 * `INVALID_DATA` error naming the first row and the widths the model takes.
 */
export function targetColumns(source: string, width: number, firstLine: number, inputWidth: number, targetWidth: number): number {
  const targets = width - inputWidth;
  if (targets !== targetWidth && !(targetWidth > 1 && targets === 1)) {
    const classIndex = targetWidth > 1 ? ` (or ${inputWidth + 1}: the last column a class index in 0…${targetWidth - 1})` : '';
    throw new GradstreamError(
      'INVALID_DATA',
      `${source}, row 1 (line ${firstLine}): ${width} column(s), but the model takes ${inputWidth} input column(s) ` +
        `followed by ${targetWidth} target column(s) = ${inputWidth + targetWidth}${classIndex}`,
      { file: source, columns: width, inputWidth, targetWidth },
    );
  }
  return targets;
}

/** How messages name the target columns of rows `width` wide whose first `inputWidth` are the input. */
export function targetColumnsName(width: number, inputWidth: number): string {
  return width - inputWidth === 1 ? `column ${width}` : `columns ${inputWidth + 1}…${width}`;
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
 * import { parseCsv, splitColumns } from '@gradstream/data';
 * const samples = splitColumns(parseCsv('0,1,1\n1,1,0\n'), 2, 1);
 * samples.y; // [[1], [0]]
 * ```
 */
export function splitColumns(table: CsvTable, inputWidth: number, targetWidth: number): RawSamples {
  const width = table.header?.length ?? (table.rows[0] as readonly number[]).length;
  targetColumns(table.source, width, table.lines[0] as number, inputWidth, targetWidth);
  return {
    source: table.source,
    x: table.rows.map((r) => r.slice(0, inputWidth)),
    y: table.rows.map((r) => r.slice(inputWidth)),
    locate: (i, part) => `row ${i + 1} (line ${table.lines[i]}), ${part === 'x' ? `columns 1…${inputWidth}` : targetColumnsName(width, inputWidth)}`,
  };
}
