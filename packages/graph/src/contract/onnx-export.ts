import type { Tensor } from '@gradstream/tensor';

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
 * // swish: y = x · sigmoid(β·x)
 * const toOnnx = (ctx: OnnxExportContext) => {
 *   const [x] = ctx.inputs as [string];
 *   const beta = ctx.initializer('beta', ctx.params.beta!);
 *   const [bx] = ctx.node('Mul', [x, beta]);
 *   const [s] = ctx.node('Sigmoid', [bx!]);
 *   ctx.node('Mul', [x, s!], [ctx.output]);
 * };
 * ```
 */
export interface OnnxExportContext {
  /** The node's name in the model (`linear_1`). */
  readonly name: string;
  /** The ONNX value names of its inputs, in the plugin's input order. */
  readonly inputs: readonly string[];
  /** The ONNX value name its output must have. */
  readonly output: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, Tensor>>;
  /**
   * Adds a tensor as an initializer named after the node (`linear_1.weight` for `'weight'`) and
   * returns its value name. A parameter's initializer keeps its values; importing the model makes
   * it a parameter again.
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
export type OnnxExporter = (ctx: OnnxExportContext) => void;
