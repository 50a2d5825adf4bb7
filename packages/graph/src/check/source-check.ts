import { GradstreamError, Rng, Tensor, cpuBackend, type DType, type Shape } from '@gradstream/tensor';
import type { AnyOpPlugin } from '../contract/op-plugin.js';
import { checkConfig, resolveCase, type GradcheckOptions } from './gradcheck.js';
import { SourceBindings, emitNode, passesBody, type NodeTensors } from '../exec/node-source.js';
import { inferOutputShape } from '../contract/shape-errors.js';

/**
 * Options of {@link checkSource}: the shapes and config to check on (by default drawn from the
 * plugin's own `gradcheckCase` with `seed`) and the dtype.
 *
 * @example
 * ```ts
 * import type { CheckSourceOptions } from '@gradstream/graph';
 * const o: CheckSourceOptions = { shapes: [[2, 3]], config: { inFeatures: 3, outFeatures: 4 }, dtype: 'float32' };
 * ```
 */
export interface CheckSourceOptions {
  readonly shapes?: readonly Shape[];
  readonly config?: unknown;
  /** Seed of the case, the inputs, parameters and incoming gradient (default 0). */
  readonly seed?: number;
  /** Default `float64`. */
  readonly dtype?: DType;
  readonly fillInput?: GradcheckOptions['fillInput'];
}

/**
 * The first element where the emitted source and the op's functions disagree, for one buffer.
 *
 * @example
 * ```ts
 * import type { SourceMismatch } from '@gradstream/graph';
 * const line = (m: SourceMismatch) => `${m.buffer}[${m.index}]: ${m.expected} vs ${m.actual}`;
 * ```
 */
export interface SourceMismatch {
  /** `out (training)`, `scratch (evaluation) <name>`, `d input <name>`, `d param <name>`… */
  readonly buffer: string;
  readonly index: number;
  /** What the op's `forward`/`backward` wrote. */
  readonly expected: number;
  /** What the emitted source wrote. */
  readonly actual: number;
}

/**
 * The result of {@link checkSource}.
 *
 * @example
 * ```ts
 * import { checkSource } from '@gradstream/graph';
 * import { linearOp } from '@gradstream/ops';
 * const report = checkSource(linearOp, { shapes: [[2, 3]], config: { inFeatures: 3, outFeatures: 4 } });
 * console.log(report.emitted, report.ok); // true true
 * ```
 */
export interface SourceReport {
  readonly op: string;
  readonly dtype: DType;
  /** False when the op has no `emit` or declined for these shapes (then there is nothing to compare). */
  readonly emitted: boolean;
  /** True when every buffer matches bit for bit (or nothing was emitted). */
  readonly ok: boolean;
  readonly mismatches: readonly SourceMismatch[];
  /** A line per mismatch, under a heading. */
  format(): string;
  /** Throws `SOURCE_MISMATCH` carrying {@link SourceReport.format} when not ok. */
  assert(): void;
}

/** A forward and backward to run over one set of output buffers. */
interface Passes {
  forward(training: boolean): void;
  backward(): void;
}

/**
 * Checks an op's emitted source ({@link OpPlugin.emit}) against its `forward` and `backward`: both
 * run on the same random inputs, parameters and incoming gradient, each into its own output
 * buffers (filled with NaN first, so an element one side skips shows), and every output, scratch,
 * input-gradient and parameter-gradient element must match bit for bit — forward in training and
 * in evaluation mode. A compiled plan inlines that source in place of the functions, so this is
 * what keeps a plan's numbers equal to the node-by-node ones.
 *
 * @example
 * ```ts
 * import { checkSource } from '@gradstream/graph';
 * import { sigmoidOp } from '@gradstream/ops';
 * // in a vitest test:
 * checkSource(sigmoidOp, { shapes: [[3, 5]], dtype: 'float32' }).assert();
 * ```
 */
export function checkSource(plugin: AnyOpPlugin, options: CheckSourceOptions = {}): SourceReport {
  const seed = options.seed ?? 0;
  const dtype = options.dtype ?? 'float64';
  const c = resolveCase(plugin, options, 'checkSource');
  const config = checkConfig(plugin, c.config);
  const rng = Rng.fromSeed(seed);
  const random = (shape: Shape, fill?: (data: Float64Array) => void): Tensor => {
    const wide = Tensor.zeros(shape, 'float64');
    if (fill) fill(wide.data as Float64Array);
    else for (let j = 0; j < wide.size; j++) wide.data[j] = rng.uniform(-1, 1);
    const t = Tensor.zeros(shape, dtype);
    t.data.set(wide.data);
    return t;
  };
  const inputs: Record<string, Tensor> = {};
  plugin.inputs.forEach((n, i) => {
    const fill = c.fillInput;
    inputs[n] = random(c.shapes[i] as Shape, fill && ((d) => fill(i, d, rng)));
  });
  const params: Record<string, Tensor> = {};
  for (const [name, decl] of Object.entries(plugin.params?.(config) ?? {})) params[name] = random(decl.shape);
  const outShape = inferOutputShape(plugin.name, plugin, c.shapes, config);
  const dy = random(outShape);
  const scratchShapes = plugin.scratch?.(c.shapes, config) ?? {};

  // Each side writes its own outputs, starting from NaN.
  const side = (): NodeTensors => {
    const stale = (shape: Shape): Tensor => {
      const t = Tensor.zeros(shape, dtype);
      t.data.fill(Number.NaN);
      return t;
    };
    const record = (names: readonly string[], shapeOf: (n: string) => Shape): Record<string, Tensor> =>
      Object.fromEntries(names.map((n) => [n, stale(shapeOf(n))]));
    const differentiable = plugin.inputs.filter((n) => !(plugin.nonDifferentiable ?? []).includes(n));
    return {
      inputs,
      params,
      dy,
      out: stale(outShape),
      scratch: record(Object.keys(scratchShapes), (n) => scratchShapes[n] as Shape),
      dInputs: record(differentiable, (n) => (inputs[n] as Tensor).shape),
      dParams: record(Object.keys(params), (n) => (params[n] as Tensor).shape),
    };
  };
  const expected = side();
  const actual = side();
  const bindings = new SourceBindings();
  const source = emitNode(plugin, config, `op "${plugin.name}"`, actual, 'n', bindings);
  const passes =
    source === undefined
      ? undefined
      : bindings.instantiate<Passes>(passesBody(source.forward, source.backward));
  const mismatches: SourceMismatch[] = [];
  if (passes !== undefined) {
    const functions = functionPasses(plugin, config, expected, seed);
    const compare = (pick: (t: NodeTensors) => Readonly<Record<string, Tensor>>, role: string): void => {
      const e = pick(expected);
      const a = pick(actual);
      for (const [name, t] of Object.entries(e)) {
        const want = t.data;
        const got = (a[name] as Tensor).data;
        for (let j = 0; j < want.length; j++) {
          if (!Object.is(want[j], got[j])) {
            mismatches.push({ buffer: name === '' ? role : `${role} ${name}`, index: j, expected: want[j] as number, actual: got[j] as number });
            break;
          }
        }
      }
    };
    const compareAll = (mode: string): void => {
      compare((t) => ({ '': t.out }), `out (${mode})`);
      compare((t) => t.scratch, `scratch (${mode})`);
    };
    functions.forward(true);
    passes.forward(true);
    compareAll('training');
    functions.backward();
    passes.backward();
    compare((t) => t.dInputs, 'd input');
    compare((t) => t.dParams, 'd param');
    functions.forward(false);
    passes.forward(false);
    compareAll('evaluation');
  }
  const ok = mismatches.length === 0;
  const format = (): string =>
    [
      `source check of op "${plugin.name}" (${dtype}): ${passes === undefined ? 'nothing emitted' : ok ? 'ok' : 'FAILED'}`,
      ...mismatches.map((m) => `  ${m.buffer}[${m.index}]: functions wrote ${m.expected}, source wrote ${m.actual}`),
    ].join('\n');
  return Object.freeze({
    op: plugin.name,
    dtype,
    emitted: passes !== undefined,
    ok,
    mismatches: Object.freeze(mismatches),
    format,
    assert(): void {
      if (!ok) throw new GradstreamError('SOURCE_MISMATCH', format(), { op: plugin.name, mismatches: mismatches.length });
    },
  });
}

/** The op's own forward and backward over one set of buffers, as {@link Passes}. */
function functionPasses(plugin: AnyOpPlugin, config: unknown, t: NodeTensors, seed: number): Passes {
  const saved: Record<string, Tensor> = {};
  for (const n of plugin.save.inputs ?? []) saved[n] = t.inputs[n] as Tensor;
  return {
    forward(training) {
      plugin.forward({ config, inputs: t.inputs, params: t.params, out: t.out, scratch: t.scratch, backend: cpuBackend, training, rng: Rng.fromSeed(seed + 1) } as never);
    },
    backward() {
      plugin.backward({
        config,
        params: t.params,
        dy: t.dy,
        saved: { inputs: saved, output: plugin.save.output ? t.out : undefined },
        dInputs: t.dInputs,
        dParams: t.dParams,
        scratch: t.scratch,
        backend: cpuBackend,
      } as never);
    },
  };
}
