import type { Shape, Tensor } from '@gradstream/tensor';

/**
 * An ONNX attribute value as an exporter gives it: a number is a float attribute unless it is
 * given as `{ int }`; arrays of numbers are floats, `{ ints }` integers.
 *
 * @example
 * ```ts
 * import type { OnnxAttribute } from '@gradstream/graph';
 * const transB: OnnxAttribute = { int: 1 };
 * const alpha: OnnxAttribute = 0.01;
 * ```
 */
export type OnnxAttribute = number | string | readonly number[] | { readonly int: number } | { readonly ints: readonly number[] };

/**
 * What an op's exporter writes its node with: the ONNX names of its inputs and of the value it must
 * produce, its configuration and parameters, and the means to add ONNX nodes, initializers and
 * constants to the graph. Names made here never collide with the model's.
 *
 * @example
 * ```ts
 * import type { OnnxExportContext } from '@gradstream/graph';
 * // swish: y = x · sigmoid(β·x), for an op whose one parameter is `beta`
 * const toOnnx = (ctx: OnnxExportContext<'beta'>) => {
 *   const gate = ctx.node('Sigmoid', ctx.node('Mul', [...ctx.inputs, ctx.initializer('beta', ctx.params.beta)]));
 *   ctx.node('Mul', [...ctx.inputs, ...gate], [ctx.output]);
 * };
 * ```
 *
 * @typeParam P - names of the op's parameters (`defineOp` gives its exporter these)
 */
export interface OnnxExportContext<P extends string = string> {
  /** The node's name in the model (`linear_1`). */
  readonly name: string;
  /** The ONNX value names of its inputs, in the plugin's input order. */
  readonly inputs: readonly string[];
  /**
   * The shapes of its inputs, batch axis first, as the model computes them; the batch axis is 1
   * here (in the ONNX graph it is symbolic). For what depends on rank or size: static pads, a
   * MatMul instead of a Gemm on `[batch, T, features]`.
   */
  readonly inputShapes: readonly Shape[];
  /** The ONNX value name its output must have. */
  readonly output: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<P, Tensor>>;
  /** The node's state (moving statistics): an export is for inference, which reads it. */
  readonly state: Readonly<Record<string, Tensor>>;
  /**
   * Adds a tensor as an initializer named after the node (`linear_1.weight` for `'weight'`) and
   * returns its value name. A parameter's or state's initializer keeps its values under its own
   * name; importing the model makes it a parameter (or state) again.
   */
  initializer(name: string, tensor: Tensor): string;
  /** Adds a float constant of the given shape (a scalar without one) and returns its value name. */
  constant(name: string, values: readonly number[], shape?: readonly number[]): string;
  /** Adds an int64 constant (shapes, axes) and returns its value name. */
  intConstant(name: string, values: readonly number[], shape?: readonly number[]): string;
  /**
   * Adds an ONNX node of the default domain and returns its output names: the ones given, or
   * `outputs` fresh ones (default 1).
   */
  node(opType: string, inputs: readonly string[], outputs?: readonly string[] | number, attributes?: Readonly<Record<string, OnnxAttribute>>): string[];
}

/**
 * An op's ONNX exporter: writes nodes computing the op's output from its inputs, in inference
 * (dropout passes its input through). An op without one cannot be exported (`UNSUPPORTED_EXPORT`).
 *
 * @example
 * ```ts
 * import type { OnnxExporter } from '@gradstream/graph';
 * const relu: OnnxExporter = (ctx) => void ctx.node('Relu', ctx.inputs, [ctx.output]);
 * ```
 */
export type OnnxExporter<P extends string = string> = (ctx: OnnxExportContext<P>) => void;
