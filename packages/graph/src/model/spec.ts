import type { DType, Shape } from '@gradstream/tensor';

/**
 * One layer of a model spec: the op's name, its configuration fields, and optionally a node name
 * and the names of the values it reads (default: the previous layer's output; the model input is
 * `x`, the target is `y`). Build them with the ops package's helpers (`linear({...})`).
 *
 * @example
 * ```ts
 * import type { LayerSpec } from '@gradstream/graph';
 * const hidden: LayerSpec = { op: 'linear', inFeatures: 2, outFeatures: 8 };
 * const skip: LayerSpec = { op: 'add', name: 'res', inputs: ['linear_1', 'linear_2'] };
 * ```
 */
export interface LayerSpec {
  readonly op: string;
  readonly name?: string;
  readonly inputs?: readonly string[];
  readonly [field: string]: unknown;
}

/**
 * A whole model as JSON: the input's per-sample shape, the layers in order, and the loss.
 * Validated against the registered plugins' schemas when built.
 *
 * @example
 * ```ts
 * import type { ModelSpec } from '@gradstream/graph';
 * const spec: ModelSpec = {
 *   version: 1,
 *   inputShape: [1],
 *   layers: [{ op: 'linear', inFeatures: 1, outFeatures: 1 }, { op: 'sigmoid' }],
 *   loss: { op: 'mse' },
 * };
 * ```
 */
export interface ModelSpec {
  /** Format version of the spec; currently 1. */
  readonly version: 1;
  /** Shape of one input sample, without the batch axis (e.g. `[784]`). */
  readonly inputShape: Shape;
  readonly layers: readonly LayerSpec[];
  /** The loss op; it reads the last layer's output and the target `y` unless `inputs` says otherwise. */
  readonly loss: LayerSpec;
  /** The value the model predicts (default: the last layer). */
  readonly output?: string;
  /** Element type of parameters and activations (default float32). */
  readonly dtype?: DType;
}

/**
 * The current spec format version.
 *
 * @example
 * ```ts
 * import { SPEC_VERSION } from '@gradstream/graph';
 * const spec = { version: SPEC_VERSION, inputShape: [1], layers: [], loss: { op: 'mse' } };
 * ```
 */
export const SPEC_VERSION = 1;

/**
 * Name of the value holding the input batch in every model.
 *
 * @example
 * ```ts
 * import { INPUT } from '@gradstream/graph';
 * const firstLayer = { op: 'linear', inFeatures: 2, outFeatures: 4, inputs: [INPUT] };
 * ```
 */
export const INPUT = 'x';
/**
 * Name of the value holding the target batch in every model.
 *
 * @example
 * ```ts
 * import { TARGET } from '@gradstream/graph';
 * const loss = { op: 'mse', inputs: ['linear_2', TARGET] };
 * ```
 */
export const TARGET = 'y';
