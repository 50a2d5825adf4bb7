/**
 * A CSV file far larger than what streaming it keeps in memory: a million rows (27 MiB) written to
 * a temporary file, streamed through `fit` with a shuffle buffer of 1024 rows. Heap figures are
 * `heapUsed` after forced collections, sampled every 100,000 rows. Fewer rows for a quick run:
 *   GRADSTREAM_CSV_ROWS=100000 npx vitest run packages/data/test/csv-samples-large.test.ts
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { linear, mse } from '@gradstream/ops';
import { fit, sgd, type EndEvent } from '@gradstream/trainer';
import { csvSamples, type CsvSample } from '@gradstream/data/node';
import { recordFigure } from '../../../test/support/figures.js';
import { heapAfterGc } from '../../../test/support/gc.js';

const ROWS = Number(process.env.GRADSTREAM_CSV_ROWS ?? 1_000_000);
const SAMPLE_EVERY = Math.max(1, Math.floor(ROWS / 10));
/** Rows whose order is compared between passes: enough to tell seeds apart, read in a fraction of a pass. */
const PREFIX = Math.min(ROWS, 100_000);
const BATCH = 256;
const MiB = 2 ** 20;

let dir: string;
let path: string;

/**
 * Row i holds its id i, two inputs a and b spread over [0, 1) and y = 2·b − a + 0.5, all with
 * four decimals (so y is exact), written 10,000 rows at a time (the test holds no copy of the
 * file). The id tells the rows apart; the model never sees it, as rows near each other in a file
 * sorted by id have nearly the same id, and a shuffle buffer only mixes rows near each other.
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradstream-data-large-'));
  path = join(dir, 'big.csv');
  const file = await open(path, 'w');
  try {
    await file.write('id,a,b,y\n');
    for (let start = 0; start < ROWS; start += 10_000) {
      let chunk = '';
      for (let i = start; i < Math.min(ROWS, start + 10_000); i++) {
        const a = Math.round((((i * 7919) % 10007) / 10007) * 1e4);
        const b = Math.round((((i * 104729) % 9973) / 9973) * 1e4);
        chunk += `${i},${(a / 1e4).toFixed(4)},${(b / 1e4).toFixed(4)},${((2 * b - a + 5000) / 1e4).toFixed(4)}\n`;
      }
      await file.write(chunk);
    }
  } finally {
    await file.close();
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const idOf = (s: CsvSample): number => s.x[0] as number;

/** The ids of the first `n` rows a new stream with `seed` gives; stopping there closes the file. */
async function firstIds(seed: number, n: number): Promise<number[]> {
  const ids: number[] = [];
  for await (const s of csvSamples(path, { inputWidth: 3, shuffle: { buffer: 1024, seed } })) {
    ids.push(idOf(s));
    if (ids.length === n) break;
  }
  return ids;
}

describe('csvSamples on a large file', () => {
  it(`streams ${ROWS} rows through fit in bounded memory: every row once, in the order the seed gives`, { timeout: 120_000 }, async () => {
    const bytes = (await stat(path)).size;
    const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 });
    const seen = new Uint8Array(ROWS);
    // Typed arrays keep their contents off the heap measured here.
    const prefix = new Int32Array(PREFIX);
    const growth: number[] = [];
    let count = 0;
    let duplicates = 0;
    let inPlace = 0;
    const start = heapAfterGc();
    const t0 = performance.now();
    // Watches the samples in the order fit takes them (it trains a stream in arrival order), and
    // hands them on without their id.
    async function* watched(samples: AsyncIterable<CsvSample>): AsyncGenerator<CsvSample> {
      for await (const s of samples) {
        const id = idOf(s);
        if (seen[id] === 1) duplicates++;
        seen[id] = 1;
        if (id === count) inPlace++;
        if (count < PREFIX) prefix[count] = id;
        count++;
        if (count % SAMPLE_EVERY === 0) growth.push(heapAfterGc() - start);
        yield { x: s.x.slice(1), y: s.y };
      }
    }
    const end = await new Promise<EndEvent>((resolve, reject) => {
      let last: EndEvent | undefined;
      fit(model, watched(csvSamples(path, { inputWidth: 3, shuffle: { buffer: 1024, seed: 1 } })), { epochs: 1, batchSize: BATCH, optimizer: sgd({ lr: 0.5 }) }).subscribe({
        next: (e) => {
          if (e.type === 'end') last = e;
        },
        error: reject,
        complete: () => resolve(last as EndEvent),
      });
    });
    const ms = performance.now() - t0;
    const peak = Math.max(...growth);

    expect([end.reason, end.epochs, end.steps]).toEqual(['completed', 1, Math.ceil(ROWS / BATCH)]);
    // Every row exactly once, and shuffled: few rows come out at their own place.
    expect([count, duplicates, seen.reduce((a, v) => a + v, 0)]).toEqual([ROWS, 0, ROWS]);
    expect(inPlace).toBeLessThan(ROWS / 100);
    // The model learnt y = −a + 2·b + 0.5 from it.
    const [weight, bias] = model.parameters().map((p) => p.value.toArray() as number[] | number[][]);
    expect((weight as number[][])[0]?.[0]).toBeCloseTo(-1, 3);
    expect((weight as number[][])[0]?.[1]).toBeCloseTo(2, 3);
    expect((bias as number[])[0]).toBeCloseTo(0.5, 3);

    // Memory held the buffer, a chunk of the file and a few batches (and what a first run of fit
    // sets up), never the file: a fraction of it, the same after the last row as after the first.
    const bound = bytes / 8;
    recordFigure({
      kind: 'soak',
      name: `a CSV file of ${ROWS.toLocaleString('en-US')} rows (${(bytes / MiB).toFixed(0)} MiB) streamed through fit, shuffle buffer 1024, batch ${BATCH}`,
      steps: end.steps,
      heapStart: start,
      heapEnd: start + (growth.at(-1) as number),
      growth: peak,
      bound,
      ms: Math.round(ms),
    });
    expect(growth.length).toBe(Math.floor(ROWS / SAMPLE_EVERY));
    expect(peak).toBeLessThan(bound);
    expect(Math.abs((growth.at(-1) as number) - (growth[0] as number))).toBeLessThan(MiB);

    // The same seed gives fit's order again; another seed another order.
    expect(await firstIds(1, PREFIX)).toEqual([...prefix]);
    const other = await firstIds(2, PREFIX);
    expect(other).not.toEqual([...prefix]);
    expect(new Set(other).size).toBe(PREFIX);
  });
});
