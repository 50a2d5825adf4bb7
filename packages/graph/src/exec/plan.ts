import { GradstreamError, Tensor, cpuBackend, formatShape, type Shape } from '@gradstream/tensor';
import type { Model } from '../model/model.js';
import { INPUT, TARGET } from '../model/spec.js';
import type { GraphNode } from '../model/node.js';
import { inferOutputShape } from '../contract/shape-errors.js';
import { unrollPasses, type UnrolledPasses } from './unroll.js';
import type { NodeTensors } from './node-source.js';
import type { OpPlugin } from '../contract/op-plugin.js';

/* Contexts are built once per plan and reused by every step, so a step allocates nothing.
   Their types are the public ForwardContext/BackwardContext; only `training` changes. */
interface MutableForwardContext {
  config: unknown;
  inputs: Record<string, Tensor>;
  params: Readonly<Record<string, Tensor>>;
  out: Tensor;
  scratch: Record<string, Tensor>;
  backend: unknown;
  training: boolean;
  rng: unknown;
}

interface Step {
  readonly node: GraphNode;
  /* The op's functions, read once: the hot loops then load them from objects of one shape. */
  readonly forward: (ctx: never) => void;
  readonly backward: (ctx: never) => void;
  readonly fctx: MutableForwardContext;
  readonly bctx: object;
  readonly tensors: NodeTensors;
  /** For values read by several nodes: [private gradient buffer, shared gradient buffer] pairs to add after backward. */
  readonly accumulate: ReadonlyArray<readonly [Tensor, Tensor]>;
}

/**
 * A model bound to one batch size: every activation, gradient and scratch buffer preallocated.
 * Fill {@link Plan.x} and {@link Plan.y} (or call {@link Plan.setBatch}), then `forward()` and
 * `backward()`; neither allocates. Backward walks the nodes in reverse and computes each
 * intermediate gradient once, summing contributions where a value feeds several nodes.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
 * const plan = model.compile(1);
 * plan.x.data[0] = 1; plan.y.data[0] = 2;
 * const loss = plan.forward();
 * plan.backward();
 * plan.paramGrads.get('linear_1.weight'); // ∂L/∂W
 * ```
 */
export class Plan {
  readonly model: Model;
  readonly batchSize: number;
  /** The input batch buffer, `[batchSize, ...inputShape]`. */
  readonly x: Tensor;
  /** The target batch buffer, `[batchSize, ...outputShape]`. */
  readonly y: Tensor;
  /** Every value by name: `x`, `y` and each node's output. */
  readonly values: ReadonlyMap<string, Tensor>;
  /** ∂L/∂value for each node output (the gradient signal arriving at that node). */
  readonly grads: ReadonlyMap<string, Tensor>;
  /** ∂L/∂parameter by parameter id (`linear_1.weight`). */
  readonly paramGrads: ReadonlyMap<string, Tensor>;
  /**
   * Nodes whose op source ({@link OpPlugin.emit}) is inlined into the generated passes; the
   * others are called. Profiling calls every node instead, to time each one.
   */
  readonly inlinedNodes: readonly string[];
  private readonly steps: readonly Step[];
  private readonly multiConsumer: readonly Tensor[];
  /** Milliseconds per node, forward at 2i and backward at 2i+1, when profiling is on. */
  private timings: Float64Array | undefined;
  /** The loss node's output buffer. */
  private readonly lossData: Float32Array | Float64Array;
  /** The passes as straight-line code (undefined where code generation is not allowed). */
  private readonly unrolled: UnrolledPasses | undefined;

  /** @internal Use {@link Model.compile}. */
  constructor(model: Model, batchSize: number) {
    this.model = model;
    this.batchSize = batchSize;
    const dtype = model.dtype;
    const values = new Map<string, Tensor>();
    const shapes = new Map<string, Shape>();
    const x = Tensor.zeros([batchSize, ...model.inputShape], dtype);
    const y = Tensor.zeros([batchSize, ...model.outputShape], dtype);
    values.set(INPUT, x).set(TARGET, y);
    shapes.set(INPUT, x.shape).set(TARGET, y.shape);

    const nodes = model.nodes;
    const nodeScratch = new Map<string, Record<string, Tensor>>();
    for (const node of nodes) {
      const inShapes = node.inputs.map((v) => shapes.get(v) as Shape);
      const outShape = inferOutputShape(node.name, node.op, inShapes, node.config);
      shapes.set(node.name, outShape);
      values.set(node.name, Tensor.zeros(outShape, dtype));
      const scratch: Record<string, Tensor> = {};
      for (const [k, s] of Object.entries(node.op.scratch?.(inShapes, node.config) ?? {})) scratch[k] = Tensor.zeros(s, dtype);
      nodeScratch.set(node.name, scratch);
    }

    // Which (node, input slot) pairs read each value, to know where gradients must be summed.
    const consumers = new Map<string, number>();
    for (const node of nodes) {
      node.inputs.forEach((v, slot) => {
        if (this.needsGrad(v, node, slot)) consumers.set(v, (consumers.get(v) ?? 0) + 1);
      });
    }
    const grads = new Map<string, Tensor>();
    for (const node of nodes) grads.set(node.name, Tensor.zeros(shapes.get(node.name) as Shape, dtype));
    // The loss node's incoming signal is ∂L/∂L = 1.
    (grads.get(model.lossNode.name) as Tensor).data.fill(1);

    const paramGrads = new Map<string, Tensor>();
    const steps: Step[] = [];
    const multi: Tensor[] = [];
    for (const [v, n] of consumers) if (n > 1) multi.push(grads.get(v) as Tensor);
    for (const node of nodes) {
      const inputs: Record<string, Tensor> = {};
      const saved: Record<string, Tensor> = {};
      const dInputs: Record<string, Tensor> = {};
      const accumulate: (readonly [Tensor, Tensor])[] = [];
      node.op.inputs.forEach((inName, slot) => {
        const v = node.inputs[slot] as string;
        inputs[inName] = values.get(v) as Tensor;
        if (node.op.save.inputs?.includes(inName)) saved[inName] = values.get(v) as Tensor;
        if (!this.needsGrad(v, node, slot)) return;
        const shared = grads.get(v) as Tensor;
        if (consumers.get(v) === 1) {
          dInputs[inName] = shared;
        } else {
          const own = Tensor.zeros(shared.shape, dtype);
          dInputs[inName] = own;
          accumulate.push([own, shared]);
        }
      });
      const dParams: Record<string, Tensor> = {};
      for (const [pname, p] of Object.entries(node.params)) {
        const g = Tensor.zeros(p.shape, dtype);
        dParams[pname] = g;
        paramGrads.set(`${node.name}.${pname}`, g);
      }
      const out = values.get(node.name) as Tensor;
      const scratch = nodeScratch.get(node.name) as Record<string, Tensor>;
      const fctx: MutableForwardContext = {
        config: node.config,
        inputs,
        params: node.params,
        out,
        scratch,
        backend: model.backend,
        training: true,
        rng: node.rng,
      };
      const bctx = {
        config: node.config,
        params: node.params,
        dy: grads.get(node.name) as Tensor,
        saved: { inputs: saved, output: node.op.save.output ? out : undefined },
        dInputs,
        dParams,
        scratch,
        backend: model.backend,
      };
      const tensors: NodeTensors = { inputs, params: node.params, out, scratch, dy: bctx.dy, dInputs, dParams };
      steps.push({ node, forward: node.op.forward as (ctx: never) => void, backward: node.op.backward as (ctx: never) => void, fctx, bctx, tensors, accumulate });
    }
    this.x = x;
    this.y = y;
    this.values = values;
    this.grads = grads;
    this.paramGrads = paramGrads;
    this.steps = steps;
    this.multiConsumer = multi;
    this.unrolled = unrollPasses(steps, multi, model.backend, model.backend === cpuBackend);
    this.inlinedNodes = Object.freeze((this.unrolled?.inlined ?? []).map((i) => (steps[i] as Step).node.name));
    this.lossData = (values.get(model.lossNode.name) as Tensor).data;
  }

  /** The loss computed by the last forward pass. */
  get loss(): number {
    return this.lossData[0] as number;
  }

  /**
   * Copies an input batch (and optionally a target batch) into the plan's buffers, checking the
   * shapes and that every value is finite. Errors name the node that reads the value.
   */
  setBatch(x: Tensor, y?: Tensor): void {
    this.setInput(x);
    if (y !== undefined) {
      this.checkIncoming(TARGET, y, this.y.shape);
      this.y.data.set(y.data);
    }
  }

  /** Copies an input batch into {@link Plan.x}; see {@link Plan.setBatch}. */
  setInput(x: Tensor): void {
    this.checkIncoming(INPUT, x, this.x.shape);
    this.x.data.set(x.data);
  }

  /**
   * Runs every node forward and returns the loss.
   *
   * @param training - false for evaluation (dropout off)
   */
  forward(training = true): number {
    const timings = this.timings;
    if (timings === undefined && this.unrolled !== undefined) {
      this.unrolled.forward(training);
      return this.loss;
    }
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i] as Step;
      s.fctx.training = training;
      if (timings === undefined) {
        s.forward(s.fctx as never);
      } else {
        const t0 = performance.now();
        s.forward(s.fctx as never);
        timings[2 * i] = (timings[2 * i] as number) + performance.now() - t0;
      }
    }
    return this.loss;
  }

  /**
   * Starts timing every node's forward and backward (a `performance.now()` pair per call).
   *
   * @example
   * ```ts
   * // plan.enableProfiling(); …steps…; plan.profile(); // { linear_1: { forwardMs, backwardMs }, … }
   * ```
   */
  enableProfiling(): void {
    this.timings ??= new Float64Array(2 * this.steps.length);
  }

  /** Time spent per node since profiling was enabled, in milliseconds (empty when it is off). */
  profile(): Record<string, { readonly forwardMs: number; readonly backwardMs: number }> {
    const out: Record<string, { forwardMs: number; backwardMs: number }> = {};
    const t = this.timings;
    if (t === undefined) return out;
    this.steps.forEach((s, i) => {
      out[s.node.name] = { forwardMs: t[2 * i] as number, backwardMs: t[2 * i + 1] as number };
    });
    return out;
  }

  /** Runs every node backward, from the loss to the input, filling {@link Plan.grads} and {@link Plan.paramGrads}. */
  backward(): void {
    if (this.timings === undefined && this.unrolled !== undefined) {
      this.unrolled.backward();
      return;
    }
    for (let i = 0; i < this.multiConsumer.length; i++) (this.multiConsumer[i] as Tensor).data.fill(0);
    const steps = this.steps;
    const add = this.model.backend.add;
    const timings = this.timings;
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i] as Step;
      if (timings === undefined) {
        s.backward(s.bctx as never);
      } else {
        const t0 = performance.now();
        s.backward(s.bctx as never);
        timings[2 * i + 1] = (timings[2 * i + 1] as number) + performance.now() - t0;
      }
      for (let j = 0; j < s.accumulate.length; j++) {
        const pair = s.accumulate[j] as readonly [Tensor, Tensor];
        add(pair[1].data, pair[0].data, pair[1].data);
      }
    }
  }

  private needsGrad(value: string, node: GraphNode, slot: number): boolean {
    if (value === INPUT || value === TARGET) return false;
    const inName = node.op.inputs[slot] as string;
    return !(node.op.nonDifferentiable ?? []).includes(inName);
  }

  private checkIncoming(value: string, t: Tensor, expected: Shape): void {
    const reader = this.steps.find((s) => s.node.inputs.includes(value));
    const where = reader ? `${reader.node.label}, input ${reader.node.op.inputs[reader.node.inputs.indexOf(value)]} (${value})` : value;
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      throw new GradstreamError('SHAPE_MISMATCH', `${where}: expected shape ${formatShape(expected)}, got ${formatShape(t.shape)}`, {
        node: reader?.node.name,
        value,
        expected: [...expected],
        actual: [...t.shape],
      });
    }
    const bad = this.model.backend.firstNonFinite(t.data);
    if (bad >= 0) {
      const cols = t.size / (t.shape[0] || 1);
      throw new GradstreamError(
        'NON_FINITE_INPUT',
        `${where}: value at row ${Math.floor(bad / cols)}, column ${bad % cols} is ${t.data[bad]}; inputs must be finite`,
        { node: reader?.node.name, value, row: Math.floor(bad / cols), column: bad % cols },
      );
    }
  }
}
