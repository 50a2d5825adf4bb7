import { trainDigitsModel, type DigitsResult, type DigitsRunOptions } from '@gradstream/example-digits';
import { digitsCnnModel, type DigitsCnnModelOptions } from './model.js';

/**
 * Options of {@link trainDigitsCnn}: the network's and the run's (`DigitsRunOptions` of the digits
 * example; one `seed` for both), with the run's defaults tuned for this network: 25 epochs, batches
 * of 64, shifts of up to 2 pixels.
 */
export interface TrainDigitsCnnOptions extends DigitsCnnModelOptions, DigitsRunOptions {}

/**
 * Trains the convolutional digit classifier on the training digits and scores it once, at the
 * end, on the held-out digits it never saw, as the digits example's `trainDigitsModel` does: each
 * epoch shows the network the training images shuffled and shifted by up to `maxShift` pixels,
 * with Adam and a cosine learning-rate decay. The images go in as the 784 values the `mnist`
 * package gives, row by row, which is the NHWC layout of a 28×28×1 image: `fit` reads each as the
 * model's input shape.
 */
export async function trainDigitsCnn(options: TrainDigitsCnnOptions = {}): Promise<DigitsResult> {
  return trainDigitsModel(digitsCnnModel(options), { epochs: 25, batchSize: 64, maxShift: 2, ...options }, 'digits-cnn');
}
