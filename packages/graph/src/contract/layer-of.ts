import type { LayerConfig } from './config-type.js';
import type { RegisteredPlugin } from './registry.js';
import type { LayerSpec } from '../model/spec.js';

/**
 * What the layer function {@link layerOf} makes for an op takes: the op's {@link LayerConfig}, and
 * optionally a node name and the values it reads (default: the previous layer's output).
 *
 * @example
 * ```ts
 * import type { LayerInput } from '@gradstream/graph';
 * import { dropoutOp } from '@gradstream/ops';
 * const layer: LayerInput<typeof dropoutOp> = { rate: 0.2, name: 'drop' };
 * ```
 */
export type LayerInput<Op> = LayerConfig<Op> & { readonly name?: string; readonly inputs?: readonly string[] };

/**
 * The layer function of an op or composite, for `sequential` and model specs: from its
 * configuration (typed from its schema; left out when every field may be) to a layer spec.
 *
 * @example
 * ```ts
 * import { layerOf } from '@gradstream/graph';
 * import { dropoutOp } from '@gradstream/ops';
 * const dropout = layerOf(dropoutOp);
 * dropout({ rate: 0.2 }); // { op: 'dropout', rate: 0.2 }
 * ```
 */
export function layerOf<Op extends RegisteredPlugin>(op: Op): (...config: object extends LayerInput<Op> ? [config?: LayerInput<Op>] : [config: LayerInput<Op>]) => LayerSpec {
  return (config?: object) => ({ op: op.name, ...config });
}
