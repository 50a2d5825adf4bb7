import { GradstreamError, Tensor, type Backend, type Rng, type Shape } from '@gradstream/tensor';
import { defineOp } from './define-op.js';
import type { AnyOpPlugin, BackwardContext, ForwardContext, GradcheckCase, JsonSchema, OpPlugin, ParamDecl } from './op-plugin.js';
import { defaultRegistry, type Registry } from './registry.js';
import { inferOutputShape } from './shape-errors.js';
import type { LayerSpec } from '../model/spec.js';

/**
 * What {@link defineComposite} takes: a name, a configuration schema, input names, and the small
 * graph of existing ops the layer is made of, as layer specs built from the configuration.
 *
 * @example
 * ```ts
 * import type { CompositeDefinition } from '@gradstream/graph';
 * type Dense = CompositeDefinition<{ inFeatures: number; outFeatures: number }>;
 * ```
 */
export interface CompositeDefinition<C> {
  readonly name: string;
  readonly description?: string;
  readonly paramsSchema?: JsonSchema;
  /** Input names of the composite (default `['x']`). */
  readonly inputs?: readonly string[];
  /**
   * The parts, in evaluation order. A part reads the previous part's output unless its `inputs`
   * name composite inputs or earlier parts; the last part's output is the composite's output.
   */
  readonly layers: (config: C) => readonly LayerSpec[];
  /** Where the parts' ops are looked up (default: the default registry). */
  readonly registry?: Registry;
  readonly gradcheckCase?: (rng: Rng) => GradcheckCase<C>;
}

interface Part {
  readonly name: string;
  readonly op: AnyOpPlugin;
  readonly config: Readonly<Record<string, unknown>>;
  /** For each op input: a composite input index (≥ 0) or ~partIndex (< 0). */
  readonly sources: readonly number[];
  readonly params: readonly string[];
}

interface Resolved {
  readonly parts: readonly Part[];
}

/** Per-node buffers and contexts, built on the first call and reused by every later one. */
interface Runtime {
  readonly fctx: Record<string, unknown>[];
  readonly bctx: Record<string, unknown>[];
  /** Output gradient buffers of parts read by more than one consumer, zeroed before each backward. */
  readonly shared: Tensor[];
  /** [private, shared] gradient pairs to add after each part's backward. */
  readonly accumulate: (readonly [Tensor, Tensor])[][];
}

/**
 * Defines a layer as a small graph of existing ops — `dense = linear → activation`, a residual
 * block, a gated unit — and turns it into an ordinary op plugin. Its parameters are its parts'
 * (named `part.param`, e.g. `linear_1.weight`), its forward runs the parts in order, and its
 * backward runs their backwards in reverse: no gradient code is written for it, and it passes
 * `gradcheck` because its parts do. Buffers for the parts' outputs and gradients are declared as
 * scratch, so a compiled plan preallocates them like any other op's.
 *
 * @example
 * ```ts
 * import { defineComposite, defaultRegistry } from '@gradstream/graph';
 * import '@gradstream/ops';
 * const block = defineComposite({
 *   name: 'sigmoidLayer',
 *   paramsSchema: {
 *     type: 'object',
 *     properties: { inFeatures: { type: 'integer', minimum: 1 }, outFeatures: { type: 'integer', minimum: 1 } },
 *     required: ['inFeatures', 'outFeatures'],
 *   },
 *   layers: (c: { inFeatures: number; outFeatures: number }) => [
 *     { op: 'linear', inFeatures: c.inFeatures, outFeatures: c.outFeatures },
 *     { op: 'sigmoid' },
 *   ],
 * });
 * defaultRegistry.register(block);
 * ```
 */
export function defineComposite<C extends object>(def: CompositeDefinition<C>): OpPlugin<C, string, string, string> {
  const registry = def.registry ?? defaultRegistry;
  const inputs = def.inputs ?? ['x'];
  const cache = new WeakMap<object, Resolved>();
  const runtimes = new WeakMap<object, Runtime>();

  const resolve = (config: C): Resolved => {
    let r = cache.get(config);
    if (r !== undefined) return r;
    const names: string[] = [];
    const counts = new Map<string, number>();
    const parts = def.layers(config).map((layer, i): Part => {
      const where = `${def.name}.layers/${i}`;
      const op = registry.get(layer.op, `${where}/op`);
      const { op: _o, name: given, inputs: from, ...rest } = layer;
      const partConfig = Object.freeze(registry.validateConfig(op.name, rest, where));
      const count = (counts.get(op.name) ?? 0) + 1;
      counts.set(op.name, count);
      const name = given ?? `${op.name}_${count}`;
      const reads = from ?? (i === 0 ? [inputs[0] as string] : [names[i - 1] as string]);
      if (reads.length !== op.inputs.length) {
        throw new GradstreamError('INVALID_PLUGIN', `${where}/inputs: op "${op.name}" takes ${op.inputs.length} input(s), got ${reads.length}`, {
          op: def.name,
        });
      }
      const sources = reads.map((v, j) => {
        const k = inputs.indexOf(v);
        if (k >= 0) return k;
        const p = names.indexOf(v);
        if (p < 0) {
          throw new GradstreamError('INVALID_PLUGIN', `${where}/inputs/${j}: unknown value "${v}"; can read ${[...inputs, ...names].join(', ')}`, {
            op: def.name,
          });
        }
        return ~p;
      });
      names.push(name);
      return { name, op, config: partConfig, sources, params: Object.keys(op.params?.(partConfig) ?? {}) };
    });
    if (parts.length === 0) throw new GradstreamError('INVALID_PLUGIN', `${def.name}: a composite needs at least one part`, { op: def.name });
    r = { parts };
    cache.set(config, r);
    return r;
  };

  const shapesOf = (inputShapes: readonly Shape[], config: C): Shape[] => {
    const out: Shape[] = [];
    for (const p of resolve(config).parts) {
      const ins = p.sources.map((s) => (s >= 0 ? (inputShapes[s] as Shape) : (out[~s] as Shape)));
      out.push(inferOutputShape(p.name, p.op, ins, p.config));
    }
    return out;
  };

  const consumers = (parts: readonly Part[]): number[] => {
    const n = parts.map(() => 0);
    for (const p of parts) p.sources.forEach((s, j) => {
      if (s < 0 && !(p.op.nonDifferentiable ?? []).includes(p.op.inputs[j] as string)) n[~s] = (n[~s] as number) + 1;
    });
    return n;
  };

  const runtime = (
    parts: readonly Part[],
    ctx: { inputs: Readonly<Record<string, Tensor>>; params: Readonly<Record<string, Tensor>>; scratch: Readonly<Record<string, Tensor>>; out: Tensor; backend: Backend; rng: Rng },
    dInputs: Readonly<Partial<Record<string, Tensor>>>,
    dParams: Readonly<Record<string, Tensor>>,
    dy: Tensor,
  ): Runtime => {
    const last = parts.length - 1;
    const outOf = (i: number): Tensor => (i === last ? ctx.out : (ctx.scratch[`out:${i}`] as Tensor));
    const gradOf = (i: number): Tensor => (i === last ? dy : (ctx.scratch[`grad:${i}`] as Tensor));
    const uses = consumers(parts);
    const inputUses = inputs.map(() => 0);
    for (const p of parts) p.sources.forEach((s, j) => {
      if (s >= 0 && !(p.op.nonDifferentiable ?? []).includes(p.op.inputs[j] as string)) inputUses[s] = (inputUses[s] as number) + 1;
    });
    const shared: Tensor[] = [];
    uses.forEach((n, i) => n > 1 && shared.push(gradOf(i)));
    const fctx: Record<string, unknown>[] = [];
    const bctx: Record<string, unknown>[] = [];
    const accumulate: (readonly [Tensor, Tensor])[][] = [];
    parts.forEach((p, i) => {
      const ins: Record<string, Tensor> = {};
      const saved: Record<string, Tensor> = {};
      const dIns: Record<string, Tensor> = {};
      const acc: (readonly [Tensor, Tensor])[] = [];
      p.op.inputs.forEach((inName, j) => {
        const s = p.sources[j] as number;
        const t = s >= 0 ? (ctx.inputs[inputs[s] as string] as Tensor) : outOf(~s);
        ins[inName] = t;
        if (p.op.save.inputs?.includes(inName)) saved[inName] = t;
        if ((p.op.nonDifferentiable ?? []).includes(inName)) return;
        const target = s >= 0 ? dInputs[inputs[s] as string] : gradOf(~s);
        if (target === undefined) return;
        const many = s >= 0 ? (inputUses[s] as number) > 1 : (uses[~s] as number) > 1;
        if (!many) {
          dIns[inName] = target;
        } else {
          const own = ctx.scratch[`dIn:${i}:${j}`] as Tensor;
          dIns[inName] = own;
          acc.push([own, target]);
        }
      });
      const params: Record<string, Tensor> = {};
      const grads: Record<string, Tensor> = {};
      for (const k of p.params) {
        params[k] = ctx.params[`${p.name}.${k}`] as Tensor;
        grads[k] = dParams[`${p.name}.${k}`] as Tensor;
      }
      const scratch: Record<string, Tensor> = {};
      const prefix = `s:${i}:`;
      for (const key of Object.keys(ctx.scratch)) if (key.startsWith(prefix)) scratch[key.slice(prefix.length)] = ctx.scratch[key] as Tensor;
      const out = outOf(i);
      fctx.push({ config: p.config, inputs: ins, params, out, scratch, backend: ctx.backend, training: true, rng: ctx.rng });
      bctx.push({
        config: p.config,
        params,
        dy: gradOf(i),
        saved: { inputs: saved, output: p.op.save.output ? out : undefined },
        dInputs: dIns,
        dParams: grads,
        scratch,
        backend: ctx.backend,
      });
      accumulate.push(acc);
    });
    // Composite inputs read by several parts get their gradient summed, so they start at zero.
    inputs.forEach((name, k) => {
      const t = dInputs[name];
      if (t !== undefined && (inputUses[k] as number) > 1) shared.push(t);
    });
    return { fctx, bctx, shared, accumulate };
  };

  const plugin = defineOp<C, string, string, string>({
    name: def.name,
    description: def.description ?? `composite of ${def.name}'s parts`,
    ...(def.paramsSchema ? { paramsSchema: def.paramsSchema } : {}),
    inputs,
    save: { inputs, output: true },
    params: (config: C) => {
      const out: Record<string, ParamDecl> = {};
      for (const p of resolve(config).parts) {
        for (const [k, decl] of Object.entries(p.op.params?.(p.config) ?? {})) out[`${p.name}.${k}`] = decl;
      }
      return out;
    },
    outputShape: (inputShapes, config) => {
      const shapes = shapesOf(inputShapes, config);
      return shapes[shapes.length - 1] as Shape;
    },
    scratch: (inputShapes, config) => {
      const parts = resolve(config).parts;
      const shapes = shapesOf(inputShapes, config);
      const out: Record<string, Shape> = {};
      parts.forEach((p, i) => {
        if (i < parts.length - 1) {
          out[`out:${i}`] = shapes[i] as Shape;
          out[`grad:${i}`] = shapes[i] as Shape;
        }
        const ins = p.sources.map((s) => (s >= 0 ? (inputShapes[s] as Shape) : (shapes[~s] as Shape)));
        for (const [k, s] of Object.entries(p.op.scratch?.(ins, p.config) ?? {})) out[`s:${i}:${k}`] = s;
        p.sources.forEach((s, j) => {
          out[`dIn:${i}:${j}`] = s >= 0 ? (inputShapes[s] as Shape) : (shapes[~s] as Shape);
        });
      });
      return out;
    },
    forward: (ctx: ForwardContext<C, string, string>) => {
      const rt = runtimes.get(ctx.scratch);
      if (rt === undefined) return void forwardFirst(ctx);
      runForward(resolve(ctx.config as C).parts, rt, ctx.training);
    },
    backward: (ctx: BackwardContext<C, string, string, string>) => {
      const parts = resolve(ctx.config as C).parts;
      let rt = runtimes.get(ctx.scratch);
      if (rt === undefined || rt.bctx[parts.length - 1]?.dy !== ctx.dy) {
        // First backward through this node (or through a fresh set of buffers): wire the parts to them.
        rt = runtime(parts, { inputs: ctx.saved.inputs, params: ctx.params, scratch: ctx.scratch, out: ctx.saved.output as Tensor, backend: ctx.backend, rng: (rt?.fctx[0]?.rng ?? null) as Rng }, ctx.dInputs, ctx.dParams, ctx.dy);
        runtimes.set(ctx.scratch, rt);
      }
      for (const t of rt.shared) t.data.fill(0);
      for (let i = parts.length - 1; i >= 0; i--) {
        (parts[i] as Part).op.backward(rt.bctx[i] as never);
        for (const [own, target] of rt.accumulate[i] as (readonly [Tensor, Tensor])[]) ctx.backend.add(target.data, own.data, target.data);
      }
    },
    ...(def.gradcheckCase ? { gradcheckCase: def.gradcheckCase } : {}),
  });

  function forwardFirst(ctx: ForwardContext<C, string, string>): void {
    const parts = resolve(ctx.config as C).parts;
    // Backward buffers are not known yet; forward-only contexts are wired now, backward ones on the first backward.
    const rt = runtime(parts, ctx, {}, {}, NO_GRADIENT);
    runtimes.set(ctx.scratch, rt);
    runForward(parts, rt, ctx.training);
  }

  return plugin;
}

/** Stands in for the incoming gradient until the first backward wires the real one. */
const NO_GRADIENT = Tensor.zeros([0]);

function runForward(parts: readonly Part[], rt: Runtime, training: boolean): void {
  for (let i = 0; i < parts.length; i++) {
    const f = rt.fctx[i] as { training: boolean };
    f.training = training;
    (parts[i] as Part).op.forward(f as never);
  }
}
