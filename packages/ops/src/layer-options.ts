/**
 * Fields every layer helper accepts besides the op's configuration: a node name (default
 * `op_N`) and the values it reads (default: the previous layer's output).
 *
 * @example
 * ```ts
 * import { sigmoid } from '@gradstream/ops';
 * sigmoid({ name: 'hidden_act' });
 * ```
 */
export interface LayerOptions {
  readonly name?: string;
  readonly inputs?: readonly string[];
}
