import { filter, lastValueFrom, toArray } from 'rxjs';
import { xor } from '@gradstream/datasets';
import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { epochs$, fit, sgd } from '@gradstream/trainer';

/** Settings of an XOR run. */
export interface XorOptions {
  /** Full-batch SGD steps, one per epoch (default 2000). */
  readonly epochs?: number;
  /** SGD learning rate (default 0.5). */
  readonly lr?: number;
  /** Seed of the initial weights (default 1). */
  readonly seed?: number;
  /** Units in the hidden layer (default 8). */
  readonly hidden?: number;
  /** Keep the loss of every N-th epoch, plus the first and the last (default 200). */
  readonly every?: number;
}

/** One row of the predictions table. */
export interface XorRow {
  readonly x: readonly number[];
  readonly target: number;
  readonly prediction: number;
}

/** What an XOR run learned. */
export interface XorResult {
  readonly model: Model;
  /** The epoch's loss (½ · mean of (ŷ − y)², before that epoch's update) at the kept epochs. */
  readonly losses: readonly { readonly epoch: number; readonly loss: number }[];
  /** Mean of (ŷ − y)² over the four inputs, after training. */
  readonly mse: number;
  readonly rows: readonly XorRow[];
}

/** The 2-8-1 network: linear → sigmoid → linear, with the ½-mean-squared-error loss. */
export function xorModel(seed = 1, hidden = 8): Model {
  return sequential([linear({ inFeatures: 2, outFeatures: hidden }), sigmoid(), linear({ inFeatures: hidden, outFeatures: 1 })], {
    inputShape: [2],
    loss: mse(),
    seed,
  });
}

/** Trains the network on the four XOR rows with full-batch SGD and scores it on the same rows. */
export async function trainXor(options: XorOptions = {}): Promise<XorResult> {
  const { epochs = 2000, lr = 0.5, seed = 1, hidden = 8, every = 200 } = options;
  const model = xorModel(seed, hidden);
  const data = xor();
  const kept = (epoch: number): boolean => epoch === 1 || epoch === epochs || epoch % every === 0;
  const losses = await lastValueFrom(
    epochs$(fit(model, data, { epochs, batchSize: data.x.length, optimizer: sgd({ lr }), seed })).pipe(
      filter((e) => kept(e.epoch)),
      toArray(),
    ),
  );
  const predicted = model.predict(data.x).data;
  const rows = data.x.map((x, i) => ({ x, target: data.y[i]?.[0] as number, prediction: predicted[i] as number }));
  const mse = rows.reduce((s, r) => s + (r.prediction - r.target) ** 2, 0) / rows.length;
  return { model, losses: losses.map((e) => ({ epoch: e.epoch, loss: e.loss })), mse, rows };
}
