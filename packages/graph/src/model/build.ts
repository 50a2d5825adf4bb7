import { GradstreamError, Rng, Tensor, checkShape, formatShape, initialize, sizeOf, tsBackend, type Backend, type DType, type Shape } from '@gradstream/tensor';
import { isComposite, type CompositePlugin } from '../contract/composite.js';
import type { AnyOpPlugin } from '../contract/op-plugin.js';
import { defaultRegistry, type RegisteredPlugin, type Registry } from '../contract/registry.js';
import { inferFromInputs, inferOutputShape } from '../contract/shape-errors.js';
import { Model, type ModelLayer } from './model.js';
import { checkMemory, checkMemoryCeiling, resolveMemoryLimit, type BufferNeed } from './memory.js';
import { GraphNode } from './node.js';
import { selectBackend, type BackendChoice } from './select-backend.js';
import { INPUT, SPEC_VERSION, TARGET, type LayerSpec, type ModelSpec } from './spec.js';

/**
 * Options for building a model.
 *
 * @example
 * ```ts
 * import type { BuildOptions } from '@gradstream/graph';
 * const opts: BuildOptions = { seed: 42, backend: 'ts' };
 * ```
 */
export interface BuildOptions {
  /** Where op names are looked up (default: {@link defaultRegistry}). */
  readonly registry?: Registry;
  /** Seed for parameter initialisation and per-node generators (default 0). */
  readonly seed?: number;
  /**
   * The kernels every step runs on: a {@link Backend}, or `'ts'`, `'wasm'` or `'auto'` (the
   * default: WebAssembly SIMD where the platform has it and the model is float32, else TypeScript).
   */
  readonly backend?: BackendChoice;
  /** Threads for the wasm backend's large kernels (default: the machine's available parallelism). */
  readonly threads?: number;
  /** How many plans (batch sizes × train/infer) the model keeps at most (default 8). */
  readonly planCacheSize?: number;
  /**
   * Bytes the model may take (default {@link defaultMemoryLimit}): its parameters when it is
   * built, its parameters and one plan when a plan is compiled. Beyond it, or beyond what one
   * typed array holds, building or compiling throws `TOO_LARGE`, naming the layer, before
   * allocating anything. `Infinity` turns the limit off.
   */
  readonly memoryLimit?: number;
}

/** What a layer reads and produces while the graph is being wired. */
interface Wiring {
  readonly registry: Registry;
  readonly rng: Rng;
  readonly dtype: DType;
  readonly backend: Backend;
  /** Shapes of the values computed so far, by value name (batch axis first, batch 1). */
  readonly shapes: Map<string, Shape>;
  /** A layer's name → the node holding its value (a composite's last part). */
  readonly aliases: Map<string, string>;
  readonly nodes: GraphNode[];
  /** Per op name, how many nodes of it were named so far (`linear_1`, `linear_2`, …), per scope. */
  readonly counts: Map<string, number>;
  /** When set, parameters are listed here instead of allocated: the sizing pass before a build. */
  readonly measure?: BufferNeed[] | undefined;
}

/** The node name a value name stands for (a composite's name stands for its last part). */
function resolve(w: Wiring, value: string): string {
  let v = value;
  for (let guard = 0; w.aliases.has(v) && guard < 1000; guard++) v = w.aliases.get(v) as string;
  return v;
}

/**
 * Adds one layer (an op node, or a composite's parts) reading `inputs`, named `name`. Returns the
 * nodes it became.
 */
function addLayer(w: Wiring, plugin: AnyOpPlugin | CompositePlugin, config: Record<string, unknown>, name: string, inputs: readonly string[], where: string): GraphNode[] {
  if (inputs.length !== plugin.inputs.length) {
    throw new GradstreamError(
      'INVALID_MODEL',
      `${where}/inputs: op "${plugin.name}" takes ${plugin.inputs.length} input(s) [${plugin.inputs.join(', ')}], got ${inputs.length} [${inputs.join(', ')}]`,
      { path: `${where}/inputs`, node: name },
    );
  }
  const resolved = inputs.map((v, i) => {
    const node = resolve(w, v);
    if (!w.shapes.has(node)) {
      throw new GradstreamError('INVALID_MODEL', `${where}/inputs/${i}: unknown value "${v}"; a node may read ${[...w.shapes.keys(), ...w.aliases.keys()].join(', ')}`, {
        path: `${where}/inputs/${i}`,
        node: name,
      });
    }
    return node;
  });
  if (isComposite(plugin)) return expandComposite(w, plugin, config, name, resolved, where);
  const inputShapes = resolved.map((v) => w.shapes.get(v) as Shape);
  // Fields the layer left out and its inputs determine (inFeatures, channels): explicit values win.
  if (plugin.fromInputs !== undefined) config = { ...inferFromInputs(name, plugin, inputShapes, config), ...config };
  w.shapes.set(name, inferOutputShape(name, plugin, inputShapes, config));
  const params: Record<string, Tensor> = {};
  const paramDecls = plugin.params?.(config) ?? {};
  for (const [pname, decl] of Object.entries(paramDecls)) {
    if (w.measure !== undefined) {
      w.measure.push({ node: name, label: `node "${name}" (${plugin.name})`, path: where, what: pname, shape: checkShape(decl.shape) });
      continue;
    }
    const t = new Tensor(decl.shape, w.backend.allocate(w.dtype, sizeOf(decl.shape)));
    initialize(decl.init, t, decl.fanIn, decl.fanOut, w.rng);
    params[pname] = t;
  }
  // State after the parameters, so a model's parameters draw the same numbers whether or not it has state.
  const state: Record<string, Tensor> = {};
  for (const [sname, decl] of Object.entries(plugin.state?.(config) ?? {})) {
    // A parameter and a state of one name would share the id `node.name` in checkpoints and exports.
    if (Object.hasOwn(paramDecls, sname)) {
      throw new GradstreamError('INVALID_PLUGIN', `${where}: op "${plugin.name}" declares "${sname}" both as a parameter and as state`, { op: plugin.name, node: name });
    }
    if (w.measure !== undefined) {
      w.measure.push({ node: name, label: `node "${name}" (${plugin.name})`, path: where, what: sname, shape: checkShape(decl.shape) });
      continue;
    }
    const t = new Tensor(decl.shape, w.backend.allocate(w.dtype, sizeOf(decl.shape)));
    // fanIn and fanOut scale only random initializers, which state has no use for.
    initialize(decl.init, t, 1, 1, w.rng);
    state[sname] = t;
  }
  const node = new GraphNode(name, plugin, Object.freeze(config), Object.freeze(resolved), Object.freeze(params), w.rng.fork(), Object.freeze(state));
  w.nodes.push(node);
  return [node];
}

/** Replaces a composite by its parts, named `name.part`, wired to the composite's inputs. */
function expandComposite(w: Wiring, composite: CompositePlugin, config: Record<string, unknown>, name: string, inputs: readonly string[], where: string): GraphNode[] {
  const registry = composite.registry ?? w.registry;
  const parts = composite.expand(config);
  if (parts.length === 0) throw new GradstreamError('INVALID_PLUGIN', `${where}: composite "${composite.name}" has no parts`, { op: composite.name });
  const local = new Map<string, string>(composite.inputs.map((n, i) => [n, inputs[i] as string]));
  const counts = new Map<string, number>();
  const made: GraphNode[] = [];
  let previous = inputs[0] as string;
  parts.forEach((part, i) => {
    const at = `${where}(${composite.name}).layers/${i}`;
    const plugin = registry.get(part.op, `${at}/op`);
    const { op: _op, name: given, inputs: reads, ...rest } = part;
    const partConfig = registry.validateConfig(plugin.name, rest, at);
    const count = (counts.get(plugin.name) ?? 0) + 1;
    counts.set(plugin.name, count);
    const partName = `${name}.${given ?? `${plugin.name}_${count}`}`;
    if (w.shapes.has(partName) || w.aliases.has(partName)) {
      throw new GradstreamError('INVALID_PLUGIN', `${at}/name: "${partName}" is already the name of a value`, { op: composite.name, node: partName });
    }
    const partInputs = (reads ?? [previous]).map((v) => local.get(v) ?? v);
    for (const [j, v] of partInputs.entries()) {
      if (!w.shapes.has(resolve(w, v))) {
        throw new GradstreamError(
          'INVALID_PLUGIN',
          `${at}/inputs/${j}: unknown value "${(reads ?? [])[j] ?? v}"; a part may read ${[...composite.inputs, ...local.keys()].filter((k, n, a) => a.indexOf(k) === n).join(', ')}`,
          { op: composite.name, node: partName },
        );
      }
    }
    made.push(...addLayer(w, plugin, partConfig, partName, partInputs, at));
    local.set(given ?? `${plugin.name}_${count}`, partName);
    previous = partName;
  });
  w.aliases.set(name, previous);
  return made;
}

/**
 * Wires one op or composite on its own, reading values of the given shapes by name: the nodes it
 * becomes, named after the plugin (a composite's parts `name.part`). The gradient checker runs
 * a plugin this way.
 */
export function wireLayer(
  plugin: RegisteredPlugin,
  config: Record<string, unknown>,
  inputShapes: ReadonlyMap<string, Shape>,
  options: { readonly registry: Registry; readonly dtype: DType; readonly backend: Backend; readonly seed: number },
): GraphNode[] {
  const w: Wiring = {
    registry: options.registry,
    rng: Rng.fromSeed(options.seed),
    dtype: options.dtype,
    backend: options.backend,
    shapes: new Map(inputShapes),
    aliases: new Map(),
    nodes: [],
    counts: new Map(),
  };
  return addLayer(w, plugin, config, plugin.name, [...inputShapes.keys()], plugin.name);
}

/**
 * Builds a model from a spec: looks every op up in the registry, validates each configuration
 * against its schema (errors carry JSON paths such as `layers/1/outFeatures`), expands composite
 * layers into their parts, wires the nodes, checks shapes, and initialises parameters from the
 * seed, in the chosen backend's memory. The parameters are sized before any is allocated: a model
 * beyond {@link BuildOptions.memoryLimit}, or with a parameter longer than a typed array may be,
 * is a `TOO_LARGE` error naming the layer, thrown within milliseconds.
 *
 * @see {@link "Writing op plugins" | Writing op plugins} (the guide: ops, registries and specs) and
 * {@link "Performance" | Performance} (memory limits).
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
  const limit = resolveMemoryLimit(options.memoryLimit, 'memoryLimit');
  // A first pass wires the graph and lists every parameter's shape without allocating, so that a
  // model too large is refused before any memory is taken or a backend starts its threads.
  const needs: BufferNeed[] = [];
  wireModel(spec, options, needs, limit);
  checkMemory(needs, spec.dtype ?? 'float32', limit, { subject: 'the model', purpose: 'for its parameters', option: 'memoryLimit', leadWithPath: true });
  return wireModel(spec, options, undefined, limit, needs) as Model;
}

/**
 * Wires the model of a spec; with `measure`, only lists its parameters there (and returns nothing).
 * `sized`, the parameters a measuring pass listed, are checked against the chosen backend's own
 * memory before the first is allocated.
 */
function wireModel(spec: ModelSpec, options: BuildOptions, measure: BufferNeed[] | undefined, memoryLimit: number, sized?: readonly BufferNeed[]): Model | undefined {
  const registry = options.registry ?? defaultRegistry;
  if (spec.version !== SPEC_VERSION) {
    throw new GradstreamError('INVALID_SPEC', `version must be ${SPEC_VERSION}, got ${JSON.stringify(spec.version)}`, { path: 'version' });
  }
  const inputShape = checkShape(spec.inputShape);
  const dtype = spec.dtype ?? 'float32';
  // Sizing allocates nothing, so it needs no backend of its own.
  const backend = measure !== undefined ? tsBackend : selectBackend(options.backend ?? 'auto', dtype, options.threads);
  // The memory limit passed; a backend whose own memory is bounded (wasm32: 4 GiB) must hold the parameters too.
  if (sized !== undefined) checkMemoryCeiling(sized, dtype, backend, { subject: 'the model', purpose: 'for its parameters', leadWithPath: true });
  const w: Wiring = {
    registry,
    rng: Rng.fromSeed(options.seed ?? 0),
    dtype,
    backend,
    shapes: new Map<string, Shape>([[INPUT, [1, ...inputShape]]]),
    aliases: new Map(),
    nodes: [],
    counts: new Map(),
    measure,
  };
  const layers: ModelLayer[] = [];
  const specLayers: LayerSpec[] = [];
  const readOffInputs = new Map<string, Readonly<Record<string, unknown>>>();

  const declare = (layer: LayerSpec, where: string, defaultInputs: readonly string[]): ModelLayer => {
    const plugin = registry.get(layer.op, `${where}/op`);
    const { op: _op, name: givenName, inputs: givenInputs, ...rest } = layer;
    const config = registry.validateConfig(plugin.name, rest, where);
    const count = (w.counts.get(plugin.name) ?? 0) + 1;
    w.counts.set(plugin.name, count);
    const name = givenName ?? `${plugin.name}_${count}`;
    if (w.shapes.has(name) || w.aliases.has(name) || name === TARGET || name.includes('.')) {
      const why = name.includes('.') ? 'may not contain "." (it separates a composite from its parts)' : 'is already the name of a value';
      throw new GradstreamError('INVALID_MODEL', `${where}/name: "${name}" ${why}`, { path: `${where}/name`, node: name });
    }
    const inputs = givenInputs ?? defaultInputs;
    const nodes = addLayer(w, plugin, config, name, inputs, where);
    // An op's node holds its configuration with the fields read off its inputs filled in, which the spec keeps.
    const settled = isComposite(plugin) ? config : (nodes[0] as GraphNode).config;
    readOffInputs.set(name, Object.fromEntries(Object.entries(settled).filter(([k]) => config[k] === undefined)));
    const declared: ModelLayer = Object.freeze({ name, plugin, config: Object.freeze(settled), inputs: Object.freeze([...inputs]), nodes: Object.freeze(nodes) });
    layers.push(declared);
    return declared;
  };

  let previous = INPUT;
  spec.layers.forEach((layer, i) => {
    const declared = declare(layer, `layers/${i}`, [previous]);
    specLayers.push({ ...layer, ...readOffInputs.get(declared.name), name: declared.name, inputs: declared.inputs });
    previous = declared.name;
  });
  const output = spec.output ?? previous;
  const outputNode = resolve(w, output);
  const predShape = w.shapes.get(outputNode);
  if (predShape === undefined || output === INPUT) {
    throw new GradstreamError('INVALID_SPEC', `output: unknown value "${output}"`, { path: 'output' });
  }
  w.shapes.set(TARGET, predShape);
  const loss = declare(spec.loss, 'loss', [output, TARGET]);
  const lossNode = w.nodes[w.nodes.length - 1] as GraphNode;
  const lossShape = w.shapes.get(lossNode.name) as Shape;
  if (lossShape.length !== 0) {
    throw new GradstreamError('INVALID_MODEL', `loss: the loss op "${loss.plugin.name}" must output a scalar, got ${formatShape(lossShape)}`, {
      path: 'loss',
    });
  }
  const normalised: ModelSpec = Object.freeze({
    version: SPEC_VERSION,
    inputShape,
    layers: Object.freeze(specLayers),
    loss: { ...spec.loss, ...readOffInputs.get(loss.name), name: loss.name, inputs: loss.inputs },
    output,
    dtype,
  });
  if (measure !== undefined) return undefined;
  // A device backend's arrays start as zeros on the device: the initial values go up once, here.
  backend.sync?.upload(w.nodes.flatMap((n) => [...Object.values(n.params), ...Object.values(n.state)].map((t) => t.data)));
  return new Model(normalised, layers, w.nodes, outputNode, predShape.slice(1), registry, backend, options.planCacheSize ?? 8, memoryLimit);
}

/**
 * Builds a chain: each layer reads the previous one's output, the first reads the input `x`,
 * and the loss compares the last output with the target `y`. Fields an op reads off its input
 * (linear's `inFeatures`) may be left out: each layer takes them from the one before.
 *
 * @see {@link "Getting started" | Getting started} (the guide: one training step through a model built this way).
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * const model = sequential([linear({ outFeatures: 8 }), sigmoid(), linear({ outFeatures: 1 })], {
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
