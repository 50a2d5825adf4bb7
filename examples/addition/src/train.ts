import { identity, lastValueFrom, type MonoTypeOperatorFunction } from 'rxjs';
import type { Model } from '@gradstream/graph';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import { adam, cosineDecay, fit, lrSchedule, type TrainEvent } from '@gradstream/trainer';
import { additionProblems, decodeAnswer, encodePairs, stepsOf, OUTPUT_CLASSES, type AdditionFormat, type Pair, type Problems } from './data.js';
import { additionModel, type AdditionModelOptions } from './model.js';

/** Options of {@link trainAddition}; every one has a default tuned for the full 3-digit run. */
export interface TrainAdditionOptions extends Partial<AdditionModelOptions> {
  /** The sums to use (default `additionProblems({ digits, train, test, seed: dataSeed })`). */
  readonly problems?: Problems;
  /** Training sums when `problems` is not given (default 50,000). */
  readonly train?: number;
  /** Held-out sums when `problems` is not given (default 1000). */
  readonly test?: number;
  /** Seed of the sums drawn when `problems` is not given (default 0). */
  readonly dataSeed?: number;
  /** Passes over the training sums (default 8). */
  readonly epochs?: number;
  /** Sums per step (default 128). */
  readonly batchSize?: number;
  /** Adam's initial learning rate, brought down to 0 along a cosine over the run's steps (default 0.005). */
  readonly lr?: number;
  /** Clip the gradients to this global norm (default 1). */
  readonly clipNorm?: number;
  /** Applied to the event stream of the run, e.g. a progress display. */
  readonly report?: MonoTypeOperatorFunction<TrainEvent>;
}

/**
 * The CI size: 2-digit sums (6000 of the 10,000 trained on, 500 held out), 64 units, 10 epochs of
 * batches of 32 at a learning rate of 0.02 — a few seconds of training.
 */
export const QUICK: TrainAdditionOptions = Object.freeze({ digits: 2, train: 6000, test: 500, units: 64, epochs: 10, batchSize: 32, lr: 0.02 });

/** What {@link trainAddition} measured. */
export interface AdditionResult {
  /** Share of the held-out sums answered exactly (every answer character right). */
  readonly exact: number;
  /** The model's answer to each held-out sum (`NaN` where it wrote a blank in an answer slot). */
  readonly answers: number[];
  /** The sums trained on and held out. */
  readonly problems: Problems;
  /** How they were written. */
  readonly format: AdditionFormat;
  /** Epochs trained. */
  readonly epochs: number;
  /** Wall time of the training run (from subscribing to its end), in seconds. */
  readonly seconds: number;
  /** The trained model. */
  readonly model: Model;
}

/**
 * Trains the adder on the training sums with Adam and a cosine learning-rate decay, then asks it
 * the held-out sums, once, at the end.
 */
export async function trainAddition(options: TrainAdditionOptions = {}): Promise<AdditionResult> {
  const { digits = 3, reverse = true, epochs = 8, batchSize = 128, lr = 0.005, clipNorm = 1, seed = 0, report = identity } = options;
  const format: AdditionFormat = { digits, reverse };
  const problems = options.problems ?? additionProblems({ digits, train: options.train ?? 50_000, test: options.test ?? 1000, seed: options.dataSeed ?? 0 });
  const model = additionModel({ ...options, ...format, seed });
  const data = encodePairs(problems.train, format);
  const steps = epochs * Math.ceil(problems.train.length / batchSize);
  const run$ = fit(model, data, {
    epochs,
    batchSize,
    optimizer: adam({ lr, clipNorm }),
    seed,
    policies: [lrSchedule(cosineDecay({ initial: lr, period: steps }), { per: 'step' })],
  }).pipe(report);
  const started = performance.now();
  const end = await lastValueFrom(run$);
  const seconds = (performance.now() - started) / 1000;
  if (end.type !== 'end' || end.reason !== 'completed') {
    // Nothing here stops a run, so only a divergence can end it early.
    const why = end.type === 'end' ? (end.reason === 'diverged' ? end.divergence.where : end.reason) : end.type;
    throw new GradstreamError('DIVERGED', `addition: training ended before epoch ${epochs}: ${why}`, { epochs, event: end.type });
  }
  const answers = answer(model, problems.test, format);
  return { exact: exactRate(problems.test, answers), answers, problems, format, epochs: end.epochs, seconds, model };
}

/** The model's answers to some sums (evaluation mode), `NaN` where it left an answer slot blank. */
export function answer(model: Model, pairs: readonly Pair[], format: AdditionFormat, batchSize = 500): number[] {
  const steps = stepsOf(format);
  const { x } = encodePairs(pairs, format);
  const out: number[] = [];
  for (let start = 0; start < pairs.length; start += batchSize) {
    const size = Math.min(batchSize, pairs.length - start);
    const logits = model.predict(new Tensor([size, steps], x.slice(start * steps, (start + size) * steps))).data;
    for (let i = 0; i < size; i++) out.push(decodeAnswer(logits, format, i * steps * OUTPUT_CLASSES));
  }
  return out;
}

/** Share of the sums whose answer is exactly `a + b`. */
export function exactRate(pairs: readonly Pair[], answers: readonly number[]): number {
  if (pairs.length === 0) return 0;
  let hits = 0;
  pairs.forEach((p, i) => {
    if (answers[i] === p.a + p.b) hits++;
  });
  return hits / pairs.length;
}
