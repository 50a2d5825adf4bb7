import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type * as TfUnion from '@tensorflow/tfjs';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import { CLASSES, PIXELS, type Digits } from '../data/mnist.js';
import { CNN, LESSON, batchRange, type CnnTask, type CnnWeights, type DigitsTask, type MlpTask, type MlpWeights, type Trainer } from '../nets.js';
import { scoreLogits, type DigitsScore } from './gradstream.js';

const require = createRequire(import.meta.url);
// Through require, so every runner (node, vitest) loads the packages' CommonJS `main` builds and
// the backends register with the one tfjs-core instance this module uses. tfjs-core's own build
// registers no gradients (`minimize` would fail with "gradient function not found"); the union
// package @tensorflow/tfjs registers them all, as it does for anyone training with TF.js.
// tfjs-layers (`tf.sequential`, `tf.layers.dense`, `model.fit`) comes from the same package.
const tfl = require('@tensorflow/tfjs') as typeof TfUnion;
const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;

/**
 * The TF.js backends compared: the pure-JS `cpu` and the WebAssembly (XNNPACK) `wasm`, and with
 * `--backend webgpu` the `webgpu` one, registered by `initTfjsWebGpu` (peers/tfjs-webgpu.ts).
 */
export type TfBackend = 'cpu' | 'wasm' | 'webgpu';

/** What the TF.js setup ended up with, for the results file. */
export interface TfInfo {
  readonly version: string;
  readonly wasmBinary: string;
  readonly wasmThreads: number;
}

let ready: Promise<TfInfo> | undefined;

/**
 * Registers both backends once. The wasm binaries ship inside the npm package, so they are read
 * from its `dist/` folder and nothing is fetched. In Node tfjs-backend-wasm never picks its
 * threaded build, and with SIMD available it loads `tfjs-backend-wasm-simd.wasm`: one thread
 * (gradstream's default configuration uses every core; its `wasm1t` rows use one). Prod mode
 * drops TF.js's debug checks (and its console notice).
 */
export function initTfjs(): Promise<TfInfo> {
  ready ??= (async () => {
    tf.enableProdMode();
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep);
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
    const threaded = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
    const info: TfInfo = {
      version: tf.version_core,
      wasmBinary: simd ? (threaded ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm') : 'tfjs-backend-wasm.wasm',
      wasmThreads: wasm.getThreadsCount(),
    };
    if (!(await tf.setBackend('cpu'))) throw new Error('tfjs: the cpu backend failed to initialise');
    return info;
  })();
  return ready;
}

/** Makes `backend` current; tensors live on the backend they were made on, so each trainer selects its own before it runs. */
async function use(backend: TfBackend): Promise<void> {
  await initTfjs();
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
}

type Dense = readonly [TfCore.Variable, TfCore.Variable];

/**
 * A trainable variable holding a copy of `values` (the cpu backend would otherwise keep the caller's
 * array); the tensor it starts from is freed, as tidy frees everything but variables.
 */
const variable = (values: ArrayLike<number>, shape: readonly number[]): TfCore.Variable =>
  tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(values), [...shape])));

/** `x·Wᵀ + b` with W stored `[out, in]` as gradstream stores it, so the same numbers mean the same layer. */
const dense = (x: TfCore.Tensor, [w, b]: Dense): TfCore.Tensor => tf.add(tf.matMul(x, w, false, true), b);

/** ½ · (1/B) · Σ (ŷ − y)², gradstream's `mse`, not TF.js's mean over every element. */
const halfMse = (yHat: TfCore.Tensor, y: TfCore.Tensor, scale: TfCore.Scalar): TfCore.Scalar =>
  tf.mul(tf.sum(tf.square(tf.sub(yHat, y))), scale) as TfCore.Scalar;

/** Two-layer network (linear → sigmoid → linear, ½-MSE) trained by `optimizer.minimize`, one call per step: the low-level loop. */
function denseTrainer(
  backend: TfBackend,
  layers: readonly [Dense, Dense],
  batch: (step: number) => readonly [TfCore.Tensor, TfCore.Tensor],
  batchSize: number,
  lr: number,
  owned: readonly TfCore.Tensor[],
): Trainer {
  const scale = tf.scalar(0.5 / batchSize);
  const vars = layers.flat();
  const optimizer = tf.train.sgd(lr);
  const lossOf = (x: TfCore.Tensor, y: TfCore.Tensor): TfCore.Scalar => halfMse(dense(tf.sigmoid(dense(x, layers[0])), layers[1]), y, scale);
  let step = 0;
  return {
    prepare: () => use(backend),
    run(n) {
      for (let i = 0; i < n; i++) {
        const [x, y] = batch(step++);
        optimizer.minimize(() => lossOf(x, y), false, vars);
      }
    },
    loss() {
      const [x, y] = batch(0);
      return tf.tidy(() => lossOf(x, y).dataSync()[0] as number);
    },
    dispose() {
      optimizer.dispose();
      for (const t of [scale, ...vars, ...owned]) t.dispose();
    },
  };
}

/** The lesson's network as TF.js variables, one `optimizer.minimize` per SGD step. */
export async function tfjsLessonLoop(backend: TfBackend): Promise<Trainer> {
  await use(backend);
  const param = (v: number): TfCore.Variable => variable([v], [1, 1]);
  const bias = (v: number): TfCore.Variable => variable([v], [1]);
  const x = tf.tensor2d([[LESSON.x]]);
  const y = tf.tensor2d([[LESSON.y]]);
  const pair = [x, y] as const;
  const layers: [Dense, Dense] = [
    [param(LESSON.w1), bias(LESSON.b1)],
    [param(LESSON.w2), bias(LESSON.b2)],
  ];
  return denseTrainer(backend, layers, () => pair, 1, LESSON.lr, [x, y]);
}

/** The MLP from the task's initial weights, its batches made into tensors once, up front; one `minimize` per step. */
export async function tfjsMlpLoop(backend: TfBackend, task: MlpTask): Promise<Trainer> {
  await use(backend);
  const { init } = task;
  const layers: [Dense, Dense] = [
    [variable(init.w1, [init.hidden, init.inputs]), variable(init.b1, [init.hidden])],
    [variable(init.w2, [init.outputs, init.hidden]), variable(init.b2, [init.outputs])],
  ];
  const batches = Array.from({ length: task.batches }, (_, b) => {
    const x = tf.tensor2d(task.data.x.slice(...batchRange(task, b, PIXELS)), [task.batchSize, PIXELS]);
    const y = tf.tensor2d(task.data.y.slice(...batchRange(task, b, CLASSES)), [task.batchSize, CLASSES]);
    return [x, y] as const;
  });
  const batch = (step: number) => batches[step % task.batches] as readonly [TfCore.Tensor, TfCore.Tensor];
  return denseTrainer(backend, layers, batch, task.batchSize, task.lr, batches.flat());
}

/** A dense layer for {@link layersModel}: its activation and its weights in gradstream's `[out, in]` layout. */
interface DenseSpec {
  readonly inputs: number;
  readonly units: number;
  readonly activation: 'sigmoid' | 'relu' | 'linear';
  readonly w: ArrayLike<number>;
  readonly b: ArrayLike<number>;
}

/** A per-sample loss for `model.compile` (tfjs-layers takes the mean over the batch). */
type LayersLoss = (yTrue: TfCore.Tensor, yPred: TfCore.Tensor) => TfCore.Tensor;

/**
 * ½ Σⱼ (ŷⱼ − yⱼ)² per sample; tfjs-layers averages it over the batch, which makes it gradstream's
 * `mse`, ½ · (1/B) · Σ (ŷ − y)² (TF.js's own `meanSquaredError` also divides by the 10 outputs and
 * drops the ½, a loss 5 times smaller with gradients to match).
 */
const halfSquaredError: LayersLoss = (yTrue, yPred) => tf.mul(tf.sum(tf.square(tf.sub(yPred, yTrue)), -1), 0.5);

/**
 * Softmax cross-entropy of the logits per sample, through `tf.losses.softmaxCrossEntropy` (its
 * fused gradient, softmax − target, is what gradstream's `softmaxCrossEntropy` computes); the
 * last layer stays linear, as in gradstream.
 */
const softmaxCrossEntropyOfLogits: LayersLoss = (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred, undefined, undefined, tf.Reduction.NONE);

/**
 * A tfjs-layers `tf.sequential` of dense layers with the given weights (transposed to TF.js's
 * `[in, out]` kernels), compiled with the loss and optimizer. `dispose` frees the model's weights
 * and the optimizer's state (a model does not own an optimizer passed to it as an object).
 */
function layersModel(layers: readonly DenseSpec[], loss: LayersLoss, optimizer: TfCore.Optimizer) {
  const model = tfl.sequential();
  layers.forEach((l, i) =>
    model.add(tfl.layers.dense({ units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [l.inputs] } : {}) })),
  );
  const weights = layers.flatMap((l) => [
    tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(l.w), [l.units, l.inputs]))),
    tf.tensor1d(Float32Array.from(l.b)),
  ]);
  model.setWeights(weights);
  tf.dispose(weights);
  model.compile({ optimizer, loss });
  return {
    model,
    dispose() {
      model.dispose();
      optimizer.dispose();
    },
  };
}

/**
 * TF.js's public training call: each `run(n)` is one `model.fit(x, y, { epochs: n, batchSize,
 * shuffle: false, verbose: 0 })` over tensors made once, before timing; the loss check evaluates
 * batch 0 with `model.evaluate`.
 */
function fitTrainer(
  backend: TfBackend,
  layers: ReturnType<typeof layersModel>,
  x: TfCore.Tensor,
  y: TfCore.Tensor,
  batchSize: number,
  lossBatch: readonly [TfCore.Tensor, TfCore.Tensor] | undefined,
): Trainer & { lastEpochLoss: () => number } {
  let last = Number.NaN;
  return {
    prepare: () => use(backend),
    async run(n) {
      const history = await layers.model.fit(x, y, { epochs: n, batchSize, shuffle: false, verbose: 0 });
      last = (history.history.loss as number[])[n - 1] as number;
    },
    loss() {
      if (lossBatch === undefined) return Number.NaN;
      const r = layers.model.evaluate(lossBatch[0], lossBatch[1], { batchSize: lossBatch[0].shape[0] as number }) as TfCore.Scalar;
      const v = r.dataSync()[0] as number;
      r.dispose();
      return v;
    },
    lastEpochLoss: () => last,
    dispose() {
      layers.dispose();
      tf.dispose([x, y, ...(lossBatch ?? [])]);
    },
  };
}

/** The lesson's network as a `tf.sequential` trained by `model.fit`: one `run(n)` is n epochs of `copies` copies of the sample, batch 1. */
export async function tfjsLessonFit(backend: TfBackend, copies: number): Promise<Trainer> {
  await use(backend);
  const layers = layersModel(
    [
      { inputs: 1, units: 1, activation: 'sigmoid', w: [LESSON.w1], b: [LESSON.b1] },
      { inputs: 1, units: 1, activation: 'linear', w: [LESSON.w2], b: [LESSON.b2] },
    ],
    halfSquaredError,
    tf.train.sgd(LESSON.lr),
  );
  const x = tf.tensor2d(new Float32Array(copies).fill(LESSON.x), [copies, 1]);
  const y = tf.tensor2d(new Float32Array(copies).fill(LESSON.y), [copies, 1]);
  return fitTrainer(backend, layers, x, y, 1, [tf.tensor2d([[LESSON.x]]), tf.tensor2d([[LESSON.y]])]);
}

/** The first `samples` digits of `data` as `[n, 784]` and `[n, 10]` tensors. */
const digitTensors = (data: Digits, samples: number): [TfCore.Tensor, TfCore.Tensor] => [
  tf.tensor2d(data.x.slice(0, samples * PIXELS), [samples, PIXELS]),
  tf.tensor2d(data.y.slice(0, samples * CLASSES), [samples, CLASSES]),
];

/** Weights of a two-layer network as {@link DenseSpec}s. */
const twoLayers = (init: MlpWeights, hidden: DenseSpec['activation']): DenseSpec[] => [
  { inputs: init.inputs, units: init.hidden, activation: hidden, w: init.w1, b: init.b1 },
  { inputs: init.hidden, units: init.outputs, activation: 'linear', w: init.w2, b: init.b2 },
];

/** The MLP as a `tf.sequential` (dense sigmoid, dense), ½-MSE, SGD, trained by `model.fit` over the first `batches` batches in order. */
export async function tfjsMlpFit(backend: TfBackend, task: MlpTask, batches = task.batches): Promise<Trainer & { lastEpochLoss: () => number }> {
  await use(backend);
  const layers = layersModel(twoLayers(task.init, 'sigmoid'), halfSquaredError, tf.train.sgd(task.lr));
  const [x, y] = digitTensors(task.data, batches * task.batchSize);
  return fitTrainer(backend, layers, x, y, task.batchSize, digitTensors(task.data, task.batchSize));
}

/**
 * The digits network as a `tf.sequential` (dense ReLU, dense linear → logits), softmax
 * cross-entropy of the logits, Adam with gradstream's defaults (β₁ 0.9, β₂ 0.999, ε 1e-8; TF.js's
 * own ε default is 1e-7), trained by `model.fit`. `score()` evaluates the held-out digits.
 */
export async function tfjsDigitsFit(backend: TfBackend, task: DigitsTask): Promise<Trainer & { score: () => DigitsScore }> {
  await use(backend);
  const layers = layersModel(twoLayers(task.init, 'relu'), softmaxCrossEntropyOfLogits, tf.train.adam(task.lr, 0.9, 0.999, 1e-8));
  const [x, y] = digitTensors(task.data, task.data.size);
  const trainer = fitTrainer(backend, layers, x, y, task.batchSize, undefined);
  return {
    ...trainer,
    score() {
      const logits = tf.tidy(() => (layers.model.predict(tf.tensor2d(task.heldOut.x, [task.heldOut.size, PIXELS])) as TfCore.Tensor).dataSync());
      const { loss, accuracy } = scoreLogits(logits, task.heldOut);
      return { epochLoss: trainer.lastEpochLoss(), heldOutLoss: loss, heldOutAccuracy: accuracy };
    },
  };
}

/**
 * The digits CNN as a `tf.sequential`: conv2d (ReLU) → maxPooling2d → conv2d (ReLU) →
 * maxPooling2d → flatten → dense (linear → logits), with the given weights: conv kernels
 * transposed from gradstream's `[filters, kh, kw, in]` to TF.js's `[kh, kw, in, filters]`, the
 * dense kernel from `[out, in]` to `[in, out]` (both flatten NHWC features in the same h, w, c
 * order). With an optimizer it is compiled with the softmax cross-entropy of the logits.
 */
function cnnLayersModel(init: CnnWeights, optimizer?: TfCore.Optimizer) {
  const model = tfl.sequential();
  const [f1, f2] = CNN.filters;
  const conv = (filters: number, first: boolean) =>
    tfl.layers.conv2d({
      filters,
      kernelSize: CNN.kernel,
      padding: init.padding,
      activation: 'relu',
      ...(first ? { inputShape: [CNN.side, CNN.side, CNN.channels] } : {}),
    });
  model.add(conv(f1, true));
  model.add(tfl.layers.maxPooling2d({ poolSize: CNN.pool }));
  model.add(conv(f2, false));
  model.add(tfl.layers.maxPooling2d({ poolSize: CNN.pool }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: CNN.classes }));
  const k = CNN.kernel;
  const kernel = (w: Float32Array, filters: number, inputs: number) => tf.transpose(tf.tensor4d(Float32Array.from(w), [filters, k, k, inputs]), [1, 2, 3, 0]);
  const flat = init.dense.w.length / CNN.classes;
  const weights = tf.tidy(() => [
    kernel(init.conv1.w, f1, CNN.channels),
    tf.tensor1d(Float32Array.from(init.conv1.b)),
    kernel(init.conv2.w, f2, f1),
    tf.tensor1d(Float32Array.from(init.conv2.b)),
    tf.transpose(tf.tensor2d(Float32Array.from(init.dense.w), [CNN.classes, flat])),
    tf.tensor1d(Float32Array.from(init.dense.b)),
  ]);
  model.setWeights(weights);
  tf.dispose(weights);
  if (optimizer !== undefined) model.compile({ optimizer, loss: softmaxCrossEntropyOfLogits });
  return {
    model,
    dispose() {
      model.dispose();
      optimizer?.dispose();
    },
  };
}

/** `count` digits of a set from `start` as an NHWC `[count, 28, 28, 1]` tensor and its `[count, 10]` one-hot targets (copied). */
const imageTensors = (data: Digits, start: number, count: number): [TfCore.Tensor4D, TfCore.Tensor2D] => [
  tf.tensor4d(data.x.slice(start * PIXELS, (start + count) * PIXELS), [count, CNN.side, CNN.side, CNN.channels]),
  tf.tensor2d(data.y.slice(start * CLASSES, (start + count) * CLASSES), [count, CLASSES]),
];

/**
 * The digits CNN trained by `model.fit` (Adam with gradstream's defaults, as for digits-fit): one
 * `run(n)` is `model.fit` of n epochs over the task's first `batches` batches. `stepLosses(k)`
 * trains one epoch of the first `k` batches and returns each step's loss as `onBatchEnd` reports
 * it (computed in that step's forward pass, before its update): the cross-library check.
 */
export async function tfjsCnnFit(backend: TfBackend, task: CnnTask, batches: number): Promise<Trainer & { stepLosses: (k: number) => Promise<number[]> }> {
  await use(backend);
  const layers = cnnLayersModel(task.init, tf.train.adam(task.lr, 0.9, 0.999, 1e-8));
  const [x, y] = imageTensors(task.data, 0, batches * task.batchSize);
  const trainer = fitTrainer(backend, layers, x, y, task.batchSize, undefined);
  return {
    ...trainer,
    async stepLosses(k) {
      await use(backend);
      const [cx, cy] = imageTensors(task.data, 0, k * task.batchSize);
      const losses: number[] = [];
      try {
        await layers.model.fit(cx, cy, {
          epochs: 1,
          batchSize: task.batchSize,
          shuffle: false,
          verbose: 0,
          callbacks: { onBatchEnd: async (_batch, logs) => void losses.push(logs?.loss ?? Number.NaN) },
        });
      } finally {
        tf.dispose([cx, cy]);
      }
      return losses;
    },
  };
}

/**
 * The digits CNN's forward pass through TF.js's public call: one `run(n)` is n times
 * `model.predict(heldOut, { batchSize })` (tfjs-layers cuts it into batches and concatenates the
 * logits), read back with `dataSync` so the work is done, not merely queued. The model is built
 * from the task's initial weights and never trained. `logits()` returns the held-out logits.
 */
export async function tfjsCnnPredict(backend: TfBackend, task: CnnTask): Promise<Trainer & { logits: () => Float32Array }> {
  await use(backend);
  const layers = cnnLayersModel(task.init);
  const [x, y] = imageTensors(task.heldOut, 0, task.heldOut.size);
  y.dispose();
  const predict = (): Float32Array => {
    const out = layers.model.predict(x, { batchSize: task.batchSize }) as TfCore.Tensor;
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  };
  return {
    prepare: () => use(backend),
    run(n) {
      for (let i = 0; i < n; i++) predict();
    },
    loss: () => Number.NaN,
    logits: () => Float32Array.from(predict()),
    dispose() {
      layers.dispose();
      x.dispose();
    },
  };
}

/**
 * `tf.matMul` on the given operands, read back so the work is done and not merely queued: with
 * `dataSync` on the CPU backends, with `await data()` on webgpu (whose `dataSync` draws through an
 * OffscreenCanvas, which Node lacks).
 */
export async function tfjsMatmul(backend: TfBackend, a: Float32Array, b: Float32Array, size: number) {
  await use(backend);
  const ta = tf.tensor2d(a, [size, size]);
  const tb = tf.tensor2d(b, [size, size]);
  let last: Float32Array = new Float32Array(0);
  return {
    prepare: () => use(backend),
    run:
      backend === 'webgpu'
        ? async (n: number): Promise<void> => {
            for (let i = 0; i < n; i++) {
              const c = tf.matMul(ta, tb);
              last = (await c.data()) as Float32Array;
              c.dispose();
            }
          }
        : (n: number): void => {
            for (let i = 0; i < n; i++) {
              const c = tf.matMul(ta, tb);
              last = c.dataSync() as Float32Array;
              c.dispose();
            }
          },
    result: () => last,
    dispose() {
      ta.dispose();
      tb.dispose();
    },
  };
}

/** Live tensors on the current engine (for leak checks). */
export const tfjsTensorCount = (): number => tf.memory().numTensors;
