import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { GradstreamError, type InitSpec } from '@gradstream/tensor';
import { sgd, walkthrough, type Walkthrough } from '@gradstream/trainer';

/**
 * The lesson's numbers: one sample (x = 1, y = 1), the initial parameters and the learning rate.
 *
 * @example
 * ```ts
 * import { LESSON } from '@gradstream/cli';
 * LESSON.w1; // 0.5
 * ```
 */
export const LESSON = Object.freeze({ x: 1, y: 1, w1: 0.5, b1: 0.1, w2: 0.8, b2: 0.2, lr: 0.1 });

/**
 * Every figure of the lesson's worked step: the forward values, the backward pass and the updated
 * parameters.
 *
 * @example
 * ```ts
 * import type { LessonStep } from '@gradstream/cli';
 * const error = (s: LessonStep) => s.yHat - 1;
 * ```
 */
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

/**
 * The lesson's 1-1-1 network, x → linear → sigmoid → linear → ½(ŷ−y)², with the lesson's initial
 * parameters, in float64 so nothing is rounded.
 *
 * @example
 * ```ts
 * import { lessonModel } from '@gradstream/cli';
 * lessonModel().nodes.map((n) => n.name); // ['linear_1', 'sigmoid_1', 'linear_2', 'mse_1']
 * ```
 */
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

/**
 * The lesson's data: its single sample.
 *
 * @example
 * ```ts
 * import { fit, sgd } from '@gradstream/trainer';
 * import { lessonData, lessonModel } from '@gradstream/cli';
 * fit(lessonModel(), lessonData, { epochs: 1, batchSize: 1, optimizer: sgd({ lr: 0.1 }) });
 * ```
 */
export const lessonData = Object.freeze({ x: [[LESSON.x]], y: [[LESSON.y]] });

/**
 * Runs the lesson's training step through the trainer ({@link walkthrough}) and names its figures
 * as the lesson does. The model's parameters are updated, as by any step.
 *
 * @param model - the lesson's network (default: a fresh {@link lessonModel})
 * @example
 * ```ts
 * import { lessonStep } from '@gradstream/cli';
 * const step = await lessonStep();
 * step.w1.toFixed(4); // '0.5052'
 * ```
 */
export async function lessonStep(model: Model = lessonModel()): Promise<LessonStep> {
  const w = await walkthrough(model, { x: [LESSON.x], y: [LESSON.y] }, sgd({ lr: LESSON.lr }));
  return lessonFigures(w);
}

function lessonFigures(w: Walkthrough): LessonStep {
  const node = (name: string) => {
    const n = w.nodes.find((v) => v.name === name);
    if (n === undefined) throw new GradstreamError('INVALID_MODEL', `lesson: the step has no node "${name}"; is this the lesson's network?`, { node: name });
    return n;
  };
  const param = (id: string) => {
    const p = w.params.find((v) => v.id === id);
    if (p === undefined) throw new GradstreamError('INVALID_MODEL', `lesson: the step has no parameter "${id}"; is this the lesson's network?`, { param: id });
    return p;
  };
  const first = (values: readonly number[] | undefined): number => values?.[0] ?? Number.NaN;
  return {
    z1: first(node('linear_1').value.values),
    a1: first(node('sigmoid_1').value.values),
    yHat: first(node('linear_2').value.values),
    loss: first(node('mse_1').value.values),
    dYHat: first(node('linear_2').signal.values),
    dW2: first(param('linear_2.weight').gradient),
    dB2: first(param('linear_2.bias').gradient),
    dA1: first(node('sigmoid_1').signal.values),
    sigmoidPrime: first(node('sigmoid_1').local[0]?.values),
    dW1: first(param('linear_1.weight').gradient),
    dB1: first(param('linear_1.bias').gradient),
    w2: first(param('linear_2.weight').after),
    b2: first(param('linear_2.bias').after),
    w1: first(param('linear_1.weight').after),
    b1: first(param('linear_1.bias').after),
  };
}
