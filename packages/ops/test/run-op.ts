import { createRegistry, type AnyOpPlugin } from '@gradstream/graph';
import { Rng, Tensor, tsBackend, type DType, type NestedArray } from '@gradstream/tensor';

/** One forward call of an op, with what backward needs kept, as the engine wires it. */
export interface OpRun {
  readonly out: Tensor;
  readonly scratch: Readonly<Record<string, Tensor>>;
  /** Runs backward with the given incoming signal; returns the gradient of every differentiable input by name. */
  backward(dy: NestedArray): Record<string, Tensor>;
}

export interface RunOpOptions {
  readonly config?: object;
  readonly training?: boolean;
  readonly rng?: Rng;
  readonly dtype?: DType;
}

/** Runs an op's forward on nested arrays, validating its config (schema defaults applied) like a model would. */
export function runOp(op: AnyOpPlugin, inputs: readonly NestedArray[], options: RunOpOptions = {}): OpRun {
  const dtype = options.dtype ?? 'float64';
  const config = createRegistry([op]).validateConfig(op.name, options.config ?? {});
  const tensors = inputs.map((v) => Tensor.from(v, { dtype }));
  const shapes = tensors.map((t) => t.shape);
  const out = Tensor.zeros(op.outputShape(shapes, config), dtype);
  const scratch: Record<string, Tensor> = {};
  for (const [k, s] of Object.entries(op.scratch?.(shapes, config) ?? {})) scratch[k] = Tensor.zeros(s, dtype);
  const named: Record<string, Tensor> = {};
  op.inputs.forEach((n, i) => (named[n] = tensors[i] as Tensor));
  op.forward({ config, inputs: named, params: {}, out, scratch, backend: tsBackend, training: options.training ?? true, rng: options.rng ?? Rng.fromSeed(0) } as never);
  return {
    out,
    scratch,
    backward(dy) {
      const saved: Record<string, Tensor> = {};
      const dInputs: Record<string, Tensor> = {};
      op.inputs.forEach((n, i) => {
        const t = tensors[i] as Tensor;
        if (op.save.inputs?.includes(n)) saved[n] = t;
        // A sentinel, so an element backward forgot to write shows up.
        if (!(op.nonDifferentiable ?? []).includes(n)) dInputs[n] = Tensor.from(new Array<number>(t.size).fill(-99), { shape: t.shape, dtype });
      });
      op.backward({
        config,
        params: {},
        dy: Tensor.from(dy, { dtype }),
        saved: { inputs: saved, output: op.save.output ? out : undefined },
        dInputs,
        dParams: {},
        scratch,
        backend: tsBackend,
      } as never);
      return dInputs;
    },
  };
}

/** A tensor's values as a flat array of numbers. */
export const flat = (t: Tensor): number[] => Array.from(t.data);
