import { Rng, tsBackend, type Backend, type Shape, type Tensor, type TypedArray } from '@gradstream/tensor';
import { defaultRegistry, type RegisteredPlugin, type Registry } from '../contract/registry.js';
import { Program } from '../exec/program.js';
import { wireLayer } from '../model/build.js';
import { checkConfig, resolveCase, type GradcheckOptions } from './gradcheck.js';

/**
 * One array compared by {@link backendParity}: the op's output, or the gradient of an input or a
 * parameter. The error of an element is `|a − b| / (max(|a|, |b|) + 1e-3)`: relative where values
 * are large, absolute below a thousandth.
 *
 * @example
 * ```ts
 * import type { ParityEntry } from '@gradstream/graph';
 * const line = (e: ParityEntry) => `${e.kind} ${e.name}: ${e.maxError.toExponential(1)}`;
 * ```
 */
export interface ParityEntry {
  readonly kind: 'output' | 'input gradient' | 'param gradient' | 'state';
  readonly name: string;
  readonly maxError: number;
  /** The element where the error is largest, and the two backends' values there. */
  readonly worst: { readonly index: number; readonly candidate: number; readonly reference: number };
}

/**
 * What {@link backendParity} found for one op.
 *
 * @example
 * ```ts
 * import type { ParityReport } from '@gradstream/graph';
 * const ok = (r: ParityReport) => r.maxError < 1e-3;
 * ```
 */
export interface ParityReport {
  readonly op: string;
  readonly maxError: number;
  readonly entries: readonly ParityEntry[];
}

/**
 * Options of {@link backendParity}: the op's configuration and input shapes (its own
 * `gradcheckCase`, drawn with `seed`, when absent).
 *
 * @example
 * ```ts
 * import type { ParityOptions } from '@gradstream/graph';
 * const options: ParityOptions = { config: { inFeatures: 3, outFeatures: 2 }, shapes: [[4, 3]], seed: 1 };
 * ```
 */
export interface ParityOptions {
  readonly config?: unknown;
  readonly shapes?: readonly Shape[];
  readonly seed?: number;
  readonly fillInput?: GradcheckOptions['fillInput'];
  readonly registry?: Registry;
}

/**
 * Runs one op forward (in training mode) and backward in float32 on two backends — a `candidate`
 * (a new backend, the WebGPU one) and the `reference` (the TypeScript backend by default) — from
 * the same inputs, parameters, state and incoming gradient, and compares the output, every
 * gradient, and the state the forward updated (moving statistics). The
 * reference's gradients are the ones {@link gradcheck} checks against finite differences, so a
 * backend that agrees with it computes each op's backward correctly. Works with device backends
 * (values go up and come back through their `sync`), hence the promise.
 *
 * @example
 * ```ts
 * import { backendParity, defaultRegistry } from '@gradstream/graph';
 * import { tsBackend } from '@gradstream/tensor';
 * const report = await backendParity(defaultRegistry.get('sigmoid'), { seed: 1 }, tsBackend);
 * console.log(report.maxError); // 0: the reference against itself
 * ```
 */
export async function backendParity(plugin: RegisteredPlugin, options: ParityOptions, candidate: Backend, reference: Backend = tsBackend): Promise<ParityReport> {
  const seed = options.seed ?? 0;
  const c = resolveCase(plugin, options, 'backendParity');
  const config = checkConfig(plugin, c.config);
  const rng = Rng.fromSeed(seed);
  const shapes = new Map<string, Shape>(plugin.inputs.map((name, i) => [name, c.shapes[i] ?? []]));
  const registry = options.registry ?? defaultRegistry;
  const sides = [candidate, reference].map((backend) => {
    const nodes = wireLayer(plugin, config, shapes, { registry, dtype: 'float32', backend, seed: seed + 1 });
    const differentiable = new Set<string>();
    for (const node of nodes) {
      node.inputs.forEach((v, slot) => {
        if (shapes.has(v) && !(node.op.nonDifferentiable ?? []).includes(node.op.inputs[slot] as string)) differentiable.add(v);
      });
    }
    const last = nodes[nodes.length - 1] as (typeof nodes)[number];
    const program = new Program({ nodes, externals: shapes, externalGrads: differentiable, output: last.name, gradients: true, dtype: 'float32', backend, name: `parity-${plugin.name}` });
    return { backend, nodes, last, differentiable, program };
  });
  // One draw of every value, written into both sides: inputs, parameters (uniform in [-1, 1], not
  // their initializers, so no zero hides a difference) and the incoming gradient.
  const [cand, ref] = sides as [(typeof sides)[number], (typeof sides)[number]];
  const draw = (n: number, fill?: (data: Float64Array) => void): Float64Array => {
    const d = new Float64Array(n);
    if (fill) fill(d);
    else for (let j = 0; j < n; j++) d[j] = rng.uniform(-1, 1);
    return d;
  };
  const written: TypedArray[] = [];
  const put = (values: Float64Array, ...targets: Tensor[]): void => {
    for (const t of targets) {
      t.data.set(values);
      if (t === targets[0]) written.push(t.data);
    }
  };
  plugin.inputs.forEach((name, i) => {
    const a = cand.program.values.get(name) as Tensor;
    put(draw(a.size, c.fillInput ? (d) => c.fillInput?.(i, d, rng) : undefined), a, ref.program.values.get(name) as Tensor);
  });
  cand.nodes.forEach((node, n) => {
    const other = ref.nodes[n] as (typeof ref.nodes)[number];
    for (const [k, t] of Object.entries(node.params)) put(draw(t.size), t, other.params[k] as Tensor);
    // State keeps its initial values (the same on both sides), sent up as they are.
    for (const t of Object.values(node.state)) written.push(t.data);
  });
  const cOut = cand.program.grads.get(cand.last.name) as Tensor;
  put(draw(cOut.size), cOut, ref.program.grads.get(ref.last.name) as Tensor);
  candidate.sync?.upload(written);
  for (const s of sides) {
    s.program.forward(true);
    s.program.backward();
  }
  // What is compared, by side: the output, each differentiable input's gradient, each parameter's.
  const compared = sides.map((s) => {
    const list: [ParityEntry['kind'], string, Tensor][] = [['output', s.last.name, s.program.values.get(s.last.name) as Tensor]];
    for (const name of plugin.inputs) if (s.differentiable.has(name)) list.push(['input gradient', name, s.program.grads.get(name) as Tensor]);
    for (const node of s.nodes) for (const k of Object.keys(node.params)) list.push(['param gradient', `${node.name}.${k}`, s.program.paramGrads.get(`${node.name}.${k}`) as Tensor]);
    // State as the training forward left it (moving statistics): its update is compared too.
    for (const node of s.nodes) for (const [k, t] of Object.entries(node.state)) list.push(['state', `${node.name}.${k}`, t]);
    return list;
  });
  await candidate.sync?.download((compared[0] ?? []).map(([, , t]) => t.data));
  const entries = (compared[0] ?? []).map(([kind, name, t], e): ParityEntry => {
    const r = (compared[1] ?? [])[e]?.[2] as Tensor;
    let maxError = 0;
    let worst = { index: 0, candidate: t.data[0] ?? 0, reference: r.data[0] ?? 0 };
    for (let j = 0; j < t.size; j++) {
      const a = t.data[j] as number;
      const b = r.data[j] as number;
      const err = Object.is(a, b) ? 0 : Math.abs(a - b) / (Math.max(Math.abs(a), Math.abs(b)) + 1e-3);
      // Written as !(x <= max) so a NaN error is reported, never skipped.
      if (!(err <= maxError)) {
        maxError = err;
        worst = { index: j, candidate: a, reference: b };
      }
    }
    return Object.freeze({ kind, name, maxError, worst });
  });
  for (const s of sides) {
    s.program.free();
    s.backend.free(s.nodes.flatMap((n) => [...Object.values(n.params), ...Object.values(n.state)].map((t) => t.data)));
  }
  const maxError = entries.reduce((m, e) => (e.maxError > m || Number.isNaN(e.maxError) ? e.maxError : m), 0);
  return Object.freeze({ op: plugin.name, maxError, entries: Object.freeze(entries) });
}
