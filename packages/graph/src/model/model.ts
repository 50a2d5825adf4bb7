import { GradstreamError, Tensor, type Backend, type DType, type Shape, type TypedArray } from '@gradstream/tensor';
import type { RegisteredPlugin, Registry } from '../contract/registry.js';
import { Plan, type PlanKind } from '../exec/plan.js';
import { PlanCache } from '../exec/plan-cache.js';
import { checkPlanMemory, checkTrainingMemory, estimateMemory } from '../exec/plan-memory.js';
import { formatBytes, resolveMemoryLimit, type MemoryEstimate } from './memory.js';
import type { GraphNode } from './node.js';
import type { ModelSpec } from './spec.js';

/**
 * A trainable parameter of a model, addressed as `node.param` (e.g. `linear_1.weight`); or, from
 * {@link Model.state}, a tensor of its state (`batchNorm_1.movingMean`), addressed the same way.
 *
 * @example
 * ```ts
 * import type { ParamRef } from '@gradstream/graph';
 * const describe = (p: ParamRef) => `${p.id} ${p.value.shape.join('x')}`;
 * ```
 */
export interface ParamRef {
  /** `node.param`, unique in the model. */
  readonly id: string;
  readonly node: string;
  readonly name: string;
  /** The live tensor (a parameter updated in place by optimizers; state by forward), in the model backend's memory. */
  readonly value: Tensor;
}

/**
 * A layer as the spec declares it: an op or a composite, its validated configuration, the values
 * it reads, and the nodes it became (one for an op, the parts for a composite).
 *
 * @example
 * ```ts
 * import type { ModelLayer } from '@gradstream/graph';
 * const partsOf = (l: ModelLayer) => l.nodes.map((n) => n.name);
 * ```
 */
export interface ModelLayer {
  readonly name: string;
  readonly plugin: RegisteredPlugin;
  readonly config: Readonly<Record<string, unknown>>;
  readonly inputs: readonly string[];
  readonly nodes: readonly GraphNode[];
}

/**
 * Options of {@link Model.compile}.
 *
 * @example
 * ```ts
 * import type { CompileOptions } from '@gradstream/graph';
 * const o: CompileOptions = { kind: 'infer' };
 * ```
 */
export interface CompileOptions {
  /** `'train'` (forward and backward, the default) or `'infer'` (forward only, no gradient buffers). */
  readonly kind?: PlanKind;
  /**
   * Bytes the plan's buffers and the model's parameters may take together (default: the model's
   * {@link Model.memoryLimit}); beyond it, or beyond what one typed array holds, `compile` throws
   * `TOO_LARGE` before allocating anything.
   */
  readonly memoryLimit?: number;
}

/**
 * Options of {@link Model.memory}.
 *
 * @example
 * ```ts
 * import type { MemoryOptions } from '@gradstream/graph';
 * const withAdam: MemoryOptions = { optimizerSlots: 2 };
 * ```
 */
export interface MemoryOptions {
  /** The plan to size: `'train'` (the default) or `'infer'`. */
  readonly kind?: PlanKind;
  /** Buffers the optimizer keeps per parameter: 0 for SGD (the default), 1 for momentum, 2 for Adam and AdamW. */
  readonly optimizerSlots?: number;
}

/** Gives a collected model's buffers back to its backend. */
const reclaimModel = new FinalizationRegistry<{ backend: Backend; buffers: TypedArray[] }>(({ backend, buffers }) => backend.free(buffers));

/**
 * A network: op nodes in topological order, reading the input `x`, ending in a loss node that
 * compares the prediction with the target `y`. Build one with {@link sequential} or {@link buildModel}.
 * Parameters live here, in the memory of the model's backend; plans bind the model to a batch size
 * with preallocated buffers.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 4 }), sigmoid(), linear({ inFeatures: 4, outFeatures: 1 })], {
 *   inputShape: [2],
 *   loss: mse(),
 * });
 * model.predict([[0, 1]]).toArray(); // [[…]]
 * ```
 */
export class Model {
  /** The normalised spec the model was built from (layer names and inputs filled in). */
  readonly spec: ModelSpec;
  /** The layers as declared, composites included. */
  readonly layers: readonly ModelLayer[];
  /** Nodes in evaluation order, composites expanded into their parts, the loss node last. */
  readonly nodes: readonly GraphNode[];
  /** The loss node. */
  readonly lossNode: GraphNode;
  /** Name of the node whose value is the prediction. */
  readonly output: string;
  /** Per-sample shape of the input (no batch axis). */
  readonly inputShape: Shape;
  /** Per-sample shape of the prediction and the target. */
  readonly outputShape: Shape;
  readonly dtype: DType;
  readonly registry: Registry;
  /** The kernels every step of this model runs on (see {@link BuildOptions.backend}). */
  readonly backend: Backend;
  /**
   * Bytes the parameters and one plan may take together: {@link BuildOptions.memoryLimit}, else
   * {@link defaultMemoryLimit}. Plans beyond it are refused with `TOO_LARGE` before they allocate.
   */
  readonly memoryLimit: number;
  private readonly paramRefs: readonly ParamRef[];
  private readonly stateRefs: readonly ParamRef[];
  private readonly plans: PlanCache;
  /** What {@link Model.requireMemory} found to fit, by batch size and optimizer slots. */
  private readonly trainingMemory = new Map<string, MemoryEstimate>();
  /** The parameters' and the state's buffers, given back by {@link Model.release} or when the model is collected. */
  private readonly ownBuffers: TypedArray[];
  private released = false;

  /** @internal Use {@link buildModel} or {@link sequential}. */
  constructor(
    spec: ModelSpec,
    layers: readonly ModelLayer[],
    nodes: readonly GraphNode[],
    output: string,
    outputShape: Shape,
    registry: Registry,
    backend: Backend,
    planCacheSize: number,
    memoryLimit: number,
  ) {
    this.spec = spec;
    this.layers = layers;
    this.nodes = nodes;
    this.lossNode = nodes[nodes.length - 1] as GraphNode;
    this.output = output;
    this.inputShape = spec.inputShape;
    this.outputShape = outputShape;
    this.dtype = spec.dtype ?? 'float32';
    this.registry = registry;
    this.backend = backend;
    this.plans = new PlanCache(planCacheSize);
    this.memoryLimit = memoryLimit;
    const refs = (of: (n: GraphNode) => Readonly<Record<string, Tensor>>): readonly ParamRef[] =>
      Object.freeze(nodes.flatMap((n) => Object.entries(of(n)).map(([name, value]) => Object.freeze({ id: `${n.name}.${name}`, node: n.name, name, value }))));
    this.paramRefs = refs((n) => n.params);
    this.stateRefs = refs((n) => n.state);
    this.ownBuffers = [...this.paramRefs, ...this.stateRefs].map((r) => r.value.data);
    // A device backend (a GPU's memory, which the collector does not see) gets the buffers back
    // when the model is collected: nobody has to call release to keep memory flat. Only there:
    // the host copies a caller may still hold stay valid when their device buffers go.
    if (backend.sync !== undefined) reclaimModel.register(this, { backend, buffers: this.ownBuffers }, this);
  }

  /**
   * Gives every buffer of the model back to its backend now — its plans', its parameters' and
   * its state's — instead of when the model is garbage-collected (which does the same). The
   * model must not be used afterwards.
   *
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
   * model.release();
   * ```
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.plans.clear();
    reclaimModel.unregister(this);
    this.backend.free(this.ownBuffers);
  }

  /**
   * Every trainable parameter, in node order then declaration order (a stable order for optimizers
   * and checkpoints). State, which is not trained, is in {@link Model.state}.
   */
  parameters(): readonly ParamRef[] {
    return this.paramRefs;
  }

  /**
   * The tensors ops keep but do not train (batch normalization's moving mean and variance), in
   * node order then declaration order. Checkpoints and ONNX exports save them after the
   * parameters; optimizers, gradients and gradient norms leave them out.
   *
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { batchNorm, linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 2, outFeatures: 3 }), batchNorm()], { inputShape: [2], loss: mse() });
   * model.state().map((s) => s.id); // ['batchNorm_1.movingMean', 'batchNorm_1.movingVariance']
   * ```
   */
  state(): readonly ParamRef[] {
    return this.stateRefs;
  }

  /** The node of that name; an unknown name is an `INVALID_MODEL` error listing the nodes. */
  node(name: string): GraphNode {
    const n = this.nodes.find((v) => v.name === name);
    if (n === undefined) {
      throw new GradstreamError('INVALID_MODEL', `no node "${name}"; nodes: ${this.nodes.map((v) => v.name).join(', ')}`, { node: name });
    }
    return n;
  }

  /**
   * A new plan for a batch size, owned by the caller: its buffers are allocated once and reused by
   * every step run through it. Training, evaluation and prediction inside gradstream share plans
   * through {@link Model.plan} instead; `compile` is for driving a plan by hand.
   *
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
   * const plan = model.compile(32);
   * plan.x.data.fill(1); plan.y.data.fill(2);
   * const loss = plan.forward(); plan.backward();
   * ```
   */
  compile(batchSize: number, options: CompileOptions = {}): Plan {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new GradstreamError('INVALID_OPTION', `compile: batch size must be a positive integer, got ${batchSize}`, { batchSize });
    }
    const kind = options.kind ?? 'train';
    const limit = options.memoryLimit === undefined ? this.memoryLimit : resolveMemoryLimit(options.memoryLimit, 'compile: memoryLimit');
    // Sized from shapes first: a plan too large is refused before the first of its buffers exists.
    checkPlanMemory(this, batchSize, kind, limit);
    return new Plan(this, batchSize, kind);
  }

  /**
   * What the model takes in memory at a batch size, in bytes, from shapes alone (nothing is
   * allocated): its parameters, one plan (`plan.bytes` once compiled), and optimizer state if
   * asked. `total` is what training at that batch size needs.
   *
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
   * model.memory(32, { optimizerSlots: 2 }); // { parameters: 12, plan: 660, optimizer: 24, total: 696 }
   * ```
   */
  memory(batchSize: number, options: MemoryOptions = {}): MemoryEstimate {
    const slots = options.optimizerSlots ?? 0;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new GradstreamError('INVALID_OPTION', `memory: batch size must be a positive integer, got ${batchSize}`, { batchSize });
    }
    if (!Number.isInteger(slots) || slots < 0) {
      throw new GradstreamError('INVALID_OPTION', `memory: optimizerSlots must be a non-negative integer, got ${slots}`, { option: 'optimizerSlots' });
    }
    return estimateMemory(this, batchSize, options.kind ?? 'train', slots);
  }

  /**
   * Refuses training at a batch size that would not fit: when the parameters, one training plan
   * and `optimizerSlots` buffers per parameter (the optimizer's state) together exceed
   * {@link Model.memoryLimit}, a `TOO_LARGE` error names the layer needing the most and the bytes
   * against the limit, before anything is allocated. `fit` calls it when a run starts.
   *
   * @param optimizerSlots - names of the optimizer's per-parameter buffers (`['m', 'v']` for Adam; none for SGD)
   * @returns what training at that batch size takes, as {@link Model.memory} gives it
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), memoryLimit: 600 });
   * model.requireMemory(32, ['m', 'v']); // TOO_LARGE: training at batch size 32 needs 696 B …, beyond the memory limit of 600 B
   * ```
   */
  requireMemory(batchSize: number, optimizerSlots: readonly string[] = []): MemoryEstimate {
    // Shapes and the limit never change: a question answered once is answered (every fit asks it).
    const key = `${batchSize} ${optimizerSlots.join(' ')}`;
    const known = this.trainingMemory.get(key);
    if (known !== undefined) return known;
    const estimate = this.memory(batchSize, { optimizerSlots: optimizerSlots.length });
    checkTrainingMemory(this, batchSize, optimizerSlots, this.memoryLimit);
    if (this.trainingMemory.size >= 16) this.trainingMemory.clear();
    this.trainingMemory.set(key, estimate);
    return estimate;
  }

  /**
   * One line for logs and `gradstream validate`: the parameters' bytes, then what training takes
   * (parameters and a training plan) at each batch size, marking those beyond {@link Model.memoryLimit}.
   *
   * @param batchSizes - default 1, 32 (what `gradstream train` uses) and 256 (`eval` and `predict`)
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
   * model.memorySummary([1, 32]); // '12 B; to train at batch size 1: 52 B, 32: 672 B'
   * ```
   */
  memorySummary(batchSizes: readonly number[] = [1, 32, 256]): string {
    const sizes = batchSizes.map((b) => {
      const { total } = this.memory(b);
      return `${b}: ${formatBytes(total)}${total > this.memoryLimit ? `, over the ${formatBytes(this.memoryLimit)} limit` : ''}`;
    });
    return `${formatBytes(this.memory(1).parameters)}; to train at batch size ${sizes.join(', ')}`;
  }

  /**
   * The shared plan for a batch size and kind, from the model's one bounded cache (least recently
   * used plans are dropped; their memory is reclaimed once nothing holds them). Training,
   * evaluation and prediction all take their plans here; prediction plans are forward-only.
   *
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 1, outFeatures: 1 })], { inputShape: [1], loss: mse() });
   * model.plan(8, 'infer') === model.plan(8, 'infer'); // true
   * ```
   */
  plan(batchSize: number, kind: PlanKind = 'train'): Plan {
    return this.plans.get(batchSize, kind, () => this.compile(batchSize, { kind }));
  }

  /** How many plans the cache holds now, and the bytes of their buffers. */
  planCacheStats(): { readonly plans: number; readonly bytes: number } {
    return this.plans.stats();
  }

  /**
   * Runs the model in evaluation mode on a batch and returns a copy of the prediction.
   *
   * @param x - a `[batch, ...inputShape]` tensor or nested rows
   */
  predict(x: Tensor | readonly (readonly number[])[]): Tensor {
    if (this.backend.sync !== undefined) {
      throw new GradstreamError('INVALID_USAGE', `predict: the ${this.backend.name} backend's results come back asynchronously: use await model.predictAsync(x)`, {
        backend: this.backend.name,
      });
    }
    return this.predictOn(x).clone();
  }

  /**
   * {@link Model.predict} on any backend, the WebGPU one included: the prediction is read back from
   * the device (one transfer) before the promise resolves.
   *
   * @param x - a `[batch, ...inputShape]` tensor or nested rows
   * @example
   * ```ts
   * import { sequential } from '@gradstream/graph';
   * import { linear, mse } from '@gradstream/ops';
   * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse() });
   * const y = await model.predictAsync([[0, 1]]);
   * ```
   */
  async predictAsync(x: Tensor | readonly (readonly number[])[]): Promise<Tensor> {
    const out = this.predictOn(x);
    await this.backend.sync?.download([out.data]);
    return out.clone();
  }

  private predictOn(x: Tensor | readonly (readonly number[])[]): Tensor {
    const input = x instanceof Tensor ? x : Tensor.from(x as number[][], { dtype: this.dtype });
    const batchSize = input.shape[0] ?? 0;
    // Not lent: the plan is not kept past this call, so the cache frees it as soon as it drops it.
    const plan = this.plans.get(batchSize, 'infer', () => this.compile(batchSize, { kind: 'infer' }), false);
    plan.setInput(input);
    plan.predict();
    return plan.values.get(this.output) as Tensor;
  }
}
