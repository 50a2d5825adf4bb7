import { filter, lastValueFrom, toArray } from 'rxjs';
import { sine } from '@gradstream/datasets';
import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, tanh } from '@gradstream/ops';
import { adam, epochs$, fit } from '@gradstream/trainer';

/** Settings of a sine fit. */
export interface SineOptions {
  /** Passes over the training points (default 2000). */
  readonly epochs?: number;
  /** Samples per Adam step (default: all of them, one step per epoch). */
  readonly batchSize?: number;
  /** Adam's learning rate (default 0.02). */
  readonly lr?: number;
  /** Seed of the initial weights and of the shuffling (default 1). */
  readonly seed?: number;
  /** Evenly spaced training points on [−π, π] (default 64). */
  readonly points?: number;
  /** Units in the hidden layer (default 16). */
  readonly hidden?: number;
  /** Keep the loss of every N-th epoch, plus the first and the last (default 250). */
  readonly every?: number;
}

/** The target and the network's fit, sampled at evenly spaced x. */
export interface Curve {
  readonly x: readonly number[];
  readonly target: readonly number[];
  readonly fit: readonly number[];
}

/** What a sine fit learned. */
export interface SineResult {
  readonly model: Model;
  /** The epoch's loss (½ · mean of (ŷ − y)² over its batches, before each update) at the kept epochs. */
  readonly losses: readonly { readonly epoch: number; readonly loss: number }[];
  /** Number of training points. */
  readonly points: number;
  /** Mean of (ŷ − sin x)² over the training points, after training. */
  readonly mse: number;
  /** Points of a 4× denser grid, three of every four between training points. */
  readonly gridPoints: number;
  /** Mean of (ŷ − sin x)² over that grid. */
  readonly gridMse: number;
}

/** The 1-16-1 network: linear → tanh → linear, with the ½-mean-squared-error loss. */
export function sineModel(seed = 1, hidden = 16): Model {
  return sequential([linear({ inFeatures: 1, outFeatures: hidden }), tanh(), linear({ inFeatures: hidden, outFeatures: 1 })], {
    inputShape: [1],
    loss: mse(),
    seed,
  });
}

/** The model's fit of sin x at `points` evenly spaced x on [−π, π]. */
export function sampleCurve(model: Model, points: number): Curve {
  const { x, y } = sine(points);
  const fit = model.predict(x).data;
  return { x: x.map(([v]) => v as number), target: y.map(([v]) => v as number), fit: Array.from(fit) };
}

/** Mean of (fit − target)² over a curve. */
export function curveMse(curve: Curve): number {
  return curve.fit.reduce((s, f, i) => s + (f - (curve.target[i] as number)) ** 2, 0) / curve.fit.length;
}

/** Fits y = sin(x) on evenly spaced points of [−π, π] with Adam (full batch unless `batchSize` says otherwise). */
export async function fitSine(options: SineOptions = {}): Promise<SineResult> {
  const { epochs = 2000, lr = 0.02, seed = 1, points = 64, hidden = 16, every = 250 } = options;
  const batchSize = options.batchSize ?? points;
  const model = sineModel(seed, hidden);
  const kept = (epoch: number): boolean => epoch === 1 || epoch === epochs || epoch % every === 0;
  const losses = await lastValueFrom(
    epochs$(fit(model, sine(points), { epochs, batchSize, optimizer: adam({ lr }), seed })).pipe(
      filter((e) => kept(e.epoch)),
      toArray(),
    ),
  );
  return {
    model,
    losses: losses.map((e) => ({ epoch: e.epoch, loss: e.loss })),
    points,
    mse: curveMse(sampleCurve(model, points)),
    gridPoints: 4 * points - 3,
    gridMse: curveMse(sampleCurve(model, 4 * points - 3)),
  };
}
