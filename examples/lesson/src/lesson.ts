import { filter, lastValueFrom, takeWhile } from 'rxjs';
import type { Model } from '@gradstream/graph';
import { LESSON, lessonData } from '@gradstream/cli';
import { fit, sgd, type BatchEvent } from '@gradstream/trainer';

/** Keeps training the lesson's sample until the loss falls below `tolerance`; returns the last batch event. */
export async function trainToConvergence(model: Model, tolerance = 1e-8, maxEpochs = 100_000): Promise<BatchEvent> {
  return lastValueFrom(
    fit(model, lessonData, { epochs: maxEpochs, batchSize: 1, optimizer: sgd({ lr: LESSON.lr }), shuffle: false }).pipe(
      filter((e): e is BatchEvent => e.type === 'batch'),
      takeWhile((e) => e.loss >= tolerance, true),
    ),
  );
}
