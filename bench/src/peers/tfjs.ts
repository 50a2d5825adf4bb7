import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import { CLASSES, PIXELS } from '../data/mnist.js';
import { LESSON, batchRange, type MlpTask, type Trainer } from '../nets.js';

const require = createRequire(import.meta.url);
// Through require, so every runner (node, vitest) loads the packages' CommonJS `main` builds and
// the backends register with the one tfjs-core instance this module uses. tfjs-core's own build
// registers no gradients (`minimize` would fail with "gradient function not found"); the union
// package @tensorflow/tfjs registers them all, as it does for anyone training with TF.js.
require('@tensorflow/tfjs');
const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;

/** The TF.js backends compared: the pure-JS `cpu` and the WebAssembly (XNNPACK) `wasm`. */
export type TfBackend = 'cpu' | 'wasm';

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
 * threaded build, and with SIMD available it loads `tfjs-backend-wasm-simd.wasm`: one thread,
 * like gradstream's kernels. Prod mode drops TF.js's debug checks (and its console notice).
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

/** Two-layer network (linear → sigmoid → linear, ½-MSE) trained by `optimizer.minimize`, one call per step. */
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
export async function tfjsLesson(backend: TfBackend): Promise<Trainer> {
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

/** The MLP from the task's initial weights, its batches made into tensors once, up front. */
export async function tfjsMlp(backend: TfBackend, task: MlpTask): Promise<Trainer> {
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

/** `tf.matMul` on the given operands, read back with `dataSync` so the work is done and not merely queued. */
export async function tfjsMatmul(backend: TfBackend, a: Float32Array, b: Float32Array, size: number) {
  await use(backend);
  const ta = tf.tensor2d(a, [size, size]);
  const tb = tf.tensor2d(b, [size, size]);
  let last: Float32Array = new Float32Array(0);
  return {
    prepare: () => use(backend),
    run(n: number) {
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
