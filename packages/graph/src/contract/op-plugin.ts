import type { Backend, InitSpec, Rng, Shape, Tensor } from '@gradstream/tensor';
import type { CompiledSchema } from './config-validator.js';
import type { OnnxExporter } from './onnx-export.js';

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
 * A tensor an op keeps beside its parameters but does not train (batch normalization's moving
 * mean and variance): its shape (no batch axis) and its initial value. State is saved and restored
 * with the parameters (checkpoints, ONNX exports) and forward may update it; it never has a
 * gradient, optimizers never see it, and it counts in no gradient norm.
 *
 * @example
 * ```ts
 * import type { StateDecl } from '@gradstream/graph';
 * const movingVariance: StateDecl = { shape: [16], init: { type: 'ones' } };
 * ```
 */
export interface StateDecl {
  readonly shape: Shape;
  readonly init: InitSpec;
}

/**
 * What an op's `forward` receives. Every tensor in it is preallocated by the engine and reused
 * across steps: forward writes its result into `out` (and any `scratch`) and allocates nothing.
 *
 * @typeParam C - the op's configuration
 * @typeParam I - names of its inputs
 * @typeParam P - names of its parameters
 * @typeParam K - names of its scratch buffers
 * @typeParam T - names of its state tensors
 * @example
 * ```ts
 * import type { ForwardContext } from '@gradstream/graph';
 * function forward({ inputs, out, backend }: ForwardContext<object, 'x', never>): void {
 *   backend.sigmoid(inputs.x.data, out.data);
 * }
 * ```
 */
export interface ForwardContext<C, I extends string, P extends string, K extends string = string, T extends string = never> {
  /** The node's validated configuration (defaults applied). */
  readonly config: Readonly<C>;
  /** The input tensors, by name; the first axis is the batch. */
  readonly inputs: Readonly<Record<I, Tensor>>;
  /** The node's parameters, by name. */
  readonly params: Readonly<Record<P, Tensor>>;
  /** The node's state, by name: kept across steps and saved, never trained; forward may update it while training. */
  readonly state: Readonly<Record<T, Tensor>>;
  /** Where to write the output (shape from `outputShape`). */
  readonly out: Tensor;
  /** Buffers the op asked for with `scratch`, kept from forward to backward. */
  readonly scratch: Readonly<Record<K, Tensor>>;
  /** The kernels to compute with: the model's backend. */
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
export interface BackwardContext<C, I extends string, P extends string, S extends I = I, O extends boolean = boolean, K extends string = string, T extends string = never> {
  readonly config: Readonly<C>;
  readonly params: Readonly<Record<P, Tensor>>;
  /** The node's state, to read: it takes no gradient, so `dParams` holds no buffer for it. */
  readonly state: Readonly<Record<T, Tensor>>;
  /** ∂L/∂output: the gradient signal arriving from the nodes after this one. */
  readonly dy: Tensor;
  /** What forward declared in `save`: the named inputs and, if asked (`output: true`), the output. */
  readonly saved: { readonly inputs: Readonly<Record<S, Tensor>>; readonly output: O extends true ? Tensor : Tensor | undefined };
  /** Where to write ∂L/∂input, by input name; `undefined` where not needed. */
  readonly dInputs: Readonly<Partial<Record<I, Tensor>>>;
  /** Where to write ∂L/∂parameter, by parameter name (parameters only: state takes no gradient). */
  readonly dParams: Readonly<Record<P, Tensor>>;
  readonly scratch: Readonly<Record<K, Tensor>>;
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
 * Forward and backward compute by calling kernels of `ctx.backend` (the model's backend) on the
 * buffers they are given, reading only shapes and configuration themselves. A compiled plan then
 * records those calls once and runs them as one generated pass, with the sizes written in and no
 * per-node dispatch; how each call is carried out (a WebAssembly kernel on all cores, a loop
 * written in place) is the backend's business. An op that computes in JavaScript instead still
 * works everywhere: the plan calls it as it is.
 *
 * @typeParam C - configuration type
 * @typeParam I - input names
 * @typeParam P - parameter names
 * @typeParam S - names of the inputs saved for backward
 * @typeParam O - whether backward reads the saved output (`save.output: true`)
 * @typeParam K - names of the scratch buffers
 * @typeParam T - names of the state tensors
 * @typeParam Schema - the type of `paramsSchema` (its literal type where `defineOp` infers the configuration from it)
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
export interface OpPlugin<
  C = object,
  I extends string = string,
  P extends string = string,
  S extends I = I,
  O extends boolean = boolean,
  K extends string = string,
  T extends string = never,
  Schema extends JsonSchema = JsonSchema,
> {
  /** Unique registry key, e.g. `'linear'`. */
  readonly name: string;
  /** One line saying what the op computes, shown in docs and `explain`. */
  readonly description?: string;
  /** JSON Schema of the configuration: what specs and configurations are checked against, and what `specSchema` shows editors. */
  readonly paramsSchema: Schema;
  /**
   * `paramsSchema` compiled ahead of time by ajv's standalone code (the built-in ops carry theirs),
   * so that checking a configuration needs no code made at run time. Without it the schema is
   * compiled when the op is registered, by the compiler {@link setSchemaCompiler} installed (ajv,
   * in Node).
   */
  readonly validateParams?: CompiledSchema;
  /** Input names, in positional order (`['x']`, `['pred', 'target']`, `['a', 'b']`). */
  readonly inputs: readonly I[];
  /**
   * Inputs that never receive a gradient (e.g. a loss's target). An op of two inputs that lists
   * the second here is a loss, and only losses may stand in a model spec's `loss`.
   */
  readonly nonDifferentiable?: readonly I[];
  /** What backward needs: named inputs and/or the output. The tape keeps only these. */
  readonly save: { readonly inputs?: readonly S[]; readonly output?: O };
  /** The trainable parameters the op owns for a configuration (none for sigmoid). */
  readonly params?: (config: C) => Readonly<Record<P, ParamDecl>>;
  /**
   * Tensors the op keeps and saves with its parameters but never trains (batch normalization's
   * moving statistics): no gradient buffer is made for them, optimizers and gradient norms leave
   * them out, and checkpoints and ONNX exports keep them. Forward reads them as `ctx.state`.
   */
  readonly state?: (config: C) => Readonly<Record<T, StateDecl>>;
  /**
   * Configuration fields read off the input shapes where a layer leaves them out (linear's
   * `inFeatures` from the last axis of `x`, conv2d's input channels): the engine fills them in
   * before `params`, `scratch` and `outputShape` see the configuration, so neither specs nor
   * `sequential` repeat what the previous layer already says. A value given explicitly wins and
   * is checked by `outputShape` as before; the node's configuration (and so a saved spec) holds
   * the filled-in values. `defineOp` also takes it as one function per field (`{ inFeatures:
   * ([x]) => x?.at(-1) }`), and then types those fields as present for the op's other functions.
   */
  readonly fromInputs?: (inputShapes: readonly Shape[], config: C) => Partial<C>;
  /** The output shape for the given input shapes (batch axis first); throws `SHAPE_MISMATCH` via {@link shapeError}, {@link expectRows} or {@link expectSameShape}. */
  readonly outputShape: (inputShapes: readonly Shape[], config: C) => Shape;
  /** Extra buffers the op keeps between forward and backward (e.g. a dropout mask). */
  readonly scratch?: (inputShapes: readonly Shape[], config: C) => Readonly<Record<K, Shape>>;
  /** Computes the output into `ctx.out`, by calling kernels of `ctx.backend`. */
  readonly forward: (ctx: ForwardContext<C, I, P, K, T>) => void;
  /** Multiplies `ctx.dy` by the local derivative and writes input and parameter gradients, by calling kernels of `ctx.backend`. */
  readonly backward: (ctx: BackwardContext<C, I, P, S, O, K, T>) => void;
  /** A random but valid configuration and shapes for gradient checking (the registry-wide test uses it). */
  readonly gradcheckCase?: (rng: Rng) => GradcheckCase<C>;
  /** Writes the op as ONNX nodes (see `@gradstream/onnx`); without it the op cannot be exported. */
  readonly toOnnx?: OnnxExporter;
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
export type AnyOpPlugin = OpPlugin<any, string, string, string, boolean, string, string>;
