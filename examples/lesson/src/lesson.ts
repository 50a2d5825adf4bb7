import { filter, lastValueFrom, takeWhile, toArray } from 'rxjs';
import { localGradients, sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { Tensor, type InitSpec } from '@gradstream/tensor';
import { fit, sgd, type BatchEvent, type ParamsEvent } from '@gradstream/trainer';

/** The lesson's numbers: one sample, the initial parameters and the learning rate. */
export const LESSON = Object.freeze({ x: 1, y: 1, w1: 0.5, b1: 0.1, w2: 0.8, b2: 0.2, lr: 0.1 });

/** Every figure of the lesson's worked step, computed through the library. */
export interface LessonStep {
  readonly z1: number;
  readonly a1: number;
  readonly yHat: number;
  readonly loss: number;
  readonly dYHat: number;
  readonly dW2: number;
  readonly dB2: number;
  readonly dA1: number;
  readonly sigmoidPrime: number;
  readonly dW1: number;
  readonly dB1: number;
  readonly w2: number;
  readonly b2: number;
  readonly w1: number;
  readonly b1: number;
}

const constant = (value: number): InitSpec => ({ type: 'constant', value });

/** The lesson's 1-1-1 network, x → linear → sigmoid → linear → ½(ŷ−y)², in float64 so nothing is rounded. */
export function lessonModel(): Model {
  return sequential(
    [
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w1), biasInit: constant(LESSON.b1) }),
      sigmoid(),
      linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w2), biasInit: constant(LESSON.b2) }),
    ],
    { inputShape: [1], loss: mse(), dtype: 'float64' },
  );
}

/** The lesson's data: a single sample. */
export const lessonData = { x: [[LESSON.x]], y: [[LESSON.y]] };

/** Runs one training step through the trainer and reads every figure off its event stream. */
export async function lessonStep(model: Model = lessonModel()): Promise<LessonStep> {
  const events = await lastValueFrom(
    fit(model, lessonData, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: LESSON.lr }), shuffle: false, trace: true, gradients: true, params: 1 }).pipe(toArray()),
  );
  const batch = events.find((e): e is BatchEvent => e.type === 'batch');
  const after = events.find((e): e is ParamsEvent => e.type === 'params');
  if (batch?.trace === undefined || after === undefined) throw new Error('lesson: the run emitted no trace or parameters');
  const node = (name: string) => {
    const t = batch.trace?.find((n) => n.node === name);
    if (t === undefined) throw new Error(`lesson: no trace of ${name}`);
    return { value: t.output.values[0] as number, signal: t.signal.values[0] as number };
  };
  const grad = (id: string): number => {
    const g = batch.gradients?.[id];
    if (g === undefined) throw new Error(`lesson: no gradient of ${id}`);
    return g.values[0] as number;
  };
  const z1 = node('linear_1');
  const a1 = node('sigmoid_1');
  const yHat = node('linear_2');
  const loss = node('mse_1');
  const sigmoidNode = model.node('sigmoid_1');
  const local = localGradients(sigmoidNode, [Tensor.from([[z1.value]], { dtype: 'float64' })]);
  const p = (id: string): number => after.params[id]?.values[0] as number;
  return {
    z1: z1.value,
    a1: a1.value,
    yHat: yHat.value,
    loss: loss.value,
    dYHat: yHat.signal,
    dW2: grad('linear_2.weight'),
    dB2: grad('linear_2.bias'),
    dA1: a1.signal,
    sigmoidPrime: local.inputs[0]?.data[0] as number,
    dW1: grad('linear_1.weight'),
    dB1: grad('linear_1.bias'),
    w2: p('linear_2.weight'),
    b2: p('linear_2.bias'),
    w1: p('linear_1.weight'),
    b1: p('linear_1.bias'),
  };
}

/** Keeps training the lesson's sample until the loss falls below `tolerance`; returns the last batch event. */
export async function trainToConvergence(model: Model, tolerance = 1e-8, maxEpochs = 100_000): Promise<BatchEvent> {
  return lastValueFrom(
    fit(model, lessonData, { epochs: maxEpochs, batchSize: 1, optimizer: sgd({ lr: LESSON.lr }), shuffle: false }).pipe(
      filter((e): e is BatchEvent => e.type === 'batch'),
      takeWhile((e) => e.loss >= tolerance, true),
    ),
  );
}
