import { extname } from 'node:path';
import { labelColumnIndex, parseCsv, parseJsonText, withoutColumn } from '@gradstream/data';
import type { Model } from '@gradstream/graph';
import { GradstreamError, sizeOf } from '@gradstream/tensor';
import { builtinSamples } from './builtin.js';
import { noLabelColumn } from './label-column.js';
import { readDataText } from './read-text.js';

/**
 * Input rows to predict from, and where they came from.
 *
 * @example
 * ```ts
 * import type { LoadedInputs } from '@gradstream/cli';
 * const count = (d: LoadedInputs) => `${d.x.length} rows from ${d.source}`;
 * ```
 */
export interface LoadedInputs {
  /** The file, `stdin` or built-in set the rows came from, as messages name it. */
  readonly source: string;
  /** Input rows, each as wide as the model's input. */
  readonly x: readonly (readonly number[])[];
}

const JSON_SHAPES = '[[…], …], { "x": [[…], …] } or [{ "x": […] }, …]';

/**
 * Loads the input rows a `predict --data` argument names: a CSV or JSON file, `-` for all of
 * stdin (JSON when it starts with `{` or `[`, CSV otherwise), or `builtin:NAME`. Rows may hold
 * just the model's inputs; rows that also hold the targets, as `train` and `eval` read them
 * (inputs first), are accepted too and the targets left out, and so is the CSV column named by
 * `labelColumn`. JSON is an array of rows, `{ "x": [[…], …] }` or `[{ "x": […] }, …]` (any `y`
 * is ignored). A row of another width is an `INVALID_DATA` error naming it; a file that cannot be
 * read is a `FILE_ERROR` naming its full path; a file or stdin too large to read whole a
 * `TOO_LARGE` error naming it, its bytes and the limit.
 *
 * @param ref - a file path, `-` for stdin, or `builtin:NAME`
 * @param model - the model to predict with (its input width decides the columns)
 * @param cwd - the directory relative paths start from
 * @param stdin - what `-` reads (default: the process's stdin)
 * @param columns - `labelColumn`: a CSV column (header name or 0-based index) to leave out
 * @example
 * ```ts
 * import { loadInputs } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * const { x } = await loadInputs('builtin:xor', model, process.cwd());
 * ```
 */
export async function loadInputs(
  ref: string,
  model: Model,
  cwd: string,
  stdin?: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream,
  columns: { readonly labelColumn?: string } = {},
): Promise<LoadedInputs> {
  const inputWidth = sizeOf(model.inputShape);
  const label = columns.labelColumn;
  if (ref.startsWith('builtin:')) return checked(noLabelColumn(builtinSamples(ref), label), inputWidth, (i) => `sample ${i}`);
  const fromStdin = ref === '-';
  const source = fromStdin ? 'stdin' : ref;
  const text = await readDataText('loadInputs', ref, cwd, stdin);
  const ext = fromStdin ? '' : extname(ref).toLowerCase();
  if (ext === '.json' || (ext !== '.csv' && ext !== '.tsv' && /^\s*[[{]/.test(text))) return noLabelColumn(jsonInputs(text, source, inputWidth), label);

  const table = parseCsv(text, source);
  const column = label === undefined ? undefined : labelColumnIndex(table, label);
  const rows = table.rows.map((r) => withoutColumn(r, column));
  const width = (rows[0] as readonly number[]).length;
  const targetWidth = sizeOf(model.outputShape);
  // Inputs only; or, without a label column, inputs followed by targets (or a class index).
  const withTargets = column === undefined && (width === inputWidth + targetWidth || (targetWidth > 1 && width === inputWidth + 1));
  if (width !== inputWidth && !withTargets) {
    const rest = column === undefined ? `, optionally followed by ${targetWidth} target column(s)${targetWidth > 1 ? ' or a class index' : ''}` : ` besides --label-column ${label}`;
    throw new GradstreamError('INVALID_DATA', `${source}, row 1 (line ${table.lines[0]}): ${width} column(s), but the model takes ${inputWidth} input column(s)${rest}`, {
      file: source,
      columns: width,
      inputWidth,
    });
  }
  return { source, x: width === inputWidth ? rows : rows.map((r) => r.slice(0, inputWidth)) };
}

function jsonInputs(text: string, source: string, inputWidth: number): LoadedInputs {
  const json = parseJsonText(text, source, 'INVALID_DATA', JSON_SHAPES);
  const fail = (path: string, message: string): never => {
    throw new GradstreamError('INVALID_DATA', `${source}: ${path === '' ? '(root)' : path} ${message}`, { file: source, path });
  };
  let values: unknown[];
  let path: (i: number) => string;
  const isSample = (s: unknown): s is { x: unknown } => typeof s === 'object' && s !== null && !Array.isArray(s) && 'x' in s;
  if (Array.isArray(json) && json.length > 0 && json.every(isSample)) {
    values = json.map((s) => s.x);
    path = (i) => `${i}/x`;
  } else if (Array.isArray(json)) {
    values = json;
    path = (i) => `${i}`;
  } else if (typeof json === 'object' && json !== null && Array.isArray((json as { x?: unknown }).x)) {
    values = (json as { x: unknown[] }).x;
    path = (i) => `x/${i}`;
  } else {
    return fail('', `must be ${JSON_SHAPES}`);
  }
  if (values.length === 0) fail('', 'holds no samples');
  const x = values.map((row, i) => {
    const r: unknown = typeof row === 'number' ? [row] : row;
    if (!Array.isArray(r) || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) return fail(path(i), 'must be a number or an array of numbers');
    return r as number[];
  });
  return checked({ source, x }, inputWidth, path);
}

function checked(data: LoadedInputs, inputWidth: number, path: (i: number) => string): LoadedInputs {
  data.x.forEach((row, i) => {
    if (row.length !== inputWidth) {
      throw new GradstreamError('INVALID_DATA', `${data.source}, ${path(i)}: ${row.length} input value(s), but the model's input takes ${inputWidth}`, {
        source: data.source,
        sample: i,
      });
    }
  });
  return { source: data.source, x: data.x };
}
