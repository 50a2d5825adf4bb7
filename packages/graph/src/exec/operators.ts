import { map, type OperatorFunction } from 'rxjs';
import { Tensor } from '@gradstream/tensor';
import type { Model } from '../model/model.js';
import type { GraphNode } from '../model/node.js';
import { Tape, runNode, type RunOptions } from './tape.js';

/**
 * A node as an RxJS operator: each tensor (or tuple of tensors, for nodes with several inputs)
 * that arrives is run through the node, and its output is emitted. Pass a {@link Tape} to record
 * the calls for backward.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { Tape, nodeOperator, sequential } from '@gradstream/graph';
 * import { Tensor } from '@gradstream/tensor';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 }), sigmoid()], { inputShape: [1], loss: mse() });
 * const tape = new Tape();
 * of(Tensor.from([[1]]))
 *   .pipe(nodeOperator(model.nodes[0]!, { tape }), nodeOperator(model.nodes[1]!, { tape }))
 *   .subscribe((a) => console.log(a.toArray()));
 * ```
 */
export function nodeOperator(node: GraphNode, options: RunOptions = {}): OperatorFunction<Tensor | readonly Tensor[], Tensor> {
  return map((input) => runNode(node, input instanceof Tensor ? [input] : input, options));
}

/**
 * A batch for the eager face: an input and, for the loss, a target.
 *
 * @example
 * ```ts
 * import { Tensor } from '@gradstream/tensor';
 * import type { Batch } from '@gradstream/graph';
 * const b: Batch = { x: Tensor.from([[1]]), y: Tensor.from([[1]]) };
 * ```
 */
export interface Batch {
  readonly x: Tensor;
  readonly y?: Tensor;
}

/**
 * What {@link modelOperator} emits per batch: the prediction, the loss (when a target came) and
 * the tape, ready for `tape.backward(result.lossTensor)`.
 *
 * @example
 * ```ts
 * import type { ForwardResult } from '@gradstream/graph';
 * const lossOf = (r: ForwardResult) => r.loss;
 * ```
 */
export interface ForwardResult {
  readonly output: Tensor;
  readonly loss: number | undefined;
  readonly lossTensor: Tensor | undefined;
  readonly tape: Tape;
  /** Every value the pass computed, by name (`x`, `y`, node names). */
  readonly values: ReadonlyMap<string, Tensor>;
}

/**
 * A whole model as an RxJS operator: each batch is run through every node eagerly on a fresh
 * tape. It computes the same numbers as the compiled {@link Plan}, allocating as it goes.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { modelOperator, sequential } from '@gradstream/graph';
 * import { Tensor } from '@gradstream/tensor';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
 * of({ x: Tensor.from([[1]]), y: Tensor.from([[2]]) })
 *   .pipe(modelOperator(model))
 *   .subscribe((r) => console.log(r.loss, r.tape.backward(r.lossTensor!).params));
 * ```
 */
export function modelOperator(model: Model, options: Omit<RunOptions, 'tape'> = {}): OperatorFunction<Batch, ForwardResult> {
  return map((batch) => {
    const tape = new Tape();
    const values = new Map<string, Tensor>([['x', batch.x]]);
    if (batch.y !== undefined) values.set('y', batch.y);
    const run = { ...options, tape, backend: options.backend ?? model.backend };
    for (const node of model.nodes) {
      if (node === model.lossNode && batch.y === undefined) break;
      const ins = node.inputs.map((v) => values.get(v) as Tensor);
      values.set(node.name, runNode(node, ins, run));
    }
    const lossTensor = values.get(model.lossNode.name);
    return { output: values.get(model.output) as Tensor, loss: lossTensor?.data[0], lossTensor, tape, values };
  });
}
