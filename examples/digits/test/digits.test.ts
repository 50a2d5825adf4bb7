import { PassThrough } from 'node:stream';
import { lastValueFrom, of, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIGIT_PIXELS, digits, type DigitSplit } from '@gradstream/datasets/digits';
import { evaluate, type TrainEvent } from '@gradstream/trainer';
import { formatConfusion, parseDigitsArgs, progress, shiftImage, shiftedEpochs, trainDigits, type DigitsResult } from '../src/index.js';

const labelOf = (row: ArrayLike<number>): number => Array.prototype.indexOf.call(row, 1);

describe('digits example, quick size (2000 training digits, 2 epochs)', () => {
  let data: DigitSplit;
  let result: DigitsResult;
  beforeAll(async () => {
    data = digits({ seed: 0, train: 2000, test: 2000 });
    result = await trainDigits({ data, epochs: 2 });
  });

  it('classifies held-out digits far above chance', () => {
    // Guessing gets 10% (± 0.7% over 2000 digits), so 80% is out of reach without learning. Runs
    // of this size land at 83–85% across seeds of model and split; the gap leaves room for that.
    expect(result.accuracy).toBeGreaterThan(0.8);
    expect(result.epochs).toBe(2);
    expect(result.trainSamples).toBe(2000);
    expect(result.testSamples).toBe(2000);
  });

  it('scores only the held-out digits: the confusion rows add up to their per-class counts', () => {
    const perClass = new Array<number>(10).fill(0);
    for (const y of data.test.y) perClass[labelOf(y)]! += 1;
    expect(result.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(perClass);
  });

  it('reports the accuracy the trainer computes for the same model and digits', () => {
    const diagonal = result.confusion.reduce((a, row, t) => a + (row[t] as number), 0);
    expect(result.accuracy).toBe(diagonal / 2000);
    expect(evaluate(result.model, data.test, ['accuracy']).metrics.accuracy).toBeCloseTo(result.accuracy, 12);
  });
});

describe('formatConfusion', () => {
  it('lays out rows = true digit, columns = predicted, then the row total and recall', () => {
    expect(formatConfusion([[5, 1], [0, 4]]).split('\n')).toEqual([
      'true\\pred    0   1 |   all recall',
      '        0    5   1 |     6  83.3%',
      '        1    0   4 |     4 100.0%',
    ]);
  });

  it('widens every column to the largest count, keeping the lines aligned', () => {
    const lines = formatConfusion([[12345, 0], [7, 3]]).split('\n');
    expect(lines[1]).toBe('        0  12345     0 | 12345 100.0%');
    expect(new Set(lines.map((l) => l.indexOf('|'))).size).toBe(1);
  });
});

describe('shiftImage', () => {
  const onePixel = (row: number, col: number): Float32Array => {
    const img = new Float32Array(DIGIT_PIXELS);
    img[row * 28 + col] = 1;
    return img;
  };

  it('moves a pixel right by dx and down by dy', () => {
    const out = new Float32Array(DIGIT_PIXELS * 2).fill(9);
    shiftImage(onePixel(5, 7), 0, out, DIGIT_PIXELS, 2, -1);
    const moved = out.subarray(DIGIT_PIXELS);
    expect(moved[4 * 28 + 9]).toBe(1);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(1);
    // Writes only its own image.
    expect(out.subarray(0, DIGIT_PIXELS).every((v) => v === 9)).toBe(true);
  });

  it('drops what leaves the frame and fills in background', () => {
    const out = new Float32Array(DIGIT_PIXELS).fill(9);
    shiftImage(onePixel(0, 27), 0, out, 0, 1, 0);
    expect(out.every((v) => v === 0)).toBe(true);
    shiftImage(onePixel(3, 3), 0, out, 0, 0, 0);
    expect(Array.from(out)).toEqual(Array.from(onePixel(3, 3)));
  });
});

describe('shiftedEpochs', () => {
  const small = digits({ seed: 5, train: 30, test: 0 }).train;
  const collect = async (src: ReturnType<typeof shiftedEpochs>) => {
    const samples = await lastValueFrom(src.pipe(toArray()));
    return { samples, copies: samples.map((s) => ({ x: Array.from(s.x as Float32Array), y: labelOf(s.y as Float32Array) })) };
  };
  /** Which training image, moved by which (dx, dy) in −1…1, each emitted sample is. */
  const identify = (x: readonly number[]): { index: number; dx: number; dy: number } | undefined => {
    const out = new Float32Array(DIGIT_PIXELS);
    for (let index = 0; index < small.x.length; index++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          shiftImage(small.x[index] as number[], 0, out, 0, dx, dy);
          if (out.every((v, j) => v === x[j])) return { index, dx, dy };
        }
      }
    }
    return undefined;
  };

  it('shows every training image once per epoch, moved by at most one pixel, with its own label', async () => {
    const src = shiftedEpochs(small, { maxShift: 1, seed: 2, chunk: 7 });
    const { copies } = await collect(src);
    expect(copies).toHaveLength(30);
    const found = copies.map((c) => ({ c, id: identify(c.x) }));
    expect(found.filter((f) => f.id === undefined)).toEqual([]);
    expect(new Set(found.map((f) => f.id?.index)).size).toBe(30);
    for (const { c, id } of found) expect(c.y).toBe(labelOf(small.y[id?.index as number] as number[]));
    // With 30 images and 9 possible shifts, some image is certainly moved.
    expect(found.some((f) => f.id?.dx !== 0 || f.id?.dy !== 0)).toBe(true);
  });

  it('reuses its sample objects, gives another epoch each subscription, and repeats for the same seed', async () => {
    const src = shiftedEpochs(small, { seed: 2 });
    const first = await collect(src);
    const second = await collect(src);
    second.samples.forEach((s, k) => expect(s).toBe(first.samples[k]));
    expect(second.copies).not.toEqual(first.copies);
    expect((await collect(shiftedEpochs(small, { seed: 2 }))).copies).toEqual(first.copies);
  });
});

describe('progress', () => {
  const events: TrainEvent[] = [
    { type: 'start', seed: 0, config: { epochs: 2, batchSize: 2, shuffle: false, samples: null, validationSamples: 0, optimizer: {}, metrics: ['accuracy'], backend: 'ts: TypeScript (reference kernels, one thread)' } },
    ...[1, 2].flatMap((epoch): TrainEvent[] => [
      { type: 'epochStart', epoch, lr: 0.1 },
      { type: 'batch', epoch, step: 2 * epoch - 1, batch: 1, size: 2, loss: 1, lr: 0.1, gradNorms: {} },
      { type: 'batch', epoch, step: 2 * epoch, batch: 2, size: 1, loss: 0.5, lr: 0.1, gradNorms: {} },
      { type: 'epoch', epoch, step: 2 * epoch, loss: 0.75, lr: 0.1, metrics: { accuracy: 0.5 } },
    ]),
    { type: 'end', reason: 'completed', epochs: 2, steps: 4, loss: 0.75 },
  ];
  const run = async (isTTY: boolean, options: { samplesPerEpoch?: number } = { samplesPerEpoch: 3 }, source = events): Promise<string> => {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (b: Buffer) => (text += b.toString()));
    await lastValueFrom(of(...source).pipe(progress({ ...options, stream }), toArray()));
    return text;
  };

  it('prints one line per epoch when the stream is not a terminal', async () => {
    const lines = (await run(false)).trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/2 {2}loss 0\.7500 {2}train accuracy 50\.00% {2}\d+ samples\/s/);
    expect(lines[1]).toMatch(/^epoch 2\/2 /);
  });

  it('draws a bar with epoch, batch, loss, speed and time left on a terminal', async () => {
    const text = await run(true);
    // The last batch: epoch 2, batch 2 of ceil(3 / 2) = 2, the epoch's mean loss (1 + 0.5) / 2.
    expect(text).toMatch(/epoch 2\/2 .* batch 2\/2 \| loss 0\.7500 \| \d+ samples\/s \| ETA /);
    expect(text).not.toMatch(/train accuracy/);
  });

  it('counts batches from the run itself for arrays, and asks for the count for a stream', async () => {
    const counted = events.map((e): TrainEvent => (e.type === 'start' ? { ...e, config: { ...e.config, samples: 3 } } : e));
    expect(await run(true, {}, counted)).toMatch(/batch 2\/2 \| loss 0\.7500/);
    await expect(run(true, {})).rejects.toThrow(/needs samplesPerEpoch/);
  });
});

describe('parseDigitsArgs', () => {
  it('reads --epochs, --quick and --profile', () => {
    expect(parseDigitsArgs([])).toEqual({ quick: false, profile: false });
    expect(parseDigitsArgs(['--quick', '--epochs', '3'])).toEqual({ quick: true, profile: false, epochs: 3 });
    expect(parseDigitsArgs(['--epochs=7', '--profile'])).toEqual({ quick: false, profile: true, epochs: 7 });
    // As `pnpm start -- --quick` passes it.
    expect(parseDigitsArgs(['--', '--quick'])).toEqual({ quick: true, profile: false });
  });

  it('rejects what it does not know', () => {
    expect(() => parseDigitsArgs(['--epochs', '0'])).toThrow(/--epochs must be a positive integer, got "0"/);
    expect(() => parseDigitsArgs(['--fast'])).toThrow(/^digits: .*usage: \[--epochs N\] \[--quick\] \[--profile\]/);
    // digits-cnn reads the same arguments under its own name.
    expect(() => parseDigitsArgs(['--epochs', '0'], 'digits-cnn')).toThrow(/^digits-cnn: --epochs must be a positive integer/);
  });
});
