import { GradstreamError, sizeOf, type Shape } from '@gradstream/tensor';
import { inferOutputShape } from '../contract/shape-errors.js';
import { bytesPerElement, checkMemory, checkMemoryCeiling, type BufferNeed, type MemoryEstimate } from '../model/memory.js';
import type { Model } from '../model/model.js';
import type { GraphNode } from '../model/node.js';
import { INPUT, TARGET } from '../model/spec.js';
import type { PlanKind } from './plan.js';

/**
 * The JSON path of the layer each node comes from (`layers/2`, `loss`); a composite's parts share
 * their layer's path.
 *
 * @example
 * ```ts
 * import { layerPaths } from './plan-memory.js';
 * // layerPaths(model).get('linear_1') === 'layers/0'
 * ```
 */
export function layerPaths(model: Model): ReadonlyMap<string, string> {
  const paths = new Map<string, string>();
  const last = model.layers.length - 1;
  model.layers.forEach((layer, i) => {
    for (const n of layer.nodes) paths.set(n.name, i === last ? 'loss' : `layers/${i}`);
  });
  return paths;
}

/**
 * Every buffer a plan of this batch size and kind allocates, in shapes, without allocating: the
 * same buffers the plan's program makes (values, gradients of values and of parameters, scratch,
 * and a private gradient per reader of a value read by several nodes, summed after backward).
 *
 * @example
 * ```ts
 * import { planBufferNeeds } from './plan-memory.js';
 * // planBufferNeeds(model, 32, 'infer').map((b) => b.what); // ['input', 'target', 'output', …]
 * ```
 */
export function planBufferNeeds(model: Model, batchSize: number, kind: PlanKind): BufferNeed[] {
  const paths = layerPaths(model);
  const needs: BufferNeed[] = [];
  const of = (node: GraphNode, what: string, shape: Shape): void => {
    needs.push({ node: node.name, label: node.label, path: paths.get(node.name), what, shape });
  };
  const shapes = new Map<string, Shape>([
    [INPUT, [batchSize, ...model.inputShape]],
    [TARGET, [batchSize, ...model.outputShape]],
  ]);
  needs.push({ node: undefined, label: `the input ${INPUT}`, path: undefined, what: 'batch', shape: shapes.get(INPUT) as Shape });
  needs.push({ node: undefined, label: `the target ${TARGET}`, path: undefined, what: 'batch', shape: shapes.get(TARGET) as Shape });
  const inputShapes = new Map<GraphNode, Shape[]>();
  for (const node of model.nodes) {
    const ins = node.inputs.map((v) => {
      const s = shapes.get(v);
      if (s === undefined) throw new GradstreamError('INVALID_MODEL', `${node.label} reads "${v}", which no earlier node computes`, { node: node.name });
      return s;
    });
    inputShapes.set(node, ins);
    const out = inferOutputShape(node.name, node.op, ins, node.config);
    shapes.set(node.name, out);
    of(node, 'output', out);
  }
  const training = kind === 'train';
  // As the program decides: a plan's x and y take no gradient, nor do inputs the op marks non-differentiable.
  const needsGrad = (node: GraphNode, slot: number): boolean => {
    const v = node.inputs[slot] as string;
    if (!training || v === INPUT || v === TARGET) return false;
    return !(node.op.nonDifferentiable ?? []).includes(node.op.inputs[slot] as string);
  };
  const readers = new Map<string, number>();
  for (const node of model.nodes) node.inputs.forEach((v, slot) => needsGrad(node, slot) && readers.set(v, (readers.get(v) ?? 0) + 1));
  for (const node of model.nodes) {
    const ins = inputShapes.get(node) as Shape[];
    if (training) of(node, 'gradient of the output', shapes.get(node.name) as Shape);
    for (const [k, s] of Object.entries<Shape>(node.op.scratch?.(ins, node.config) ?? {})) of(node, `scratch ${k}`, s);
    node.inputs.forEach((v, slot) => {
      if (needsGrad(node, slot) && (readers.get(v) ?? 0) > 1) of(node, `gradient of input ${node.op.inputs[slot]}`, shapes.get(v) as Shape);
    });
    if (training) for (const [k, p] of Object.entries(node.params)) of(node, `gradient of ${k}`, p.shape);
  }
  return needs;
}

/**
 * Bytes of a model's parameters and state (what the model holds whatever the plan).
 *
 * @example
 * ```ts
 * import { parameterBytes } from './plan-memory.js';
 * // parameterBytes(model) === [...model.parameters(), ...model.state()].reduce((s, p) => s + p.value.data.byteLength, 0)
 * ```
 */
export function parameterBytes(model: Model): number {
  return (trainableElements(model) + model.state().reduce((s, p) => s + p.value.size, 0)) * bytesPerElement(model.dtype);
}

/** Elements of the trainable parameters: what an optimizer keeps each of its slots for. */
function trainableElements(model: Model): number {
  return model.parameters().reduce((s, p) => s + p.value.size, 0);
}

/**
 * Refuses a plan whose buffers, with the model's parameters, exceed `limit` bytes, one of whose
 * buffers is longer than a typed array may be, or whose buffers do not fit in what is left of the
 * backend's own memory (wasm32: 4 GiB) (`TOO_LARGE`, naming the layer); returns the plan's bytes
 * otherwise. Called before the plan allocates anything.
 *
 * @example
 * ```ts
 * import { checkPlanMemory } from './plan-memory.js';
 * // checkPlanMemory(model, 32, 'train', 2 ** 30); // the bytes of the plan
 * ```
 */
export function checkPlanMemory(model: Model, batchSize: number, kind: PlanKind, limit: number): number {
  const needs = planBufferNeeds(model, batchSize, kind);
  const subject = `compile(${batchSize}): ${kind === 'train' ? 'a training plan' : 'a forward-only plan'} for batch size ${batchSize}`;
  const bytes = checkMemory(needs, model.dtype, limit, {
    subject,
    purpose: 'for its buffers',
    held: { bytes: parameterBytes(model), what: "the model's parameters" },
    option: 'memoryLimit',
    leadWithPath: false,
  });
  // The parameters already live in the backend's memory: its free bytes count them out.
  checkMemoryCeiling(needs, model.dtype, model.backend, { subject, purpose: 'for its buffers', leadWithPath: false });
  return bytes;
}

/**
 * What a model takes at one batch size, from shapes alone; see {@link Model.memory}.
 *
 * @example
 * ```ts
 * import { estimateMemory } from './plan-memory.js';
 * // estimateMemory(model, 32, 'train', 2).total
 * ```
 */
export function estimateMemory(model: Model, batchSize: number, kind: PlanKind, optimizerSlots: number): MemoryEstimate {
  const bpe = bytesPerElement(model.dtype);
  const parameters = parameterBytes(model);
  const plan = planBufferNeeds(model, batchSize, kind).reduce((s, b) => s + sizeOf(b.shape) * bpe, 0);
  const optimizer = optimizerSlots * trainableElements(model) * bpe;
  return { parameters, plan, optimizer, total: parameters + plan + optimizer };
}

/**
 * Refuses training at a batch size when the model's parameters, one training plan and the
 * optimizer's per-parameter buffers together exceed `limit` bytes (`TOO_LARGE`, naming the layer
 * that needs the most, its optimizer state counted with it); returns the bytes of the plan and
 * the optimizer state otherwise. Runs on shapes alone, before a run allocates anything.
 *
 * @param optimizerSlots - the names of the buffers the optimizer keeps per parameter (`m`, `v` for Adam)
 * @example
 * ```ts
 * import { checkTrainingMemory } from './plan-memory.js';
 * // checkTrainingMemory(model, 32, ['m', 'v'], model.memoryLimit); // bytes of the plan and Adam's moments
 * ```
 */
export function checkTrainingMemory(model: Model, batchSize: number, optimizerSlots: readonly string[], limit: number): number {
  const needs = planBufferNeeds(model, batchSize, 'train');
  const paths = layerPaths(model);
  for (const node of model.nodes) {
    for (const [k, p] of Object.entries(node.params)) {
      for (const slot of optimizerSlots) needs.push({ node: node.name, label: node.label, path: paths.get(node.name), what: `optimizer state ${slot} of ${k}`, shape: p.shape });
    }
  }
  return checkMemory(needs, model.dtype, limit, {
    subject: `training at batch size ${batchSize}`,
    purpose: `for a training plan${optimizerSlots.length > 0 ? ` and the optimizer's state (${optimizerSlots.join(', ')} per parameter)` : ''}`,
    held: { bytes: parameterBytes(model), what: "the model's parameters" },
    option: 'memoryLimit',
    leadWithPath: false,
  });
}
