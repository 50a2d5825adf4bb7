import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sequential } from '@gradstream/graph';
import { linear, mse } from '@gradstream/ops';
import { fit, sgd, type EndEvent, type FitOptions, type TrainData } from '@gradstream/trainer';
import type { GradstreamError } from '@gradstream/tensor';
import { parseCsv, splitColumns, splitLabelColumn } from '@gradstream/data';
import { csvSamples, type CsvSample, type CsvSamplesOptions } from '@gradstream/data/node';
import { catchGradstream } from '../../../test/support/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` to a file of the temporary directory and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function collect(samples: AsyncIterable<CsvSample>): Promise<CsvSample[]> {
  const out: CsvSample[] = [];
  for await (const s of samples) out.push(s);
  return out;
}

/** The error a whole pass over the samples ends with. */
async function failure(path: string, options: CsvSamplesOptions): Promise<GradstreamError> {
  try {
    await collect(csvSamples(path, { source: 'data.csv', ...options }));
  } catch (e) {
    return e as GradstreamError;
  }
  throw new Error('expected the pass to fail');
}

/** Trains to the end; resolves with the `end` event, rejects with the run's error. */
function train(data: TrainData, options: FitOptions, model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), seed: 1 })): Promise<EndEvent> {
  return new Promise((resolve, reject) => {
    let end: EndEvent | undefined;
    fit(model, data, options).subscribe({
      next: (e) => {
        if (e.type === 'end') end = e;
      },
      error: reject,
      complete: () => resolve(end as EndEvent),
    });
  });
}

const IRREGULAR = 'x1,x2,y\n# a comment\n0,1,1\n\n1\t1\t0\n "0.5" ; .25;6.02e-1\n-1,2.,+3E-2\n';

describe('csvSamples', () => {
  it('reads a file as parseCsv reads its text, split as splitColumns splits it', async () => {
    const path = file('irregular.csv', IRREGULAR);
    const table = splitColumns(parseCsv(IRREGULAR), 2, 1);
    const samples = await collect(csvSamples(path, { inputWidth: 2 }));
    expect(samples.map((s) => s.x)).toEqual(table.x);
    expect(samples.map((s) => s.y)).toEqual(table.y);
    expect(samples).toEqual([
      { x: [0, 1], y: [1] },
      { x: [1, 1], y: [0] },
      { x: [0.5, 0.25], y: [0.602] },
      { x: [-1, 2], y: [0.03] },
    ]);
    // Each iteration reads the file again, from its start.
    const twice = csvSamples(path, { inputWidth: 1, targetWidth: 2 });
    expect(await collect(twice)).toEqual(await collect(twice));
  });

  it('takes the target from a label column, by name or index, and one-hot encodes a class index', async () => {
    const text = 'species,length,width\n2,5.1,3.5\n0,4.9,3\n1,6.2,2.9\n';
    const path = file('iris.csv', text);
    const byName = await collect(csvSamples(path, { inputWidth: 2, labelColumn: 'species' }));
    const table = splitLabelColumn(parseCsv(text), 'species', 2);
    expect(byName).toEqual(table.x.map((x, i) => ({ x, y: table.y[i] })));
    expect(await collect(csvSamples(path, { inputWidth: 2, labelColumn: 0 }))).toEqual(byName);
    expect(await collect(csvSamples(path, { inputWidth: 2, targetWidth: 3, labelColumn: 'species' }))).toEqual([
      { x: [5.1, 3.5], y: [0, 0, 1] },
      { x: [4.9, 3], y: [1, 0, 0] },
      { x: [6.2, 2.9], y: [0, 1, 0] },
    ]);
    // The last column as a class index, when there is one target column for several outputs.
    const last = file('last.csv', '5.1,3.5,2\n4.9,3,0\n');
    expect((await collect(csvSamples(last, { inputWidth: 2, targetWidth: 3 }))).map((s) => s.y)).toEqual([[0, 0, 1], [1, 0, 0]]);
  });

  it('names the row, its line and the column of a bad cell, word for word as parseCsv does', async () => {
    const text = 'a,b,y\n0,1,1\n\n1,abc,0\n';
    const path = file('bad.csv', text);
    const streamed = await failure(path, { inputWidth: 2 });
    const whole = catchGradstream(() => parseCsv(text, 'data.csv'));
    expect(streamed.code).toBe('INVALID_DATA');
    expect(streamed.message).toBe('data.csv, row 2 (line 4), column 2: "abc" is not a number');
    expect([streamed.message, streamed.details]).toEqual([whole.message, whole.details]);
    for (const [name, body] of [
      ['hex.csv', '1,0x10,1\n'],
      ['ragged.csv', 'x1,x2,y\n0,1,1\n1,1\n'],
      ['empty.csv', '\n# nothing\n'],
      ['header.csv', 'x1,x2,y\n'],
      ['quote.csv', '1,"2,1\n'],
    ] as const) {
      const e = await failure(file(name, body), { inputWidth: 2 });
      expect([e.code, e.message]).toEqual(['INVALID_DATA', catchGradstream(() => parseCsv(body, 'data.csv')).message]);
    }
    expect((await failure(file('hex2.csv', '1,0x10,1\n'), { inputWidth: 2 })).message).toBe(
      'data.csv, row 1 (line 1), column 2: "0x10" is not a decimal number (hexadecimal, binary and octal literals are not read as numbers)',
    );
  });

  it('says which widths the options take, and which classes', async () => {
    const path = file('three.csv', 'x1,x2,y\n0,1,1\n1,1,5\n');
    expect((await failure(path, { inputWidth: 3 })).message).toBe(
      'data.csv, row 1 (line 2): 3 column(s), but the model takes 3 input column(s) followed by 1 target column(s) = 4',
    );
    expect((await failure(path, { inputWidth: 2, targetWidth: 3 })).message).toBe(
      'data.csv, row 2 (line 3), column 3: class 5 is not an integer in 0…2 (targetWidth is 3)',
    );
    const label = await failure(path, { inputWidth: 2, labelColumn: 'z' });
    expect([label.code, label.message]).toEqual(['INVALID_OPTION', 'labelColumn z: data.csv has no column named "z"; its columns: 0 x1, 1 x2, 2 y']);
    expect((await failure(path, { inputWidth: 1, labelColumn: 'y' })).message).toBe(
      'data.csv, row 1 (line 2): 3 column(s), but with labelColumn y the model takes 1 input column(s) and the label column = 2',
    );
  });

  it('refuses wrong options at once, and a missing file as a FILE_ERROR when read', async () => {
    const bad = (options: unknown): string => catchGradstream(() => csvSamples('any.csv', options as CsvSamplesOptions)).message;
    expect(bad({ inputWidth: 0 })).toBe('csvSamples: inputWidth must be a positive integer, got 0');
    expect(bad({ inputWidth: 2, targetWidth: 1.5 })).toBe('csvSamples: targetWidth must be a positive integer, got 1.5');
    expect(bad({ inputWidth: 2, labelColumn: -1 })).toBe('csvSamples: labelColumn must be a header name or a 0-based column index, got -1');
    expect(bad({ inputWidth: 2, shuffle: { buffer: 0, seed: 1 } })).toBe('csvSamples: shuffle.buffer must be a positive integer, got 0');
    const missing = await failure(join(dir, 'missing.csv'), { inputWidth: 2 });
    expect(missing.code).toBe('FILE_ERROR');
    expect(missing.message).toBe(`csvSamples ${join(dir, 'missing.csv')}: no such file`);
    expect(missing.details).toMatchObject({ errno: 'ENOENT', operation: 'csvSamples' });
  });

  it('shuffles through a seeded buffer: every row once per pass, the order the seed decides', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i % 7},${(i * 31) % 11}`);
    const path = file('ids.csv', `id,a,y\n${rows.join('\n')}\n`);
    const ids = async (seed: number): Promise<number[]> =>
      (await collect(csvSamples(path, { inputWidth: 2, shuffle: { buffer: 256, seed } }))).map((s) => s.x[0] as number);
    const a = await ids(1);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(a).not.toEqual([...a].sort((p, q) => p - q));
    expect(await ids(1)).toEqual(a);
    expect(await ids(2)).not.toEqual(a);
    // The second pass of one iterable is shuffled with seed + 1.
    const samples = csvSamples(path, { inputWidth: 2, shuffle: { buffer: 256, seed: 1 } });
    await collect(samples);
    expect((await collect(samples)).map((s) => s.x[0])).toEqual(await ids(2));
  });

  it('trains with fit, one pass per epoch; a bad row ends the run with its INVALID_DATA error', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => {
      const [a, b] = [(i % 20) / 20, ((i * 7) % 20) / 20];
      return `${a},${b},${(2 * a - b + 0.5).toFixed(4)}`;
    });
    const good = file('line.csv', `${rows.join('\n')}\n`);
    const end = await train(csvSamples(good, { inputWidth: 2, shuffle: { buffer: 64, seed: 1 } }), { epochs: 10, batchSize: 16, optimizer: sgd({ lr: 0.5 }) });
    expect([end.reason, end.epochs, end.steps]).toEqual(['completed', 10, 250]);
    expect(end.loss).toBeLessThan(1e-4);
    const broken = file('broken.csv', `${rows.slice(0, 100).join('\n')}\n1,2,x\n`);
    const e = (await train(csvSamples(broken, { inputWidth: 2 }), { epochs: 1, batchSize: 16 }).catch((err: unknown) => err)) as GradstreamError;
    expect([e.code, e.message]).toEqual(['INVALID_DATA', `${broken}, row 101 (line 101), column 3: "x" is not a number`]);
  });
});
