import { extname } from 'node:path';
import { fitSamples, parseCsv, parseJsonSamples, splitColumns, splitLabelColumn, type LoadedData, type RawSamples } from '@gradstream/data';
import type { Model } from '@gradstream/graph';
import { sizeOf } from '@gradstream/tensor';
import { builtinSamples } from './builtin.js';
import { readDataText } from './read-text.js';
import { noLabelColumn } from './label-column.js';

/**
 * Loads the samples a `--data` argument names and fits them to a model: `builtin:NAME[?…]`
 * ({@link builtinSamples}), a `.json` file ({@link parseJsonSamples}) or a CSV file
 * ({@link parseCsv}; its columns split by the model's widths, {@link splitColumns}). A file of
 * another extension is read as JSON when it starts with `{` or `[`, as CSV otherwise; so is `-`,
 * all of stdin (named `stdin` in messages). A file that cannot be read is a `FILE_ERROR` naming its
 * full path (`loadData /home/me/data.csv: no such file`); a file or stdin holding more than the
 * longest string JavaScript holds is a `TOO_LARGE` error naming it, its bytes and the limit, raised
 * before a file is read.
 *
 * @param ref - a file path, `-` for stdin, or `builtin:NAME`
 * @param model - the model the samples are for (its input and output widths decide the columns)
 * @param cwd - the directory relative paths are resolved from (default: the process's)
 * @param stdin - what `-` reads, text or bytes (UTF-8) (default: the process's stdin)
 * @param columns - `labelColumn`: the CSV column holding the target, a header name or a 0-based
 *   index ({@link splitLabelColumn}; the other columns are the input); default: the last columns
 * @example
 * ```ts
 * import { loadData } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * const { x, y } = await loadData('builtin:xor', model);
 * ```
 */
export async function loadData(
  ref: string,
  model: Model,
  cwd = process.cwd(),
  stdin?: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream,
  columns: { readonly labelColumn?: string } = {},
): Promise<LoadedData> {
  return fitSamples(await readSamples(ref, model, cwd, stdin, columns.labelColumn), model);
}

async function readSamples(ref: string, model: Model, cwd: string, stdin: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream | undefined, label?: string): Promise<RawSamples> {
  if (ref.startsWith('builtin:')) return noLabelColumn(builtinSamples(ref), label);
  const fromStdin = ref === '-';
  const source = fromStdin ? 'stdin' : ref;
  const text = await readDataText('loadData', ref, cwd, stdin);
  const ext = fromStdin ? '' : extname(ref).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && ext !== '.tsv' && /^\s*[[{]/.test(text));
  if (json) return noLabelColumn(parseJsonSamples(text, source), label);
  if (label !== undefined) return splitLabelColumn(parseCsv(text, source), label, sizeOf(model.inputShape));
  return splitColumns(parseCsv(text, source), sizeOf(model.inputShape), sizeOf(model.outputShape));
}
