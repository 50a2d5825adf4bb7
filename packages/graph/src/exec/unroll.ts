import type { Backend, Tensor } from '@gradstream/tensor';
import type { AnyOpPlugin } from '../contract/op-plugin.js';
import { SourceBindings, emitNode, passesBody, type NodeTensors } from './node-source.js';

/** What {@link unrollPasses} needs of each compiled step. */
export interface UnrollStep {
  readonly node: { readonly op: AnyOpPlugin; readonly config: unknown; readonly label: string };
  readonly forward: (ctx: never) => void;
  readonly backward: (ctx: never) => void;
  readonly fctx: { training: boolean };
  readonly bctx: object;
  /** The step's buffers by role, offered to the op's `emit`. */
  readonly tensors: NodeTensors;
  readonly accumulate: ReadonlyArray<readonly [Tensor, Tensor]>;
}

/** The forward and backward passes as straight-line functions. */
export interface UnrolledPasses {
  readonly forward: (training: boolean) => void;
  readonly backward: () => void;
  /** Indices of the steps whose op source was inlined (the others are called). */
  readonly inlined: readonly number[];
}

/**
 * Generates the plan's forward and backward passes as straight-line code. A node whose op emits
 * source (and only on the CPU backend, whose arithmetic that source spells out) is inlined with
 * its buffers bound as constants and its sizes written in; any other node is one direct call
 * with its context bound as a constant, so each call site sees a single target V8 can inline.
 * For small networks the per-node dispatch of a loop otherwise costs more than the arithmetic.
 * Returns undefined where code generation is not allowed (a Content-Security-Policy without
 * 'unsafe-eval'); the caller then runs its loop.
 */
export function unrollPasses(steps: readonly UnrollStep[], multiConsumer: readonly Tensor[], backend: Backend, inlineSource: boolean): UnrolledPasses | undefined {
  const b = new SourceBindings();
  const add = b.bind('add', backend.add);
  const fwd: string[] = [];
  const bwd: string[] = [];
  const inlined: number[] = [];
  const sources = steps.map((s, i) => (inlineSource ? emitNode(s.node.op, s.node.config, s.node.label, s.tensors, `n${i}`, b) : undefined));
  steps.forEach((s, i) => {
    const src = sources[i];
    if (src !== undefined) {
      inlined.push(i);
      fwd.push(`{ ${src.forward} }`);
    } else {
      const c = b.bind(`fc${i}`, s.fctx);
      fwd.push(`${c}.training = training; ${b.bind(`f${i}`, s.forward)}(${c});`);
    }
  });
  multiConsumer.forEach((t, i) => bwd.push(`${b.bind(`z${i}`, t.data)}.fill(0);`));
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i] as UnrollStep;
    const src = sources[i];
    bwd.push(src !== undefined ? `{ ${src.backward} }` : `${b.bind(`b${i}`, s.backward)}(${b.bind(`bc${i}`, s.bctx)});`);
    s.accumulate.forEach(([own, shared], j) => {
      const o = b.bind(`o${i}_${j}`, own.data);
      const t = b.bind(`t${i}_${j}`, shared.data);
      bwd.push(`${add}(${t}, ${o}, ${t});`);
    });
  }
  const passes = b.instantiate<Omit<UnrolledPasses, 'inlined'>>(passesBody(fwd.join('\n'), bwd.join('\n')));
  return passes === undefined ? undefined : { ...passes, inlined };
}
