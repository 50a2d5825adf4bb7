import { DIGIT_SIDE } from '@gradstream/datasets/digits';
import { sequential, type BackendChoice, type Model } from '@gradstream/graph';
import { conv2d, dense, dropout, flatten, maxPool2d, softmaxCrossEntropy } from '@gradstream/ops';

/** Padding of the convolutions: `'same'` keeps each map's size, `'valid'` only slides where the kernel fits. */
export type CnnPadding = 'same' | 'valid';

/** Options of {@link digitsCnnModel}. */
export interface DigitsCnnModelOptions {
  /** Padding of both convolutions (default `'valid'`). */
  readonly padding?: CnnPadding;
  /** Seed of the initial weights and of the dropout masks (default 0). */
  readonly seed?: number;
  /** The kernels to train on (default `'auto'`: WebAssembly SIMD on every core where it runs). */
  readonly backend?: BackendChoice;
}

/** The image a digit is fed in as: height, width, channels (NHWC without the batch). */
export const DIGIT_IMAGE_SHAPE = [DIGIT_SIDE, DIGIT_SIDE, 1] as const;

/** Filters of the two convolutions. */
const FILTERS = [16, 32] as const;

/**
 * Features the second pooling hands to the dense layers: 4·4·32 = 512 with `'valid'` padding
 * (28 → 24 → 12 → 8 → 4), 7·7·32 = 1568 with `'same'` (28 → 14 → 7).
 */
export function flatFeatures(padding: CnnPadding): number {
  let side: number = DIGIT_SIDE;
  for (let i = 0; i < FILTERS.length; i++) side = Math.floor((padding === 'valid' ? side - 4 : side) / 2);
  return side * side * FILTERS[1];
}

/**
 * The classifier: a 28×28×1 image → conv 5×5, 16 filters, ReLU → max-pool 2 → conv 5×5, 32
 * filters, ReLU → max-pool 2 → flatten → dense 128, ReLU → dropout 0.3 → dense 10 logits, softmax
 * cross-entropy loss.
 *
 * Twice the filters of the benchmark's `cnn` network, and a hidden dense layer: that network (8 and
 * 16 filters straight into dense 10) is short of capacity for these digits (see the README).
 */
export function digitsCnnModel(options: DigitsCnnModelOptions = {}): Model {
  const { padding = 'valid', seed = 0, backend = 'auto' } = options;
  const [first, second] = FILTERS;
  return sequential(
    [
      conv2d({ filters: first, kernelSize: 5, padding, activation: 'relu' }),
      maxPool2d({ poolSize: 2 }),
      conv2d({ filters: second, kernelSize: 5, padding, activation: 'relu' }),
      maxPool2d({ poolSize: 2 }),
      flatten(),
      dense({ inFeatures: flatFeatures(padding), outFeatures: 128, activation: 'relu' }),
      dropout({ rate: 0.3 }),
      dense({ inFeatures: 128, outFeatures: 10 }),
    ],
    { inputShape: [...DIGIT_IMAGE_SHAPE], loss: softmaxCrossEntropy(), seed, backend },
  );
}
