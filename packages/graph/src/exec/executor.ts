import type { Backend, Rng, Tensor } from '@gradstream/tensor';
import type { AnyOpPlugin } from '../contract/op-plugin.js';

/**
 * What the executor needs of a node: its op, configuration, parameters and generator.
 * ({@link GraphNode} is one.)
 */
export interface NodeLike {
  readonly name: string;
  readonly label: string;
  readonly op: AnyOpPlugin;
  readonly config: unknown;
  readonly params: Readonly<Record<string, Tensor>>;
  readonly state: Readonly<Record<string, Tensor>>;
  readonly rng: Rng;
}

/**
 * Every buffer one node reads and writes, by role. Gradient buffers are absent in forward-only
 * programs; `dInputs[slot]` is absent where nobody needs that gradient.
 */
export interface NodeBuffers {
  readonly inputs: readonly Tensor[];
  readonly params: Readonly<Record<string, Tensor>>;
  /** The node's state (moving statistics): read and written by forward, never given a gradient. */
  readonly state: Readonly<Record<string, Tensor>>;
  readonly out: Tensor;
  readonly scratch: Readonly<Record<string, Tensor>>;
  readonly dy: Tensor | undefined;
  readonly dInputs: readonly (Tensor | undefined)[];
  readonly dParams: Readonly<Record<string, Tensor>> | undefined;
}

/** The contexts an op's forward and backward receive; built once, reused by every call. */
export interface NodeContexts {
  readonly forward: { training: boolean } & Record<string, unknown>;
  readonly backward: Record<string, unknown> | undefined;
}

/**
 * A node bound to its buffers: the one way anything in gradstream runs an op. Plans, the tape,
 * the gradient checker and the RxJS node face all go through it.
 */
export interface BoundNode {
  readonly node: NodeLike;
  readonly buffers: NodeBuffers;
  readonly contexts: NodeContexts;
  /** Runs the op's forward into `buffers.out`. */
  forward(training: boolean): void;
  /** Runs the op's backward from `buffers.dy` into the gradient buffers (only when they exist). */
  backward(): void;
}

/**
 * Binds a node to its buffers and a backend. The contexts are built here, once, so calling
 * `forward` and `backward` allocates nothing.
 */
export function bindNode(node: NodeLike, buffers: NodeBuffers, backend: Backend): BoundNode {
  const op = node.op;
  const inputs: Record<string, Tensor> = {};
  const saved: Record<string, Tensor> = {};
  const dInputs: Record<string, Tensor> = {};
  op.inputs.forEach((name, slot) => {
    const t = buffers.inputs[slot] as Tensor;
    inputs[name] = t;
    if (op.save.inputs?.includes(name)) saved[name] = t;
    const d = buffers.dInputs[slot];
    if (d !== undefined) dInputs[name] = d;
  });
  const forward = {
    config: node.config,
    inputs,
    params: buffers.params,
    state: buffers.state,
    out: buffers.out,
    scratch: buffers.scratch,
    backend,
    training: true,
    rng: node.rng,
  };
  const backward =
    buffers.dy === undefined || buffers.dParams === undefined
      ? undefined
      : {
          config: node.config,
          params: buffers.params,
          state: buffers.state,
          dy: buffers.dy,
          saved: { inputs: saved, output: op.save.output ? buffers.out : undefined },
          dInputs,
          dParams: buffers.dParams,
          scratch: buffers.scratch,
          backend,
        };
  const fwd = op.forward as (ctx: never) => void;
  const bwd = op.backward as (ctx: never) => void;
  return {
    node,
    buffers,
    contexts: { forward, backward },
    forward(training: boolean): void {
      forward.training = training;
      fwd(forward as never);
    },
    backward(): void {
      if (backward !== undefined) bwd(backward as never);
    },
  };
}
