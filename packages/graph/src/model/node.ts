import type { Rng, Tensor } from '@gradstream/tensor';
import type { AnyOpPlugin } from '../contract/op-plugin.js';

const NO_STATE: Readonly<Record<string, Tensor>> = Object.freeze({});

/**
 * An op plugin bound to its configuration, its parameters and the values it reads: one node of a
 * model's graph. Its output value carries the node's name.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
 * const node = model.nodes[0]!;
 * console.log(node.name, node.op.name, Object.keys(node.params)); // linear_1 linear ['weight', 'bias']
 * ```
 */
export class GraphNode {
  /**
   * @param name - unique within the model; also the name of the node's output value
   * @param op - the plugin
   * @param config - validated configuration (defaults applied)
   * @param inputs - names of the values it reads, one per plugin input
   * @param params - its trainable parameters, owned by the model
   * @param rng - its own seeded generator (dropout and the like)
   * @param state - its state (moving statistics), owned by the model: saved with the parameters, never trained
   */
  constructor(
    readonly name: string,
    readonly op: AnyOpPlugin,
    readonly config: Readonly<Record<string, unknown>>,
    readonly inputs: readonly string[],
    readonly params: Readonly<Record<string, Tensor>>,
    readonly rng: Rng,
    readonly state: Readonly<Record<string, Tensor>> = NO_STATE,
  ) {}

  /** `linear_1 (linear)`: how messages name the node. */
  get label(): string {
    return `node "${this.name}" (${this.op.name})`;
  }
}
