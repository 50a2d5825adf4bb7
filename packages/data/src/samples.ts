/**
 * Samples as a source holds them, before they are fitted to a model: input rows `x`, target rows
 * `y`, and how messages should name a sample's place in the source.
 *
 * @example
 * ```ts
 * import type { RawSamples } from '@gradstream/data';
 * const tiny: RawSamples = { source: 'inline', x: [[0, 1]], y: [[1]], locate: (i) => `sample ${i}` };
 * ```
 */
export interface RawSamples {
  /** The file or built-in set the samples came from, as messages name it. */
  readonly source: string;
  readonly x: readonly (readonly number[])[];
  readonly y: readonly (readonly number[])[];
  /** Names sample `i` (0-based) the way the source numbers it: `row 3 (line 4)`, `y/2`, `sample 7`. */
  readonly locate: (sample: number, part: 'x' | 'y') => string;
}
