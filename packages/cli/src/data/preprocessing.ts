import type { Checkpoint, JsonValue } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import { applyNormalization, NORMALIZE_METHODS, type Normalization } from '@gradstream/data';

/**
 * What was done to the inputs before training, so that `eval` and `predict` do the same; kept in a
 * checkpoint as `meta.preprocessing`. Empty (`{}`) when the inputs were used as they are.
 *
 * @example
 * ```ts
 * import type { Preprocessing } from '@gradstream/cli';
 * const p: Preprocessing = { normalize: { method: 'minmax', min: [0, 0], max: [255, 255] } };
 * ```
 */
export interface Preprocessing {
  /** Per-feature statistics the inputs are rescaled with (`--normalize`). */
  readonly normalize?: Normalization;
}

/**
 * A copy of a checkpoint whose `meta` also holds `preprocessing` (next to what `meta` held
 * already, such as the `monitor` and `value` of `checkpointBest`). With nothing to record, the
 * checkpoint itself.
 *
 * @example
 * ```ts
 * import { withPreprocessing } from '@gradstream/cli';
 * import { toCheckpoint, sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
 * const c = withPreprocessing(toCheckpoint(model, { meta: { monitor: 'loss', value: 0.1 } }), { normalize: { method: 'standard', mean: [2], std: [0.5] } });
 * ```
 */
export function withPreprocessing(checkpoint: Checkpoint, preprocessing: Preprocessing): Checkpoint {
  if (preprocessing.normalize === undefined) return checkpoint;
  const meta = checkpoint.meta;
  const kept = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as { readonly [key: string]: JsonValue }) : {};
  return { ...checkpoint, meta: { ...kept, preprocessing: preprocessing as unknown as JsonValue } };
}

/**
 * Reads the `preprocessing` a checkpoint's `meta` holds ({@link withPreprocessing}), checking it:
 * a malformed record, or statistics for another number of inputs than the model takes, is a
 * `CHECKPOINT_INVALID` error naming the file. A checkpoint without one gives `{}`.
 *
 * @param meta - the checkpoint's `meta`
 * @param source - the checkpoint file, as messages name it
 * @param inputWidth - values per input sample of the checkpoint's model
 * @example
 * ```ts
 * import { readPreprocessing } from '@gradstream/cli';
 * readPreprocessing({ monitor: 'loss', value: 0.1 }, 'best.json', 4); // {}
 * ```
 */
export function readPreprocessing(meta: unknown, source: string, inputWidth: number): Preprocessing {
  const record = isObject(meta) ? meta.preprocessing : undefined;
  if (record === undefined) return {};
  const fail = (path: string, message: string): never => {
    throw new GradstreamError('CHECKPOINT_INVALID', `${source}: meta/preprocessing${path} ${message}`, { file: source, path: `meta/preprocessing${path}` });
  };
  if (!isObject(record)) return fail('', 'must be an object');
  const n = record.normalize;
  if (n === undefined) return {};
  if (!isObject(n)) return fail('/normalize', 'must be an object');
  const method = n.method;
  if (typeof method !== 'string' || !(NORMALIZE_METHODS as readonly string[]).includes(method)) {
    return fail('/normalize/method', `must be one of ${NORMALIZE_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  }
  const keys = method === 'standard' ? (['mean', 'std'] as const) : (['min', 'max'] as const);
  for (const key of keys) {
    const values = n[key];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) fail(`/normalize/${key}`, 'must be an array of numbers');
    else if (values.length !== inputWidth) fail(`/normalize/${key}`, `holds ${values.length} value(s), but the model takes ${inputWidth} input(s)`);
  }
  return { normalize: n as unknown as Normalization };
}

/**
 * Input rows as the model was trained on them: normalized when `preprocessing` says so, else the
 * rows themselves.
 *
 * @example
 * ```ts
 * import { applyPreprocessing } from '@gradstream/cli';
 * applyPreprocessing([[3]], { normalize: { method: 'standard', mean: [2], std: [0.5] } }); // [[2]]: (3 − 2) / 0.5
 * applyPreprocessing([[4]], {}); // [[4]], unchanged
 * ```
 */
export function applyPreprocessing(x: readonly (readonly number[])[], preprocessing: Preprocessing): readonly (readonly number[])[] {
  return preprocessing.normalize === undefined ? x : applyNormalization(x, preprocessing.normalize);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
