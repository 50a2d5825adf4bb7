import { Tensor, sizeOf, tsBackend, type Backend, type Shape } from '@gradstream/tensor';
import type { GraphNode } from '../model/node.js';
import { inferOutputShape } from '../contract/shape-errors.js';
import { bindNode } from './executor.js';

/**
 * One recorded forward call: which node ran, on what, producing what, and the buffers backward needs.
 *
 * @example
 * ```ts
 * import type { TapeEntry } from '@gradstream/graph';
 * const show = (e: TapeEntry) => `${e.node.name} → ${e.output.shape.join('x')}`;
 * ```
 */
export interface TapeEntry {
  readonly node: GraphNode;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly scratch: Readonly<Record<string, Tensor>>;
}

/**
 * Gradients computed by {@link Tape.backward}: per tensor that took part, and per parameter id.
 *
 * @example
 * ```ts
 * import type { TapeGradients } from '@gradstream/graph';
 * const weightGrad = (g: TapeGradients) => g.params.get('linear_1.weight');
 * ```
 */
export interface TapeGradients {
  /** ∂L/∂t for every tensor on the path to the output (inputs and intermediates). */
  readonly values: ReadonlyMap<Tensor, Tensor>;
  /** ∂L/∂parameter by id (`linear_1.weight`), summed over every use of the node. */
  readonly params: ReadonlyMap<string, Tensor>;
}

/**
 * The eager recording of forward calls, for the RxJS face of nodes: each call allocates its
 * output and keeps what its op declared to save; {@link Tape.backward} walks the entries in
 * reverse. (Training uses the compiled {@link Plan} instead, which allocates nothing per step.)
 *
 * @example
 * ```ts
 * import { Tape, runNode, sequential } from '@gradstream/graph';
 * import { Tensor } from '@gradstream/tensor';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
 * const tape = new Tape();
 * const pred = runNode(model.nodes[0]!, [Tensor.from([[1]])], { tape });
 * const loss = runNode(model.lossNode, [pred, Tensor.from([[2]])], { tape });
 * const grads = tape.backward(loss);
 * ```
 */
export class Tape {
  private readonly recorded: TapeEntry[] = [];

  /** The entries in the order they ran. */
  get entries(): readonly TapeEntry[] {
    return this.recorded;
  }

  /** Appends an entry (done by {@link runNode}). */
  record(entry: TapeEntry): void {
    this.recorded.push(entry);
  }

  /**
   * Backpropagates from `output` (seeded with ones, i.e. ∂output/∂output = 1) through every entry
   * in reverse, computing each intermediate gradient once.
   */
  backward(output: Tensor, backend: Backend = tsBackend): TapeGradients {
    const values = new Map<Tensor, Tensor>();
    const params = new Map<string, Tensor>();
    const seed = Tensor.zeros(output.shape, output.dtype);
    seed.data.fill(1);
    values.set(output, seed);
    for (let i = this.recorded.length - 1; i >= 0; i--) {
      const e = this.recorded[i] as TapeEntry;
      const dy = values.get(e.output);
      if (dy === undefined) continue;
      const op = e.node.op;
      const dInputs = e.inputs.map((t, slot) =>
        (op.nonDifferentiable ?? []).includes(op.inputs[slot] as string) ? undefined : Tensor.zeros(t.shape, t.dtype),
      );
      const dParams: Record<string, Tensor> = {};
      for (const [k, p] of Object.entries(e.node.params)) dParams[k] = Tensor.zeros(p.shape, p.dtype);
      bindNode(e.node, { inputs: e.inputs, params: e.node.params, state: e.node.state, out: e.output, scratch: e.scratch, dy, dInputs, dParams }, backend).backward();
      dInputs.forEach((g, slot) => {
        if (g !== undefined) accumulate(values, e.inputs[slot] as Tensor, g, backend);
      });
      for (const [k, g] of Object.entries(dParams)) {
        const id = `${e.node.name}.${k}`;
        const prev = params.get(id);
        if (prev === undefined) params.set(id, g);
        else backend.add(prev.data, g.data, prev.data);
      }
    }
    return { values, params };
  }
}

function accumulate(map: Map<Tensor, Tensor>, key: Tensor, g: Tensor, backend: Backend): void {
  const prev = map.get(key);
  if (prev === undefined) map.set(key, g);
  else backend.add(prev.data, g.data, prev.data);
}

/**
 * Options for {@link runNode} and {@link nodeOperator}.
 *
 * @example
 * ```ts
 * import { Tape, type RunOptions } from '@gradstream/graph';
 * const opts: RunOptions = { tape: new Tape(), training: false };
 * ```
 */
export interface RunOptions {
  /** Where to record the call for backward (default: not recorded). */
  readonly tape?: Tape;
  /** Training mode (default true). */
  readonly training?: boolean;
  /** Kernels (default `tsBackend`: eager calls work on ordinary arrays). */
  readonly backend?: Backend;
}

/**
 * Runs one node eagerly on the given inputs: checks their shapes, allocates the output, runs the
 * op's forward and records it on the tape if one is given.
 *
 * @example
 * ```ts
 * import { runNode, sequential } from '@gradstream/graph';
 * import { Tensor } from '@gradstream/tensor';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 }), sigmoid()], { inputShape: [1], loss: mse() });
 * const z = runNode(model.nodes[0]!, [Tensor.from([[1]])]);
 * ```
 */
export function runNode(node: GraphNode, inputs: readonly Tensor[], options: RunOptions = {}): Tensor {
  const op = node.op;
  const dtype = inputs[0]?.dtype ?? 'float32';
  const inShapes = inputs.map((t) => t.shape);
  const outShape = inferOutputShape(node.name, op, inShapes, node.config);
  const out = Tensor.zeros(outShape, dtype);
  const scratch: Record<string, Tensor> = {};
  for (const [k, s] of Object.entries<Shape>(op.scratch?.(inShapes, node.config) ?? {})) scratch[k] = new Tensor(s, Tensor.zeros([sizeOf(s)], dtype).data);
  const backend = options.backend ?? tsBackend;
  bindNode(node, { inputs, params: node.params, state: node.state, out, scratch, dy: undefined, dInputs: [], dParams: undefined }, backend).forward(options.training ?? true);
  options.tape?.record({ node, inputs: [...inputs], output: out, scratch });
  return out;
}

/**
 * A node's local derivatives at the given inputs: its backward run with the incoming signal
 * set to ones. For an elementwise op this is the derivative itself (σ′(z) for sigmoid); for
 * others it is the vector–Jacobian product with ones.
 *
 * @example
 * ```ts
 * import { localGradients, sequential } from '@gradstream/graph';
 * import { Tensor } from '@gradstream/tensor';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 }), sigmoid()], { inputShape: [1], loss: mse() });
 * const { inputs } = localGradients(model.nodes[1]!, [Tensor.from([[0.6]], { dtype: 'float64' })]);
 * inputs[0]?.data[0]; // σ′(0.6) ≈ 0.2288
 * ```
 */
export function localGradients(
  node: GraphNode,
  inputs: readonly Tensor[],
  backend: Backend = tsBackend,
): { readonly inputs: readonly (Tensor | undefined)[]; readonly params: ReadonlyMap<string, Tensor> } {
  const tape = new Tape();
  const out = runNode(node, inputs, { tape, training: false, backend });
  const grads = tape.backward(out, backend);
  const params = new Map<string, Tensor>();
  for (const [id, g] of grads.params) params.set(id.slice(node.name.length + 1), g);
  return { inputs: inputs.map((t) => grads.values.get(t)), params };
}
