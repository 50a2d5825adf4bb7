import fc from 'fast-check';
import { of } from 'rxjs';
import {
  buildModel,
  defaultRegistry,
  isComposite,
  modelOperator,
  type AnyOpPlugin,
  type ForwardResult,
  type LayerSpec,
  type Model,
  type ModelSpec,
  type RegisteredPlugin,
} from '@gradstream/graph';
import { Rng, Tensor, UNARY_NAMES, UNARY_OPS, type Shape, type UnaryName } from '@gradstream/tensor';

/**
 * Random float64 models built from the ops of a registry, and a whole-model gradient check
 * (central differences against the plan's backward and the tape's input gradients), for
 * test/fuzz-graphs.test.ts.
 */

/**
 * A value a layer may read: `x` or an earlier layer's output, with its per-sample shape (no batch axis).
 *
 * @example
 * ```ts
 * const input: Value = { name: 'x', shape: [3] };
 * ```
 */
export interface Value {
  readonly name: string;
  readonly shape: Shape;
}

/**
 * The random choices of one layer or loss, drawn from fast-check naturals: shrinking them towards
 * 0 shrinks the model towards its first options (the first op, the narrowest width).
 *
 * @example
 * ```ts
 * const pick = new Picker([3, 10]);
 * pick.int(2); // 1
 * pick.uniform(0, 1); // 0.01
 * ```
 */
export class Picker {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  /** The next raw natural (the list repeats when it runs out; an empty list gives 0s). */
  next(): number {
    if (this.values.length === 0) return 0;
    return this.values[this.i++ % this.values.length] as number;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  /** A number in [lo, hi), on a grid of 1000 steps. */
  uniform(lo: number, hi: number): number {
    return lo + ((hi - lo) * (this.next() % 1000)) / 1000;
  }
  /** One element of a non-empty list. */
  of<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/**
 * What a layer adapter returns: the values the layer reads and its (valid) configuration.
 *
 * @example
 * ```ts
 * const choice: LayerChoice = { inputs: ['x'], config: { inFeatures: 3, outFeatures: 2 } };
 * ```
 */
export interface LayerChoice {
  readonly inputs: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * How the graph fuzzer uses one registered op: as a layer (which values it can read, and a valid
 * configuration for their shapes) or as a loss (which predictions it fits, and valid targets).
 *
 * @example
 * ```ts
 * const negate: FuzzOp = { layer: ({ candidates }, pick) => ({ inputs: [pick.of(candidates).name], config: {} }) };
 * ```
 */
export interface FuzzOp {
  /**
   * A layer reading a value of `candidates` (the previous layer in a chain, any earlier value in a
   * DAG), plus any of `all` for further inputs; undefined when no candidate has a shape it takes.
   */
  readonly layer?: (values: { readonly candidates: readonly Value[]; readonly all: readonly Value[] }, pick: Picker) => LayerChoice | undefined;
  /** For a loss: whether it compares predictions of this per-sample shape, and a valid target batch. */
  readonly loss?: {
    readonly fits: (shape: Shape) => boolean;
    readonly fillTarget: (data: Float64Array, shape: Shape, rng: Rng) => void;
  };
  /**
   * True when the node's output being > 0 tells which piece of a piecewise function it is on
   * (a kink at 0, as ReLU's): a finite difference whose evaluations land on different pieces is
   * not a derivative, so the checker leaves that element out (and counts it).
   */
  readonly kink?: (config: Readonly<Record<string, unknown>>) => boolean;
}

type LayerFn = NonNullable<FuzzOp['layer']>;

const rank1 = (v: Value): boolean => v.shape.length === 1;
const width = (v: Value): number => v.shape[0] as number;

/** A fully connected layer (`linear`, `dense`): reads a `[features]` value, any width out (1 and odd ones included). */
const fullyConnected = (extra: (pick: Picker) => Record<string, unknown> = () => ({})): LayerFn =>
  ({ candidates }, pick) => {
    const fits = candidates.filter(rank1);
    if (fits.length === 0) return undefined;
    const v = pick.of(fits);
    return { inputs: [v.name], config: { inFeatures: width(v), outFeatures: 1 + pick.int(9), ...extra(pick) } };
  };

/** Any value, any shape: elementwise ops, softmax (its rows are the last axis), dropout. */
const anyShape = (config: (pick: Picker) => Record<string, unknown> = () => ({})): LayerFn =>
  ({ candidates }, pick) => ({ inputs: [pick.of(candidates).name], config: config(pick) });

/** Elementwise functions with a kink at 0 (the others in `UNARY_OPS` are smooth). */
const KINKED: ReadonlySet<string> = new Set<UnaryName>(['relu', 'leakyRelu']);

/** An elementwise op named after its function of `UNARY_OPS`, its parameter (leaky ReLU's slope) drawn. */
const unaryOp = (fn: UnaryName): FuzzOp => {
  const param = (UNARY_OPS[fn] as { param?: { name: string } }).param;
  return {
    layer: anyShape((pick) => (param === undefined || pick.int(4) === 0 ? {} : { [param.name]: pick.uniform(0, 0.5) })),
    kink: () => KINKED.has(fn),
  };
};

/** An image-reading layer (NHWC, `[h, w, c]` per sample): none where no candidate is an image. */
const imageLayer =
  (config: (image: Value, pick: Picker) => Record<string, unknown>): LayerFn =>
  ({ candidates }, pick) => {
    const images = candidates.filter((v) => v.shape.length === 3);
    if (images.length === 0) return undefined;
    const v = pick.of(images);
    return { inputs: [v.name], config: config(v, pick) };
  };

/** A window side of 1 to 3 taps, `dilation` apart; with 'valid' padding no wider than the image's `size`. */
const windowSide = (size: number, padding: string, dilation: number, pick: Picker): number =>
  Math.max(1, Math.min(1 + pick.int(3), padding === 'same' ? 3 : Math.floor((size - 1) / dilation) + 1));

/** The divisors of n, so that a reshape can fold a row of n values into an image. */
const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** Targets uniform in [−1, 1]. */
function uniformTarget(data: Float64Array, _shape: Shape, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-1, 1);
}

/** Targets 4 to 6 away from 0, either side. */
function farTarget(data: Float64Array, _shape: Shape, rng: Rng): void {
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(4, 6) * (rng.next() < 0.5 ? -1 : 1);
}

/** Probability rows: positive, normalised over the last axis. */
function probabilityRows(data: Float64Array, shape: Shape, rng: Rng): void {
  const cols = shape[shape.length - 1] as number;
  for (let o = 0; o < data.length; o += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += data[o + c] = 0.05 + rng.next();
    for (let c = 0; c < cols; c++) data[o + c] = (data[o + c] as number) / s;
  }
}

/**
 * The fuzzer's knowledge of every built-in op, by name. An op registered without an entry here
 * makes the graph fuzz tests fail, naming it: each registered op is meant to be fuzzed.
 *
 * @example
 * ```ts
 * FUZZ_OPS.linear?.layer !== undefined; // true
 * FUZZ_OPS.mse?.loss !== undefined; // true
 * ```
 */
export const FUZZ_OPS: Readonly<Record<string, FuzzOp>> = {
  ...Object.fromEntries(UNARY_NAMES.map((fn) => [fn, unaryOp(fn)])),
  linear: { layer: fullyConnected() },
  dense: {
    layer: fullyConnected((pick) => {
      const activation = pick.of(UNARY_NAMES);
      const param = (UNARY_OPS[activation] as { param?: unknown }).param;
      return { activation, ...(param !== undefined && pick.int(3) > 0 ? { alpha: pick.uniform(0, 0.5) } : {}) };
    }),
    kink: (c) => KINKED.has(c.activation as string),
  },
  softmax: { layer: anyShape() },
  // Training mode draws a mask; the checker restarts every node's generator before each pass, so
  // every evaluation sees the same mask and the function is smooth in everything else.
  dropout: { layer: anyShape((pick) => (pick.int(4) === 0 ? {} : { rate: pick.uniform(0, 0.9) })) },
  add: {
    layer: ({ candidates, all }, pick) => {
      const a = pick.of(candidates);
      // Any value of the same shape, the same one included (add(v, v) sums two contributions into one gradient).
      const b = pick.of(all.filter((v) => v.shape.length === a.shape.length && v.shape.every((d, i) => d === a.shape[i])));
      return { inputs: pick.int(2) === 0 ? [a.name, b.name] : [b.name, a.name], config: {} };
    },
  },
  // Images (NHWC) come from reshape, which folds a value into [h, w, c].
  conv2d: {
    layer: imageLayer(({ shape: [h = 1, w = 1, inChannels = 1] }, pick) => {
      const padding = pick.of(['valid', 'same']);
      const dilation = 1 + pick.int(2);
      const kernelSize = [windowSide(h, padding, dilation, pick), windowSide(w, padding, dilation, pick)];
      const activation = pick.of(UNARY_NAMES);
      return { filters: 1 + pick.int(4), kernelSize, strides: 1 + pick.int(2), dilation, padding, activation, inChannels };
    }),
    kink: (c) => KINKED.has(c.activation as string),
  },
  // One-pixel windows: a larger window's maximum may change hands within a finite difference's
  // step, which no output sign shows (the op's own gradient check keeps its inputs apart instead).
  maxPool2d: { layer: imageLayer((_v, pick) => ({ poolSize: 1, strides: [1 + pick.int(2), 1 + pick.int(2)], padding: pick.of(['valid', 'same']) })) },
  avgPool2d: {
    layer: imageLayer(({ shape: [h = 1, w = 1] }, pick) => {
      const padding = pick.of(['valid', 'same']);
      return { poolSize: [windowSide(h, padding, 1, pick), windowSide(w, padding, 1, pick)], strides: 1 + pick.int(2), padding };
    }),
  },
  globalAvgPool: { layer: imageLayer(() => ({})) },
  flatten: { layer: anyShape() },
  reshape: {
    layer: ({ candidates }, pick) => {
      const v = pick.of(candidates);
      const size = v.shape.reduce((a, b) => a * b, 1);
      // Mostly into an image [h, w, c] (its width sometimes left to -1), else back into a row.
      if (pick.int(4) === 0) return { inputs: [v.name], config: { shape: [-1] } };
      const h = pick.of(divisors(size));
      const c = pick.of(divisors(size / h));
      return { inputs: [v.name], config: { shape: pick.int(3) === 0 ? [h, -1, c] : [h, size / h / c, c] } };
    },
  },
  // Along any axis but the batch's, counted from the front or the end; the other value any of the
  // same shape apart from that axis (the same one included).
  concat: {
    layer: ({ candidates, all }, pick) => {
      const a = pick.of(candidates);
      const at = pick.int(a.shape.length);
      const b = pick.of(all.filter((v) => v.shape.length === a.shape.length && v.shape.every((d, i) => i === at || d === a.shape[i])));
      return { inputs: [a.name, b.name], config: { axis: pick.int(2) === 0 ? at + 1 : at - a.shape.length } };
    },
  },
  // Sequences [steps, features] per sample: the [rows, width] inputs. inputSize sometimes left to the build.
  ...Object.fromEntries(
    (['gru', 'lstm'] as const).map((op): [string, FuzzOp] => [
      op,
      {
        layer: ({ candidates }, pick) => {
          const fits = candidates.filter((v) => v.shape.length === 2);
          if (fits.length === 0) return undefined;
          const v = pick.of(fits);
          const inputSize = pick.int(2) === 0 ? { inputSize: v.shape[1] } : {};
          return { inputs: [v.name], config: { units: 1 + pick.int(4), returnSequences: pick.int(2) === 0, ...inputSize } };
        },
      },
    ]),
  ),
  // Over the last axis of any value (features given: outputShape is asked without the build's
  // fromInputs). ε of 0.1 or more: a row or column of nearly equal values has a variance near 0,
  // and 1/√(variance + ε) must stay smooth at the finite differences' step.
  ...Object.fromEntries(
    (['batchNorm', 'layerNorm'] as const).map((op): [string, FuzzOp] => [
      op,
      {
        layer: ({ candidates }, pick) => {
          const v = pick.of(candidates);
          const momentum = op === 'batchNorm' ? { momentum: pick.uniform(0, 1) } : {};
          return { inputs: [v.name], config: { features: v.shape[v.shape.length - 1], epsilon: pick.uniform(0.1, 1), ...momentum } };
        },
      },
    ]),
  ),
  // Never in a random graph: its input holds token ids (integers), while the fuzzer's inputs and
  // values are reals, and the checker differentiates x. Its own gradient check covers it.
  embedding: { layer: () => undefined },
  // Self-attention over [steps, features] per sample (keyDim given: heads need not divide the width).
  multiHeadAttention: {
    layer: ({ candidates }, pick) => {
      const fits = candidates.filter((v) => v.shape.length === 2);
      return fits.length === 0 ? undefined : { inputs: [pick.of(fits).name], config: { heads: 1 + pick.int(3), keyDim: 1 + pick.int(3), causal: pick.int(2) === 0 } };
    },
  },
  positionEmbedding: {
    layer: ({ candidates }, pick) => {
      const fits = candidates.filter((v) => v.shape.length === 2);
      if (fits.length === 0) return undefined;
      const v = pick.of(fits);
      return { inputs: [v.name], config: { maxLength: (v.shape[0] as number) + pick.int(3) } };
    },
  },
  mse: { loss: { fits: () => true, fillTarget: uniformTarget } },
  // Targets 4 to 6 away from 0: the predictions of these small models stay well inside that, so no
  // finite difference crosses mae's kink (where prediction meets target) or huber's change of
  // piece at δ. The ops' own gradient checks cover the rest of their range.
  mae: { loss: { fits: () => true, fillTarget: farTarget } },
  huber: { loss: { fits: () => true, fillTarget: farTarget } },
  sigmoidCrossEntropy: { loss: { fits: () => true, fillTarget: (d, _s, rng) => d.forEach((_, i) => (d[i] = rng.next())) } },
  softmaxCrossEntropy: { loss: { fits: (s) => s.length === 1, fillTarget: probabilityRows } },
};

/**
 * True for an op that can stand as a model's loss: two inputs, the second (the target) not differentiated.
 *
 * @example
 * ```ts
 * isLoss(defaultRegistry.get('mse')); // true
 * isLoss(defaultRegistry.get('add')); // false
 * ```
 */
export function isLoss(plugin: RegisteredPlugin): boolean {
  if (isComposite(plugin)) return false;
  const op = plugin as AnyOpPlugin;
  return op.inputs.length === 2 && (op.nonDifferentiable ?? []).includes(op.inputs[1] as string);
}

/**
 * The fuzzer's entry for a registered op; an op it does not know is an error saying so.
 *
 * @example
 * ```ts
 * fuzzOpOf(defaultRegistry.get('tanh')).layer !== undefined; // true
 * ```
 */
export function fuzzOpOf(plugin: RegisteredPlugin): FuzzOp {
  const entry = Object.hasOwn(FUZZ_OPS, plugin.name) ? FUZZ_OPS[plugin.name] : undefined;
  const role = isLoss(plugin) ? 'loss' : 'layer';
  if (entry === undefined || entry[role] === undefined) {
    throw new Error(
      `op "${plugin.name}" is registered, but the graph fuzzer does not know how to configure it as a ${role}: ` +
        `add an entry for it to FUZZ_OPS in test/support/fuzz-models.ts (a ${role === 'loss' ? 'loss: { fits, fillTarget }' : 'layer(values, pick)'})`,
    );
  }
  return entry;
}

/**
 * The random choices of one model; {@link buildFuzzModel} turns them into a spec.
 *
 * @example
 * ```ts
 * const c: ModelChoices = { batch: 1, inputShape: [3], layers: [{ op: 0, picks: [] }], loss: { op: 0, picks: [] }, dag: false, seed: 1 };
 * ```
 */
export interface ModelChoices {
  /** Batch size of the check (1 often). */
  readonly batch: number;
  /** Per-sample input shape: `[width]`, sometimes `[rows, width]` (only ops of any shape read that). */
  readonly inputShape: readonly number[];
  /** Per layer: which op (an index among the registry's layer ops) and the naturals its choices come from. */
  readonly layers: readonly { readonly op: number; readonly picks: readonly number[] }[];
  readonly loss: { readonly op: number; readonly picks: readonly number[] };
  /** A chain (each layer reads the previous one) or a DAG (each layer reads any earlier value). */
  readonly dag: boolean;
  /** Seed of the inputs, targets and parameter values. */
  readonly seed: number;
}

const picksArb = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 4, maxLength: 4 });

/**
 * Random {@link ModelChoices}: chains or DAGs of 1 to `maxLayers` (default 8) layers, batch 1 to 6,
 * inputs of width 1 to 9 (or `[rows, width]`), fully connected layers 1 to 9 wide.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(modelChoicesArb({ dag: true }), (c) => buildFuzzModel(c).spec.layers.length >= 1));
 * ```
 */
export function modelChoicesArb(options: { readonly dag: boolean; readonly maxLayers?: number }): fc.Arbitrary<ModelChoices> {
  return fc.record({
    batch: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 6 })),
    inputShape: fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 9 })) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 })) },
    ),
    layers: fc.array(fc.record({ op: fc.nat({ max: 1000 }), picks: picksArb }), { minLength: 1, maxLength: options.maxLayers ?? 8, size: 'max' }),
    loss: fc.record({ op: fc.nat({ max: 1000 }), picks: picksArb }),
    dag: fc.constant(options.dag),
    seed: fc.nat({ max: 1_000_000 }),
  });
}

/**
 * A built fuzz model: its spec, the model (float64, TypeScript kernels) and how to fill its targets.
 *
 * @example
 * ```ts
 * const { spec, model }: FuzzModel = buildFuzzModel(choices);
 * ```
 */
export interface FuzzModel {
  readonly spec: ModelSpec;
  readonly model: Model;
  readonly loss: NonNullable<FuzzOp['loss']>;
  /** Names of the nodes whose output sign marks a kink (see {@link FuzzOp.kink}). */
  readonly kinked: readonly string[];
}

/**
 * Builds the spec the choices describe from the registry's ops and builds it as a float64 model
 * on the TypeScript kernels. Each layer takes the op its index names among the layer ops, or the
 * next one in name order that can read one of the candidate values (elementwise ops read any).
 *
 * @example
 * ```ts
 * const { spec } = buildFuzzModel({ batch: 1, inputShape: [3], layers: [{ op: 0, picks: [] }], loss: { op: 0, picks: [] }, dag: false, seed: 1 });
 * ```
 */
export function buildFuzzModel(choices: ModelChoices, registry = defaultRegistry): FuzzModel {
  const plugins = registry.plugins();
  const layerOps = plugins.filter((p) => !isLoss(p));
  const lossOps = plugins.filter(isLoss);
  const values: Value[] = [{ name: 'x', shape: choices.inputShape }];
  const layers: LayerSpec[] = [];
  const kinked: string[] = [];
  choices.layers.forEach((l, i) => {
    const candidates = choices.dag ? values : [values[values.length - 1] as Value];
    const name = `n${i}`;
    for (let k = 0; k < layerOps.length; k++) {
      const plugin = layerOps[(l.op + k) % layerOps.length] as RegisteredPlugin;
      const fuzz = fuzzOpOf(plugin);
      const choice = fuzz.layer?.({ candidates, all: values }, new Picker(l.picks));
      if (choice === undefined) continue;
      if (isComposite(plugin)) throw new Error(`op "${plugin.name}" is a composite: teach buildFuzzModel in test/support/fuzz-models.ts the shape of its output`);
      const shapes = choice.inputs.map((v) => (values.find((w) => w.name === v) as Value).shape);
      // The op's own shape rule (batch 1 in front) gives the output shape, as the build will.
      const op = plugin as AnyOpPlugin;
      const batched = shapes.map((s) => [1, ...s]);
      // Fields left out are read off the inputs, as the build does (explicit values win).
      const given = registry.validateConfig(plugin.name, choice.config);
      const config = { ...op.fromInputs?.(batched, given), ...given };
      const out = op.outputShape(batched, config);
      layers.push({ op: plugin.name, name, inputs: choice.inputs, ...choice.config });
      values.push({ name, shape: out.slice(1) });
      if (fuzz.kink?.(config) === true) kinked.push(name);
      return;
    }
    throw new Error(`layer ${i}: no registered op reads any of ${candidates.map((v) => `${v.name} [${v.shape.join(',')}]`).join(', ')}`);
  });
  const last = values[values.length - 1] as Value;
  const fitting = lossOps.filter((p) => fuzzOpOf(p).loss?.fits(last.shape));
  if (fitting.length === 0) throw new Error(`no registered loss compares predictions of shape [${last.shape.join(',')}]`);
  const lossPlugin = fitting[choices.loss.op % fitting.length] as RegisteredPlugin;
  const spec: ModelSpec = { version: 1, inputShape: choices.inputShape, layers, loss: { op: lossPlugin.name }, dtype: 'float64' };
  const model = buildModel(spec, { registry, seed: choices.seed, backend: 'ts' });
  return { spec, model, loss: fuzzOpOf(lossPlugin).loss as NonNullable<FuzzOp['loss']>, kinked };
}

/**
 * The comparison for one parameter (or the input), as gradcheck reports it.
 *
 * @example
 * ```ts
 * const ok = (e: ModelGradEntry) => e.maxRelError < 1e-6 && e.checked > 0;
 * ```
 */
export interface ModelGradEntry {
  readonly kind: 'param' | 'input';
  readonly name: string;
  readonly maxRelError: number;
  readonly worst: { readonly index: number; readonly analytic: number; readonly numeric: number };
  /** Elements compared, and left out because a finite difference crossed a kink. */
  readonly checked: number;
  readonly skipped: number;
}

/** Below this magnitude errors are relative to it (as in gradcheck: float64 differences carry ~1e-11 absolute noise). */
const REL_FLOOR = 1e-4;

/**
 * Checks a whole model's gradients at one batch against central differences in float64, the way
 * gradcheck checks one op: Richardson-extrapolated differences (error O(h⁴), h = 1e-3) of the
 * plan's training loss, compared with every parameter gradient of the plan's backward and with the
 * input gradient the tape computes (the RxJS face, whose parameter gradients must equal the
 * plan's exactly). Parameters are drawn uniform in ±1/√fanIn so activations stay near 1.
 *
 * @example
 * ```ts
 * const { model, loss, kinked } = buildFuzzModel(choices);
 * const entries = checkModelGradients(model, { batch: 2, seed: 1, fillTarget: loss.fillTarget, kinked });
 * ```
 */
export function checkModelGradients(
  model: Model,
  options: {
    readonly batch: number;
    readonly seed: number;
    readonly fillTarget: NonNullable<FuzzOp['loss']>['fillTarget'];
    readonly kinked: readonly string[];
    /** Runs after the random draws, before the check: a test places values where it wants them (at a kink, say). */
    readonly adjust?: (model: Model, x: Float64Array) => void;
  },
): ModelGradEntry[] {
  const eps = 1e-3;
  const rng = Rng.fromSeed(options.seed);
  const plan = model.compile(options.batch);
  for (let j = 0; j < plan.x.size; j++) plan.x.data[j] = rng.uniform(-1, 1);
  options.fillTarget(plan.y.data as Float64Array, plan.y.shape, rng);
  for (const node of model.nodes) {
    const decls = node.op.params?.(node.config) ?? {};
    for (const [k, t] of Object.entries(node.params)) {
      const bound = 1 / Math.sqrt(Math.max(1, decls[k]?.fanIn ?? 1));
      for (let j = 0; j < t.size; j++) t.data[j] = rng.uniform(-bound, bound);
    }
  }
  options.adjust?.(model, plan.x.data as Float64Array);
  // Every pass restarts the nodes' generators, so dropout draws the same mask each time.
  const states = model.nodes.map((n) => n.rng.state());
  const restart = (): void => model.nodes.forEach((n, i) => n.rng.setState(states[i] as number[]));
  const probes = options.kinked.map((name) => plan.values.get(name) as Tensor);
  const pattern = (): string => probes.map((t) => Array.from(t.data, (v) => (v > 0 ? '1' : '0')).join('')).join('|');

  restart();
  plan.computeGradients();
  const loss = plan.loss;
  const basePattern = pattern();
  const analytic = new Map(model.parameters().map((p) => [p.id, Float64Array.from((plan.paramGrads.get(p.id) as Tensor).data)]));

  // The tape (the RxJS face) on the same batch: its loss and parameter gradients must be the plan's, and it gives ∂L/∂x.
  const x = new Tensor(plan.x.shape, Float64Array.from(plan.x.data));
  const y = new Tensor(plan.y.shape, Float64Array.from(plan.y.data));
  restart();
  let result: ForwardResult | undefined;
  of({ x, y }).pipe(modelOperator(model, { training: true })).subscribe((r) => (result = r));
  const r = result as ForwardResult;
  if (!Object.is(r.loss, loss)) throw new Error(`the tape's loss ${r.loss} differs from the plan's ${loss}`);
  const tape = r.tape.backward(r.lossTensor as Tensor, model.backend);
  for (const [id, g] of analytic) {
    // The tape skips nodes the loss does not depend on (a dead branch of a DAG): their gradient is zero.
    const t = tape.params.get(id)?.data ?? new Float64Array(g.length);
    if (t.some((v, j) => !Object.is(v + 0, (g[j] as number) + 0))) throw new Error(`the tape's gradient of ${id} differs from the plan's`);
  }
  const dx = tape.values.get(x);

  const evaluate = (): number => {
    restart();
    return plan.forward(true);
  };
  const entries: ModelGradEntry[] = [];
  const compare = (kind: 'param' | 'input', name: string, value: Float64Array, grad: ArrayLike<number>): void => {
    let maxRel = 0;
    let worst = { index: 0, analytic: grad[0] ?? 0, numeric: 0 };
    let checked = 0;
    let skipped = 0;
    for (let j = 0; j < value.length; j++) {
      const orig = value[j] as number;
      let crossed = false;
      const at = (v: number): number => {
        value[j] = v;
        const f = evaluate();
        if (probes.length > 0 && pattern() !== basePattern) crossed = true;
        return f;
      };
      const wide = at(orig + eps) - at(orig - eps);
      const narrow = at(orig + eps / 2) - at(orig - eps / 2);
      value[j] = orig;
      if (crossed) {
        skipped++;
        continue;
      }
      checked++;
      const numeric = (8 * narrow - wide) / (6 * eps);
      const a = grad[j] as number;
      const rel = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), REL_FLOOR);
      // Written as !(x <= max) so a NaN error is reported, never skipped.
      if (!(rel <= maxRel)) {
        maxRel = rel;
        worst = { index: j, analytic: a, numeric };
      }
    }
    entries.push({ kind, name, maxRelError: maxRel, worst, checked, skipped });
  };
  for (const p of model.parameters()) compare('param', p.id, p.value.data as Float64Array, analytic.get(p.id) as Float64Array);
  if (dx === undefined) throw new Error('the tape computed no gradient for the input x');
  compare('input', 'x', plan.x.data as Float64Array, Float64Array.from(dx.data));
  return entries;
}
