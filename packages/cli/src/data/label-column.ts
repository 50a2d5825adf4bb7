import { GradstreamError } from '@gradstream/tensor';

/**
 * Samples from a source whose inputs and targets are apart already (a JSON file, a built-in set),
 * unchanged; with a `--label-column` given, an `INVALID_USAGE` error, since only CSV columns have
 * one to choose.
 *
 * @example
 * ```ts
 * import { builtinSamples, noLabelColumn } from '@gradstream/cli';
 * noLabelColumn(builtinSamples('builtin:xor'), undefined).x.length; // 4
 * ```
 */
export function noLabelColumn<T extends { readonly source: string }>(samples: T, label: string | undefined): T {
  if (label === undefined) return samples;
  throw new GradstreamError('INVALID_USAGE', `--label-column ${label}: ${samples.source} is not a CSV file; --label-column chooses a column of CSV data`, {
    source: samples.source,
  });
}
