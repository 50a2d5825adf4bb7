import type { Model } from '@gradstream/graph';
import { GradstreamError, sizeOf, type Tensor, type TypedArray } from '@gradstream/tensor';
import { predictedClass } from '../data/classes.js';
import { applyPreprocessing, type Preprocessing } from '../data/preprocessing.js';

/**
 * A classifier's prediction for one sample: the most likely class and the probability of each
 * (the softmax of the model's outputs).
 *
 * @example
 * ```ts
 * import type { ClassPrediction } from '@gradstream/cli';
 * const p: ClassPrediction = { class: 1, probabilities: [0.1, 0.7, 0.2] };
 * ```
 */
export interface ClassPrediction {
  /** The most likely class (the arg-max of the outputs). */
  readonly class: number;
  /** The probability of each class, in class order. */
  readonly probabilities: readonly number[];
}

/**
 * Any other model's prediction for one sample: its outputs.
 *
 * @example
 * ```ts
 * import type { ValuePrediction } from '@gradstream/cli';
 * const p: ValuePrediction = { prediction: [0.84] };
 * ```
 */
export interface ValuePrediction {
  /** The model's outputs for the sample. */
  readonly prediction: readonly number[];
}

/**
 * What {@link predictRows} gives for one sample: a class and its probabilities for a classifier (a
 * `softmaxCrossEntropy` loss), the outputs otherwise.
 *
 * @example
 * ```ts
 * import type { Prediction } from '@gradstream/cli';
 * const label = (p: Prediction) => ('class' in p ? `class ${p.class}` : p.prediction.join(' '));
 * ```
 */
export type Prediction = ClassPrediction | ValuePrediction;

/**
 * The model's outputs for input rows, computed in evaluation mode (dropout off) `batch` rows at a
 * time: `rows × outputs` values, row after row. Rows must be as wide as the model's input. On a
 * backend whose results come back asynchronously (WebGPU) it throws an `INVALID_USAGE` error: use
 * {@link modelOutputsAsync} there.
 *
 * @param model - the model
 * @param x - input rows, each as wide as the product of `inputShape`
 * @param batch - rows per forward pass (default 256)
 * @example
 * ```ts
 * import { modelOutputs } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * modelOutputs(model, [[0, 1], [1, 0]]).length; // 2
 * ```
 */
export function modelOutputs(model: Model, x: readonly (readonly number[])[], batch = 256): Float64Array {
  if (model.backend.sync !== undefined) {
    throw new GradstreamError('INVALID_USAGE', `modelOutputs: the ${model.backend.name} backend's results come back asynchronously: use await modelOutputsAsync(…)`, {
      backend: model.backend.name,
    });
  }
  const out = new Float64Array(x.length * sizeOf(model.outputShape));
  for (const b of batches(model, x, batch)) b.copyTo(out);
  return out;
}

/**
 * {@link modelOutputs} on any backend, the WebGPU one included: each batch's outputs are read back
 * from the device before they are copied out.
 *
 * @param model - the model
 * @param x - input rows, each as wide as the product of `inputShape`
 * @param batch - rows per forward pass (default 256)
 * @example
 * ```ts
 * import { modelOutputsAsync } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }], loss: { op: 'mse' } });
 * (await modelOutputsAsync(model, [[0, 1], [1, 0]])).length; // 2
 * ```
 */
export async function modelOutputsAsync(model: Model, x: readonly (readonly number[])[], batch = 256): Promise<Float64Array> {
  const out = new Float64Array(x.length * sizeOf(model.outputShape));
  for (const b of batches(model, x, batch)) {
    await model.backend.sync?.download([b.outputs]);
    b.copyTo(out);
  }
  return out;
}

/** One forward pass's outputs, still in its plan: read them before the next batch runs. */
interface OutputBatch {
  readonly outputs: TypedArray;
  copyTo(out: Float64Array): void;
}

/**
 * The rows run forward `batch` at a time, in evaluation mode; each batch is sent to the device
 * first (when the backend has one) and yielded with its outputs not yet read back, so the sync and
 * async callers share one loop.
 */
function* batches(model: Model, x: readonly (readonly number[])[], batch: number): Generator<OutputBatch> {
  const inputWidth = sizeOf(model.inputShape);
  const width = sizeOf(model.outputShape);
  x.forEach((row, i) => {
    if (row.length !== inputWidth) {
      throw new GradstreamError('INVALID_DATA', `row ${i + 1}: ${row.length} input value(s), but the model's input takes ${inputWidth}`, { row: i + 1 });
    }
  });
  for (let start = 0; start < x.length; start += batch) {
    const size = Math.min(batch, x.length - start);
    const plan = model.plan(size, 'infer');
    const input = plan.x.data;
    for (let r = 0; r < size; r++) input.set(x[start + r] as readonly number[], r * inputWidth);
    model.backend.sync?.upload([input]);
    plan.predict();
    const outputs = (plan.values.get(model.output) as Tensor).data;
    yield {
      outputs,
      copyTo: (out) => {
        for (let k = 0; k < size * width; k++) out[start * width + k] = outputs[k] as number;
      },
    };
  }
}

/**
 * A model's predictions for input rows: for a classifier (a `softmaxCrossEntropy` loss) the
 * arg-max class and the softmax probabilities, for other models the outputs. The rows are first
 * preprocessed as the model was trained (`preprocessing`, as a checkpoint keeps it). On WebGPU,
 * use {@link predictRowsAsync}.
 *
 * @param model - the model
 * @param x - input rows as the data holds them
 * @param options - rows per forward pass, and the preprocessing to apply first
 * @example
 * ```ts
 * import { predictRows } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 3 }], loss: { op: 'softmaxCrossEntropy' } });
 * const [first] = predictRows(model, [[0.5, 1]]); // { class: …, probabilities: [p0, p1, p2] }
 * ```
 */
export function predictRows(model: Model, x: readonly (readonly number[])[], options: PredictRowsOptions = {}): Prediction[] {
  return predictionsOf(model, modelOutputs(model, applyPreprocessing(x, options.preprocessing ?? {}), options.batch));
}

/**
 * {@link predictRows} on any backend, the WebGPU one included (see {@link modelOutputsAsync}).
 *
 * @param model - the model
 * @param x - input rows as the data holds them
 * @param options - rows per forward pass, and the preprocessing to apply first
 * @example
 * ```ts
 * import { predictRowsAsync } from '@gradstream/cli';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [2], layers: [{ op: 'linear', inFeatures: 2, outFeatures: 3 }], loss: { op: 'softmaxCrossEntropy' } });
 * const [first] = await predictRowsAsync(model, [[0.5, 1]]); // { class: …, probabilities: [p0, p1, p2] }
 * ```
 */
export async function predictRowsAsync(model: Model, x: readonly (readonly number[])[], options: PredictRowsOptions = {}): Promise<Prediction[]> {
  return predictionsOf(model, await modelOutputsAsync(model, applyPreprocessing(x, options.preprocessing ?? {}), options.batch));
}

/**
 * Options of {@link predictRows} and {@link predictRowsAsync}: rows per forward pass, and the
 * preprocessing to apply first.
 *
 * @example
 * ```ts
 * import type { PredictRowsOptions } from '@gradstream/cli';
 * const options: PredictRowsOptions = { batch: 256 };
 * ```
 */
export interface PredictRowsOptions {
  readonly batch?: number;
  readonly preprocessing?: Preprocessing;
}

/** Each row's {@link Prediction} from the model's outputs (`rows × outputs`, row after row). */
function predictionsOf(model: Model, outputs: Float64Array): Prediction[] {
  const width = sizeOf(model.outputShape);
  const classifier = model.lossNode.op.name === 'softmaxCrossEntropy';
  return Array.from({ length: outputs.length / width }, (_, i) => {
    const row = Array.from(outputs.subarray(i * width, (i + 1) * width));
    return classifier ? { class: predictedClass(outputs, i, width), probabilities: softmax(row) } : { prediction: row };
  });
}

function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
