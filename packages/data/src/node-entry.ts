/**
 * The part of `@gradstream/data` that needs Node: CSV files streamed from disk, row by row, so a
 * file larger than memory trains with `fit` as a stream of samples. Import it from
 * `@gradstream/data/node`; parsing text already in memory lives in `@gradstream/data`, which runs
 * anywhere.
 *
 * @module node
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { fileError } from '@gradstream/graph/node';
import { GradstreamError } from '@gradstream/tensor';
import { CsvRows, csvParseOptions, targetColumns, targetColumnsName, unreadableCsv, type CsvRecord } from './csv.js';
import { checkLabelWidth, labelColumnAt, withoutColumn, type LabelOption } from './label-column.js';
import { checkShuffle, shuffled, type ShuffleOptions } from './shuffle.js';

/**
 * One row of a CSV file as a training sample: the input row and the target row, the shape
 * `@gradstream/trainer`'s `fit` takes from a stream.
 *
 * @example
 * ```ts
 * import type { CsvSample } from '@gradstream/data/node';
 * const s: CsvSample = { x: [5.1, 3.5, 1.4, 0.2], y: [1, 0, 0] };
 * ```
 */
export interface CsvSample {
  readonly x: number[];
  readonly y: number[];
}

/**
 * Options of {@link csvSamples}: how a row splits into input and target, and whether to shuffle.
 *
 * @example
 * ```ts
 * import type { CsvSamplesOptions } from '@gradstream/data/node';
 * const iris: CsvSamplesOptions = { inputWidth: 4, targetWidth: 3, labelColumn: 'species', shuffle: { buffer: 1024, seed: 1 } };
 * ```
 */
export interface CsvSamplesOptions {
  /** Values per input row (the product of the model's `inputShape`): the first columns, or with `labelColumn` all the others. */
  readonly inputWidth: number;
  /**
   * Values per target row (the width of the model's output; default 1): the columns after the
   * input. When more than 1 and the row holds a single target column, that column is a class
   * index in `0…targetWidth−1`, one-hot encoded.
   */
  readonly targetWidth?: number;
  /** The column holding the target, by header name or 0-based index; the other columns, in order, are the input. Default: the last columns. */
  readonly labelColumn?: string | number;
  /** Shuffle the rows through a seeded buffer (see {@link shuffled}); default: the file's order. */
  readonly shuffle?: ShuffleOptions;
  /** How messages name the file (default: `path` as given). */
  readonly source?: string;
}

const LABEL_OPTION: LabelOption = { name: 'labelColumn', code: 'INVALID_OPTION' };

/**
 * The rows of a CSV file as samples, read from disk as they are asked for: memory holds a chunk
 * of the file and, with `shuffle`, the buffer's rows — never the file. Each iteration reads the
 * file again from its start, as `fit` does once per epoch; rows come in the file's order, or
 * through a seeded shuffle buffer (`shuffle: { buffer, seed }`, pass `k` shuffled with
 * `seed + k`; see {@link shuffled}).
 *
 * The file is read exactly as `parseCsv` reads text: cells separated by commas, tabs or
 * semicolons, blank and `#` lines skipped, a first row without numbers taken as the header, every
 * cell a finite decimal number and every row as wide as the first. Rows split into input and
 * target as `splitColumns` (or, with `labelColumn`, `splitLabelColumn`) splits a table. A problem
 * is an `INVALID_DATA` error naming the row, its line and the column (`big.csv, row 81234 (line
 * 81235), column 2: "abc" is not a number`), thrown by the iteration when it reaches that row — so
 * a run that trains on the stream ends with it. A file that cannot be read is a `FILE_ERROR`
 * (`csvSamples big.csv: no such file`); wrong options are an `INVALID_OPTION` error, raised at
 * once.
 *
 * @param path - the CSV file, resolved from the working directory
 * @param options - the widths of input and target, where the target is, shuffling
 * @example
 * ```ts
 * import { csvSamples } from '@gradstream/data/node';
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * import { end$, fit } from '@gradstream/trainer';
 * import { lastValueFrom } from 'rxjs';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
 * const samples = csvSamples('big.csv', { inputWidth: 2, shuffle: { buffer: 4096, seed: 1 } });
 * await lastValueFrom(end$(fit(model, samples, { epochs: 3, batchSize: 64 })));
 * ```
 */
export function csvSamples(path: string, options: CsvSamplesOptions): AsyncIterable<CsvSample> {
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new GradstreamError('INVALID_OPTION', `csvSamples: ${message}`, details);
  };
  if (typeof path !== 'string' || path === '') fail(`path must be a file name, got ${JSON.stringify(path) ?? String(path)}`, { option: 'path' });
  const { inputWidth, targetWidth = 1, labelColumn, shuffle, source = path } = (options ?? {}) as Partial<CsvSamplesOptions>;
  for (const [name, value] of [['inputWidth', inputWidth], ['targetWidth', targetWidth]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(`${name} must be a positive integer, got ${String(value)}`, { option: name });
  }
  const label = labelColumn === undefined ? undefined : String(labelColumn);
  if (
    labelColumn !== undefined &&
    !(typeof labelColumn === 'string' && labelColumn !== '') &&
    !(typeof labelColumn === 'number' && Number.isSafeInteger(labelColumn) && labelColumn >= 0)
  ) {
    fail(`labelColumn must be a header name or a 0-based column index, got ${JSON.stringify(labelColumn) ?? String(labelColumn)}`, { option: 'labelColumn' });
  }
  if (shuffle !== undefined) checkShuffle(shuffle, 'csvSamples: shuffle.');
  const layout: Layout = { source, inputWidth: inputWidth as number, targetWidth, label };
  const rows: AsyncIterable<CsvSample> = { [Symbol.asyncIterator]: () => readSamples(path, layout) };
  return shuffle === undefined ? rows : shuffled(rows, shuffle);
}

/** How rows become samples: checked options, before the file has shown its width. */
interface Layout {
  readonly source: string;
  readonly inputWidth: number;
  readonly targetWidth: number;
  readonly label: string | undefined;
}

/** Turns one row of numbers (data row `row`, ending on `line`) into a sample. */
type Splitter = (values: readonly number[], row: number, line: number) => CsvSample;

/**
 * One pass's reading of records into samples: the strict checks of `parseCsv`, then the split.
 * Given the same records, it fails at the same record with the same error, whichever lines it is
 * told; so a pass that did not know the lines can ask a second one to name them.
 */
class SampleReader {
  private readonly reader: CsvRows;
  private split: Splitter | undefined;

  constructor(private readonly layout: Layout) {
    this.reader = new CsvRows(layout.source);
  }

  /** The sample of one record, or `undefined` for the header row. */
  next(record: readonly string[], line: number): CsvSample | undefined {
    const values = this.reader.read(record, line);
    if (values === undefined) return undefined;
    this.split ??= splitter(this.layout, this.reader);
    return this.split(values, this.reader.count, line);
  }

  end(): void {
    this.reader.end();
  }
}

/** The file's records through csv-parse, with the line each ended on when `info` is true. */
function records(path: string, info: false): AsyncIterable<string[]>;
function records(path: string, info: true): AsyncIterable<CsvRecord>;
function records(path: string, info: boolean): AsyncIterable<string[] | CsvRecord> {
  const parser = parse(csvParseOptions(info));
  // pipeline, not pipe: a read error (no such file) then reaches the parser, and its iteration
  // throws it; stopping the iteration early destroys the parser and so closes the file.
  pipeline(createReadStream(path), parser, () => undefined);
  return parser;
}

/** Line numbers are not known on this pass: only a message needs one, and a wrong row has its own pass. */
const LINE_UNKNOWN = 0;

async function* readSamples(path: string, layout: Layout): AsyncGenerator<CsvSample, void, undefined> {
  const rows = new SampleReader(layout);
  // Records taken from the parser: when a row fails, the index of the failing one.
  let index = 0;
  try {
    // csv-parse's `info` builds an object per record for its line number, which nearly doubles
    // its time on a large file; only a message needs a line, so this pass goes without.
    for await (const record of records(path, false)) {
      const sample = rows.next(record, LINE_UNKNOWN);
      index++;
      if (sample !== undefined) yield sample;
    }
    rows.end();
  } catch (e) {
    if (!(e instanceof GradstreamError)) throw e instanceof CsvError ? unreadableCsv(layout.source, e) : fileError('csvSamples', path, e);
    throw await withLines(path, layout, index, e);
  }
}

/**
 * The error a pass with line numbers meets where a pass without them failed, at record `failing`
 * (or at the end, when it failed there): the same error, its line named. Should that pass not
 * fail the same way (the file changed between the two), the first error stands.
 */
async function withLines(path: string, layout: Layout, failing: number, first: GradstreamError): Promise<unknown> {
  const rows = new SampleReader(layout);
  let index = 0;
  try {
    for await (const { record, info } of records(path, true)) {
      rows.next(record, info.lines);
      if (index === failing) return first;
      index++;
    }
    rows.end();
  } catch (e) {
    if (e instanceof GradstreamError) return e;
  }
  return first;
}

/** How rows split, decided on the first data row: by then the header and the width are known. */
function splitter(layout: Layout, reader: CsvRows): Splitter {
  const { source, inputWidth, targetWidth, label } = layout;
  const { width, firstLine } = reader;
  let input: (values: readonly number[]) => number[];
  let target: (values: readonly number[]) => number[];
  let targetName: string;
  if (label !== undefined) {
    const column = labelColumnAt(source, reader.header, width, label, LABEL_OPTION);
    checkLabelWidth(source, width, firstLine, label, inputWidth, LABEL_OPTION);
    input = (v) => withoutColumn(v, column) as number[];
    target = (v) => [v[column] as number];
    targetName = `column ${column + 1}`;
  } else {
    targetColumns(source, width, firstLine, inputWidth, targetWidth);
    input = (v) => v.slice(0, inputWidth);
    target = (v) => v.slice(inputWidth);
    targetName = targetColumnsName(width, inputWidth);
  }
  const classes = (label !== undefined || width - inputWidth === 1) && targetWidth > 1;
  if (!classes) return (values) => ({ x: input(values), y: target(values) });
  return (values, row, line) => {
    const k = target(values)[0] as number;
    if (!Number.isInteger(k) || k < 0 || k >= targetWidth) {
      throw new GradstreamError(
        'INVALID_DATA',
        `${source}, row ${row} (line ${line}), ${targetName}: class ${k} is not an integer in 0…${targetWidth - 1} (targetWidth is ${targetWidth})`,
        { file: source, row, line, class: k },
      );
    }
    const y = new Array<number>(targetWidth).fill(0);
    y[k] = 1;
    return { x: input(values), y };
  };
}
