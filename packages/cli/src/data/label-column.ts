import { GradstreamError } from '@gradstream/tensor';
import type { CsvTable } from './csv.js';
import type { RawSamples } from './samples.js';

/**
 * The 0-based index of the column a `--label-column` value names: a header name (the table must
 * have a header row) or a 0-based index. An unknown name or an index past the last column is an
 * `INVALID_USAGE` error listing the columns.
 *
 * @param table - the parsed CSV file
 * @param label - a header name, or a 0-based column index such as `"4"`
 * @example
 * ```ts
 * import { labelColumnIndex, parseCsv } from '@gradstream/cli';
 * const table = parseCsv('species,length,width\n0,5.1,3.5\n', 'iris.csv');
 * labelColumnIndex(table, 'species'); // 0
 * labelColumnIndex(table, '2'); // 2
 * ```
 */
export function labelColumnIndex(table: CsvTable, label: string): number {
  const width = table.header?.length ?? (table.rows[0] as readonly number[]).length;
  const columns = table.header === undefined ? '' : `: ${table.header.map((h, i) => `${i} ${h}`).join(', ')}`;
  if (/^\d+$/.test(label.trim())) {
    const index = Number(label);
    if (index >= width) {
      throw new GradstreamError('INVALID_USAGE', `--label-column ${label}: ${table.source} has ${width} column(s), 0…${width - 1} (the index counts from 0)${columns}`, {
        file: table.source,
        column: index,
        columns: width,
      });
    }
    return index;
  }
  if (table.header === undefined) {
    throw new GradstreamError('INVALID_USAGE', `--label-column ${label}: ${table.source} has no header row to find the name in; give the column's 0-based index instead`, {
      file: table.source,
    });
  }
  const index = table.header.indexOf(label);
  if (index < 0) {
    throw new GradstreamError('INVALID_USAGE', `--label-column ${label}: ${table.source} has no column named ${JSON.stringify(label)}; its columns${columns}`, {
      file: table.source,
      known: [...table.header],
    });
  }
  return index;
}

/**
 * Splits a table's columns into model inputs and a target held in one column named by `label`
 * (see {@link labelColumnIndex}): that column is the target — a class index for a classifier, the
 * value for a one-output model — and the other columns, in order, the input. The table must then
 * have `inputWidth + 1` columns (an `INVALID_DATA` error otherwise). It is the `--label-column`
 * counterpart of {@link splitColumns}, which takes the target from the last columns.
 *
 * @param table - the parsed CSV file
 * @param label - a header name or a 0-based column index
 * @param inputWidth - values per input sample (the product of the spec's `inputShape`)
 * @example
 * ```ts
 * import { parseCsv, splitLabelColumn } from '@gradstream/cli';
 * const samples = splitLabelColumn(parseCsv('y,x1,x2\n1,0,1\n0,1,1\n'), 'y', 2);
 * samples.x; // [[0, 1], [1, 1]]
 * samples.y; // [[1], [0]]
 * ```
 */
export function splitLabelColumn(table: CsvTable, label: string, inputWidth: number): RawSamples {
  const column = labelColumnIndex(table, label);
  const width = table.header?.length ?? (table.rows[0] as readonly number[]).length;
  if (width !== inputWidth + 1) {
    throw new GradstreamError(
      'INVALID_DATA',
      `${table.source}, row 1 (line ${table.lines[0]}): ${width} column(s), but with --label-column ${label} the model takes ` +
        `${inputWidth} input column(s) and the label column = ${inputWidth + 1}`,
      { file: table.source, columns: width, inputWidth },
    );
  }
  return {
    source: table.source,
    x: table.rows.map((r) => withoutColumn(r, column)),
    y: table.rows.map((r) => [r[column] as number]),
    locate: (i, part) => `row ${i + 1} (line ${table.lines[i]}), ${part === 'y' ? `column ${column + 1}` : inputColumns(width, column)}`,
  };
}

/**
 * Samples from a source whose inputs and targets are apart already (a JSON file, a built-in set),
 * unchanged; with a `--label-column` given, an `INVALID_USAGE` error, since only CSV columns have
 * one to choose.
 *
 * @example
 * ```ts
 * import { builtinSamples } from '@gradstream/cli';
 * noLabelColumn(builtinSamples('builtin:xor'), undefined).x.length; // 4
 * ```
 */
export function noLabelColumn<T extends { readonly source: string }>(samples: T, label: string | undefined): T {
  if (label === undefined) return samples;
  throw new GradstreamError('INVALID_USAGE', `--label-column ${label}: ${samples.source} is not a CSV file; --label-column chooses a column of CSV data`, {
    source: samples.source,
  });
}

/**
 * A row without the value at `column` (the label), or the row itself when `column` is undefined.
 *
 * @example
 * ```ts
 * withoutColumn([5.1, 3.5, 2], 1); // [5.1, 2]
 * ```
 */
export function withoutColumn(row: readonly number[], column: number | undefined): readonly number[] {
  return column === undefined ? row : [...row.slice(0, column), ...row.slice(column + 1)];
}

/** How messages name the input columns, 1-based like the rest of the CSV messages. */
function inputColumns(width: number, label: number): string {
  if (label === width - 1) return `columns 1…${width - 1}`;
  if (label === 0) return `columns 2…${width}`;
  return `columns 1…${width} except ${label + 1}`;
}
