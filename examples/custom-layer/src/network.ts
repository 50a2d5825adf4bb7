import { filter, lastValueFrom, map, toArray } from 'rxjs';
import { sine } from '@gradstream/datasets';
import { createRegistry, sequential, type Model, type Registry } from '@gradstream/graph';
import { builtinOps, linear, mse } from '@gradstream/ops';
import { adam, fit, type BatchEvent, type Optimizer } from '@gradstream/trainer';
import { swish, swishOp } from './swish.js';

/** The built-in ops and the swish, in a registry of their own: nothing is added to the default one. */
export function swishRegistry(): Registry {
  return createRegistry([...builtinOps, swishOp]);
}

/** A 1-16-1 network with a swish hidden layer, built in `registry`; each layer reads its input width off the one before. */
export function swishNet(registry: Registry, seed = 1, hidden = 16): Model {
  return sequential([linear({ outFeatures: hidden }), swish(), linear({ outFeatures: 1 })], {
    inputShape: [1],
    loss: mse(),
    registry,
    seed,
  });
}

/** The loss (½ · mean of (ŷ − y)²) the network is trained to get below. */
export const TARGET_LOSS = 1e-3;

/** The training data: y = sin(x) at 64 evenly spaced x on [−π, π]. */
export const sineData = sine(64);

/** Settings of a training run on {@link sineData}. */
export interface TrainOptions {
  /** Full-batch steps (default 1500). */
  readonly epochs?: number;
  /** Adam's learning rate, for a new optimizer (default 0.01). */
  readonly lr?: number;
  /** An optimizer to go on with (its moments and step count carry over) instead of a new Adam. */
  readonly optimizer?: Optimizer;
}

/** A training run's step losses and the optimizer it used, ready to go on from where it stopped. */
export interface TrainResult {
  readonly losses: readonly number[];
  readonly optimizer: Optimizer;
}

/** Trains `model` on {@link sineData}, full batch, and returns every step's loss. */
export async function train(model: Model, options: TrainOptions = {}): Promise<TrainResult> {
  const { epochs = 1500, lr = 0.01 } = options;
  const optimizer = options.optimizer ?? adam({ lr });
  const losses = await lastValueFrom(
    fit(model, sineData, { epochs, batchSize: sineData.x.length, optimizer }).pipe(
      filter((e): e is BatchEvent => e.type === 'batch'),
      map((e) => e.loss),
      toArray(),
    ),
  );
  return { losses, optimizer };
}

/** Mean of (ŷ − sin x)² over {@link sineData}. */
export function sineMse(model: Model): number {
  const predicted = model.predict(sineData.x).data;
  return sineData.y.reduce((s, [y], i) => s + ((predicted[i] as number) - (y as number)) ** 2, 0) / sineData.y.length;
}
