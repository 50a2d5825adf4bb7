import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Model } from '@gradstream/graph';
import { sizeOf } from '@gradstream/tensor';
import { builtinSamples } from './builtin.js';
import { parseCsv, splitColumns } from './csv.js';
import { fitSamples, type LoadedData } from './fit-samples.js';
import { parseJsonSamples } from './json.js';
import type { RawSamples } from './samples.js';

/**
 * Loads the samples a `--data` argument names and fits them to a model: `builtin:NAME[?…]`
 * ({@link builtinSamples}), a `.json` file ({@link parseJsonSamples}) or a CSV file
 * ({@link parseCsv}; its columns split by the model's widths, {@link splitColumns}). A file of
 * another extension is read as JSON when it starts with `{` or `[`, as CSV otherwise.
 *
 * @param ref - a file path or `builtin:NAME`
 * @param model - the model the samples are for (its input and output widths decide the columns)
 * @param cwd - the directory relative paths are resolved from (default: the process's)
 * @example
 * ```ts
 * import { loadData } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * const { x, y } = await loadData('builtin:xor', model);
 * ```
 */
export async function loadData(ref: string, model: Model, cwd = process.cwd()): Promise<LoadedData> {
  return fitSamples(await readSamples(ref, model, cwd), model);
}

async function readSamples(ref: string, model: Model, cwd: string): Promise<RawSamples> {
  if (ref.startsWith('builtin:')) return builtinSamples(ref);
  const text = await readFile(resolve(cwd, ref), 'utf8');
  const ext = extname(ref).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && ext !== '.tsv' && /^\s*[[{]/.test(text));
  if (json) return parseJsonSamples(text, ref);
  return splitColumns(parseCsv(text, ref), sizeOf(model.inputShape), sizeOf(model.outputShape));
}
