import { createRequire } from 'node:module';
import { CLASSES, PIXELS } from '../data/mnist.js';
import { LESSON, type MlpTask, type Trainer } from '../nets.js';

const require = createRequire(import.meta.url);

interface Pattern {
  readonly input: ArrayLike<number>;
  readonly output: ArrayLike<number>;
}

/** The part of brain.js 1.x's NeuralNetwork used here; `trainPattern` is the per-sample step its `train` loops over. */
interface BrainNet {
  fromJSON(json: unknown): BrainNet;
  trainPattern(pattern: Pattern, logErrorRate?: boolean): number | null;
  run(input: ArrayLike<number>): ArrayLike<number>;
  trainOpts: { learningRate: number; momentum: number };
}

interface BrainModule {
  NeuralNetwork: new (options?: Record<string, unknown>) => BrainNet;
}

const brain = require('brain.js') as BrainModule;

/** brain.js's serialized layer: `{ [node]: { bias, weights: { [input]: w } } }`. */
function layerJson(w: ArrayLike<number>, b: ArrayLike<number>, inputs: number, outputs: number): Record<number, unknown> {
  const layer: Record<number, unknown> = {};
  for (let o = 0; o < outputs; o++) {
    const weights: Record<number, number> = {};
    for (let i = 0; i < inputs; i++) weights[i] = w[o * inputs + i] as number;
    layer[o] = { bias: b[o], weights };
  }
  return layer;
}

/**
 * A brain.js sigmoid network with the given weights (same `[out][in]` layout as gradstream).
 * brain.js refuses `momentum: 0` as "out of normal training range", so it is set on the live
 * training options afterwards: the update is then plain SGD, `w += lr · δ · input`.
 */
function network(sizes: readonly number[], layers: readonly Record<number, unknown>[], lr: number): BrainNet {
  const input: Record<number, unknown> = {};
  for (let i = 0; i < (sizes[0] as number); i++) input[i] = {};
  const net = new brain.NeuralNetwork({ activation: 'sigmoid', hiddenLayers: sizes.slice(1, -1), learningRate: lr });
  net.fromJSON({ sizes: [...sizes], layers: [input, ...layers], inputLookup: false, outputLookup: false, activation: 'sigmoid' });
  net.trainOpts.learningRate = lr;
  net.trainOpts.momentum = 0;
  return net;
}

/**
 * The lesson's weights in brain.js. brain.js puts a sigmoid on its output layer as well, so this
 * is x → σ(w₁x + b₁) → σ(w₂a₁ + b₂) with ½(ŷ − y)², one neuron more nonlinear than the lesson's
 * network: the same amount of work per step (two 1×1 layers, forward, backward, update), not the
 * same numbers.
 */
export function brainLesson(): Trainer {
  const net = network([1, 1, 1], [layerJson([LESSON.w1], [LESSON.b1], 1, 1), layerJson([LESSON.w2], [LESSON.b2], 1, 1)], LESSON.lr);
  const pattern: Pattern = { input: [LESSON.x], output: [LESSON.y] };
  return {
    run(n) {
      for (let i = 0; i < n; i++) net.trainPattern(pattern);
    },
    loss() {
      return 0.5 * ((net.run(pattern.input)[0] as number) - LESSON.y) ** 2;
    },
  };
}

/**
 * The MLP in brain.js, one sample per step (brain.js has no mini-batches), walking the same
 * samples in the same order. Its output layer is a sigmoid too, so its losses are not comparable.
 */
export function brainMlp(task: MlpTask): Trainer {
  const { init } = task;
  const net = network(
    [init.inputs, init.hidden, init.outputs],
    [layerJson(init.w1, init.b1, init.inputs, init.hidden), layerJson(init.w2, init.b2, init.hidden, init.outputs)],
    task.lr,
  );
  const samples = task.batches * task.batchSize;
  const patterns: Pattern[] = Array.from({ length: samples }, (_, s) => ({
    input: Array.from(task.data.x.subarray(s * PIXELS, (s + 1) * PIXELS)),
    output: Array.from(task.data.y.subarray(s * CLASSES, (s + 1) * CLASSES)),
  }));
  let step = 0;
  return {
    run(n) {
      for (let i = 0; i < n; i++) net.trainPattern(patterns[step++ % samples] as Pattern);
    },
    loss() {
      let s = 0;
      for (let i = 0; i < task.batchSize; i++) {
        const p = patterns[i] as Pattern;
        const out = net.run(p.input);
        for (let j = 0; j < CLASSES; j++) s += ((out[j] as number) - (p.output[j] as number)) ** 2;
      }
      return (0.5 * s) / task.batchSize;
    },
  };
}
