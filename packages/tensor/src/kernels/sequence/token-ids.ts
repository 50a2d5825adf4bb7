import type { TypedArray } from '../../dtype.js';
import { GradstreamError } from '../../errors.js';

/**
 * The id at `r` of `batch·steps` ids, checked: an integer in `[0, vocab)`. Anything else (a
 * fraction, a negative, NaN, an id past the table) is an `INVALID_DATA` error naming `label`,
 * the position `[b, t]` and the value, rather than a row of zeros or a clamp that would train on
 * the wrong token without a word.
 */
export function tokenAt(ids: TypedArray, r: number, steps: number, vocab: number, label: string): number {
  const v = ids[r] as number;
  if (Number.isInteger(v) && v >= 0 && v < vocab) return v;
  const position = [Math.floor(r / steps), r % steps];
  throw new GradstreamError('INVALID_DATA', `${label}: input ids[${position.join(', ')}] is ${v}; a token id is an integer in [0, ${vocab})`, {
    op: label,
    position,
    value: v,
    vocab,
  });
}
