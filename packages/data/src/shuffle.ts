import { GradstreamError, Rng } from '@gradstream/tensor';

/**
 * A seeded shuffle buffer ({@link shuffled}): how many items it holds back, and the seed of its
 * first pass.
 *
 * @example
 * ```ts
 * import type { ShuffleOptions } from '@gradstream/data';
 * const shuffle: ShuffleOptions = { buffer: 1024, seed: 1 };
 * ```
 */
export interface ShuffleOptions {
  /**
   * Items held back at once, a positive integer; memory holds this many. An item comes out at
   * most `buffer − 1` places before its place in the source, and any number of places after it:
   * the larger the buffer, the more the order is mixed (one as large as the source shuffles it
   * uniformly; 1 keeps the source's order).
   */
  readonly buffer: number;
  /**
   * Seed of the first pass over the source; pass `k` (counted from 0 for each iterable
   * `shuffled` returns) is shuffled with `seed + k`, so every epoch sees another order and a run
   * repeats them all.
   */
  readonly seed: number;
}

/**
 * The items of a source in a seeded, shuffled order, holding at most `buffer` of them at once
 * (as a streaming shuffle buffer does): the first `buffer` items fill the buffer; each one after
 * takes the place of a buffered item drawn at random, which is passed on; when the source ends,
 * what is left in the buffer follows in shuffled order. Every item comes out exactly once per
 * pass.
 *
 * Each iteration of the result is a pass: it iterates the source again and shuffles with
 * `seed + pass` (pass 0 first), so `fit`, which iterates a stream once per epoch, trains every
 * epoch in another order, the same orders on every run. A resumed run starts a new iterable, whose
 * first pass is then pass 0: to repeat the interrupted epoch's order, create it with the seed
 * plus the number of epochs completed before. A wrong `buffer` or `seed` is an `INVALID_OPTION`
 * error, raised at once.
 *
 * @param source - the items, in their own order (an iterable, or an async iterable such as a stream)
 * @param options - the buffer's size and the seed
 * @example
 * ```ts
 * import { shuffled } from '@gradstream/data';
 * const items = shuffled([1, 2, 3, 4, 5, 6, 7, 8], { buffer: 4, seed: 1 });
 * const order: number[] = [];
 * for await (const v of items) order.push(v); // 1…8, each once, in an order seed 1 always gives
 * ```
 */
export function shuffled<T>(source: Iterable<T> | AsyncIterable<T>, options: ShuffleOptions): AsyncIterable<T> {
  checkShuffle(options, 'shuffled: ');
  const { buffer, seed } = options;
  let pass = 0;
  return {
    [Symbol.asyncIterator]: () => shufflePass(source, buffer, Rng.fromSeed(seed + pass++)),
  };
}

/**
 * Checks shuffle options before anything is read; `prefix` starts the messages, naming where the
 * options were given (`shuffled: `, `csvSamples: shuffle.`).
 */
export function checkShuffle(options: ShuffleOptions, prefix: string): void {
  const { buffer, seed } = (options ?? {}) as Partial<ShuffleOptions>;
  if (typeof buffer !== 'number' || !Number.isSafeInteger(buffer) || buffer < 1) {
    throw new GradstreamError('INVALID_OPTION', `${prefix}buffer must be a positive integer, got ${String(buffer)}`, { option: 'buffer', buffer });
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new GradstreamError('INVALID_OPTION', `${prefix}seed must be a safe integer, got ${String(seed)}`, { option: 'seed', seed });
  }
}

async function* shufflePass<T>(source: Iterable<T> | AsyncIterable<T>, size: number, rng: Rng): AsyncGenerator<T, void, undefined> {
  const held: T[] = [];
  for await (const item of source) {
    if (held.length < size) {
      held.push(item);
      continue;
    }
    const j = rng.int(size);
    const out = held[j] as T;
    held[j] = item;
    yield out;
  }
  rng.shuffle(held);
  yield* held;
}
