import { GradstreamError, formatShape, type Shape, type Tensor, type TypedArray } from '@gradstream/tensor';
import type { Model } from '../model/model.js';
import { INPUT, TARGET } from '../model/spec.js';
import { Program } from './program.js';

/**
 * What a plan is for: `'train'` has gradient buffers and runs backward; `'infer'` is forward-only
 * (evaluation and prediction) and allocates no gradient.
 *
 * @example
 * ```ts
 * import type { PlanKind } from '@gradstream/graph';
 * const kind: PlanKind = 'infer';
 * ```
 */
export type PlanKind = 'train' | 'infer';

/**
 * A model bound to one batch size: every activation, gradient and scratch buffer preallocated on
 * the model's backend. Fill {@link Plan.x} and {@link Plan.y} (or call {@link Plan.setBatch}), then
 * `forward()` and `backward()`; neither allocates. Backward walks the nodes in reverse and computes
 * each intermediate gradient once, summing contributions where a value feeds several nodes.
 *
 * The passes run as generated code: each node's kernel calls are recorded once and written out
 * with their sizes and buffers as constants (see {@link Plan.recordedNodes}); where code
 * generation is not allowed, or while profiling, the nodes are called one by one.
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
  readonly kind: PlanKind;
  /** The input batch buffer, `[batchSize, ...inputShape]`. */
  readonly x: Tensor;
  /** The target batch buffer, `[batchSize, ...outputShape]`. */
  readonly y: Tensor;
  /** Every value by name: `x`, `y` and each node's output. */
  readonly values: ReadonlyMap<string, Tensor>;
  /** ∂L/∂value for each node output (the gradient signal arriving at that node); empty for `'infer'` plans. */
  readonly grads: ReadonlyMap<string, Tensor>;
  /** ∂L/∂parameter by parameter id (`linear_1.weight`); empty for `'infer'` plans. */
  readonly paramGrads: ReadonlyMap<string, Tensor>;
  private readonly program: Program;
  private readonly lossData: TypedArray;

  /** @internal Use {@link Model.compile} or {@link Model.plan}. */
  constructor(model: Model, batchSize: number, kind: PlanKind) {
    this.model = model;
    this.batchSize = batchSize;
    this.kind = kind;
    const externals = new Map<string, Shape>([
      [INPUT, [batchSize, ...model.inputShape]],
      [TARGET, [batchSize, ...model.outputShape]],
    ]);
    this.program = new Program({
      nodes: model.nodes,
      externals,
      externalGrads: new Set(),
      output: model.lossNode.name,
      gradients: kind === 'train',
      dtype: model.dtype,
      backend: model.backend,
      name: `plan-${kind}-${batchSize}`,
      prefix: model.nodes.length - 1,
    });
    const p = this.program;
    this.x = p.values.get(INPUT) as Tensor;
    this.y = p.values.get(TARGET) as Tensor;
    this.values = p.values;
    this.grads = p.grads;
    this.paramGrads = p.paramGrads;
    this.lossData = (p.values.get(model.lossNode.name) as Tensor).data;
    // The loss node's incoming signal is ∂L/∂L = 1.
    const seed = p.grads.get(model.lossNode.name);
    if (seed !== undefined) model.backend.fill(seed.data, 1);
  }

  /** The loss computed by the last forward pass. */
  get loss(): number {
    return this.lossData[0] as number;
  }

  /** Bytes of every buffer the plan allocated. */
  get bytes(): number {
    return this.program.bytes;
  }

  /**
   * @internal Frees the plan's buffers now, for the model's plan cache dropping a plan it never
   * handed out; the plan must not run again.
   *
   * @example
   * ```ts
   * // in PlanCache, dropping a plan only `predict` used: if (!lent.has(dropped)) dropped.free();
   * ```
   */
  free(): void {
    this.program.free();
  }

  /** Nodes the generated passes run from their recorded kernel calls; the others are called as they are. */
  get recordedNodes(): readonly string[] {
    return this.program.recordedNodes;
  }

  /**
   * Copies an input batch (and optionally a target batch) into the plan's buffers, checking the
   * shapes and that every value is finite. Errors name the node that reads the value.
   */
  setBatch(x: Tensor, y?: Tensor): void {
    this.setInput(x);
    if (y !== undefined) {
      this.checkIncoming(TARGET, y, this.y.shape);
      this.write(y.data, this.y.data);
    }
  }

  /** Copies an input batch into {@link Plan.x}; see {@link Plan.setBatch}. */
  setInput(x: Tensor): void {
    this.checkIncoming(INPUT, x, this.x.shape);
    this.write(x.data, this.x.data);
  }

  /** Host values into one of the plan's buffers: copied by the backend, or sent up to its device. */
  private write(from: TypedArray, to: TypedArray): void {
    const sync = this.model.backend.sync;
    if (sync === undefined) this.model.backend.copy(from, to);
    else {
      to.set(from);
      sync.upload([to]);
    }
  }

  /**
   * Runs every node forward and returns the loss.
   *
   * @param training - false for evaluation (dropout off)
   */
  forward(training = true): number {
    this.program.forward(training);
    return this.loss;
  }

  /**
   * One training pass without a result: forward in training mode, then backward; the loss is
   * then {@link Plan.loss}. A training loop that is not inlined into its caller calls this
   * instead of `forward()` and `backward()`: a returned number would be boxed on every step.
   *
   * @example
   * ```ts
   * // plan.x.data.set(batchX); plan.y.data.set(batchY);
   * // plan.computeGradients();
   * // console.log(plan.loss, plan.paramGrads.get('linear_1.weight'));
   * ```
   */
  computeGradients(): void {
    this.program.forward(true);
    this.backward();
  }

  /** Runs every node but the loss, in evaluation mode: the prediction, without needing a target. */
  predict(): void {
    this.program.forwardPrefix(false);
  }

  /** Runs every node backward, from the loss to the input, filling {@link Plan.grads} and {@link Plan.paramGrads}. */
  backward(): void {
    if (this.kind !== 'train') {
      throw new GradstreamError('INVALID_OPTION', `plan-${this.kind}-${this.batchSize}: a forward-only plan has no backward; compile it with kind 'train'`, {
        kind: this.kind,
      });
    }
    this.program.backward();
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
    this.program.enableProfiling();
  }

  /** Time spent per node since profiling was enabled, in milliseconds (empty when it is off). */
  profile(): Record<string, { readonly forwardMs: number; readonly backwardMs: number }> {
    return this.program.profile();
  }

  private checkIncoming(value: string, t: Tensor, expected: Shape): void {
    const reader = this.model.nodes.find((n) => n.inputs.includes(value));
    const where = reader ? `${reader.label}, input ${reader.op.inputs[reader.inputs.indexOf(value)]} (${value})` : value;
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      throw new GradstreamError('SHAPE_MISMATCH', `${where}: expected shape ${formatShape(expected)}, got ${formatShape(t.shape)}`, {
        node: reader?.name,
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
        { node: reader?.name, value, row: Math.floor(bad / cols), column: bad % cols },
      );
    }
  }
}
