import type { TypedArray } from '../../dtype.js';
import { tokenAt } from './token-ids.js';

/**
 * Looks rows up in a table: `out[r, :] = table[ids[r], :]` for the `batch·steps` ids, each row
 * `dim` values (an embedding's forward). The ids are numbers; one that is not an integer in
 * `[0, vocab)` is an `INVALID_DATA` error naming `label`, its position `[b, t]` and its value.
 *
 * @example
 * ```ts
 * import { gatherRows } from '@gradstream/tensor';
 * const table = new Float32Array([0, 0, 1, 1, 2, 2]); // 3 rows of 2
 * const out = new Float32Array(4);
 * gatherRows(table, new Float32Array([2, 0]), out, 1, 2, 2, 3);
 * console.log(out); // [2, 2, 0, 0]
 * ```
 */
export function gatherRows(table: TypedArray, ids: TypedArray, out: TypedArray, batch: number, steps: number, dim: number, vocab: number, label = 'gatherRows'): void {
  const n = batch * steps;
  for (let r = 0; r < n; r++) {
    const from = tokenAt(ids, r, steps, vocab, label) * dim;
    const to = r * dim;
    for (let j = 0; j < dim; j++) out[to + j] = table[from + j] as number;
  }
}

/**
 * Adds rows into a table at the given ids: `dTable[ids[r], :] += dOut[r, :]` for the
 * `batch·steps` ids, in order, so an id that repeats gets the sum of its rows (an embedding's
 * backward). The ids are checked as {@link gatherRows} checks them.
 *
 * @example
 * ```ts
 * import { scatterAddRows } from '@gradstream/tensor';
 * const dTable = new Float32Array(6); // 3 rows of 2
 * scatterAddRows(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 1]), dTable, 1, 2, 2, 3);
 * console.log(dTable); // [0, 0, 4, 6, 0, 0]
 * ```
 */
export function scatterAddRows(dOut: TypedArray, ids: TypedArray, dTable: TypedArray, batch: number, steps: number, dim: number, vocab: number, label = 'scatterAddRows'): void {
  const n = batch * steps;
  for (let r = 0; r < n; r++) {
    const to = tokenAt(ids, r, steps, vocab, label) * dim;
    const from = r * dim;
    for (let j = 0; j < dim; j++) dTable[to + j] = (dTable[to + j] as number) + (dOut[from + j] as number);
  }
}
