import { describe, expect, it } from 'vitest';
import { Rng } from '@gradstream/tensor';
import { shuffled } from '../src/index.js';
import { catchGradstream } from '../../../test/support/errors.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of items) out.push(v);
  return out;
}

/** An async source of 0…n−1 that counts how many items have been taken from it. */
function counted(n: number): { source: AsyncIterable<number>; taken: () => number } {
  let taken = 0;
  return {
    source: {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < n; i++) {
          taken++;
          yield i;
        }
      },
    },
    taken: () => taken,
  };
}

describe('shuffled', () => {
  it('passes on every item exactly once, from sync and async sources, for any buffer', async () => {
    for (const buffer of [1, 7, 100, 1000]) {
      const order = await collect(shuffled(range(300), { buffer, seed: 3 }));
      expect(order).toHaveLength(300);
      expect([...order].sort((a, b) => a - b)).toEqual(range(300));
      expect(await collect(shuffled(counted(300).source, { buffer, seed: 3 }))).toEqual(order);
    }
    // A buffer of 1 keeps the order; larger ones move items.
    expect(await collect(shuffled(range(50), { buffer: 1, seed: 3 }))).toEqual(range(50));
    expect(await collect(shuffled(range(50), { buffer: 8, seed: 3 }))).not.toEqual(range(50));
  });

  it('gives the order the seed decides: the same for the same seed, another for another seed', async () => {
    const a = await collect(shuffled(range(1000), { buffer: 64, seed: 1 }));
    expect(await collect(shuffled(range(1000), { buffer: 64, seed: 1 }))).toEqual(a);
    const b = await collect(shuffled(range(1000), { buffer: 64, seed: 2 }));
    expect(b).not.toEqual(a);
    // A buffer that holds the whole source shuffles it as Fisher–Yates with the same generator does.
    expect(await collect(shuffled(range(20), { buffer: 20, seed: 5 }))).toEqual(Rng.fromSeed(5).shuffle(range(20)));
  });

  it('reshuffles on every pass: pass k uses seed + k', async () => {
    const items = shuffled(range(500), { buffer: 32, seed: 10 });
    const first = await collect(items);
    const second = await collect(items);
    expect(second).not.toEqual(first);
    expect(first).toEqual(await collect(shuffled(range(500), { buffer: 32, seed: 10 })));
    expect(second).toEqual(await collect(shuffled(range(500), { buffer: 32, seed: 11 })));
  });

  it('holds back at most buffer items: an item comes out at most buffer − 1 places early', async () => {
    const buffer = 16;
    const order = await collect(shuffled(range(2000), { buffer, seed: 4 }));
    const early = Math.max(...order.map((item, place) => item - place));
    expect(early).toBe(buffer - 1);
    // The source is read only as far as the items asked for need: the buffer, then one per item.
    const { source, taken } = counted(2000);
    const it = shuffled(source, { buffer, seed: 4 })[Symbol.asyncIterator]();
    await it.next();
    expect(taken()).toBe(buffer + 1);
    for (let i = 0; i < 9; i++) await it.next();
    expect(taken()).toBe(buffer + 10);
    await it.return?.();
  });

  it('refuses a buffer or seed that is not an integer, at once', () => {
    const buffer = catchGradstream(() => shuffled([1], { buffer: 0, seed: 1 }));
    expect(buffer.code).toBe('INVALID_OPTION');
    expect(buffer.message).toBe('shuffled: buffer must be a positive integer, got 0');
    expect(catchGradstream(() => shuffled([1], { buffer: 2.5, seed: 1 })).message).toBe('shuffled: buffer must be a positive integer, got 2.5');
    expect(catchGradstream(() => shuffled([1], { buffer: 4, seed: Number.NaN })).message).toBe('shuffled: seed must be a safe integer, got NaN');
  });
});
