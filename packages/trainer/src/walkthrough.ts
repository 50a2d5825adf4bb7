import { lastValueFrom, tap, toArray } from 'rxjs';
import { INPUT, TARGET, localGradients, type Model } from '@gradstream/graph';
import { GradstreamError, Tensor } from '@gradstream/tensor';
import type { BatchEvent, ParamsEvent, TensorSnapshot } from './events.js';
import { fit } from './fit.js';
import type { Optimizer } from './optimizers/optimizer.js';
import { sgd } from './optimizers/sgd.js';
import { snapshotTensor } from './snapshot.js';

/**
 * What one node did in the step: its output, its local derivative with respect to each input,
 * and the gradient signal ∂L/∂output that reached it on the way back.
 *
 * @example
 * ```ts
 * import type { WalkthroughNode } from '@gradstream/trainer';
 * const first = (n: WalkthroughNode) => `${n.name} = ${n.value.values[0]}, ∂L/∂${n.name} = ${n.signal.values[0]}`;
 * ```
 */
export interface WalkthroughNode {
  readonly name: string;
  readonly op: string;
  /** The values it reads (`x`, `y` or node names), one per op input. */
  readonly inputs: readonly string[];
  /** The op's names for those inputs (`x`, `a`/`b`, `pred`/`target`). */
  readonly inputNames: readonly string[];
  /** Its output for the sample (batch axis first). */
  readonly value: TensorSnapshot;
  /**
   * Its local derivative with respect to each input, from `localGradients`: ∂output/∂input for an
   * elementwise op, the vector–Jacobian product with ones otherwise; `undefined` for an input that
   * takes no gradient (a loss's target).
   */
  readonly local: readonly (TensorSnapshot | undefined)[];
  /** ∂L/∂output: the gradient signal arriving from the nodes after it. */
  readonly signal: TensorSnapshot;
}

/**
 * One parameter across the step: its value before, its gradient, its value after the update.
 *
 * @example
 * ```ts
 * import type { WalkthroughParam } from '@gradstream/trainer';
 * const moved = (p: WalkthroughParam) => p.after.map((v, i) => v - p.before[i]!);
 * ```
 */
export interface WalkthroughParam {
  /** `node.param`, e.g. `linear_1.weight`. */
  readonly id: string;
  readonly shape: readonly number[];
  readonly before: readonly number[];
  readonly gradient: readonly number[];
  readonly after: readonly number[];
}

/**
 * One training step on one sample, every figure of it: the forward values, each node's local
 * derivative, the gradient signal flowing back, and every parameter's update.
 *
 * @example
 * ```ts
 * import type { Walkthrough } from '@gradstream/trainer';
 * const lossOf = (w: Walkthrough) => w.loss;
 * ```
 */
export interface Walkthrough {
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly loss: number;
  /** The optimizer's settings, as it reports them (`{ name: 'sgd', lr: 0.1 }`). */
  readonly optimizer: Readonly<Record<string, unknown>>;
  /** Nodes in evaluation order, the loss node last. */
  readonly nodes: readonly WalkthroughNode[];
  /** Parameters in the model's order. */
  readonly params: readonly WalkthroughParam[];
}

/**
 * Runs one training step of a model on one sample through `fit` and reads every figure off its
 * event stream: the `batch` event's trace (each node's output and gradient signal) and gradients,
 * each node's local derivative computed with `localGradients` while that event is handled
 * (before the update), and the `params` event after the update. The model's parameters are
 * updated, as by any training step.
 *
 * @param sample - one input row (as wide as the model's input) and its target row
 * @param optimizer - the update rule (default `sgd({ lr: 0.1 })`)
 * @example
 * ```ts
 * import { walkthrough } from '@gradstream/trainer';
 * import { fromSpec } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = fromSpec({ version: 1, inputShape: [1], layers: [{ op: 'linear', inFeatures: 1, outFeatures: 1 }, { op: 'sigmoid' }], loss: { op: 'mse' } });
 * const step = await walkthrough(model, { x: [1], y: [1] });
 * step.nodes.map((n) => n.name); // ['linear_1', 'sigmoid_1', 'mse_1']
 * ```
 */
export async function walkthrough(
  model: Model,
  sample: { readonly x: readonly number[]; readonly y: readonly number[] },
  optimizer: Optimizer = sgd({ lr: 0.1 }),
): Promise<Walkthrough> {
  const before = new Map(model.parameters().map((p) => [p.id, Array.from(p.value.data)]));
  let local: ReadonlyMap<string, readonly (TensorSnapshot | undefined)[]> | undefined;
  const events = await lastValueFrom(
    fit(model, { x: [sample.x], y: [sample.y] }, { epochs: 1, batchSize: 1, optimizer, shuffle: false, trace: true, gradients: true, params: 1, metrics: [] }).pipe(
      // While the batch event is handled the update has not been applied yet: the local derivatives
      // are taken at the parameters the forward pass used.
      tap((e) => {
        if (e.type === 'batch' && local === undefined) local = localDerivatives(model, e, sample);
      }),
      toArray(),
    ),
  );
  const batch = events.find((e): e is BatchEvent => e.type === 'batch');
  const after = events.find((e): e is ParamsEvent => e.type === 'params');
  if (batch?.trace === undefined || after === undefined || local === undefined) {
    throw new GradstreamError('INVALID_MODEL', 'walkthrough: the training step emitted no trace or parameters', {});
  }
  const nodes = batch.trace.map((t): WalkthroughNode => {
    const node = model.node(t.node);
    return {
      name: t.node,
      op: t.op,
      inputs: [...node.inputs],
      inputNames: [...node.op.inputs],
      value: t.output,
      local: local?.get(t.node) ?? [],
      signal: t.signal,
    };
  });
  const params = model.parameters().map(
    (p): WalkthroughParam => ({
      id: p.id,
      shape: [...p.value.shape],
      before: before.get(p.id) ?? [],
      gradient: batch.gradients?.[p.id]?.values ?? [],
      after: after.params[p.id]?.values ?? [],
    }),
  );
  const lossTrace = nodes[nodes.length - 1];
  return {
    x: [...sample.x],
    y: [...sample.y],
    loss: (lossTrace?.value.values[0] as number) ?? Number.NaN,
    optimizer: optimizer.config(),
    nodes,
    params,
  };
}

function localDerivatives(
  model: Model,
  batch: BatchEvent,
  sample: { readonly x: readonly number[]; readonly y: readonly number[] },
): Map<string, readonly (TensorSnapshot | undefined)[]> {
  const values = new Map<string, Tensor>();
  const tensor = (shape: readonly number[], v: readonly number[]): Tensor => Tensor.from(v, { shape: [...shape], dtype: model.dtype });
  values.set(INPUT, tensor([1, ...model.inputShape], sample.x));
  values.set(TARGET, tensor([1, ...model.outputShape], sample.y));
  for (const t of batch.trace ?? []) values.set(t.node, tensor(t.output.shape, t.output.values));
  const out = new Map<string, readonly (TensorSnapshot | undefined)[]>();
  for (const node of model.nodes) {
    // A fresh tensor per input, so a value read twice (add(x, x)) keeps one derivative per slot.
    const inputs = node.inputs.map((v) => {
      const t = values.get(v) as Tensor;
      return tensor(t.shape, Array.from(t.data));
    });
    const { inputs: grads } = localGradients(node, inputs, model.backend);
    out.set(
      node.name,
      grads.map((g) => (g === undefined ? undefined : snapshotTensor(g))),
    );
  }
  return out;
}
