import type { Backend, Tensor } from '@gradstream/tensor';

/** What {@link unrollPasses} needs of each compiled step. */
export interface UnrollStep {
  readonly forward: (ctx: never) => void;
  readonly backward: (ctx: never) => void;
  readonly fctx: { training: boolean };
  readonly bctx: object;
  readonly accumulate: ReadonlyArray<readonly [Tensor, Tensor]>;
}

/** The forward and backward passes as straight-line functions. */
export interface UnrolledPasses {
  readonly forward: (training: boolean) => void;
  readonly backward: () => void;
}

/**
 * Generates the plan's forward and backward passes as straight-line code: one direct call per node
 * with its context bound as a constant. Every call site then sees a single target, so V8 can inline
 * the op (and its kernels) into the pass; for small networks the per-node dispatch of a loop
 * otherwise costs more than the arithmetic. Returns undefined where code generation is not allowed
 * (a Content-Security-Policy without 'unsafe-eval'); the caller then runs its loop.
 */
export function unrollPasses(steps: readonly UnrollStep[], multiConsumer: readonly Tensor[], backend: Backend): UnrolledPasses | undefined {
  const names: string[] = [];
  const values: unknown[] = [];
  const bind = (name: string, value: unknown): string => {
    names.push(name);
    values.push(value);
    return name;
  };
  const add = bind('add', backend.add);
  const fwd: string[] = [];
  steps.forEach((s, i) => {
    const f = bind(`f${i}`, s.forward);
    const c = bind(`fc${i}`, s.fctx);
    fwd.push(`${c}.training = training; ${f}(${c});`);
  });
  const bwd: string[] = [];
  multiConsumer.forEach((t, i) => bwd.push(`${bind(`z${i}`, t.data)}.fill(0);`));
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i] as UnrollStep;
    bwd.push(`${bind(`b${i}`, s.backward)}(${bind(`bc${i}`, s.bctx)});`);
    s.accumulate.forEach(([own, shared], j) => {
      const o = bind(`o${i}_${j}`, own.data);
      const t = bind(`t${i}_${j}`, shared.data);
      bwd.push(`${add}(${t}, ${o}, ${t});`);
    });
  }
  try {
    const make = new Function(
      ...names,
      `return { forward: function (training) { ${fwd.join(' ')} }, backward: function () { ${bwd.join(' ')} } };`,
    ) as (...args: unknown[]) => UnrolledPasses;
    return make(...values);
  } catch {
    return undefined;
  }
}
