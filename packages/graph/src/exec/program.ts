import { GradstreamError, Tensor, sizeOf, type Backend, type DType, type Shape, type TypedArray } from '@gradstream/tensor';
import { inferOutputShape } from '../contract/shape-errors.js';
import type { GraphNode } from '../model/node.js';
import { bindNode, type BoundNode } from './executor.js';
import { generatePass, type PassKind } from './compile.js';
import { recordingNode, type RecordingNode } from './trace.js';
import type { KernelCall } from '@gradstream/tensor';

/** Per node, what recording found so far: calls, null (call the node as it is), or undefined (not run yet). */
type Found = (readonly KernelCall[] | null | undefined)[];

type PassName = 'train' | 'trainPrefix' | 'eval' | 'evalPrefix' | 'backward';

/** What a {@link Program} is built from. */
export interface ProgramSpec {
  /** The nodes, in an order where every node comes after the values it reads. */
  readonly nodes: readonly GraphNode[];
  /** Values the program does not compute (the model's `x` and `y`), with their shapes. */
  readonly externals: ReadonlyMap<string, Shape>;
  /** Externals whose gradient is wanted (none for a model; every input for a gradient check). */
  readonly externalGrads: ReadonlySet<string>;
  /** The value backward starts from; its gradient buffer is the seed (filled by the caller). */
  readonly output: string;
  /** Allocate gradient buffers and bind backward (false: a forward-only program). */
  readonly gradients: boolean;
  readonly dtype: DType;
  readonly backend: Backend;
  /** Name in generated code and stack traces. */
  readonly name: string;
  /** How many nodes {@link Program.forwardPrefix} runs (default: all). */
  readonly prefix?: number;
}

/** Frees a collected program's buffers on its backend (memory outside the JavaScript heap included). */
const reclaim = new FinalizationRegistry<{ backend: Backend; buffers: TypedArray[] }>(({ backend, buffers }) => backend.free(buffers));

/**
 * A graph of nodes bound to preallocated buffers on one backend: every value, gradient and scratch
 * buffer made once, so `forward()` and `backward()` allocate nothing. Backward walks the nodes in
 * reverse and computes each intermediate gradient once, summing contributions where a value feeds
 * several nodes. Plans are programs over a model; the gradient checker builds one over a single
 * op or a composite's parts.
 */
export class Program {
  readonly values: ReadonlyMap<string, Tensor>;
  readonly grads: ReadonlyMap<string, Tensor>;
  /** ∂L/∂parameter by parameter id (`linear_1.weight`); state takes none. */
  readonly paramGrads: ReadonlyMap<string, Tensor>;
  readonly bound: readonly BoundNode[];
  /** For values read by several nodes: the shared gradient buffers, zeroed before backward. */
  readonly sharedGrads: readonly Tensor[];
  /** Per node: [private, shared] gradient pairs added after its backward. */
  readonly accumulate: readonly (readonly (readonly [Tensor, Tensor])[])[];
  readonly backend: Backend;
  /** Bytes of every buffer the program allocated. */
  readonly bytes: number;
  private timings: Float64Array | undefined;
  /** Every buffer the program allocated, for {@link Program.free}. */
  private readonly buffers: readonly TypedArray[];
  /** Recorded calls per mode; see trace.ts. */
  private readonly found: { readonly train: Found; readonly eval: Found; readonly backward: Found };
  private recorders: RecordingNode[] | undefined;
  /** Generated passes, by name, once every node they run has been recorded. */
  private passes: Partial<Record<PassName, () => void>> = {};
  /** False once generating code failed (a Content-Security-Policy forbids it): nodes are then called one by one. */
  private codegen = true;

  constructor(readonly spec: ProgramSpec) {
    const { nodes, backend, dtype } = spec;
    this.backend = backend;
    const buffers: TypedArray[] = [];
    const make = (shape: Shape): Tensor => {
      const data = backend.allocate(dtype, sizeOf(shape));
      buffers.push(data);
      return new Tensor(shape, data);
    };
    const values = new Map<string, Tensor>();
    for (const [name, shape] of spec.externals) values.set(name, make(shape));
    const inputShapes = new Map<GraphNode, Shape[]>();
    for (const node of nodes) {
      const ins = node.inputs.map((v) => {
        const t = values.get(v);
        if (t === undefined) throw new GradstreamError('INVALID_MODEL', `${node.label} reads "${v}", which no earlier node computes`, { node: node.name });
        return t.shape;
      });
      inputShapes.set(node, ins);
      values.set(node.name, make(inferOutputShape(node.name, node.op, ins, node.config)));
    }

    // Which (node, slot) pairs need each value's gradient, to know where gradients must be summed.
    const needsGrad = (node: GraphNode, slot: number): boolean => {
      if (!spec.gradients) return false;
      const v = node.inputs[slot] as string;
      if (spec.externals.has(v) && !spec.externalGrads.has(v)) return false;
      return !(node.op.nonDifferentiable ?? []).includes(node.op.inputs[slot] as string);
    };
    const consumers = new Map<string, number>();
    for (const node of nodes) node.inputs.forEach((v, slot) => needsGrad(node, slot) && consumers.set(v, (consumers.get(v) ?? 0) + 1));
    const grads = new Map<string, Tensor>();
    if (spec.gradients) {
      for (const name of spec.externalGrads) grads.set(name, make((values.get(name) as Tensor).shape));
      for (const node of nodes) grads.set(node.name, make((values.get(node.name) as Tensor).shape));
    }
    const shared: Tensor[] = [];
    for (const [v, n] of consumers) if (n > 1) shared.push(grads.get(v) as Tensor);

    const paramGrads = new Map<string, Tensor>();
    const accumulate: (readonly [Tensor, Tensor])[][] = [];
    const bound = nodes.map((node) => {
      const ins = inputShapes.get(node) as Shape[];
      const scratch: Record<string, Tensor> = {};
      for (const [k, s] of Object.entries<Shape>(node.op.scratch?.(ins, node.config) ?? {})) scratch[k] = make(s);
      const pairs: (readonly [Tensor, Tensor])[] = [];
      const dInputs = node.inputs.map((v, slot) => {
        if (!needsGrad(node, slot)) return undefined;
        const target = grads.get(v) as Tensor;
        if (consumers.get(v) === 1) return target;
        const own = make(target.shape);
        pairs.push([own, target]);
        return own;
      });
      accumulate.push(pairs);
      let dParams: Record<string, Tensor> | undefined;
      if (spec.gradients) {
        dParams = {};
        for (const [k, p] of Object.entries(node.params)) {
          const g = make(p.shape);
          dParams[k] = g;
          paramGrads.set(`${node.name}.${k}`, g);
        }
      }
      return bindNode(
        node,
        {
          inputs: node.inputs.map((v) => values.get(v) as Tensor),
          params: node.params,
          state: node.state,
          out: values.get(node.name) as Tensor,
          scratch,
          dy: grads.get(node.name),
          dInputs,
          dParams,
        },
        backend,
      );
    });
    this.values = values;
    this.grads = grads;
    this.paramGrads = paramGrads;
    this.bound = bound;
    this.sharedGrads = shared;
    this.accumulate = accumulate;
    this.bytes = buffers.reduce((s, b) => s + b.byteLength, 0);
    const unknown = (): Found => bound.map(() => undefined);
    this.found = { train: unknown(), eval: unknown(), backward: unknown() };
    reclaim.register(this, { backend, buffers }, this);
    this.buffers = buffers;
  }

  /**
   * Frees every buffer now instead of when the program is collected, for an owner that knows
   * nothing else holds it; the program must not run again.
   */
  free(): void {
    // Unregistered first, so the buffers are freed once however often this is called.
    if (reclaim.unregister(this)) this.backend.free(this.buffers);
  }

  /** Nodes run from their recorded kernel calls in every pass recorded so far (the others are called as they are). */
  get recordedNodes(): readonly string[] {
    return this.bound
      .filter((_, i) => [this.found.train, this.found.eval, this.found.backward].every((f) => f[i] !== null) && this.found.train[i] !== undefined)
      .map((b) => b.node.name);
  }

  /** Runs every node forward. */
  forward(training: boolean): void {
    // The generated passes, once made, are called straight from here: a step costs two calls.
    const pass = training ? this.passes.train : this.passes.eval;
    if (pass !== undefined) pass();
    else this.runForward(training, this.bound.length);
  }

  /** Runs the first {@link ProgramSpec.prefix} nodes forward (a model's nodes before its loss). */
  forwardPrefix(training: boolean): void {
    this.runForward(training, this.spec.prefix ?? this.bound.length);
  }

  /** Runs every node backward, from the output to the inputs. */
  backward(): void {
    const pass = this.passes.backward ?? this.pass('backward', { kind: 'backward' }, this.found.backward, this.bound.length);
    if (pass !== undefined) {
      pass();
      return;
    }
    const backend = this.backend;
    for (let i = 0; i < this.sharedGrads.length; i++) backend.fill((this.sharedGrads[i] as Tensor).data, 0);
    const timings = this.timings;
    for (let i = this.bound.length - 1; i >= 0; i--) {
      const b = this.bound[i] as BoundNode;
      if (timings !== undefined) {
        const t0 = performance.now();
        b.backward();
        timings[2 * i + 1] = (timings[2 * i + 1] as number) + performance.now() - t0;
      } else if (this.codegen && this.found.backward[i] === undefined) {
        this.found.backward[i] = this.recorder(i).backward() ?? null;
      } else {
        b.backward();
      }
      const pairs = this.accumulate[i] as readonly (readonly [Tensor, Tensor])[];
      for (let j = 0; j < pairs.length; j++) {
        const pair = pairs[j] as readonly [Tensor, Tensor];
        backend.add(pair[1].data, pair[0].data, pair[1].data);
      }
    }
  }

  private runForward(training: boolean, count: number): void {
    const found = training ? this.found.train : this.found.eval;
    // Literal names (no string is built per call).
    const full = count === this.bound.length;
    const name = training ? (full ? 'train' : 'trainPrefix') : full ? 'eval' : 'evalPrefix';
    const pass = this.pass(name, { kind: 'forward', training, count }, found, count);
    if (pass !== undefined) {
      pass();
      return;
    }
    const timings = this.timings;
    for (let i = 0; i < count; i++) {
      const b = this.bound[i] as BoundNode;
      if (timings !== undefined) {
        const t0 = performance.now();
        b.forward(training);
        timings[2 * i] = (timings[2 * i] as number) + performance.now() - t0;
      } else if (this.codegen && found[i] === undefined) {
        found[i] = this.recorder(i).forward(training) ?? null;
      } else {
        b.forward(training);
      }
    }
  }

  /**
   * The generated pass of that name, made once all the nodes it runs have been recorded (so the
   * first run of each pass is a recording run); undefined while profiling, before that, or where
   * code generation is not allowed.
   */
  private pass(name: PassName, kind: PassKind, found: Found, count: number): (() => void) | undefined {
    if (this.timings !== undefined || !this.codegen) return undefined;
    let pass = this.passes[name];
    if (pass !== undefined) return pass;
    for (let i = 0; i < count; i++) if (found[i] === undefined) return undefined;
    pass = generatePass(this, kind, found as readonly (readonly KernelCall[] | null)[]);
    if (pass === undefined) {
      this.codegen = false;
      return undefined;
    }
    this.passes[name] = pass;
    return pass;
  }

  private recorder(i: number): RecordingNode {
    this.recorders ??= [];
    return (this.recorders[i] ??= recordingNode(this.bound[i] as BoundNode, this.backend));
  }

  /** Times every node from now on (each is then called on its own, not through the generated passes). */
  enableProfiling(): void {
    this.timings ??= new Float64Array(2 * this.bound.length);
    // Generated passes would skip the timing: from now on each node is called on its own.
    this.passes = {};
  }

  /** Milliseconds per node since profiling was enabled (empty when it is off). */
  profile(): Record<string, { readonly forwardMs: number; readonly backwardMs: number }> {
    const out: Record<string, { forwardMs: number; backwardMs: number }> = {};
    const t = this.timings;
    if (t === undefined) return out;
    this.bound.forEach((b, i) => {
      // Defined, not assigned: a node may be named "__proto__".
      Object.defineProperty(out, b.node.name, { value: { forwardMs: t[2 * i] as number, backwardMs: t[2 * i + 1] as number }, enumerable: true, writable: true, configurable: true });
    });
    return out;
  }
}
