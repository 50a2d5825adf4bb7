import { loadDigits } from '../data/mnist.js';
import { brainMlp } from '../peers/brain.js';
import { gradstreamMlp, gradstreamMlpInit } from '../peers/gradstream.js';
import { tfjsMlp } from '../peers/tfjs.js';
import type { MlpTask, Trainer } from '../nets.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';

/** The MLP workload's size: 784-`hidden`-10, sigmoid, ½-MSE, SGD. */
export interface MlpOptions {
  readonly samples: number;
  readonly batchSize: number;
  readonly hidden: number;
  readonly lr: number;
  /** Steps trained before the losses are compared. */
  readonly lossSteps: number;
  readonly seed: number;
}

/** Samples/s per library, and the losses before and after the same steps from the same weights. */
export interface MlpResult {
  readonly raw: Record<string, Measurement>;
  /** ½-MSE on batch 0 at the initial weights (the same for every library doing the same computation). */
  readonly initialLoss: Record<string, number>;
  /** ½-MSE on batch 0 after `lossSteps` steps. brain.js trains per sample with a sigmoid output, so it is left out. */
  readonly losses: Record<string, number>;
  readonly lossSteps: number;
}

/** Loads the digits, takes gradstream's initial weights for everyone, checks losses, then times. */
export async function mlpWorkload(options: MlpOptions, timing: TimingOptions): Promise<MlpResult> {
  const batches = Math.floor(options.samples / options.batchSize);
  if (batches < 1) throw new RangeError(`mlp: ${options.samples} samples make no batch of ${options.batchSize}`);
  const task: MlpTask = {
    data: loadDigits(options.samples, options.seed),
    batchSize: options.batchSize,
    batches,
    lr: options.lr,
    init: gradstreamMlpInit(options.hidden, options.seed),
  };
  const batched = async (): Promise<Record<string, Trainer>> => ({
    gradstream: gradstreamMlp(task),
    'tfjs-cpu': await tfjsMlp('cpu', task),
    'tfjs-wasm': await tfjsMlp('wasm', task),
  });
  const initialLoss: Record<string, number> = {};
  const losses: Record<string, number> = {};
  for (const [name, t] of Object.entries(await batched())) {
    await t.prepare?.();
    initialLoss[name] = await t.loss();
    await t.run(options.lossSteps);
    losses[name] = await t.loss();
    t.dispose?.();
  }
  const trainers = { ...(await batched()), 'brain.js': brainMlp(task) };
  const raw = await measureInterleaved(
    Object.entries(trainers).map(([name, t]) => ({
      name,
      unit: 'samples/s',
      // brain.js has no batches: one of its steps is one sample.
      perIteration: name === 'brain.js' ? 1 : task.batchSize,
      run: t.run,
      ...(t.prepare ? { prepare: t.prepare } : {}),
    })),
    timing,
  );
  for (const t of Object.values(trainers)) t.dispose?.();
  return { raw, initialLoss, losses, lossSteps: options.lossSteps };
}
