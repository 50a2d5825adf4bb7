import { Observable } from 'rxjs';
import type { Labeled } from '@gradstream/datasets';
import { DIGIT_PIXELS } from '@gradstream/datasets/digits';
import { GradstreamError, Rng } from '@gradstream/tensor';
import type { Sample } from '@gradstream/trainer';
import { shiftImage } from './shift.js';

/** Options of {@link shiftedEpochs}. */
export interface ShiftOptions {
  /** Largest shift, in pixels, along each axis (default 1: each image moves by −1, 0 or 1 column and row). */
  readonly maxShift?: number;
  /** Seed of the order and the shifts (default 0). */
  readonly seed?: number;
  /** Samples handed out before yielding to the event loop, so timers and progress bars stay live (default 128). */
  readonly chunk?: number;
}

/**
 * The training digits as a stream for `fit`'s online mode, one subscription per epoch: every
 * subscription shuffles the images and moves each one by a random whole-pixel shift, so no two
 * epochs show the network the same pictures.
 *
 * All epochs are written into the same two buffers, and the samples handed out are views into
 * them made once, so an epoch allocates nothing per sample. The cost is that subscriptions must
 * follow one another, as `fit` makes them (it has trained every sample of an epoch before it
 * subscribes again); shuffling and shifting 8000 images takes a few milliseconds per epoch.
 */
export function shiftedEpochs(data: Labeled, options: ShiftOptions = {}): Observable<Sample> {
  const { maxShift = 1, seed = 0, chunk = 128 } = options;
  if (!Number.isInteger(maxShift) || maxShift < 0) {
    throw new GradstreamError('INVALID_OPTION', `shiftedEpochs: maxShift must be a non-negative integer, got ${maxShift}`, { maxShift });
  }
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new GradstreamError('INVALID_OPTION', `shiftedEpochs: chunk must be a positive integer, got ${chunk}`, { chunk });
  }
  const n = data.x.length;
  const classes = data.y[0]?.length ?? 0;
  const images = packRows(data.x, DIGIT_PIXELS, 'x');
  const targets = packRows(data.y, classes, 'y');
  const epochX = new Float32Array(n * DIGIT_PIXELS);
  const epochY = new Float32Array(n * classes);
  const samples: Sample[] = Array.from({ length: n }, (_, k) => ({
    x: epochX.subarray(k * DIGIT_PIXELS, (k + 1) * DIGIT_PIXELS),
    y: epochY.subarray(k * classes, (k + 1) * classes),
  }));
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = Rng.fromSeed(seed);
  const span = 2 * maxShift + 1;

  const writeEpoch = (): void => {
    rng.shuffle(order);
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      shiftImage(images, i * DIGIT_PIXELS, epochX, k * DIGIT_PIXELS, rng.int(span) - maxShift, rng.int(span) - maxShift);
      epochY.set(targets.subarray(i * classes, (i + 1) * classes), k * classes);
    }
  };

  return new Observable<Sample>((subscriber) => {
    writeEpoch();
    let next = 0;
    let pending: NodeJS.Immediate | undefined;
    const emitChunk = (): void => {
      pending = undefined;
      const end = Math.min(n, next + chunk);
      while (next < end && !subscriber.closed) subscriber.next(samples[next++] as Sample);
      if (subscriber.closed) return;
      if (next < n) pending = setImmediate(emitChunk);
      else subscriber.complete();
    };
    emitChunk();
    return () => {
      if (pending !== undefined) clearImmediate(pending);
    };
  });
}

function packRows(rows: readonly (readonly number[])[], width: number, name: 'x' | 'y'): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) {
      throw new GradstreamError('SHAPE_MISMATCH', `shiftedEpochs: data.${name}[${r}] has ${row.length} values, expected ${width}`, {
        row: r,
        expected: width,
        actual: row.length,
      });
    }
    out.set(row, r * width);
  });
  return out;
}
