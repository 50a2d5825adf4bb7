/*
 * Recording an op's kernel calls, on a real call. The first time a program runs a pass, each node
 * runs against pass-through stand-ins: its buffers and generator behave exactly as the real ones
 * (they are the real ones behind a proxy), and its backend carries every kernel call out while
 * writing it down. An op that computes only through kernels, as the contract asks, leaves a
 * faithful list of its calls — with every size it derived from shapes and configuration — which
 * the program then runs directly, as generated code, from the next call on. An op that touches
 * data itself, reads a kernel's result, or draws from its generator outside a kernel is marked
 * as such and keeps being called as it is. Either way the recorded call was a real one: nothing is
 * run twice, and side effects happen once per call, as without recording.
 */
import { KERNEL_NAMES, READING_KERNELS, Tensor, type Backend, type KernelCall, type KernelName, type TypedArray } from '@gradstream/tensor';
import { bindNode, type BoundNode } from './executor.js';

const KERNELS = new Set<string>(KERNEL_NAMES);

/** One recording session's findings. */
interface Session {
  calls: KernelCall[];
  /** Set when the op did something a list of kernel calls cannot hold. */
  opaque: boolean;
}

/** Proxies that forward everything to their target and note any use beyond a shape fact. */
function passThrough<T extends object>(real: T, session: Session, originals: Map<unknown, unknown>, allowed: ReadonlySet<PropertyKey>): T {
  const proxy = new Proxy(real, {
    get(target, key) {
      if (!allowed.has(key)) session.opaque = true;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
    set(target, key, value) {
      session.opaque = true;
      return Reflect.set(target, key, originals.get(value) ?? value, target);
    },
  });
  originals.set(proxy, real);
  return proxy;
}

const SHAPE_FACTS: ReadonlySet<PropertyKey> = new Set(['length', 'BYTES_PER_ELEMENT', Symbol.toStringTag]);
const NOTHING: ReadonlySet<PropertyKey> = new Set();

/** A backend that carries every kernel call out on the real backend and writes it down. */
function recordingBackend(real: Backend, session: Session, originals: Map<unknown, unknown>): Backend {
  const wrappers = new Map<string, (...args: unknown[]) => unknown>();
  // The target is an empty object, not the (frozen) backend, so the proxy may answer with wrappers.
  return new Proxy({} as Backend, {
    get(_target, key) {
      if (typeof key !== 'string' || !KERNELS.has(key)) {
        if (key !== 'name' && key !== 'description' && key !== 'threads') session.opaque = true;
        const v = Reflect.get(real, key, real) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(real) : v;
      }
      let w = wrappers.get(key);
      if (w === undefined) {
        const kernel = real[key as KernelName] as (...args: unknown[]) => unknown;
        const reading = READING_KERNELS.has(key as KernelName);
        w = (...args: unknown[]): unknown => {
          const unwrapped = args.map((a) => (originals.has(a) ? originals.get(a) : a));
          // A result read back into the op's JavaScript makes what follows depend on the data.
          if (reading) session.opaque = true;
          else if (unwrapped.every(recordable)) session.calls.push({ kernel: key as KernelName, args: unwrapped });
          else session.opaque = true;
          return kernel.apply(real, unwrapped);
        };
        wrappers.set(key, w);
      }
      return w;
    },
  });
}

/** Arguments a recorded call may hold: the program's own buffers and generator, and plain values. */
function recordable(a: unknown): boolean {
  return a === undefined || typeof a === 'number' || typeof a === 'boolean' || typeof a === 'string' || ArrayBuffer.isView(a) || isRng(a);
}

const isRng = (a: unknown): boolean => typeof a === 'object' && a !== null && typeof (a as { next?: unknown }).next === 'function' && typeof (a as { fork?: unknown }).fork === 'function';

/**
 * A node bound a second time, to pass-through stand-ins of its own buffers and generator and to a
 * recording backend: running it computes for real and returns the kernel calls it made, or
 * undefined when they do not describe everything it did.
 */
export interface RecordingNode {
  forward(training: boolean): readonly KernelCall[] | undefined;
  backward(): readonly KernelCall[] | undefined;
}

/** Makes the recording twin of a bound node. */
export function recordingNode(bound: BoundNode, backend: Backend): RecordingNode {
  const originals = new Map<unknown, unknown>();
  const session: Session = { calls: [], opaque: false };
  const wrap = (t: Tensor): Tensor => new Tensor(t.shape, passThrough<TypedArray>(t.data, session, originals, SHAPE_FACTS));
  const wrapRecord = (r: Readonly<Record<string, Tensor>>): Record<string, Tensor> => Object.fromEntries(Object.entries(r).map(([k, t]) => [k, wrap(t)]));
  const b = bound.buffers;
  const twin = bindNode(
    {
      name: bound.node.name,
      label: bound.node.label,
      op: bound.node.op,
      config: bound.node.config,
      params: bound.node.params,
      state: bound.node.state,
      rng: passThrough(bound.node.rng, session, originals, NOTHING),
    },
    {
      inputs: b.inputs.map(wrap),
      params: wrapRecord(b.params),
      state: wrapRecord(b.state),
      out: wrap(b.out),
      scratch: wrapRecord(b.scratch),
      dy: b.dy === undefined ? undefined : wrap(b.dy),
      dInputs: b.dInputs.map((t) => (t === undefined ? undefined : wrap(t))),
      dParams: b.dParams === undefined ? undefined : wrapRecord(b.dParams),
    },
    recordingBackend(backend, session, originals),
  );
  const run = (f: () => void): readonly KernelCall[] | undefined => {
    session.calls = [];
    session.opaque = false;
    f();
    return session.opaque ? undefined : session.calls;
  };
  return {
    forward: (training) => run(() => twin.forward(training)),
    backward: () => run(() => twin.backward()),
  };
}
