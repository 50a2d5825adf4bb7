import type { Digits } from './data/mnist.js';

/** The seed's 1-1-1 network: one sample, its initial parameters and the learning rate. */
export const LESSON = Object.freeze({ x: 1, y: 1, w1: 0.5, b1: 0.1, w2: 0.8, b2: 0.2, lr: 0.1 });

/**
 * Parameters of a one-hidden-layer MLP in gradstream's layout: each weight is `[out, in]`
 * (row i holds the weights into unit i) and a layer computes `z = x·Wᵀ + b`.
 */
export interface MlpWeights {
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

/**
 * The MLP workload every library trains: the same samples in the same order, cut into
 * `batches` consecutive batches of `batchSize`, from the same initial weights.
 */
export interface MlpTask {
  readonly data: Digits;
  readonly batchSize: number;
  readonly batches: number;
  readonly lr: number;
  readonly init: MlpWeights;
}

/**
 * The digits-fit workload: the digits example's network (784-`hidden`-10, ReLU, softmax
 * cross-entropy, Adam) trained for one epoch over `data` in order, batch `batchSize` (the last
 * batch may be smaller), from the same initial weights; `heldOut` digits score the result.
 */
export interface DigitsTask {
  readonly data: Digits;
  readonly heldOut: Digits;
  readonly batchSize: number;
  readonly lr: number;
  readonly init: MlpWeights;
}

/**
 * A library set up to train one workload. `run(n)` does n iterations: steps for a hand-driven
 * path (the MLP walks the batches in order, wrapping around), epochs for a public training call
 * (`fit`, `model.fit`). `loss()` evaluates the loss at the current parameters (the MLP on batch 0)
 * without training.
 */
export interface Trainer {
  readonly prepare?: () => void | Promise<void>;
  readonly run: (iterations: number) => void | Promise<void>;
  readonly loss: () => number | Promise<number>;
  /** Frees what the library holds outside the JS heap (TF.js tensors). */
  readonly dispose?: () => void;
}

/** The `[start, end)` element range of batch `b` in a row-major `[n, width]` array. */
export function batchRange(task: { readonly batchSize: number }, b: number, width: number): readonly [number, number] {
  const start = b * task.batchSize * width;
  return [start, start + task.batchSize * width];
}

/** Padding of the cnn workload's convolutions, as TF.js and gradstream's `conv2d` name it. */
export type CnnPadding = 'same' | 'valid';

/**
 * The comparison CNN (a smaller cousin of `examples/digits-cnn`): 28×28×1 NHWC images → conv 5×5×8 ReLU → max-pool 2 →
 * conv 5×5×16 ReLU → max-pool 2 → flatten → dense 10 logits, softmax cross-entropy.
 */
export const CNN = Object.freeze({ side: 28, channels: 1, kernel: 5, filters: [8, 16] as const, pool: 2, classes: 10 });

/** Features the flatten hands to the dense layer: 7·7·16 = 784 with 'same' padding, 4·4·16 = 256 with 'valid'. */
export function cnnFlatFeatures(padding: CnnPadding): number {
  let side: number = CNN.side;
  for (let i = 0; i < CNN.filters.length; i++) {
    if (padding === 'valid') side -= CNN.kernel - 1;
    side = Math.floor(side / CNN.pool);
  }
  return side * side * (CNN.filters[CNN.filters.length - 1] as number);
}

/**
 * Parameters of the digits CNN in gradstream's layout, in model order: conv kernels are
 * `[filters, kh, kw, inChannels]`, the dense weight is `[out, in]` over the flattened NHWC
 * features (row-major h, w, c, as TF.js's `flatten` orders them too).
 */
export interface CnnWeights {
  readonly padding: CnnPadding;
  readonly conv1: { readonly w: Float32Array; readonly b: Float32Array };
  readonly conv2: { readonly w: Float32Array; readonly b: Float32Array };
  readonly dense: { readonly w: Float32Array; readonly b: Float32Array };
}

/**
 * The cnn workload: the digits CNN trained with Adam through each library's public call, the
 * digits in order, batch `batchSize`, from the same initial weights; `heldOut` digits are what
 * the prediction rows classify.
 */
export interface CnnTask {
  readonly data: Digits;
  readonly heldOut: Digits;
  readonly batchSize: number;
  readonly lr: number;
  readonly init: CnnWeights;
}
