import { GradstreamError, littleEndianBytes } from '@gradstream/tensor';
import { INPUT, TARGET, toSpec, type GraphNode, type Model, type OnnxAttribute, type OnnxExportContext } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import { FLOAT, INT64, IR_VERSION, OPSET, SPEC_KEY, onnx } from './proto.js';
import type { onnx as Onnx } from 'onnx-proto';
import { BUILTIN_EXPORTERS } from './builtin-exporters.js';

/**
 * Options of {@link toOnnx}.
 *
 * @example
 * ```ts
 * import type { ToOnnxOptions } from '@gradstream/onnx';
 * const withLoss: ToOnnxOptions = { loss: true };
 * ```
 */
export interface ToOnnxOptions {
  /**
   * Also write the loss: a second input `y` (the target) and a second output `loss`, a scalar
   * (default false: the inference graph alone).
   */
  readonly loss?: boolean;
  /** The name of the graph (default `gradstream`). */
  readonly graphName?: string;
}

/** The name of the symbolic batch axis of every input and output. */
export const BATCH_DIM = 'batch';

/**
 * The model as the bytes of an ONNX model (opset 17, float32, the batch axis symbolic): the input
 * `x`, the prediction under the name of the model's output node, and with `loss` the target `y`
 * and the scalar `loss`. Each node is written by its plugin's `toOnnx`, or for a built-in op by
 * this package's table (dropout as the identity it is in inference); an op without either is an
 * `UNSUPPORTED_EXPORT` error naming the node and the op.
 * Parameters and state (moving statistics) become initializers named `node.param`; the spec rides along in the model's metadata
 * (`gradstream.spec`), so {@link fromOnnx} rebuilds the same layers. float64 models are written in
 * float32.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse, sigmoid } from '@gradstream/ops';
 * import { toOnnx } from '@gradstream/onnx';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 4 }), sigmoid(), linear({ inFeatures: 4, outFeatures: 1 })], { inputShape: [2], loss: mse() });
 * writeFileSync('xor.onnx', toOnnx(model));
 * ```
 */
export function toOnnx(model: Model, options: ToOnnxOptions = {}): Uint8Array {
  const writer = new GraphWriter(model);
  const nodes = options.loss === true ? model.nodes : model.nodes.filter((n) => n !== model.lossNode);
  for (const node of nodes) writer.write(node, node === model.lossNode ? 'loss' : node.name);
  const value = (name: string, shape: readonly number[], batched: boolean): Onnx.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: [...(batched ? [{ dimParam: BATCH_DIM }] : []), ...shape.map((d) => ({ dimValue: d }))] },
      },
    },
  });
  const inputs = [value(INPUT, model.inputShape, true), ...(options.loss === true ? [value(TARGET, model.outputShape, true)] : [])];
  const outputs = [value(model.output, model.outputShape, true), ...(options.loss === true ? [value('loss', [], false)] : [])];
  const proto: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'gradstream',
    graph: { name: options.graphName ?? 'gradstream', node: writer.nodes, initializer: writer.initializers, input: inputs, output: outputs },
    metadataProps: [{ key: SPEC_KEY, value: JSON.stringify(toSpec(model)) }],
  };
  return onnx.ModelProto.encode(proto).finish();
}

/** Collects the nodes and initializers of the graph, handing each model node a context. */
class GraphWriter {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private readonly taken = new Set<string>();

  /** Each value's shape, batch axis first (1: the exported batch axis is symbolic), as the model computes it. */
  private readonly shapes = new Map<string, Shape>();

  constructor(private readonly model: Model) {
    this.shapes.set(INPUT, [1, ...model.inputShape]);
    this.shapes.set(TARGET, [1, ...model.outputShape]);
    for (const n of model.nodes) this.taken.add(n.name);
    this.taken.add(INPUT).add(TARGET).add('loss');
  }

  /** A name no value of the graph has yet, from a hint. */
  private fresh(hint: string): string {
    let name = hint;
    for (let i = 2; this.taken.has(name); i++) name = `${hint}_${i}`;
    this.taken.add(name);
    return name;
  }

  write(node: GraphNode, output: string): void {
    const exporter = node.op.toOnnx ?? BUILTIN_EXPORTERS.get(node.op);
    if (exporter === undefined) {
      throw new GradstreamError('UNSUPPORTED_EXPORT', `toOnnx: ${node.label} has no ONNX exporter (give its plugin a toOnnx)`, {
        node: node.name,
        op: node.op.name,
      });
    }
    const inputShapes = node.inputs.map((v) => this.shapes.get(v) ?? []);
    this.shapes.set(node.name, node.op.outputShape(inputShapes, node.config));
    const ctx: OnnxExportContext = {
      name: node.name,
      inputs: node.inputs,
      inputShapes,
      output,
      config: node.config,
      params: node.params,
      state: node.state,
      initializer: (name, tensor) => this.tensor(`${node.name}.${name}`, tensor.shape, tensor.data, FLOAT),
      constant: (name, values, shape = []) => this.tensor(this.fresh(`${node.name}/${name}`), shape, values, FLOAT),
      intConstant: (name, values, shape = [values.length]) => this.tensor(this.fresh(`${node.name}/${name}`), shape, values, INT64),
      node: (opType, inputs, outputs = 1, attributes = {}) => {
        const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(`${node.name}/${opType}`)) : [...outputs];
        this.nodes.push({
          name: this.fresh(`${node.name}/${opType}`),
          opType,
          input: [...inputs],
          output: names,
          attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
        });
        return names;
      },
    };
    exporter(ctx);
  }

  private tensor(name: string, shape: readonly number[], values: ArrayLike<number>, dataType: number): string {
    const t: Onnx.ITensorProto = { name, dims: [...shape], dataType };
    if (dataType === FLOAT) t.rawData = littleEndianBytes(values, 'float32');
    else t.int64Data = Array.from(values);
    this.initializers.push(t);
    return name;
  }
}

function attribute(name: string, value: OnnxAttribute): Onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.FLOAT, f: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.FLOATS, floats: [...value] };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  return { name, type: AttributeType.INTS, ints: [...(value as { ints: readonly number[] }).ints] };
}
