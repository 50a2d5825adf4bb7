import { lastValueFrom } from 'rxjs';
import { sequential, type Model, type Plan } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { Rng, matmul, type InitSpec, type Tensor } from '@gradstream/tensor';
import { fit, sgd } from '@gradstream/trainer';
import { LESSON, batchRange, type MlpTask, type MlpWeights, type Trainer } from '../nets.js';
import { CLASSES, PIXELS } from '../data/mnist.js';

const constant = (value: number): InitSpec => ({ type: 'constant', value });

/** The lesson's network in float32: x → linear → sigmoid → linear → ½(ŷ−y)². */
function lessonModel(): Model {
  return sequential(
    [
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w1), biasInit: constant(LESSON.b1) }),
      sigmoid(),
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w2), biasInit: constant(LESSON.b2) }),
    ],
    { inputShape: [1], loss: mse(), dtype: 'float32' },
  );
}

/** A model's compiled plan plus SGD: forward, backward and update, nothing else per step. */
function planTrainer(model: Model, batchSize: number, lr: number, fill: (plan: Plan, step: number) => void, lossBatch: (plan: Plan) => void): Trainer {
  const plan = model.compile(batchSize);
  const refs = model.parameters();
  const params = refs.map((p) => p.value);
  const grads = refs.map((p) => plan.paramGrads.get(p.id) as Tensor);
  const optimizer = sgd({ lr });
  let step = 0;
  return {
    run(n) {
      for (let i = 0; i < n; i++) {
        fill(plan, step++);
        plan.forward();
        plan.backward();
        optimizer.step(params, grads);
      }
    },
    loss() {
      lossBatch(plan);
      return plan.forward(false);
    },
  };
}

/** The lesson through the compiled plan, driven by hand: the fastest path gradstream offers. */
export function gradstreamLessonPlan(): Trainer {
  const fill = (plan: Plan): void => {
    plan.x.data[0] = LESSON.x;
    plan.y.data[0] = LESSON.y;
  };
  return planTrainer(lessonModel(), 1, LESSON.lr, fill, fill);
}

/**
 * The lesson through `fit`: each `run(n)` is one subscription training n epochs of the single
 * sample, with the event stream, per-step gradient norms and divergence checks that `fit` adds.
 */
export function gradstreamLessonFit(): Trainer {
  const model = lessonModel();
  const data = { x: [[LESSON.x]], y: [[LESSON.y]] };
  const optimizer = sgd({ lr: LESSON.lr });
  return {
    async run(n) {
      await lastValueFrom(fit(model, data, { epochs: n, batchSize: 1, shuffle: false, optimizer }));
    },
    loss() {
      return 0.5 * ((model.predict([[LESSON.x]]).data[0] as number) - LESSON.y) ** 2;
    },
  };
}

/** The MLP as a gradstream model; with `init`, its parameters are overwritten by those values. */
function mlpModel(task: { readonly init?: MlpWeights }, hidden: number, seed: number): Model {
  const model = sequential([linear({ inFeatures: PIXELS, outFeatures: hidden }), sigmoid(), linear({ inFeatures: hidden, outFeatures: CLASSES })], {
    inputShape: [PIXELS],
    loss: mse(),
    dtype: 'float32',
    seed,
  });
  if (task.init !== undefined) {
    const values = [task.init.w1, task.init.b1, task.init.w2, task.init.b2];
    model.parameters().forEach((p, i) => p.value.data.set(values[i] as Float32Array));
  }
  return model;
}

/** The MLP's initial parameters as gradstream initialises them (Glorot-uniform weights, zero biases) from `seed`. */
export function gradstreamMlpInit(hidden: number, seed: number): MlpWeights {
  const [w1, b1, w2, b2] = mlpModel({}, hidden, seed)
    .parameters()
    .map((p) => Float32Array.from(p.value.data));
  return { inputs: PIXELS, hidden, outputs: CLASSES, w1: w1 as Float32Array, b1: b1 as Float32Array, w2: w2 as Float32Array, b2: b2 as Float32Array };
}

/** The MLP through a compiled plan and SGD, batches copied in from views made once. */
export function gradstreamMlp(task: MlpTask): Trainer {
  const xs = Array.from({ length: task.batches }, (_, b) => task.data.x.subarray(...batchRange(task, b, PIXELS)));
  const ys = Array.from({ length: task.batches }, (_, b) => task.data.y.subarray(...batchRange(task, b, CLASSES)));
  const fill = (plan: Plan, step: number): void => {
    const b = step % task.batches;
    plan.x.data.set(xs[b] as Float32Array);
    plan.y.data.set(ys[b] as Float32Array);
  };
  return planTrainer(mlpModel(task, task.init.hidden, 0), task.batchSize, task.lr, fill, (plan) => fill(plan, 0));
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

/** gradstream's `matmul` kernel on `size³`, writing into a buffer allocated once. */
export function gradstreamMatmul(a: Float32Array, b: Float32Array, size: number): { run: (n: number) => void; result: () => Float32Array } {
  const out = new Float32Array(size * size);
  return {
    run(n) {
      for (let i = 0; i < n; i++) matmul(a, b, out, size, size, size);
    },
    result: () => out,
  };
}
