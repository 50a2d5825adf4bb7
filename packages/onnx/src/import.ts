import { GradstreamError, readLittleEndian } from '@gradstream/tensor';
import { INPUT, SPEC_VERSION, buildModel, fromSpec, type BuildOptions, type LayerSpec, type Model, type ModelSpec } from '@gradstream/graph';
import { FLOAT, SPEC_KEY, onnx } from './proto.js';
import type { onnx as Onnx } from 'onnx-proto';

/**
 * Options of {@link fromOnnx}: those of `buildModel` (registry, seed, backend), and the loss the
 * model trains with when the ONNX model carries no gradstream spec.
 *
 * @example
 * ```ts
 * import type { FromOnnxOptions } from '@gradstream/onnx';
 * const options: FromOnnxOptions = { loss: { op: 'softmaxCrossEntropy' }, seed: 1 };
 * ```
 */
export interface FromOnnxOptions extends BuildOptions {
  /** The loss layer of a model imported by its ONNX nodes (default `{ op: 'mse' }`). */
  readonly loss?: LayerSpec;
}

/** ONNX operators {@link fromOnnx} rebuilds from their nodes. */
export const SUPPORTED_IMPORTS: readonly string[] = Object.freeze(['Gemm', 'MatMul (+ Add)', 'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Identity', 'Dropout', 'Softmax', 'Add']);

const ACTIVATIONS: Readonly<Record<string, string>> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Identity: 'identity', Dropout: 'identity' };

/** An initializer's values as float32 and its shape. */
interface Initializer {
  readonly dims: number[];
  readonly data: Float32Array;
}

/**
 * A model from the bytes of an ONNX model, its initializers as parameters, ready to predict or to
 * train on. A model `toOnnx` wrote comes back as it was: its spec travels in the metadata, and its
 * parameters are read from the initializers of the same names (outputs bit-identical to the
 * original's). Any other is rebuilt node by node from the operators in {@link SUPPORTED_IMPORTS}
 * (float32, one input `[batch, features]`, one output) with `options.loss` as its loss; anything
 * else is an `UNSUPPORTED_IMPORT` error naming the node, its operator and the supported list.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { fromOnnx } from '@gradstream/onnx';
 * const model = fromOnnx(readFileSync('xor.onnx'), { seed: 1 });
 * model.predict([[0, 1]]);
 * ```
 */
export function fromOnnx(bytes: Uint8Array, options: FromOnnxOptions = {}): Model {
  let proto: Onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new GradstreamError('UNSUPPORTED_IMPORT', `fromOnnx: not an ONNX model (${(e as Error).message})`, { node: '', opType: '', supported: SUPPORTED_IMPORTS });
  }
  const graph = proto.graph;
  if (graph === null || graph === undefined) throw unsupported('', '', 'the model has no graph');
  const initializers = new Map<string, Initializer>();
  // The float ones: the others (a loss's int64 axes) are constants no layer reads.
  for (const t of graph.initializer ?? []) if (t.dataType === FLOAT) initializers.set(t.name ?? '', floatTensor(t));
  const saved = (proto.metadataProps ?? []).find((p) => p.key === SPEC_KEY)?.value;
  if (saved !== undefined && saved !== null) return withParams(fromSpec(savedSpec(saved), options), initializers, new Map());
  const { spec, params } = specOf(graph, initializers, options.loss ?? { op: 'mse' });
  return withParams(buildModel(spec, options), initializers, params);
}

/** The spec a gradstream export keeps in its metadata: JSON, checked by fromSpec like any spec. */
function savedSpec(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw unsupported('', '', `its ${SPEC_KEY} metadata is not JSON (${(e as Error).message})`);
  }
}

function unsupported(node: string, opType: string, why: string): GradstreamError {
  return new GradstreamError('UNSUPPORTED_IMPORT', `fromOnnx: ${node === '' ? '' : `node "${node}" (${opType}): `}${why}; supported: ${SUPPORTED_IMPORTS.join(', ')}`, {
    node,
    opType,
    supported: SUPPORTED_IMPORTS,
  });
}

function floatTensor(t: Onnx.ITensorProto): Initializer {
  const dims = (t.dims ?? []).map(Number);
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData !== undefined && t.rawData !== null && t.rawData.length > 0 ? t.rawData : undefined;
  const count = raw !== undefined ? raw.length / 4 : (t.floatData ?? []).length;
  // Checked before allocating: the shape is the file's word, the bytes are what it holds.
  if (count !== size) throw unsupported('', '', `initializer "${t.name}" holds ${count} values for its shape [${dims.join(', ')}]`);
  if (raw === undefined) return { dims, data: Float32Array.from(t.floatData ?? []) };
  const data = new Float32Array(size);
  readLittleEndian(raw, data);
  return { dims, data };
}

/** Parameters read while walking the nodes, by layer: a Gemm's weight as gradstream lays it out. */
type WalkedParams = Map<string, { weight: Float32Array; bias: Float32Array }>;

/** The spec of a graph made of the supported operators (node names kept where they are valid), and the parameters its nodes hold. */
function specOf(graph: Onnx.IGraphProto, initializers: ReadonlyMap<string, Initializer>, loss: LayerSpec): { spec: ModelSpec; params: WalkedParams } {
  const pending: WalkedParams = new Map();
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  if (inputs.length !== 1) throw unsupported('', '', `the graph has ${inputs.length} inputs besides its initializers; one, [batch, features], is supported`);
  const input = inputs[0] as Onnx.IValueInfoProto;
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const inputShape = dims.slice(1).map((d) => Number(d.dimValue ?? 0));
  if (inputShape.length === 0 || inputShape.some((d) => !(d > 0))) throw unsupported('', '', `input "${input.name}" needs fixed sizes besides the batch axis`);
  // ONNX value name → the name of the node producing it here.
  const value = new Map<string, string>([[input.name ?? '', INPUT]]);
  const layers: LayerSpec[] = [];
  const nodes = graph.node ?? [];
  const consumed = new Set<number>();
  const read = (name: string, node: Onnx.INodeProto): string => {
    const v = value.get(name);
    if (v === undefined) throw unsupported(node.name ?? '', node.opType ?? '', `it reads "${name}", which no supported node produces`);
    return v;
  };
  nodes.forEach((node, i) => {
    if (consumed.has(i)) return;
    const op = node.opType ?? '';
    const name = layerName(node, i);
    const [a = '', b = '', c = ''] = node.input ?? [];
    const out = (node.output ?? [])[0] ?? '';
    const attr = (key: string): Onnx.IAttributeProto | undefined => (node.attribute ?? []).find((x) => x.name === key);
    let layer: LayerSpec;
    if (op === 'Gemm' || op === 'MatMul') {
      const w = initializers.get(b);
      if (w === undefined || w.dims.length !== 2) throw unsupported(node.name ?? '', op, 'its second input must be a 2-D initializer (the weight)');
      if (Number(attr('transA')?.i ?? 0) !== 0 || (attr('alpha')?.f ?? 1) !== 1 || (attr('beta')?.f ?? 1) !== 1) throw unsupported(node.name ?? '', op, 'transA, alpha and beta other than 0, 1, 1');
      const transB = op === 'Gemm' && Number(attr('transB')?.i ?? 0) === 1;
      let biasName = op === 'Gemm' ? c : '';
      let produced = out;
      // MatMul followed by an Add of a bias initializer is one linear layer.
      if (op === 'MatMul') {
        const next = nodes.findIndex((n, j) => j > i && n.opType === 'Add' && (n.input ?? []).includes(out) && (n.input ?? []).some((x) => initializers.has(x)));
        if (next >= 0) {
          const add = nodes[next] as Onnx.INodeProto;
          biasName = (add.input ?? []).find((x) => x !== out) ?? '';
          produced = (add.output ?? [])[0] ?? '';
          consumed.add(next);
        }
      }
      const [outFeatures, inFeatures] = transB ? (w.dims as [number, number]) : ([w.dims[1], w.dims[0]] as [number, number]);
      layer = { op: 'linear', name, inputs: [read(a, node)], inFeatures, outFeatures };
      pending.set(name, { weight: transB ? w.data : transpose(w.data, inFeatures, outFeatures), bias: initializers.get(biasName)?.data ?? new Float32Array(outFeatures) });
      value.set(produced, name);
    } else if (op in ACTIVATIONS) {
      layer = { op: ACTIVATIONS[op] as string, name, inputs: [read(a, node)] };
      value.set(out, name);
    } else if (op === 'LeakyRelu') {
      layer = { op: 'leakyRelu', name, inputs: [read(a, node)], alpha: attr('alpha')?.f ?? 0.01 };
      value.set(out, name);
    } else if (op === 'Softmax') {
      const axis = Number(attr('axis')?.i ?? -1);
      if (axis !== -1 && axis !== 1) throw unsupported(node.name ?? '', op, `softmax over axis ${axis}; the last axis is supported`);
      layer = { op: 'softmax', name, inputs: [read(a, node)] };
      value.set(out, name);
    } else if (op === 'Add') {
      layer = { op: 'add', name, inputs: [read(a, node), read(b, node)] };
      value.set(out, name);
    } else {
      throw unsupported(node.name ?? '', op, 'this operator is not supported');
    }
    layers.push(layer);
  });
  const outputs = graph.output ?? [];
  if (outputs.length < 1) throw unsupported('', '', 'the graph has no output');
  const output = value.get(outputs[0]?.name ?? '');
  if (output === undefined) throw unsupported('', '', `output "${outputs[0]?.name}" is not produced by a supported node`);
  return { spec: { version: SPEC_VERSION, inputShape, layers, loss, output }, params: pending };
}

/** A layer name from the ONNX node's, when it is a usable one. */
function layerName(node: Onnx.INodeProto, i: number): string {
  const given = (node.name ?? '').replace(/[^\w.-]/g, '_');
  return /^[A-Za-z][\w-]*$/.test(given) ? given : `${(node.opType ?? 'node').toLowerCase()}_${i + 1}`;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  // data is [rows (in), cols (out)]; the result is [cols, rows].
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

/**
 * Copies the parameters and the state (moving statistics) in: from initializers named `node.param`,
 * else from what the node walk read.
 */
function withParams(model: Model, initializers: ReadonlyMap<string, Initializer>, pending: WalkedParams): Model {
  for (const p of [...model.parameters(), ...model.state()]) {
    const named = initializers.get(p.id)?.data;
    const walked = pending.get(p.node)?.[p.name as 'weight' | 'bias'];
    const values = named ?? walked;
    if (values === undefined || values.length !== p.value.size) {
      throw new GradstreamError('UNSUPPORTED_IMPORT', `fromOnnx: no initializer of ${p.value.size} values for parameter ${p.id}`, { node: p.node, opType: '', supported: SUPPORTED_IMPORTS });
    }
    p.value.data.set(values);
  }
  return model;
}
