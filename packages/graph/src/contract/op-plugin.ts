import type { Backend, InitSpec, Rng, Shape, Tensor } from '@gradstream/tensor';

/**
 * A JSON Schema object (draft 2020-12 subset ajv understands) describing an op's configuration.
 *
 * @example
 * ```ts
 * import type { JsonSchema } from '@gradstream/graph';
 * const schema: JsonSchema = { type: 'object', properties: { units: { type: 'integer', minimum: 1 } } };
 * ```
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * A trainable parameter an op owns: its shape (no batch axis) and how to initialise it.
 * `fanIn` / `fanOut` feed the Glorot and He initializers.
 *
 * @example
 * ```ts
 * import type { ParamDecl } from '@gradstream/graph';
 * const weight: ParamDecl = { shape: [8, 2], init: { type: 'glorotUniform' }, fanIn: 2, fanOut: 8 };
 * ```
 */
export interface ParamDecl {
  readonly shape: Shape;
  readonly init: InitSpec;
  readonly fanIn: number;
  readonly fanOut: number;
}

/**
 * What an op's `forward` receives. Every tensor in it is preallocated by the engine and reused
 * across steps: forward writes its result into `out` (and any `scratch`) and allocates nothing.
 *
 * @typeParam C - the op's configuration
 * @typeParam I - names of its inputs
 * @typeParam P - names of its parameters
 * @example
 * ```ts
 * import type { ForwardContext } from '@gradstream/graph';
 * function forward({ inputs, out, backend }: ForwardContext<object, 'x', never>): void {
 *   backend.sigmoid(inputs.x.data, out.data);
 * }
 * ```
 */
export interface ForwardContext<C, I extends string, P extends string> {
  /** The node's validated configuration (defaults applied). */
  readonly config: Readonly<C>;
  /** The input tensors, by name; the first axis is the batch. */
  readonly inputs: Readonly<Record<I, Tensor>>;
  /** The node's parameters, by name. */
  readonly params: Readonly<Record<P, Tensor>>;
  /** Where to write the output (shape from `outputShape`). */
  readonly out: Tensor;
  /** Buffers the op asked for with `scratch`, kept from forward to backward. */
  readonly scratch: Readonly<Record<string, Tensor>>;
  /** The kernels to compute with. */
  readonly backend: Backend;
  /** True while training, false in evaluation (dropout and friends behave differently). */
  readonly training: boolean;
  /** This node's own seeded generator (for dropout masks and the like). */
  readonly rng: Rng;
}

/**
 * What an op's `backward` receives: the incoming gradient signal `dy` (shaped like the output),
 * what forward declared it saves, and preallocated buffers to write the gradients into.
 *
 * A buffer in `dInputs` is `undefined` when nobody needs that gradient (the model's data input,
 * a loss target): skip that work. Write (do not accumulate) into each buffer; the engine sums
 * contributions when a value feeds several nodes.
 *
 * @example
 * ```ts
 * import type { BackwardContext } from '@gradstream/graph';
 * function backward({ dy, saved, dInputs, backend }: BackwardContext<object, 'x', never, never>): void {
 *   if (dInputs.x) backend.sigmoidBackward(saved.output!.data, dy.data, dInputs.x.data);
 * }
 * ```
 */
export interface BackwardContext<C, I extends string, P extends string, S extends I = I> {
  readonly config: Readonly<C>;
  readonly params: Readonly<Record<P, Tensor>>;
  /** ∂L/∂output: the gradient signal arriving from the nodes after this one. */
  readonly dy: Tensor;
  /** What forward declared in `save`: the named inputs and, if asked, the output. */
  readonly saved: { readonly inputs: Readonly<Record<S, Tensor>>; readonly output: Tensor | undefined };
  /** Where to write ∂L/∂input, by input name; `undefined` where not needed. */
  readonly dInputs: Readonly<Partial<Record<I, Tensor>>>;
  /** Where to write ∂L/∂parameter, by parameter name. */
  readonly dParams: Readonly<Record<P, Tensor>>;
  readonly scratch: Readonly<Record<string, Tensor>>;
  readonly backend: Backend;
}

/**
 * A configuration and input shapes to gradient-check an op on, generated from a seeded RNG.
 *
 * @example
 * ```ts
 * import type { GradcheckCase } from '@gradstream/graph';
 * const c: GradcheckCase<{ units: number }> = { config: { units: 3 }, inputShapes: [[2, 3]] };
 * ```
 */
export interface GradcheckCase<C> {
  readonly config: C;
  readonly inputShapes: readonly Shape[];
  /** Fills input `index` with valid values (default: uniform in [-1, 1]). */
  readonly fillInput?: (index: number, data: Float64Array, rng: Rng) => void;
}

/**
 * The op plugin contract: a plain frozen object, registered by name. Forward and backward meet
 * only through what forward declares in `save`. Build one with {@link defineOp}.
 *
 * @typeParam C - configuration type
 * @typeParam I - input names
 * @typeParam P - parameter names
 * @typeParam S - names of the inputs saved for backward
 * @example
 * ```ts
 * import { defineOp, type OpPlugin } from '@gradstream/graph';
 * const double: OpPlugin<object, 'x', never> = defineOp({
 *   name: 'double', inputs: ['x'], save: {},
 *   outputShape: ([x]) => x!,
 *   forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, 2, out.data),
 *   backward: ({ dy, dInputs, backend }) => { if (dInputs.x) backend.scale(dy.data, 2, dInputs.x.data); },
 * });
 * ```
 */
export interface OpPlugin<C = object, I extends string = string, P extends string = string, S extends I = I> {
  /** Unique registry key, e.g. `'linear'`. */
  readonly name: string;
  /** One line saying what the op computes, shown in docs and `explain`. */
  readonly description?: string;
  /** JSON Schema of the configuration; compiled once by ajv at registration. */
  readonly paramsSchema: JsonSchema;
  /** Input names, in positional order (`['x']`, `['pred', 'target']`, `['a', 'b']`). */
  readonly inputs: readonly I[];
  /** Inputs that never receive a gradient (e.g. a loss's target). */
  readonly nonDifferentiable?: readonly I[];
  /** What backward needs: named inputs and/or the output. The tape keeps only these. */
  readonly save: { readonly inputs?: readonly S[]; readonly output?: boolean };
  /** The trainable parameters the op owns for a configuration (none for sigmoid). */
  readonly params?: (config: C) => Readonly<Record<P, ParamDecl>>;
  /** The output shape for the given input shapes (batch axis first); throws `SHAPE_MISMATCH` via {@link shapeError}, {@link expectRows} or {@link expectSameShape}. */
  readonly outputShape: (inputShapes: readonly Shape[], config: C) => Shape;
  /** Extra buffers the op keeps between forward and backward (e.g. a dropout mask). */
  readonly scratch?: (inputShapes: readonly Shape[], config: C) => Readonly<Record<string, Shape>>;
  /** Computes the output into `ctx.out`. */
  readonly forward: (ctx: ForwardContext<C, I, P>) => void;
  /** Multiplies `ctx.dy` by the local derivative and writes input and parameter gradients. */
  readonly backward: (ctx: BackwardContext<C, I, P, S>) => void;
  /** A random but valid configuration and shapes for gradient checking (the registry-wide test uses it). */
  readonly gradcheckCase?: (rng: Rng) => GradcheckCase<C>;
  /**
   * Optional: the op's forward and backward as JavaScript source, for a compiled plan to inline
   * into its generated passes (worth it for small layers, where calling a kernel costs more than
   * its arithmetic). Must compute exactly what `forward` and `backward` compute, bit for bit;
   * {@link checkSource} tests that. Return `undefined` to be called as usual for this node.
   */
  readonly emit?: (ctx: EmitContext<C, I, P>) => EmittedSource | undefined;
}

/**
 * What an op's {@link OpPlugin.emit} writes its source against. Every buffer is given as the
 * identifier of a typed array (the `.data` of the tensor of the same role in
 * {@link ForwardContext} and {@link BackwardContext}); every shape is known, so sizes can be
 * written in as numbers. Forward source may also read the boolean `training`.
 *
 * @example
 * ```ts
 * import type { EmitContext, EmittedSource } from '@gradstream/graph';
 * import { kernelSource, sizeOf } from '@gradstream/tensor';
 * const emit = ({ inputs, out, dy, dInputs, outputShape }: EmitContext<object, 'x', never>): EmittedSource => ({
 *   forward: kernelSource.tanh(inputs.x, out, sizeOf(outputShape)),
 *   backward: dInputs.x ? kernelSource.tanhBackward(out, dy, dInputs.x, sizeOf(outputShape)) : '',
 * });
 * ```
 */
export interface EmitContext<C, I extends string, P extends string> {
  /** The node's validated configuration (defaults applied). */
  readonly config: Readonly<C>;
  /** Input shapes, batch axis first, in the order of {@link OpPlugin.inputs}. */
  readonly inputShapes: readonly Shape[];
  /** The output shape. */
  readonly outputShape: Shape;
  /** Input buffers by name (also what backward reads for saved inputs). */
  readonly inputs: Readonly<Record<I, string>>;
  /** Parameter buffers by name. */
  readonly params: Readonly<Record<P, string>>;
  /** The output buffer (also what backward reads for the saved output). */
  readonly out: string;
  /** Scratch buffers by name. */
  readonly scratch: Readonly<Record<string, string>>;
  /** The incoming gradient signal ∂L/∂output. */
  readonly dy: string;
  /** Where to write ∂L/∂input; absent where not needed, as in {@link BackwardContext.dInputs}. */
  readonly dInputs: Readonly<Partial<Record<I, string>>>;
  /** Where to write ∂L/∂parameter. */
  readonly dParams: Readonly<Record<P, string>>;
}

/**
 * JavaScript statements for one node's forward and backward, returned by {@link OpPlugin.emit}.
 * Each is run inside its own block, so it may declare local variables with `let` or `const`.
 *
 * @example
 * ```ts
 * import type { EmittedSource } from '@gradstream/graph';
 * const copy: EmittedSource = { forward: 'for (let i = 0; i < 4; i++) y[i] = x[i];', backward: '' };
 * ```
 */
export interface EmittedSource {
  readonly forward: string;
  readonly backward: string;
}

/**
 * Any op plugin, whatever its type parameters: what registries and models hold.
 *
 * @example
 * ```ts
 * import type { AnyOpPlugin } from '@gradstream/graph';
 * const names = (ops: AnyOpPlugin[]) => ops.map((op) => op.name);
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOpPlugin = OpPlugin<any, string, string, string>;
