import {
  UNARY_NAMES,
  allocate,
  tsBackend,
  type Backend,
  type DType,
  type KernelCall,
  type Kernels,
  type MemoryCeiling,
  type SourceBindings,
  type TypedArray,
  type UnaryName,
} from '@gradstream/tensor';
import { ALIGN } from './allocator.js';
import type { ThreadPool } from './pool/index.js';
import type { KernelExports, WasmRuntime } from './runtime.js';
import type { WasmKernelContext } from './kernels/context.js';
import { imageKernels } from './kernels/image.js';
import { normKernels } from './kernels/norm.js';
import { sequenceKernels } from './kernels/sequence.js';
import { attentionKernels } from './kernels/attention.js';
import { lossKernels } from './kernels/loss.js';

/**
 * Products of at least this many multiply-adds are split across the pool's threads; below it a
 * dispatch (waking a thread, waiting for it) costs more than the other thread saves.
 */
export const PARALLEL_MIN = 1 << 19;
/** Calls whose arrays hold at most this many elements run as the TypeScript backend's loops written in place. */
const TINY = 64;

/** The matmul entry every path uses: one thread below {@link PARALLEL_MIN}, all above. */
type MatmulPointers = (a: number, b: number, out: number, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean) => void;

/** What a backend facade needs: the runtime, its scratch, and a pool when it runs on more than one thread. */
export interface WasmBackendParts {
  readonly runtime: WasmRuntime;
  readonly threads: number;
  readonly pool: ThreadPool | undefined;
  /** Index of `matmul` among the pool's kernels. */
  readonly matmulKernel: number;
  /** Index of `conv2dForward` among the pool's kernels. */
  readonly conv2dKernel: number;
  /** Index of `maxPool2dParts` among the pool's kernels. */
  readonly maxPoolKernel: number;
  /** Start of thread 0's matmul scratch. */
  readonly scratch: number;
}

const largest = (args: readonly unknown[]): number => args.reduce<number>((m, a) => (ArrayBuffer.isView(a) ? Math.max(m, (a as TypedArray).length) : m), 0);

/**
 * The WebAssembly backend over a runtime: every kernel runs its SIMD128 export when all its buffers
 * are float32 views of the runtime's memory, and the TypeScript reference otherwise (float64
 * models, arrays made elsewhere), so a call is always right and fast where it can be.
 */
export function createWasmBackend(parts: WasmBackendParts): Backend {
  const { runtime: rt, threads, pool } = parts;
  const e: KernelExports = rt.exports;
  const own = (a: unknown): a is Float32Array => rt.owns(a);
  const ptr = (a: TypedArray): number => a.byteOffset;
  const ts = tsBackend;
  const exportOf = (name: string): ((...args: number[]) => number) => {
    const f = e[name];
    if (typeof f !== 'function') throw new Error(`wasm backend: the kernels module has no export ${name}`);
    return f;
  };
  // Without a prototype: a name outside the table ("constructor") finds nothing rather than Object's.
  const byFunction = (prefix: string): Readonly<Record<UnaryName, (...args: number[]) => number>> =>
    Object.assign(Object.create(null) as object, Object.fromEntries(UNARY_NAMES.map((n) => [n, exportOf(`${prefix}_${n}`)]))) as Record<UnaryName, (...args: number[]) => number>;
  const unaryF = byFunction('unary');
  const unaryB = byFunction('unaryBackward');
  const biasF = byFunction('biasUnary');
  const biasB = byFunction('unaryBiasBackward');
  const matmulExport = exportOf('matmul');
  // Every export used below, looked up once.
  const ex = {
    adamUpdate: exportOf('adamUpdate'),
    add: exportOf('add'),
    addRowBroadcast: exportOf('addRowBroadcast'),
    copy: exportOf('copy'),
    countArgmaxMatches: exportOf('countArgmaxMatches'),
    fill: exportOf('fill'),
    firstNonFinite: exportOf('firstNonFinite'),
    momentumUpdate: exportOf('momentumUpdate'),
    mse: exportOf('mse'),
    mseBackward: exportOf('mseBackward'),
    mul: exportOf('mul'),
    scale: exportOf('scale'),
    sgdUpdate: exportOf('sgdUpdate'),
    softmaxCrossEntropy: exportOf('softmaxCrossEntropy'),
    softmaxCrossEntropyBackward: exportOf('softmaxCrossEntropyBackward'),
    softmaxRows: exportOf('softmaxRows'),
    softmaxRowsBackward: exportOf('softmaxRowsBackward'),
    sumAbsDiff: exportOf('sumAbsDiff'),
    sumRows: exportOf('sumRows'),
    sumSquaredDiff: exportOf('sumSquaredDiff'),
    sumSquares: exportOf('sumSquares'),
    weightPenalty: exportOf('weightPenalty'),
  };

  const matmulPointers: MatmulPointers = (a, b, out, m, n, k, transA, transB, accumulate) => {
    // Until its workers have started the pool is not used (never waited for: in a browser's worker
    // they start only once it yields); the parts are the same either way, so are the results.
    if (pool !== undefined && m * n * k >= PARALLEL_MIN && pool.isStarted()) {
      const args = pool.args;
      args[0] = a;
      args[1] = b;
      args[2] = out;
      args[3] = m;
      args[4] = n;
      args[5] = k;
      args[6] = transA ? 1 : 0;
      args[7] = transB ? 1 : 0;
      args[8] = accumulate ? 1 : 0;
      pool.run(parts.matmulKernel, 9, threads);
    } else {
      matmulExport(a, b, out, m, n, k, transA ? 1 : 0, transB ? 1 : 0, accumulate ? 1 : 0, parts.scratch, 0, 1);
    }
  };

  // conv2dForward takes more arguments than a pool run carries: they go in a block of memory, one
  // per backend (a call returns only once every part has read them).
  const conv2dExport = exportOf('conv2dForward');
  const conv2dParams = rt.allocator.allocate(exportOf('conv2dParamsBytes')());
  const conv2dI32 = new Int32Array(rt.memory.buffer, conv2dParams, 22);
  const conv2dF64 = new Float64Array(rt.memory.buffer, conv2dParams + 88, 1);
  const conv2dPointers: WasmKernelContext['conv2dPointers'] = (values, p, work) => {
    for (let i = 0; i < 20; i++) conv2dI32[i] = values[i] as number;
    conv2dF64[0] = p;
    if (pool !== undefined && work >= PARALLEL_MIN && pool.isStarted()) {
      pool.args[0] = conv2dParams;
      pool.run(parts.conv2dKernel, 1, threads);
    } else {
      conv2dExport(conv2dParams, parts.scratch, 0, 1);
    }
  };

  // Pooling reads each window element once: worth a dispatch from about this many reads.
  const maxPoolExport = exportOf('maxPool2d');
  const maxPoolPointers: WasmKernelContext['maxPoolPointers'] = (args, work) => {
    if (pool !== undefined && work >= PARALLEL_MIN / 4 && pool.isStarted()) {
      for (let i = 0; i < 15; i++) pool.args[i] = args[i] as number;
      pool.run(parts.maxPoolKernel, 15, threads);
    } else {
      const a = args as readonly number[];
      maxPoolExport(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!);
    }
  };

  /**
   * True when every buffer is a float32 view of this memory and the call is not tiny: tiny calls
   * run the TypeScript kernels on the views, exactly as generated passes write them (see
   * renderCall), so a step computes the same numbers whether or not it runs as generated code.
   */
  const on = (a: TypedArray, b: TypedArray = a, c: TypedArray = a, d: TypedArray = a): boolean =>
    // Sizes first: they are cheaper to read than where a buffer lives.
    (a.length > TINY || b.length > TINY || c.length > TINY || d.length > TINY) && own(a) && own(b) && own(c) && own(d);

  // The layer families' kernels, each in its own file (src/kernels/), built from the same parts.
  const context: WasmKernelContext = {
    exportOf,
    on,
    owns: own,
    ptr,
    matmulPointers,
    conv2dPointers,
    maxPoolPointers,
    conv2dMaxPatch: exportOf('conv2dMaxPatch')(),
    tiny: TINY,
    ts,
  };
  const kernels: Kernels = {
    ...imageKernels(context),
    ...normKernels(context),
    ...sequenceKernels(context),
    ...attentionKernels(context),
    ...lossKernels(context),
    matmul(a, b, out, m, n, k, transA = false, transB = false, accumulate = false) {
      if (own(a) && own(b) && own(out) && m * n * k > TINY) matmulPointers(ptr(a), ptr(b), ptr(out), m, n, k, transA, transB, accumulate);
      else ts.matmul(a, b, out, m, n, k, transA, transB, accumulate);
    },
    add: (a, b, out) => (on(a, b, out) ? void ex.add(ptr(a), ptr(b), ptr(out), out.length) : ts.add(a, b, out)),
    mul: (a, b, out) => (on(a, b, out) ? void ex.mul(ptr(a), ptr(b), ptr(out), out.length) : ts.mul(a, b, out)),
    scale: (a, s, out) => (on(a, out) ? void ex.scale(ptr(a), s, ptr(out), out.length) : ts.scale(a, s, out)),
    copy: (src, dst) => (on(src, dst) ? void ex.copy(ptr(src), ptr(dst), Math.min(dst.length, src.length)) : ts.copy(src, dst)),
    fill: (out, value) => (on(out) ? void ex.fill(ptr(out), value, out.length) : ts.fill(out, value)),
    addRowBroadcast: (x, bias, out, rows, cols) =>
      on(x, bias, out) ? void ex.addRowBroadcast(ptr(x), ptr(bias), ptr(out), rows, cols) : ts.addRowBroadcast(x, bias, out, rows, cols),
    sumRows: (x, out, rows, cols, accumulate = false) =>
      on(x, out) ? void ex.sumRows(ptr(x), ptr(out), rows, cols, accumulate ? 1 : 0) : ts.sumRows(x, out, rows, cols, accumulate),
    unary: (fn, x, out, p = 0) => (on(x, out) ? void unaryF[fn](ptr(x), ptr(out), out.length, p) : ts.unary(fn, x, out, p)),
    unaryBackward: (fn, s, dy, dx, p = 0) =>
      on(s, dy, dx) ? void unaryB[fn](ptr(s), ptr(dy), ptr(dx), dx.length, p) : ts.unaryBackward(fn, s, dy, dx, p),
    biasUnary: (fn, z, bias, out, rows, cols, p = 0) =>
      on(z, bias, out) ? void biasF[fn](ptr(z), ptr(bias), ptr(out), rows, cols, p) : ts.biasUnary(fn, z, bias, out, rows, cols, p),
    unaryBiasBackward: (fn, s, dy, dz, dbias, rows, cols, p = 0) =>
      on(s, dy, dz, dbias)
        ? void biasB[fn](ptr(s), ptr(dy), ptr(dz), ptr(dbias), rows, cols, p)
        : ts.unaryBiasBackward(fn, s, dy, dz, dbias, rows, cols, p),
    softmaxRows: (x, out, rows, cols) => (on(x, out) ? void ex.softmaxRows(ptr(x), ptr(out), rows, cols) : ts.softmaxRows(x, out, rows, cols)),
    softmaxRowsBackward: (y, dy, dx, rows, cols) =>
      on(y, dy, dx) ? void ex.softmaxRowsBackward(ptr(y), ptr(dy), ptr(dx), rows, cols) : ts.softmaxRowsBackward(y, dy, dx, rows, cols),
    softmaxCrossEntropy: (logits, target, probs, loss, rows, cols) =>
      on(logits, target, probs, loss)
        ? void ex.softmaxCrossEntropy(ptr(logits), ptr(target), ptr(probs), ptr(loss), rows, cols)
        : ts.softmaxCrossEntropy(logits, target, probs, loss, rows, cols),
    softmaxCrossEntropyBackward: (probs, target, dLoss, dx, rows, cols) =>
      on(probs, target, dLoss, dx)
        ? void ex.softmaxCrossEntropyBackward(ptr(probs), ptr(target), ptr(dLoss), ptr(dx), rows, cols)
        : ts.softmaxCrossEntropyBackward(probs, target, dLoss, dx, rows, cols),
    mse: (pred, target, loss, rows) =>
      on(pred, target, loss) ? void ex.mse(ptr(pred), ptr(target), ptr(loss), pred.length, rows) : ts.mse(pred, target, loss, rows),
    mseBackward: (pred, target, dLoss, dPred, rows) =>
      on(pred, target, dLoss, dPred)
        ? void ex.mseBackward(ptr(pred), ptr(target), ptr(dLoss), ptr(dPred), dPred.length, rows)
        : ts.mseBackward(pred, target, dLoss, dPred, rows),
    // The mask is drawn from the node's generator in JavaScript; it is written straight into the view.
    dropoutMask: (rng, rate, mask) => ts.dropoutMask(rng, rate, mask),
    sgdUpdate: (w, g, lr) => (on(w, g) ? void ex.sgdUpdate(ptr(w), ptr(g), w.length, lr) : ts.sgdUpdate(w, g, lr)),
    weightPenalty: (w, g, l1, l2) => (on(w, g) ? void ex.weightPenalty(ptr(w), ptr(g), g.length, l1, l2) : ts.weightPenalty(w, g, l1, l2)),
    momentumUpdate: (w, g, v, lr, momentum, nesterov) =>
      on(w, g, v) ? void ex.momentumUpdate(ptr(w), ptr(g), ptr(v), w.length, lr, momentum, nesterov ? 1 : 0) : ts.momentumUpdate(w, g, v, lr, momentum, nesterov),
    adamUpdate: (w, g, m, v, lr, beta1, beta2, epsilon, weightDecay, t) =>
      on(w, g, m, v)
        ? void ex.adamUpdate(ptr(w), ptr(g), ptr(m), ptr(v), w.length, lr, beta1, beta2, epsilon, weightDecay, t)
        : ts.adamUpdate(w, g, m, v, lr, beta1, beta2, epsilon, weightDecay, t),
    sumSquares: (x) => (on(x) ? ex.sumSquares(ptr(x), x.length) : ts.sumSquares(x)),
    firstNonFinite: (x) => (on(x) ? ex.firstNonFinite(ptr(x), x.length) : ts.firstNonFinite(x)),
    sumSquaredDiff: (a, b, n) => (on(a, b) ? ex.sumSquaredDiff(ptr(a), ptr(b), n) : ts.sumSquaredDiff(a, b, n)),
    sumAbsDiff: (a, b, n) => (on(a, b) ? ex.sumAbsDiff(ptr(a), ptr(b), n) : ts.sumAbsDiff(a, b, n)),
    countArgmaxMatches: (pred, target, rows, cols) =>
      on(pred, target) ? ex.countArgmaxMatches(ptr(pred), ptr(target), rows, cols) : ts.countArgmaxMatches(pred, target, rows, cols),
  };

  /**
   * A call in a generated pass: tiny ones (and any touching memory outside the runtime) as the
   * TypeScript backend writes them — its loops in place over the views, as fast as a 1-1-1 network
   * needs; the rest as a direct call of this backend's kernel, which computes the pointers.
   */
  const renderCall = (call: KernelCall, b: SourceBindings): string => {
    // conv2dForward sorts its tiny parts out itself (it must equal im2col, matmul and biasUnary as rendered).
    const tiny =
      call.kernel === 'matmul'
        ? (call.args[3] as number) * (call.args[4] as number) * (call.args[5] as number) <= TINY
        : call.kernel !== 'conv2dForward' && largest(call.args) <= TINY;
    if (tiny || !call.args.every((a) => !ArrayBuffer.isView(a) || own(a))) return ts.renderCall(call, b);
    return `${b.value(kernels[call.kernel], call.kernel)}(${call.args.map((a) => b.arg(a)).join(', ')});`;
  };

  return Object.freeze({
    ...kernels,
    name: 'wasm',
    description: `WebAssembly SIMD128, ${threads} thread${threads === 1 ? '' : 's'}${rt.shared ? '' : ' (not cross-origin isolated: one thread)'}`,
    threads,
    allocate: (dtype: DType, length: number): TypedArray => (dtype === 'float32' ? rt.float32(length) : allocate(dtype, length)),
    free: (buffers: readonly TypedArray[]): void => {
      for (const a of buffers) if (own(a)) rt.release(a);
    },
    // float32 buffers live in the one wasm memory; float64 ones are ordinary arrays, bounded by the host alone.
    memoryCeiling: (dtype: DType): MemoryCeiling | undefined =>
      dtype === 'float32'
        ? {
            maxBytes: rt.allocator.capacityBytes,
            freeBytes: rt.allocator.freeBytes,
            alignment: ALIGN,
            why: 'a wasm32 memory addresses no more',
          }
        : undefined,
    renderCall,
  });
}
