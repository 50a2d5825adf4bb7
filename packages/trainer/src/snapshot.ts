import { freeze } from 'immer';
import type { Tensor } from '@gradstream/tensor';
import type { TensorSnapshot } from './events.js';

/**
 * Copies a tensor into a frozen, serializable {@link TensorSnapshot}. Later training steps
 * never change it.
 *
 * @example
 * ```ts
 * import { Tensor } from '@gradstream/tensor';
 * import { snapshotTensor } from '@gradstream/trainer';
 * snapshotTensor(Tensor.from([[1, 2]])); // { shape: [1, 2], values: [1, 2] }
 * ```
 */
export function snapshotTensor(t: Tensor): TensorSnapshot {
  return freeze({ shape: [...t.shape], values: Array.from(t.data) }, true);
}

/**
 * Snapshots a set of named tensors (parameters, gradients) into one frozen record.
 *
 * @example
 * ```ts
 * import { Tensor } from '@gradstream/tensor';
 * import { snapshotAll } from '@gradstream/trainer';
 * snapshotAll([['w', Tensor.from([1])]]); // { w: { shape: [1], values: [1] } }
 * ```
 */
export function snapshotAll(entries: Iterable<readonly [string, Tensor]>): Readonly<Record<string, TensorSnapshot>> {
  const out: Record<string, TensorSnapshot> = {};
  for (const [k, t] of entries) out[k] = snapshotTensor(t);
  return freeze(out, true);
}
