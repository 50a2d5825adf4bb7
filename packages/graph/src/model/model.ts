import { GradstreamError, Rng, Tensor, checkShape, cpuBackend, formatShape, initialize, type Backend, type DType, type Shape } from '@gradstream/tensor';
import { GraphNode } from './node.js';
import type { AnyOpPlugin } from '../contract/op-plugin.js';
import { Plan } from '../exec/plan.js';
import { defaultRegistry, type Registry } from '../contract/registry.js';
import { inferOutputShape } from '../contract/shape-errors.js';
import { INPUT, SPEC_VERSION, TARGET, type LayerSpec, type ModelSpec } from './spec.js';

/**
 * Options for building a model.
 *
 * @example
 * ```ts
 * import type { BuildOptions } from '@gradstream/graph';
 * const opts: BuildOptions = { seed: 42 };
 * ```
 */
export interface BuildOptions {
  /** Where op names are looked up (default: {@link defaultRegistry}). */
  readonly registry?: Registry;
  /** Seed for parameter initialisation and per-node generators (default 0). */
  readonly seed?: number;
  /** Kernels to compute with (default: the pure-TypeScript `cpuBackend`). */
  readonly backend?: Backend;
}

/**
 * A trainable parameter of a model, addressed as `node.param` (e.g. `linear_1.weight`).
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
  /** The live parameter tensor (updated in place by optimizers). */
  readonly value: Tensor;
}

/**
 * A network: op nodes in topological order, reading the input `x`, ending in a loss node that
 * compares the prediction with the target `y`. Build one with {@link sequential} or {@link buildModel}.
 * Parameters live here; {@link Model.compile} binds the model to a batch size with preallocated buffers.
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
  /** The normalised spec the model was built from (node names and inputs filled in). */
  readonly spec: ModelSpec;
  /** Nodes in evaluation order, the loss node last. */
  readonly nodes: readonly GraphNode[];
  /** The loss node. */
  readonly lossNode: GraphNode;
  /** Name of the predicted value. */
  readonly output: string;
  /** Per-sample shape of the input (no batch axis). */
  readonly inputShape: Shape;
  /** Per-sample shape of the prediction and the target. */
  readonly outputShape: Shape;
  readonly dtype: DType;
  readonly registry: Registry;
  readonly backend: Backend;
  /** Plans kept for {@link Model.predict}, by batch size. */
  private readonly predictPlans = new Map<number, Plan>();
  private readonly paramRefs: readonly ParamRef[];

  /** @internal Use {@link buildModel} or {@link sequential}. */
  constructor(spec: ModelSpec, nodes: readonly GraphNode[], outputShape: Shape, registry: Registry, backend: Backend) {
    this.spec = spec;
    this.nodes = nodes;
    this.lossNode = nodes[nodes.length - 1] as GraphNode;
    this.output = spec.output as string;
    this.inputShape = spec.inputShape;
    this.outputShape = outputShape;
    this.dtype = spec.dtype ?? 'float32';
    this.registry = registry;
    this.backend = backend;
    this.paramRefs = Object.freeze(
      nodes.flatMap((n) => Object.entries(n.params).map(([name, value]) => Object.freeze({ id: `${n.name}.${name}`, node: n.name, name, value }))),
    );
  }

  /** Every trainable parameter, in node order then declaration order (a stable order for optimizers and checkpoints). */
  parameters(): readonly ParamRef[] {
    return this.paramRefs;
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
   * A new compiled plan for a batch size: activation, gradient and scratch buffers allocated once
   * and reused by every step run through it. Each call allocates a new plan; keep it for as long
   * as you train at that batch size (the trainer keeps one per batch size for a run).
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
  compile(batchSize: number): Plan {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new GradstreamError('INVALID_OPTION', `compile: batch size must be a positive integer, got ${batchSize}`, { batchSize });
    }
    return new Plan(this, batchSize);
  }

  /**
   * Runs the model in evaluation mode on a batch and returns a copy of the prediction.
   *
   * @param x - a `[batch, ...inputShape]` tensor or nested rows
   */
  predict(x: Tensor | readonly (readonly number[])[]): Tensor {
    const input = x instanceof Tensor ? x : Tensor.from(x as number[][], { dtype: this.dtype });
    const batch = input.shape[0] ?? 0;
    let plan = this.predictPlans.get(batch);
    if (plan === undefined) {
      plan = this.compile(batch);
      this.predictPlans.set(batch, plan);
    }
    plan.setInput(input);
    plan.forward(false);
    return (plan.values.get(this.output) as Tensor).clone();
  }
}

/**
 * Builds a model from a spec: looks every op up in the registry, validates each configuration
 * against its schema (errors carry JSON paths such as `layers/1/outFeatures`), wires the nodes,
 * checks shapes, and initialises parameters from the seed.
 *
 * @example
 * ```ts
 * import { buildModel } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const model = buildModel({
 *   version: 1, inputShape: [2],
 *   layers: [{ op: 'linear', inFeatures: 2, outFeatures: 1 }],
 *   loss: { op: 'mse' },
 * }, { seed: 1 });
 * ```
 */
export function buildModel(spec: ModelSpec, options: BuildOptions = {}): Model {
  const registry = options.registry ?? defaultRegistry;
  const rng = Rng.fromSeed(options.seed ?? 0);
  if (spec.version !== SPEC_VERSION) {
    throw new GradstreamError('INVALID_SPEC', `version must be ${SPEC_VERSION}, got ${JSON.stringify(spec.version)}`, { path: 'version' });
  }
  const inputShape = checkShape(spec.inputShape);
  const dtype = spec.dtype ?? 'float32';
  const counts = new Map<string, number>();
  const shapes = new Map<string, Shape>([[INPUT, [1, ...inputShape]]]);
  const nodes: GraphNode[] = [];
  const layers: LayerSpec[] = [];
  let previous = INPUT;

  const addNode = (layer: LayerSpec, where: string, defaultInputs: readonly string[], isLoss: boolean): GraphNode => {
    const op: AnyOpPlugin = registry.get(layer.op, `${where}/op`);
    const { op: _op, name: givenName, inputs: givenInputs, ...rest } = layer;
    const config = registry.validateConfig(op.name, rest, where);
    const count = (counts.get(op.name) ?? 0) + 1;
    counts.set(op.name, count);
    const name = givenName ?? `${op.name}_${count}`;
    if (shapes.has(name) || name === TARGET) {
      throw new GradstreamError('INVALID_MODEL', `${where}/name: "${name}" is already the name of a value`, { path: `${where}/name`, node: name });
    }
    const inputs = givenInputs ?? defaultInputs;
    if (inputs.length !== op.inputs.length) {
      throw new GradstreamError(
        'INVALID_MODEL',
        `${where}/inputs: op "${op.name}" takes ${op.inputs.length} input(s) [${op.inputs.join(', ')}], got ${inputs.length} [${inputs.join(', ')}]`,
        { path: `${where}/inputs`, node: name },
      );
    }
    const inputShapes = inputs.map((v, i) => {
      const s = shapes.get(v);
      if (s === undefined) {
        throw new GradstreamError(
          'INVALID_MODEL',
          `${where}/inputs/${i}: unknown value "${v}"; a node may read ${[...shapes.keys()].join(', ')}`,
          { path: `${where}/inputs/${i}`, node: name },
        );
      }
      return s;
    });
    const outShape = inferOutputShape(name, op, inputShapes, config);
    if (isLoss && outShape.length !== 0) {
      throw new GradstreamError('INVALID_MODEL', `${where}: the loss op "${op.name}" must output a scalar, got ${formatShape(outShape)}`, {
        path: where,
      });
    }
    shapes.set(name, outShape);
    const params: Record<string, Tensor> = {};
    for (const [pname, decl] of Object.entries(op.params?.(config) ?? {})) {
      const t = Tensor.zeros(decl.shape, dtype);
      initialize(decl.init, t, decl.fanIn, decl.fanOut, rng);
      params[pname] = t;
    }
    const node = new GraphNode(name, op, Object.freeze(config), Object.freeze([...inputs]), Object.freeze(params), rng.fork());
    nodes.push(node);
    return node;
  };

  spec.layers.forEach((layer, i) => {
    const node = addNode(layer, `layers/${i}`, [previous], false);
    layers.push({ ...layer, name: node.name, inputs: node.inputs });
    previous = node.name;
  });
  const output = spec.output ?? previous;
  const predShape = shapes.get(output);
  if (predShape === undefined || output === INPUT) {
    throw new GradstreamError('INVALID_SPEC', `output: unknown value "${output}"`, { path: 'output' });
  }
  shapes.set(TARGET, predShape);
  const lossNode = addNode(spec.loss, 'loss', [output, TARGET], true);
  const normalised: ModelSpec = Object.freeze({
    version: SPEC_VERSION,
    inputShape,
    layers: Object.freeze(layers),
    loss: { ...spec.loss, name: lossNode.name, inputs: lossNode.inputs },
    output,
    dtype,
  });
  return new Model(normalised, nodes, predShape.slice(1), registry, options.backend ?? cpuBackend);
}

/**
 * Builds a chain: each layer reads the previous one's output, the first reads the input `x`,
 * and the loss compares the last output with the target `y`.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], {
 *   inputShape: [2], loss: mse(), seed: 7,
 * });
 * ```
 */
export function sequential(
  layers: readonly LayerSpec[],
  options: BuildOptions & { readonly inputShape: Shape; readonly loss: LayerSpec; readonly dtype?: DType },
): Model {
  const { inputShape, loss, dtype, ...build } = options;
  return buildModel({ version: SPEC_VERSION, inputShape, layers, loss, ...(dtype === undefined ? {} : { dtype }) }, build);
}
