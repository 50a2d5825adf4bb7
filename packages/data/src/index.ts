/**
 * Samples from CSV and JSON text, checked strictly and named precisely in errors (row, line,
 * column; JSON path): parsing, splitting columns into inputs and targets, fitting them to a
 * model, normalization statistics, and a seeded shuffle buffer for streams. This entry imports
 * nothing of Node and runs anywhere, browsers included; streaming a CSV file from disk is in
 * `@gradstream/data/node`.
 *
 * @packageDocumentation
 */
export type { RawSamples } from './samples.js';
export { parseCsv, splitColumns, type CsvTable } from './csv.js';
export { labelColumnIndex, splitLabelColumn, withoutColumn } from './label-column.js';
export { parseJsonText } from './json-text.js';
export { parseJsonSamples } from './json.js';
export { fitSamples, type LoadedData } from './fit-samples.js';
export { applyNormalization, fitNormalization, NORMALIZE_METHODS, type Normalization } from './normalize.js';
export { shuffled, type ShuffleOptions } from './shuffle.js';
