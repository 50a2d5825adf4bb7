import { filter, lastValueFrom, map, scan, toArray, type Observable, type OperatorFunction } from 'rxjs';
import { sequential, type Model } from '@gradstream/graph';
import { linear, mse } from '@gradstream/ops';
import { fit, samplesToArrays, sgd, type BatchEvent, type Sample, type TrainEvent } from '@gradstream/trainer';

/** Settings shared by the online and the batch run. */
export interface RunOptions {
  /** Samples per step (default 8). */
  readonly batchSize?: number;
  /** SGD learning rate (default 0.5). */
  readonly lr?: number;
  /** Seed of the initial weight (default 3). */
  readonly seed?: number;
}

/** A 1→1 linear model, ŷ = w·x + b, with the ½-mean-squared-error loss. */
export function lineModel(seed = 3): Model {
  return sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse(), seed });
}

/**
 * One pass of SGD over samples as they arrive: a step whenever `batchSize` of them have come (and
 * one on the rest when the stream completes). Returns the run's events; subscribe to start it.
 */
export function onlineRun$(model: Model, arriving$: Observable<Sample>, options: RunOptions = {}): Observable<TrainEvent> {
  const { batchSize = 8, lr = 0.5 } = options;
  return fit(model, arriving$, { epochs: 1, batchSize, optimizer: sgd({ lr }) });
}

/** The same pass over the same samples held in arrays, in the same order (no shuffling). */
export function batchRun$(model: Model, samples: Iterable<Sample>, options: RunOptions = {}): Observable<TrainEvent> {
  const { batchSize = 8, lr = 0.5 } = options;
  return fit(model, samplesToArrays(samples), { epochs: 1, batchSize, shuffle: false, optimizer: sgd({ lr }) });
}

/** A step's loss beside the mean of the last `window` losses (fewer at the start). */
export interface RunningLoss {
  readonly step: number;
  readonly samples: number;
  readonly loss: number;
  readonly mean: number;
}

/** Batch events to their loss and the running mean of the last `window` losses. */
export function runningLoss(window = 8): OperatorFunction<TrainEvent, RunningLoss> {
  return (events$) =>
    events$.pipe(
      filter((e): e is BatchEvent => e.type === 'batch'),
      scan(
        (acc, e) => {
          const recent = [...acc.recent, e.loss].slice(-window);
          return { recent, samples: acc.samples + e.size, event: e };
        },
        { recent: [] as number[], samples: 0, event: undefined as BatchEvent | undefined },
      ),
      map(({ recent, samples, event }) => ({
        step: (event as BatchEvent).step,
        samples,
        loss: (event as BatchEvent).loss,
        mean: recent.reduce((s, l) => s + l, 0) / recent.length,
      })),
    );
}

/** What a run leaves: every step's loss and the learned line. */
export interface RunResult {
  readonly losses: readonly number[];
  readonly weight: number;
  readonly bias: number;
  /** The raw parameter buffers, for bit-for-bit comparison. */
  readonly params: readonly Float32Array[];
}

/** Runs a training run to its end and reads its losses and the model's line. */
export async function collect(model: Model, run$: Observable<TrainEvent>): Promise<RunResult> {
  const losses = await lastValueFrom(
    run$.pipe(
      filter((e): e is BatchEvent => e.type === 'batch'),
      map((e) => e.loss),
      toArray(),
    ),
  );
  const params = model.parameters().map((p) => Float32Array.from(p.value.data));
  return { losses, weight: params[0]?.[0] as number, bias: params[1]?.[0] as number, params };
}
