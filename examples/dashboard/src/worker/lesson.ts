import { sequential, type Model } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import type { InitSpec } from '@gradstream/tensor';
import { sgd, walkthrough, type Optimizer } from '@gradstream/trainer';
import type { LessonFrame } from '../shared/lesson-frame.js';

/**
 * The lesson's numbers: one sample (x = 1, y = 1), the initial parameters and the learning rate.
 * The same as `LESSON` in @gradstream/cli, which the worker cannot import (it is Node-only).
 */
export const LESSON = Object.freeze({ x: 1, y: 1, w1: 0.5, b1: 0.1, w2: 0.8, b2: 0.2, lr: 0.1 });

const constant = (value: number): InitSpec => ({ type: 'constant', value });

/**
 * The lesson mode's run: the lesson's 1-1-1 network, x → linear → sigmoid → linear → ½(ŷ−y)²,
 * in float64 so nothing is rounded, trained one step at a time on the lesson's single sample.
 * Each {@link LessonRun.next} trains one step through `walkthrough` and returns every figure of
 * it; step 1 is the lesson's worked step, and each later one starts from the parameters the one
 * before left, with the same optimizer.
 */
export class LessonRun {
  private readonly network: Model;
  private readonly optimizer: Optimizer;
  private steps = 0;
  /** The step under way: steps asked for while one runs wait for it, so they never share the model. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.network = sequential(
      [
        linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w1), biasInit: constant(LESSON.b1) }),
        sigmoid(),
        linear({ inFeatures: 1, outFeatures: 1, weightInit: constant(LESSON.w2), biasInit: constant(LESSON.b2) }),
      ],
      { inputShape: [1], loss: mse(), dtype: 'float64' },
    );
    this.optimizer = sgd({ lr: LESSON.lr });
  }

  /** The network, with the parameters of the last step taken (to export it). */
  get model(): Model {
    return this.network;
  }

  /**
   * Trains one more step and returns it. The walkthrough holds only arrays, numbers and strings,
   * so the frame can be posted to the page as it is.
   */
  next(): Promise<LessonFrame> {
    const frame = this.queue.then(() => this.step());
    this.queue = frame.catch(() => undefined);
    return frame;
  }

  private async step(): Promise<LessonFrame> {
    const w = await walkthrough(this.network, { x: [LESSON.x], y: [LESSON.y] }, this.optimizer);
    this.steps += 1;
    return { step: this.steps, walkthrough: w };
  }
}
