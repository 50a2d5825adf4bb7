import { sequential, type BackendChoice, type Model } from '@gradstream/graph';
import { dense, embedding, gru, softmaxCrossEntropy } from '@gradstream/ops';
import { INPUT_CHARS, OUTPUT_CLASSES, stepsOf, type AdditionFormat } from './data.js';

/** Options of {@link additionModel}. */
export interface AdditionModelOptions extends AdditionFormat {
  /** Values per character in the embedding (default 16). */
  readonly dim?: number;
  /** Units of each GRU layer (default 128). */
  readonly units?: number;
  /** GRU layers, stacked (default 1). */
  readonly layers?: number;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** The kernels to train on (default `'auto'`: WebAssembly SIMD on every core where it runs). */
  readonly backend?: BackendChoice;
}

/**
 * The adder: character ids `[batch, steps]` → embedding → GRU layers over every step → a dense
 * layer to the 11 output classes at every step, `[batch, steps, 11]`, with softmax cross-entropy
 * against the target class of every step (blank over the question, a digit at each answer slot).
 */
export function additionModel(options: AdditionModelOptions): Model {
  const { dim = 16, units = 128, layers = 1, seed = 0, backend = 'auto' } = options;
  return sequential(
    [
      embedding({ vocabSize: INPUT_CHARS.length, dim }),
      ...Array.from({ length: layers }, () => gru({ units, returnSequences: true })),
      dense({ outFeatures: OUTPUT_CLASSES }),
    ],
    { inputShape: [stepsOf(options)], loss: softmaxCrossEntropy(), seed, backend },
  );
}
