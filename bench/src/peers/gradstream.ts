import { filter, lastValueFrom, map, toArray } from 'rxjs';
import { backendSummary, sequential, type BuildOptions, type LayerSpec, type Model, type Plan } from '@gradstream/graph';
import { conv2d, dense, flatten, linear, maxPool2d, mse, relu, sigmoid, softmaxCrossEntropy } from '@gradstream/ops';
import { Rng, Tensor, type Backend, type InitSpec } from '@gradstream/tensor';
import { adam, end$, fit, sgd, type BatchEvent, type Optimizer, type TrainEvent } from '@gradstream/trainer';
import { CLASSES, PIXELS, type Digits } from '../data/mnist.js';
import {
  CNN,
  LESSON,
  batchRange,
  cnnFlatFeatures,
  type CnnPadding,
  type CnnTask,
  type CnnWeights,
  type DigitsTask,
  type MlpTask,
  type MlpWeights,
  type Trainer,
} from '../nets.js';

/**
 * The backend configurations every gradstream row is measured in: the default (`backend: 'auto'`,
 * WebAssembly SIMD on all cores for float32), the wasm backend on one thread, and the TypeScript
 * reference. `suffix` goes into row names: `gradstream-plan`, `gradstream-wasm1t-plan`, …
 */
export const GRADSTREAM_CONFIGS = [
  { key: 'default', suffix: '', options: { backend: 'auto' } },
  { key: 'wasm1t', suffix: '-wasm1t', options: { backend: 'wasm', threads: 1 } },
  { key: 'ts', suffix: '-ts', options: { backend: 'ts' } },
] as const satisfies readonly { key: string; suffix: string; options: Pick<BuildOptions, 'backend' | 'threads'> }[];

/**
 * The WebGPU backend (`backend: 'webgpu'`), measured only by `pnpm bench --backend webgpu`, after
 * `loadGradstreamWebGpu()` has loaded it: `gradstream-webgpu-fit`, `gradstream-webgpu-kernel`.
 */
export const WEBGPU_CONFIG = { key: 'webgpu', suffix: '-webgpu', options: { backend: 'webgpu' } } as const;

/** The TypeScript reference configuration: what the WebGPU rows' results are checked against. */
export const TS_CONFIG = GRADSTREAM_CONFIGS[2];

/** One of {@link GRADSTREAM_CONFIGS}, or {@link WEBGPU_CONFIG}. */
export type GradstreamConfig = (typeof GRADSTREAM_CONFIGS)[number] | typeof WEBGPU_CONFIG;

/** A tiny model's backend in a configuration: where the matmul workload gets its kernels and its buffers. */
function backendOf(config: GradstreamConfig): Backend {
  return sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse(), ...config.options }).backend;
}

/** The backend a configuration resolves to here, short (`wasm 2t`, `wasm 1t`, `ts`), marked `(default)` for the default. */
export function backendLabel(config: GradstreamConfig): string {
  const b = backendOf(config);
  const short = b.name === 'wasm' ? `wasm ${b.threads}t` : b.name;
  return config.key === 'default' ? `${short} (default)` : short;
}

/** `backendSummary` of each configuration, for the results file. */
export function gradstreamBackends(): Record<string, string> {
  return Object.fromEntries(GRADSTREAM_CONFIGS.map((c) => [c.key, backendSummary(backendOf(c))]));
}

const constant = (value: number): InitSpec => ({ type: 'constant', value });

/** Overwrites a model's parameters (in model order) with the given values, each of exactly the parameter's size. */
function setParams(model: Model, values: readonly Float32Array[]): Model {
  const params = model.parameters();
  if (params.length !== values.length) throw new Error(`setParams: the model has ${params.length} parameters, got ${values.length} values`);
  params.forEach((p, i) => {
    const v = values[i] as Float32Array;
    if (v.length !== p.value.size) throw new Error(`setParams: ${p.id} holds ${p.value.size} values, got ${v.length}`);
    p.value.data.set(v);
  });
  // A device backend (WebGPU) computes on its own copies, uploaded when the model was built: these
  // host writes reach the device only through its sync.
  model.backend.sync?.upload(params.map((p) => p.value.data));
  return model;
}

/** The lesson's network in float32: x → linear → sigmoid → linear → ½(ŷ−y)². */
function lessonModel(config: GradstreamConfig): Model {
  return sequential(
    [
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w1), biasInit: constant(LESSON.b1) }),
      sigmoid(),
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w2), biasInit: constant(LESSON.b2) }),
    ],
    { inputShape: [1], loss: mse(), dtype: 'float32', ...config.options },
  );
}

/** The loss of a model on one batch (`x`, `y` flat rows), through a plan of its own, in training mode without a step. */
function batchLoss(model: Model, x: Float32Array, y: Float32Array, batchSize: number): number {
  const plan = model.compile(batchSize);
  plan.x.data.set(x);
  plan.y.data.set(y);
  return plan.forward(false);
}

/**
 * A model's compiled plan plus an optimizer: per step, copy the batch in, forward, backward,
 * update on the model's backend; nothing else.
 */
function planTrainer(model: Model, batchSize: number, optimizer: Optimizer, fill: (plan: Plan, step: number) => void, loss: () => number): Trainer {
  const plan = model.compile(batchSize);
  const refs = model.parameters();
  const params = refs.map((p) => p.value);
  const grads = refs.map((p) => plan.paramGrads.get(p.id) as Tensor);
  const backend = model.backend;
  let step = 0;
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        fill(plan, step++);
        plan.forward();
        plan.backward();
        optimizer.step(params, grads, backend);
      }
    },
    loss,
  };
}

/**
 * The public call: each `run(n)` is one `fit` run of n epochs over `x`, `y` (tensors made once,
 * before timing, as TF.js gets its tensors), in order, awaited through `end$` (as an app awaiting
 * a run's end writes it, so the run builds no per-step events). No metrics beyond the loss, as
 * TF.js's `model.fit` is compiled with none.
 */
function fitTrainer(model: Model, x: Tensor, y: Tensor, batchSize: number, optimizer: Optimizer, loss: () => number): Trainer & { lastEpochLoss: () => number } {
  let last = Number.NaN;
  return {
    async run(n) {
      const end = await lastValueFrom(end$(fit(model, { x, y }, { epochs: n, batchSize, shuffle: false, optimizer, metrics: [] })));
      if (end.reason !== 'completed') throw new Error(`gradstream fit ended early: ${JSON.stringify(end)}`);
      last = end.loss;
    },
    loss,
    lastEpochLoss: () => last,
  };
}

/** The lesson through the compiled plan, driven by hand: the fastest path gradstream offers. */
export function gradstreamLessonPlan(config: GradstreamConfig): Trainer {
  const fill = (plan: Plan): void => {
    plan.x.data[0] = LESSON.x;
    plan.y.data[0] = LESSON.y;
  };
  const model = lessonModel(config);
  return planTrainer(model, 1, sgd({ lr: LESSON.lr }), fill, () => lessonLoss(model));
}

const lessonLoss = (model: Model): number => batchLoss(model, Float32Array.of(LESSON.x), Float32Array.of(LESSON.y), 1);

/**
 * The lesson through `fit`: one `run(n)` is one subscription training n epochs of `copies` copies
 * of the lesson's sample, batch 1, so one epoch is `copies` SGD steps, with the event stream,
 * per-step gradient norms and divergence checks `fit` adds.
 */
export function gradstreamLessonFit(config: GradstreamConfig, copies: number): Trainer {
  const model = lessonModel(config);
  const x = new Tensor([copies, 1], new Float32Array(copies).fill(LESSON.x));
  const y = new Tensor([copies, 1], new Float32Array(copies).fill(LESSON.y));
  return fitTrainer(model, x, y, 1, sgd({ lr: LESSON.lr }), () => lessonLoss(model));
}

/** The MLP as a gradstream model; with `init`, its parameters are overwritten by those values. */
function mlpModel(config: GradstreamConfig, hidden: number, seed: number, init?: MlpWeights): Model {
  const model = sequential([linear({ inFeatures: PIXELS, outFeatures: hidden }), sigmoid(), linear({ inFeatures: hidden, outFeatures: CLASSES })], {
    inputShape: [PIXELS],
    loss: mse(),
    dtype: 'float32',
    seed,
    ...config.options,
  });
  return init === undefined ? model : setParams(model, [init.w1, init.b1, init.w2, init.b2]);
}

/** A model's parameters copied out, as a two-layer network's weights. */
function weightsOf(model: Model, hidden: number): MlpWeights {
  const [w1, b1, w2, b2] = model.parameters().map((p) => Float32Array.from(p.value.data));
  return { inputs: PIXELS, hidden, outputs: CLASSES, w1: w1 as Float32Array, b1: b1 as Float32Array, w2: w2 as Float32Array, b2: b2 as Float32Array };
}

/** The MLP's initial parameters as gradstream initialises them (Glorot-uniform weights, zero biases) from `seed`. */
export function gradstreamMlpInit(hidden: number, seed: number): MlpWeights {
  return weightsOf(mlpModel(TS_CONFIG, hidden, seed), hidden);
}

/** Batch `b` of a task, as views. */
const batchOf = (task: { readonly data: Digits; readonly batchSize: number }, b: number): { x: Float32Array; y: Float32Array } => ({
  x: task.data.x.subarray(...batchRange(task, b, PIXELS)),
  y: task.data.y.subarray(...batchRange(task, b, CLASSES)),
});

/** The first `batches` batches of a task as two tensors (`[n, 784]`, `[n, 10]`), sharing the task's arrays. */
function taskTensors(task: { readonly data: Digits; readonly batchSize: number }, samples: number): { x: Tensor; y: Tensor } {
  return {
    x: new Tensor([samples, PIXELS], task.data.x.subarray(0, samples * PIXELS)),
    y: new Tensor([samples, CLASSES], task.data.y.subarray(0, samples * CLASSES)),
  };
}

/** The MLP through a compiled plan and SGD, batches copied in from views made once. */
export function gradstreamMlpPlan(config: GradstreamConfig, task: MlpTask): Trainer {
  const batches = Array.from({ length: task.batches }, (_, b) => batchOf(task, b));
  const fill = (plan: Plan, step: number): void => {
    const batch = batches[step % task.batches] as { x: Float32Array; y: Float32Array };
    plan.x.data.set(batch.x);
    plan.y.data.set(batch.y);
  };
  const model = mlpModel(config, task.init.hidden, 0, task.init);
  const first = batches[0] as { x: Float32Array; y: Float32Array };
  return planTrainer(model, task.batchSize, sgd({ lr: task.lr }), fill, () => batchLoss(model, first.x, first.y, task.batchSize));
}

/**
 * The MLP through `fit`: one `run(n)` trains n epochs over the task's first `batches` batches, in
 * order; `lastEpochLoss()` is the last run's final epoch loss, as its `end` event reports it.
 */
export function gradstreamMlpFit(config: GradstreamConfig, task: MlpTask, batches = task.batches): Trainer & { lastEpochLoss: () => number } {
  const model = mlpModel(config, task.init.hidden, 0, task.init);
  const { x, y } = taskTensors(task, batches * task.batchSize);
  const first = batchOf(task, 0);
  return fitTrainer(model, x, y, task.batchSize, sgd({ lr: task.lr }), () => batchLoss(model, first.x, first.y, task.batchSize));
}

/** The digits example's network without its dropout: 784 → linear → ReLU → linear → 10 logits, softmax cross-entropy. */
function digitsModel(config: GradstreamConfig, hidden: number, seed: number, init?: MlpWeights): Model {
  const layers: LayerSpec[] = [linear({ inFeatures: PIXELS, outFeatures: hidden }), relu(), linear({ inFeatures: hidden, outFeatures: CLASSES })];
  const model = sequential(layers, { inputShape: [PIXELS], loss: softmaxCrossEntropy(), dtype: 'float32', seed, ...config.options });
  return init === undefined ? model : setParams(model, [init.w1, init.b1, init.w2, init.b2]);
}

/** The digits network's initial parameters as gradstream initialises them from `seed`. */
export function gradstreamDigitsInit(hidden: number, seed: number): MlpWeights {
  return weightsOf(digitsModel(TS_CONFIG, hidden, seed), hidden);
}

/** What the digits-fit check reads from a trained network. */
export interface DigitsScore {
  /** Mean training loss over the epoch, as the library's training call reports it. */
  readonly epochLoss: number;
  /** Mean softmax cross-entropy on the held-out digits. */
  readonly heldOutLoss: number;
  /** Share of the held-out digits classified correctly. */
  readonly heldOutAccuracy: number;
}

/** Mean softmax cross-entropy and accuracy of logits against one-hot targets, in float64. */
export function scoreLogits(logits: ArrayLike<number>, targets: Digits): { loss: number; accuracy: number } {
  let loss = 0;
  let right = 0;
  for (let s = 0; s < targets.size; s++) {
    let max = -Infinity;
    let best = 0;
    for (let c = 0; c < CLASSES; c++) {
      const v = logits[s * CLASSES + c] as number;
      if (v > max) {
        max = v;
        best = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) sum += Math.exp((logits[s * CLASSES + c] as number) - max);
    const label = targets.labels[s] as number;
    loss += Math.log(sum) + max - (logits[s * CLASSES + label] as number);
    if (best === label) right++;
  }
  return { loss: loss / targets.size, accuracy: right / targets.size };
}

/**
 * The digits workload through gradstream's `fit` (Adam, batch 128, in order): one `run(n)` trains
 * n epochs of the task's training digits. `score()` evaluates the held-out digits.
 */
export function gradstreamDigitsFit(config: GradstreamConfig, task: DigitsTask): Trainer & { score: () => DigitsScore } {
  const model = digitsModel(config, task.init.hidden, 0, task.init);
  const { x, y } = taskTensors(task, task.data.size);
  const trainer = fitTrainer(model, x, y, task.batchSize, adam({ lr: task.lr }), () => Number.NaN);
  return {
    ...trainer,
    score() {
      const logits = model.predict(new Tensor([task.heldOut.size, PIXELS], task.heldOut.x)).data;
      const { loss, accuracy } = scoreLogits(logits, task.heldOut);
      return { epochLoss: trainer.lastEpochLoss(), heldOutLoss: loss, heldOutAccuracy: accuracy };
    },
  };
}

/** The digits CNN (see {@link CNN}) as a gradstream model; with `init`, its parameters are overwritten by those values. */
function cnnModel(config: GradstreamConfig, padding: CnnPadding, seed: number, init?: CnnWeights): Model {
  const [f1, f2] = CNN.filters;
  const layers: LayerSpec[] = [
    conv2d({ filters: f1, kernelSize: CNN.kernel, padding, activation: 'relu' }),
    maxPool2d({ poolSize: CNN.pool }),
    conv2d({ filters: f2, kernelSize: CNN.kernel, padding, activation: 'relu' }),
    maxPool2d({ poolSize: CNN.pool }),
    flatten(),
    dense({ inFeatures: cnnFlatFeatures(padding), outFeatures: CNN.classes }),
  ];
  const model = sequential(layers, { inputShape: [CNN.side, CNN.side, CNN.channels], loss: softmaxCrossEntropy(), dtype: 'float32', seed, ...config.options });
  if (init === undefined) return model;
  return setParams(model, [init.conv1.w, init.conv1.b, init.conv2.w, init.conv2.b, init.dense.w, init.dense.b]);
}

/**
 * The digits CNN's initial parameters as gradstream initialises them from `seed`, read by name
 * (each layer's `weight` and `bias`, layers in model order).
 */
export function gradstreamCnnInit(padding: CnnPadding, seed: number): CnnWeights {
  const model = cnnModel(TS_CONFIG, padding, seed);
  const layers = [...new Set(model.parameters().map((p) => p.node))].map((node) => {
    const of = (name: string): Float32Array => {
      const p = model.parameters().find((q) => q.node === node && q.name === name);
      if (p === undefined) throw new Error(`gradstreamCnnInit: node ${node} has no ${name}`);
      return Float32Array.from(p.value.data);
    };
    return { w: of('weight'), b: of('bias') };
  });
  const [conv1, conv2, dense] = layers;
  if (layers.length !== 3 || conv1 === undefined || conv2 === undefined || dense === undefined) {
    throw new Error(`gradstreamCnnInit: expected 3 layers with parameters, got ${layers.length}`);
  }
  return { padding, conv1, conv2, dense };
}

/** `count` images of a set from `start` as an NHWC tensor `[count, 28, 28, 1]` and its one-hot targets, sharing the set's arrays. */
function imageTensors(data: Digits, start: number, count: number): { x: Tensor; y: Tensor } {
  return {
    x: new Tensor([count, CNN.side, CNN.side, CNN.channels], data.x.subarray(start * PIXELS, (start + count) * PIXELS)),
    y: new Tensor([count, CLASSES], data.y.subarray(start * CLASSES, (start + count) * CLASSES)),
  };
}

/**
 * The digits CNN through `fit` (Adam, in order): one `run(n)` trains n epochs over the task's
 * first `batches` batches. `stepLosses(k)` trains one epoch of the first `k` batches and returns
 * each step's loss as its `batch` event reports it (the loss of that step's forward pass, before
 * its update): the cross-library check.
 */
export function gradstreamCnnFit(config: GradstreamConfig, task: CnnTask, batches: number): Trainer & { stepLosses: (k: number) => Promise<number[]> } {
  const model = cnnModel(config, task.init.padding, 0, task.init);
  const optimizer = adam({ lr: task.lr });
  const { x, y } = imageTensors(task.data, 0, batches * task.batchSize);
  const trainer = fitTrainer(model, x, y, task.batchSize, optimizer, () => Number.NaN);
  return {
    ...trainer,
    stepLosses(k) {
      const data = imageTensors(task.data, 0, k * task.batchSize);
      const run$ = fit(model, data, { epochs: 1, batchSize: task.batchSize, shuffle: false, optimizer, metrics: [] });
      return lastValueFrom(
        run$.pipe(
          filter((e: TrainEvent): e is BatchEvent => e.type === 'batch'),
          map((e) => e.loss),
          toArray(),
        ),
      );
    },
  };
}

/**
 * The digits CNN's forward pass through the public call: one `run(n)` classifies the held-out
 * digits n times, `model.predict` on each batch of `batchSize` (views made once; the model keeps
 * one forward-only plan per batch size). `logits()` returns the held-out logits, in order.
 */
export function gradstreamCnnPredict(config: GradstreamConfig, task: CnnTask): Trainer & { logits: () => Float32Array } {
  const model = cnnModel(config, task.init.padding, 0, task.init);
  const n = task.heldOut.size;
  const batches: Tensor[] = [];
  for (let start = 0; start < n; start += task.batchSize) batches.push(imageTensors(task.heldOut, start, Math.min(task.batchSize, n - start)).x);
  return {
    run(iterations) {
      for (let i = 0; i < iterations; i++) for (const b of batches) model.predict(b);
    },
    loss: () => Number.NaN,
    logits() {
      const out = new Float32Array(n * CLASSES);
      let at = 0;
      for (const b of batches) {
        const logits = model.predict(b).data;
        out.set(logits, at);
        at += logits.length;
      }
      return out;
    },
  };
}

/** Two random `size×size` float32 matrices, the same for every library. */
export function matmulOperands(size: number, seed: number): { a: Float32Array; b: Float32Array } {
  const rng = Rng.fromSeed(seed);
  const a = new Float32Array(size * size);
  const b = new Float32Array(size * size);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
  for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-1, 1);
  return { a, b };
}

/**
 * The `matmul` kernel of a configuration's backend on `size³`, the operands and the product in
 * buffers from that backend's `allocate` (views into the wasm memory for the wasm backends; a
 * plain Float32Array would make them fall back to the TypeScript kernel), allocated once. On a
 * device backend (WebGPU) the operands go up once, here, and every multiply is followed by
 * `await sync.download([out])`, so a timed multiply is the dispatch plus the product's read-back,
 * as TF.js's is `tf.matMul` plus reading the product.
 */
export function gradstreamMatmul(config: GradstreamConfig, a: Float32Array, b: Float32Array, size: number) {
  const backend = backendOf(config);
  const [ba, bb, out] = [0, 1, 2].map(() => backend.allocate('float32', size * size) as Float32Array) as [Float32Array, Float32Array, Float32Array];
  ba.set(a);
  bb.set(b);
  const sync = backend.sync;
  sync?.upload([ba, bb]);
  const multiply = (): void => backend.matmul(ba, bb, out, size, size, size, false, false);
  return {
    run:
      sync === undefined
        ? (n: number): void => {
            for (let i = 0; i < n; i++) multiply();
          }
        : async (n: number): Promise<void> => {
            for (let i = 0; i < n; i++) {
              multiply();
              await sync.download([out]);
            }
          },
    result: () => out,
    dispose: () => backend.free([ba, bb, out]),
  };
}
