import { DIGIT_PIXELS } from '@gradstream/datasets/digits';
import { sequential, type BackendChoice, type Model } from '@gradstream/graph';
import { dropout, linear, relu, softmaxCrossEntropy } from '@gradstream/ops';

/** Options of {@link digitsModel}. */
export interface DigitsModelOptions {
  /** Width of the hidden layer (default 128). */
  readonly hidden?: number;
  /** Dropout rate after the hidden layer while training (default 0.1; 0 leaves dropout out). */
  readonly dropout?: number;
  /** Seed of the initial weights and the dropout masks (default 0). */
  readonly seed?: number;
  /** The kernels to train on (default `'auto'`: WebAssembly SIMD on every core where it runs). */
  readonly backend?: BackendChoice;
}

/** The classifier: 784 pixels → linear → ReLU → dropout → linear → 10 logits, softmax cross-entropy loss. */
export function digitsModel(options: DigitsModelOptions = {}): Model {
  const { hidden = 128, dropout: rate = 0.1, seed = 0, backend = 'auto' } = options;
  return sequential(
    [
      linear({ inFeatures: DIGIT_PIXELS, outFeatures: hidden }),
      relu(),
      ...(rate > 0 ? [dropout({ rate })] : []),
      linear({ inFeatures: hidden, outFeatures: 10 }),
    ],
    { inputShape: [DIGIT_PIXELS], loss: softmaxCrossEntropy(), seed, backend },
  );
}
