import { identity, lastValueFrom, type MonoTypeOperatorFunction } from 'rxjs';
import { digits, type DigitSplit } from '@gradstream/datasets/digits';
import type { Model } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import { adam, cosineDecay, fit, lrSchedule, type EndEvent, type TrainData, type TrainEvent } from '@gradstream/trainer';
import { shiftedEpochs } from './augment.js';
import { accuracyOf, confusionMatrix } from './confusion.js';
import { digitsModel, type DigitsModelOptions } from './model.js';

/**
 * How {@link trainDigitsModel} trains and scores a network, whatever it is; every option has a
 * default tuned for {@link trainDigits}' full 8000 / 2000 run.
 */
export interface DigitsRunOptions {
  /** The split to use (default `digits({ seed: dataSeed, train, test })`). */
  readonly data?: DigitSplit;
  /** Training digits when `data` is not given (default 8000). */
  readonly train?: number;
  /** Held-out digits when `data` is not given (default 2000). */
  readonly test?: number;
  /** Seed of the train / test split when `data` is not given (default 0). */
  readonly dataSeed?: number;
  /** Passes over the training digits (default 16). */
  readonly epochs?: number;
  /** Digits per step (default 128). */
  readonly batchSize?: number;
  /** Adam's initial learning rate, brought down to 0 along a cosine over the run's steps (default 0.003). */
  readonly lr?: number;
  /** Largest random shift of the training images, in pixels (default 1; 0 trains on the images as they are). */
  readonly maxShift?: number;
  /** Seed of the run: the order and the shifts of the training images, and `fit`'s own (default 0). */
  readonly seed?: number;
  /** Applied to the event stream of the run, e.g. a progress display. */
  readonly report?: MonoTypeOperatorFunction<TrainEvent>;
  /** Time every node (see `fit`'s `profile`); the totals come back in the result. */
  readonly profile?: boolean;
}

/** Options of {@link trainDigits}: the network's and the run's (one `seed` for both). */
export interface TrainDigitsOptions extends DigitsModelOptions, DigitsRunOptions {}

/** What {@link trainDigitsModel} measured. */
export interface DigitsResult {
  /** Share of the held-out digits classified correctly. */
  readonly accuracy: number;
  /** `confusion[t][p]`: held-out digits of class `t` predicted as `p`. */
  readonly confusion: number[][];
  /** Epochs trained. */
  readonly epochs: number;
  /** Wall time of the training run (from subscribing to its end), in seconds. */
  readonly seconds: number;
  /** Training samples per second of wall time. */
  readonly samplesPerSecond: number;
  /** The trained model. */
  readonly model: Model;
  /** Training and held-out digits used. */
  readonly trainSamples: number;
  readonly testSamples: number;
  /** With `profile: true`: milliseconds per node and in the optimizer. */
  readonly profile?: EndEvent['profile'];
}

/**
 * Trains the digit classifier on the training digits and scores it once, at the end, on the
 * held-out digits it never saw (see {@link trainDigitsModel}).
 */
export async function trainDigits(options: TrainDigitsOptions = {}): Promise<DigitsResult> {
  return trainDigitsModel(digitsModel(options), options);
}

/**
 * Trains `model`, any network that reads the 784 pixels of a digit (row by row, as the `mnist`
 * package gives them), on the training digits and scores it once, at the end, on the held-out
 * digits it never saw. Each epoch shows the network the training images shuffled and shifted by
 * up to `maxShift` pixels (through `fit`'s online mode), with Adam and a cosine learning-rate
 * decay. `name` starts the error a divergence throws.
 */
export async function trainDigitsModel(model: Model, options: DigitsRunOptions = {}, name = 'digits'): Promise<DigitsResult> {
  const { epochs = 16, batchSize = 128, lr = 0.003, maxShift = 1, seed = 0, report = identity } = options;
  const { train, test } = options.data ?? digits({ seed: options.dataSeed ?? 0, train: options.train ?? 8000, test: options.test ?? 2000 });
  const data: TrainData = maxShift > 0 ? shiftedEpochs(train, { maxShift, seed }) : train;
  const run$ = fit(model, data, {
    epochs,
    batchSize,
    optimizer: adam({ lr }),
    metrics: ['accuracy'],
    seed,
    profile: options.profile ?? false,
    policies: [lrSchedule(cosineDecay({ initial: lr, period: epochs * Math.ceil(train.x.length / batchSize) }), { per: 'step' })],
  }).pipe(report);
  const started = performance.now();
  const end = await lastValueFrom(run$);
  const seconds = (performance.now() - started) / 1000;
  if (end.type !== 'end' || end.reason !== 'completed') {
    // Nothing here stops a run, so only a divergence can end it early.
    const why = end.type === 'end' ? (end.reason === 'diverged' ? end.divergence.where : end.reason) : end.type;
    throw new GradstreamError('DIVERGED', `${name}: training ended before epoch ${epochs}: ${why}`, { epochs, event: end.type });
  }
  const confusion = await confusionMatrix(model, test);
  return {
    accuracy: accuracyOf(confusion),
    confusion,
    epochs: end.epochs,
    seconds,
    samplesPerSecond: (end.epochs * train.x.length) / seconds,
    model,
    trainSamples: train.x.length,
    testSamples: test.x.length,
    ...(end.profile === undefined ? {} : { profile: end.profile }),
  };
}
