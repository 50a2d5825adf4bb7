import { GradstreamError, Rng, Tensor, formatShape, tsBackend, type Shape } from '@gradstream/tensor';
import { configValidator } from '../contract/config-validator.js';
import { defaultRegistry, type RegisteredPlugin, type Registry } from '../contract/registry.js';
import { Program } from '../exec/program.js';
import { wireLayer } from '../model/build.js';

/**
 * What to check an op on.
 *
 * @example
 * ```ts
 * import type { GradcheckOptions } from '@gradstream/graph';
 * const opts: GradcheckOptions = { config: { inFeatures: 3, outFeatures: 2 }, inputShapes: [[4, 3]], seed: 1 };
 * ```
 */
export interface GradcheckOptions {
  /** The op's configuration (validated, defaults applied). */
  readonly config?: unknown;
  /** Shapes of the inputs, batch axis first. */
  readonly inputShapes: readonly Shape[];
  /** Seed for inputs, parameters and the random projection of the output (default 0). */
  readonly seed?: number;
  /** Finite-difference step h (default 1e-3; see {@link gradcheck} for why it can be this large). */
  readonly eps?: number;
  /** Pass/fail threshold on the relative error (default 1e-6). */
  readonly tolerance?: number;
  /** Fills input `index` with valid values (default uniform in [-1, 1]). */
  readonly fillInput?: (index: number, data: Float64Array, rng: Rng) => void;
  /** Where a composite's parts are looked up, when it names no registry of its own (default: {@link defaultRegistry}). */
  readonly registry?: Registry;
}

/**
 * The comparison for one input or parameter.
 *
 * @example
 * ```ts
 * import type { GradcheckEntry } from '@gradstream/graph';
 * const line = (e: GradcheckEntry) => `${e.kind} ${e.name}: ${e.maxRelError.toExponential(1)}`;
 * ```
 */
export interface GradcheckEntry {
  readonly kind: 'input' | 'param';
  readonly name: string;
  readonly shape: Shape;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** The element with the largest relative error. */
  readonly worst: { readonly index: number; readonly analytic: number; readonly numeric: number };
}

/**
 * The result of {@link gradcheck}.
 *
 * @example
 * ```ts
 * import type { GradcheckReport } from '@gradstream/graph';
 * const summary = (r: GradcheckReport) => `${r.op}: ${r.ok ? 'ok' : 'FAILED'} (${r.maxRelError.toExponential(2)})`;
 * ```
 */
export interface GradcheckReport {
  readonly op: string;
  readonly ok: boolean;
  readonly tolerance: number;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly entries: readonly GradcheckEntry[];
}

/** Validates a configuration against the op's schema outside any registry, filling defaults. */
export function checkConfig(plugin: RegisteredPlugin, config: unknown): Record<string, unknown> {
  return configValidator(plugin)(config ?? {}, plugin.name);
}

/** The case a checker runs: the shapes given, or the plugin's own `gradcheckCase` drawn with the seed. */
export function resolveCase(
  plugin: RegisteredPlugin,
  options: { readonly shapes?: readonly Shape[]; readonly config?: unknown; readonly seed?: number; readonly fillInput?: GradcheckOptions['fillInput'] },
  checker: string,
): { shapes: readonly Shape[]; config: unknown; fillInput: GradcheckOptions['fillInput'] | undefined } {
  if (options.shapes !== undefined) return { shapes: options.shapes, config: options.config, fillInput: options.fillInput };
  const c = plugin.gradcheckCase?.(Rng.fromSeed(options.seed ?? 0));
  if (c === undefined) {
    throw new GradstreamError('INVALID_OPTION', `${checker}(${plugin.name}): give shapes, or declare a gradcheckCase on the op`, { op: plugin.name });
  }
  return { shapes: c.inputShapes, config: options.config ?? c.config, fillInput: options.fillInput ?? c.fillInput };
}

/* Below this magnitude the relative error is measured against the floor instead: float64
   central differences carry ~1e-11 absolute noise, which would swamp tiny gradients. */
const REL_FLOOR = 1e-4;

/**
 * Checks an op's backward against central finite differences in float64. The output is projected
 * onto a random tensor R (objective f = Σ R ⊙ forward(...)), so backward is called with dy = R and
 * every input and parameter gradient is compared element by element with a central difference.
 * The difference is Richardson-extrapolated, (4·D(h/2) − D(h)) / 3 with D(h) = (f(v+h) − f(v−h)) / 2h,
 * so its error is O(h⁴): with h = 1e-3 both truncation and float64 rounding stay near 1e-12.
 * Parameters are drawn uniform in [-1, 1] (not from their initializer) so no zero hides an error.
 * State (moving statistics) takes no gradient and is not compared; it keeps its initial values,
 * restored before every evaluation. Forward runs in training mode.
 *
 * Relative error is |analytic − numeric| / max(|analytic|, |numeric|, 1e-4).
 *
 * @example
 * ```ts
 * import { gradcheck } from '@gradstream/graph';
 * import { linearOp } from '@gradstream/ops';
 * const report = gradcheck(linearOp, { config: { inFeatures: 3, outFeatures: 2 }, inputShapes: [[4, 3]] });
 * console.log(report.ok, report.maxRelError);
 * ```
 */
export function gradcheck(plugin: RegisteredPlugin, options: GradcheckOptions): GradcheckReport {
  const config = checkConfig(plugin, options.config);
  const seed = options.seed ?? 0;
  const eps = options.eps ?? 1e-3;
  const tolerance = options.tolerance ?? 1e-6;
  const rng = Rng.fromSeed(seed);
  // The op (or the composite's parts) as a one-layer graph reading its inputs by their own names,
  // run by the same executor as every plan, in float64 on the TypeScript backend.
  const shapes = new Map<string, Shape>(plugin.inputs.map((name, i) => [name, options.inputShapes[i] ?? []]));
  const nodes = wireLayer(plugin, config, shapes, { registry: options.registry ?? defaultRegistry, dtype: 'float64', backend: tsBackend, seed: seed + 1 });
  const last = nodes[nodes.length - 1];
  if (last === undefined) throw new GradstreamError('INVALID_PLUGIN', `gradcheck(${plugin.name}): nothing to check`, { op: plugin.name });
  // Inputs some node differentiates: the ones whose gradient is compared.
  const differentiable = new Set<string>();
  for (const node of nodes) {
    node.inputs.forEach((v, slot) => {
      if (shapes.has(v) && !(node.op.nonDifferentiable ?? []).includes(node.op.inputs[slot] as string)) differentiable.add(v);
    });
  }
  const program = new Program({
    nodes,
    externals: shapes,
    externalGrads: differentiable,
    output: last.name,
    gradients: true,
    dtype: 'float64',
    backend: tsBackend,
    name: `gradcheck-${plugin.name}`,
  });
  const inputs = plugin.inputs.map((name, i) => {
    const t = program.values.get(name) as Tensor;
    if (options.fillInput) options.fillInput(i, t.data as Float64Array, rng);
    else for (let j = 0; j < t.size; j++) t.data[j] = rng.uniform(-1, 1);
    return t;
  });
  // Parameters drawn uniform in [-1, 1] (not from their initializer), so no zero hides an error.
  const prefix = `${last.name.split('.')[0] as string}.`;
  const params: [string, Tensor][] = [];
  for (const node of nodes) {
    for (const [k, t] of Object.entries(node.params)) {
      for (let j = 0; j < t.size; j++) t.data[j] = rng.uniform(-1, 1);
      params.push([`${node.name}.${k}`.slice(prefix.length), t]);
    }
  }
  const out = program.values.get(last.name) as Tensor;
  const projection = program.grads.get(last.name) as Tensor;
  for (let j = 0; j < projection.size; j++) projection.data[j] = rng.uniform(-1, 1);
  // Every evaluation starts the nodes' generators from the same state, so random ops (dropout) draw
  // the same mask; and their state tensors (moving statistics, which a training forward updates)
  // from the same values, so no evaluation sees what an earlier one left.
  const rngStates = nodes.map((n) => n.rng.state());
  const stateTensors = nodes.flatMap((n) => Object.values(n.state));
  const stateValues = stateTensors.map((t) => t.data.slice());
  const evaluate = (): number => {
    nodes.forEach((n, i) => n.rng.setState(rngStates[i] as number[]));
    stateTensors.forEach((t, i) => t.data.set(stateValues[i] as Float64Array));
    program.forward(true);
    let f = 0;
    for (let j = 0; j < out.size; j++) f += (out.data[j] as number) * (projection.data[j] as number);
    return f;
  };

  evaluate();
  program.backward();
  // Copies: the finite differences below run forward again, which leaves the gradient buffers alone, but be explicit.
  const analytic = new Map<string, Tensor>();
  for (const name of differentiable) analytic.set(name, (program.grads.get(name) as Tensor).clone());
  const paramGrads = new Map<string, Tensor>();
  for (const node of nodes) for (const k of Object.keys(node.params)) paramGrads.set(`${node.name}.${k}`.slice(prefix.length), (program.paramGrads.get(`${node.name}.${k}`) as Tensor).clone());

  const entries: GradcheckEntry[] = [];
  const compare = (kind: 'input' | 'param', name: string, value: Tensor, grad: Tensor): void => {
    if (grad.shape.length !== value.shape.length || grad.size !== value.size) {
      throw new GradstreamError(
        'GRADIENT_SHAPE',
        `op "${plugin.name}": gradient of ${kind} ${name} has shape ${formatShape(grad.shape)}, expected ${formatShape(value.shape)}`,
        { op: plugin.name, name },
      );
    }
    let maxAbs = 0;
    let maxRel = 0;
    let worst = { index: 0, analytic: grad.data[0] ?? 0, numeric: 0 };
    for (let j = 0; j < value.size; j++) {
      const orig = value.data[j] as number;
      const at = (v: number): number => {
        value.data[j] = v;
        return evaluate();
      };
      // Richardson-extrapolated central difference: (4·D(h/2) − D(h)) / 3, error O(h⁴).
      const wide = at(orig + eps) - at(orig - eps);
      const narrow = at(orig + eps / 2) - at(orig - eps / 2);
      value.data[j] = orig;
      const numeric = (8 * narrow - wide) / (6 * eps);
      const a = grad.data[j] as number;
      const abs = Math.abs(a - numeric);
      const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), REL_FLOOR);
      // Written as !(x <= max) so a NaN error is reported, never skipped.
      if (!(abs <= maxAbs)) maxAbs = abs;
      if (!(rel <= maxRel)) {
        maxRel = rel;
        worst = { index: j, analytic: a, numeric };
      }
    }
    entries.push({ kind, name, shape: value.shape, maxAbsError: maxAbs, maxRelError: maxRel, worst });
  };
  plugin.inputs.forEach((n, i) => {
    const g = analytic.get(n);
    if (g !== undefined) compare('input', n, inputs[i] as Tensor, g);
  });
  for (const [k, p] of params) compare('param', k, p, paramGrads.get(k) as Tensor);
  evaluate();
  const maxRelError = entries.reduce((m, e) => (e.maxRelError > m || Number.isNaN(e.maxRelError) ? e.maxRelError : m), 0);
  const maxAbsError = entries.reduce((m, e) => Math.max(m, e.maxAbsError), 0);
  return Object.freeze({ op: plugin.name, ok: maxRelError < tolerance, tolerance, maxAbsError, maxRelError, entries: Object.freeze(entries) });
}

/**
 * Options of {@link checkGradients}: what {@link gradcheck} takes, with the shapes and config
 * optional — by default they come from the plugin's own `gradcheckCase` drawn with `seed`.
 *
 * @example
 * ```ts
 * import type { CheckGradientsOptions } from '@gradstream/graph';
 * const o: CheckGradientsOptions = { shapes: [[4, 3]], config: { features: 3 }, seed: 7 };
 * ```
 */
export interface CheckGradientsOptions {
  readonly shapes?: readonly Shape[];
  readonly config?: unknown;
  readonly seed?: number;
  readonly tolerance?: number;
  readonly fillInput?: (index: number, data: Float64Array, rng: Rng) => void;
  /** Where a composite's parts are looked up, when it names no registry of its own. */
  readonly registry?: Registry;
}

/**
 * A {@link GradcheckReport} that can print itself and assert.
 *
 * @example
 * ```ts
 * import { checkGradients } from '@gradstream/graph';
 * import { tanhOp } from '@gradstream/ops';
 * const report = checkGradients(tanhOp);
 * console.log(report.format());
 * report.assert(); // throws GRADIENT_MISMATCH with the table when it fails
 * ```
 */
export interface GradientReport extends GradcheckReport {
  /** One line per input and parameter: max absolute and relative error, and the worst element. */
  format(): string;
  /** Throws a `GRADIENT_MISMATCH` error carrying {@link GradientReport.format} when not ok; any test runner shows it. */
  assert(): void;
}

/**
 * Gradient-checks a plugin for its author: central differences in float64 against its backward,
 * for every input and parameter (see {@link gradcheck}), on the given shapes or on a case drawn
 * from the plugin's own `gradcheckCase`. Use `report.assert()` inside a test.
 *
 * @example
 * ```ts
 * import { checkGradients } from '@gradstream/graph';
 * import { linearOp } from '@gradstream/ops';
 * // in a vitest test:
 * checkGradients(linearOp, { shapes: [[4, 3]], config: { inFeatures: 3, outFeatures: 2 }, seed: 1 }).assert();
 * ```
 */
export function checkGradients(plugin: RegisteredPlugin, options: CheckGradientsOptions = {}): GradientReport {
  const seed = options.seed ?? 0;
  const { shapes, config, fillInput } = resolveCase(plugin, options, 'checkGradients');
  const report = gradcheck(plugin, {
    inputShapes: shapes,
    seed,
    ...(config === undefined ? {} : { config }),
    ...(options.tolerance === undefined ? {} : { tolerance: options.tolerance }),
    ...(fillInput === undefined ? {} : { fillInput }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  const format = (): string =>
    [
      `gradient check of op "${report.op}": ${report.ok ? 'ok' : 'FAILED'} (tolerance ${report.tolerance.toExponential(0)})`,
      ...report.entries.map(
        (e) =>
          `  ${e.kind} ${e.name} ${formatShape(e.shape)}: max abs ${e.maxAbsError.toExponential(2)}, max rel ${e.maxRelError.toExponential(2)}` +
          `, worst [${e.worst.index}] analytic ${e.worst.analytic.toPrecision(6)} vs numeric ${e.worst.numeric.toPrecision(6)}`,
      ),
    ].join('\n');
  return Object.freeze({
    ...report,
    format,
    assert(): void {
      if (!report.ok) throw new GradstreamError('GRADIENT_MISMATCH', format(), { op: report.op, maxRelError: report.maxRelError });
    },
  });
}
