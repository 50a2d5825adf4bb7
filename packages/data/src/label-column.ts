import { GradstreamError, type ErrorCode } from '@gradstream/tensor';
import type { CsvTable } from './csv.js';
import type { RawSamples } from './samples.js';

/**
 * How messages name the choice of a label column, and the code of an error in it: the command
 * line's `--label-column` (an `INVALID_USAGE` error, exit code 2), or an option of a function.
 */
export interface LabelOption {
  readonly name: string;
  readonly code: ErrorCode;
}

const COMMAND_LINE: LabelOption = { name: '--label-column', code: 'INVALID_USAGE' };

/**
 * The 0-based column `label` names in rows `width` wide with an optional header: the core of
 * {@link labelColumnIndex}, shared with the Node entry's stream, which meets the header before
 * there is a table.
 */
export function labelColumnAt(source: string, header: readonly string[] | undefined, width: number, label: string, option: LabelOption): number {
  const columns = header === undefined ? '' : `: ${header.map((h, i) => `${i} ${h}`).join(', ')}`;
  if (/^\d+$/.test(label.trim())) {
    const index = Number(label);
    if (index >= width) {
      throw new GradstreamError(option.code, `${option.name} ${label}: ${source} has ${width} column(s), 0…${width - 1} (the index counts from 0)${columns}`, {
        file: source,
        column: index,
        columns: width,
      });
    }
    return index;
  }
  if (header === undefined) {
    throw new GradstreamError(option.code, `${option.name} ${label}: ${source} has no header row to find the name in; give the column's 0-based index instead`, {
      file: source,
    });
  }
  const index = header.indexOf(label);
  if (index < 0) {
    throw new GradstreamError(option.code, `${option.name} ${label}: ${source} has no column named ${JSON.stringify(label)}; its columns${columns}`, {
      file: source,
      known: [...header],
    });
  }
  return index;
}

/**
 * Checks that rows `width` wide hold `inputWidth` inputs besides the label column (an
 * `INVALID_DATA` error naming the first row otherwise).
 */
export function checkLabelWidth(source: string, width: number, firstLine: number, label: string, inputWidth: number, option: LabelOption): void {
  if (width === inputWidth + 1) return;
  throw new GradstreamError(
    'INVALID_DATA',
    `${source}, row 1 (line ${firstLine}): ${width} column(s), but with ${option.name} ${label} the model takes ` +
      `${inputWidth} input column(s) and the label column = ${inputWidth + 1}`,
    { file: source, columns: width, inputWidth },
  );
}

/** How messages name the input columns when `label` is the label column, 1-based like the rest of the CSV messages. */
function inputColumnsName(width: number, label: number): string {
  if (label === width - 1) return `columns 1…${width - 1}`;
  if (label === 0) return `columns 2…${width}`;
  return `columns 1…${width} except ${label + 1}`;
}

/**
 * The 0-based index of the column a label names: a header name (the table must have a header
 * row) or a 0-based index. An unknown name or an index past the last column is an
 * `INVALID_USAGE` error listing the columns; messages name the choice as the command line's
 * `--label-column`, whose value this reads.
 *
 * @param table - the parsed CSV file
 * @param label - a header name, or a 0-based column index such as `"4"`
 * @example
 * ```ts
 * import { labelColumnIndex, parseCsv } from '@gradstream/data';
 * const table = parseCsv('species,length,width\n0,5.1,3.5\n', 'iris.csv');
 * labelColumnIndex(table, 'species'); // 0
 * labelColumnIndex(table, '2'); // 2
 * ```
 */
export function labelColumnIndex(table: CsvTable, label: string): number {
  return labelColumnAt(table.source, table.header, tableWidth(table), label, COMMAND_LINE);
}

/**
 * Splits a table's columns into model inputs and a target held in one column named by `label`
 * (see {@link labelColumnIndex}): that column is the target — a class index for a classifier, the
 * value for a one-output model — and the other columns, in order, the input. The table must then
 * have `inputWidth + 1` columns (an `INVALID_DATA` error otherwise). It is the label-column
 * counterpart of {@link splitColumns}, which takes the target from the last columns.
 *
 * @param table - the parsed CSV file
 * @param label - a header name or a 0-based column index
 * @param inputWidth - values per input sample (the product of the spec's `inputShape`)
 * @example
 * ```ts
 * import { parseCsv, splitLabelColumn } from '@gradstream/data';
 * const samples = splitLabelColumn(parseCsv('y,x1,x2\n1,0,1\n0,1,1\n'), 'y', 2);
 * samples.x; // [[0, 1], [1, 1]]
 * samples.y; // [[1], [0]]
 * ```
 */
export function splitLabelColumn(table: CsvTable, label: string, inputWidth: number): RawSamples {
  const column = labelColumnIndex(table, label);
  const width = tableWidth(table);
  checkLabelWidth(table.source, width, table.lines[0] as number, label, inputWidth, COMMAND_LINE);
  return {
    source: table.source,
    x: table.rows.map((r) => withoutColumn(r, column)),
    y: table.rows.map((r) => [r[column] as number]),
    locate: (i, part) => `row ${i + 1} (line ${table.lines[i]}), ${part === 'y' ? `column ${column + 1}` : inputColumnsName(width, column)}`,
  };
}

/**
 * A row without the value at `column` (the label), or the row itself when `column` is undefined.
 *
 * @param row - a row of values
 * @param column - the 0-based column to leave out
 * @example
 * ```ts
 * import { withoutColumn } from '@gradstream/data';
 * withoutColumn([5.1, 3.5, 2], 1); // [5.1, 2]
 * ```
 */
export function withoutColumn(row: readonly number[], column: number | undefined): readonly number[] {
  return column === undefined ? row : [...row.slice(0, column), ...row.slice(column + 1)];
}

function tableWidth(table: CsvTable): number {
  return table.header?.length ?? (table.rows[0] as readonly number[]).length;
}
