/**
 * gradstream's WebAssembly backend: the kernel set in SIMD128 (float32), its large products split
 * across worker threads sharing one memory, bit-identical whatever the thread count. Models choose
 * it by default where it can run (`backend: 'auto'`); float64 stays on the TypeScript backend.
 * Importing this package registers it under the name `'wasm'` (see
 * {@link @gradstream/tensor!registerBackendProvider}).
 *
 * @packageDocumentation
 */
import { GradstreamError, registerBackendProvider, type Backend } from '@gradstream/tensor';
import { createWasmBackend } from './backend.js';
import { createThreadPool, type ThreadPool } from './pool/index.js';
import { WasmRuntime, sharedMemoryAvailable, wasmUnavailable } from './runtime.js';

export { PARALLEL_MIN } from './backend.js';
export { sharedMemoryAvailable, wasmUnavailable } from './runtime.js';

/**
 * Options of {@link wasmBackend}.
 *
 * @example
 * ```ts
 * import type { WasmBackendOptions } from '@gradstream/backend-wasm';
 * const oneThread: WasmBackendOptions = { threads: 1 };
 * ```
 */
export interface WasmBackendOptions {
  /**
   * Threads large kernels run on, the calling one included (default: {@link defaultThreads}).
   * Where memory cannot be shared (a page that is not cross-origin isolated) it is always 1.
   */
  readonly threads?: number;
}

/**
 * Threads the machine offers: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency`
 * in a browser, 1 where memory cannot be shared.
 *
 * @example
 * ```ts
 * import { defaultThreads } from '@gradstream/backend-wasm';
 * console.log(defaultThreads()); // 2 on a 2-core machine
 * ```
 */
export function defaultThreads(): number {
  if (!sharedMemoryAvailable()) return 1;
  const p = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown }; navigator?: { hardwareConcurrency?: number } };
  const os = p.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const n = os?.availableParallelism?.() ?? p.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.floor(n));
}

const backends = new Map<number, Backend>();
const pools = new Map<number, ThreadPool>();
const poolOf = new WeakMap<Backend, ThreadPool>();

/**
 * Resolves once the worker threads of a wasm backend have started (at once for one thread, or for
 * a backend that is not a wasm one). Until then its large kernels run on the calling thread alone,
 * with the same results: nothing ever waits for the workers. Await it before timing, or in a
 * browser to be sure the first steps already use every core.
 *
 * @example
 * ```ts
 * import { wasmBackend, wasmThreadsReady } from '@gradstream/backend-wasm';
 * const backend = wasmBackend({ threads: 2 });
 * await wasmThreadsReady(backend);
 * ```
 */
export function wasmThreadsReady(backend: Backend): Promise<void> {
  return poolOf.get(backend)?.ready() ?? Promise.resolve();
}

/**
 * The WebAssembly SIMD backend with the given thread count (one per count, made on first use; all
 * share one memory). Throws a `BACKEND_UNAVAILABLE` error saying why where it cannot run (no
 * WebAssembly SIMD; a browser's main thread, which refuses to compile the module synchronously:
 * there, await {@link loadWasmBackend} first).
 *
 * @example
 * ```ts
 * import { wasmBackend } from '@gradstream/backend-wasm';
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 784, outFeatures: 10 })], { inputShape: [784], loss: mse(), backend: wasmBackend({ threads: 1 }) });
 * ```
 */
export function wasmBackend(options: WasmBackendOptions = {}): Backend {
  const why = wasmUnavailable();
  if (why !== undefined) throw new GradstreamError('BACKEND_UNAVAILABLE', `wasm backend: ${why}`, { backend: 'wasm' });
  const requested = options.threads ?? defaultThreads();
  if (!Number.isInteger(requested) || requested < 1) {
    throw new GradstreamError('INVALID_OPTION', `wasm backend: threads must be a positive integer, got ${requested}`, { threads: requested });
  }
  let runtime: WasmRuntime;
  try {
    runtime = WasmRuntime.get();
  } catch (e) {
    throw notLoading(e);
  }
  const threads = runtime.shared ? requested : 1;
  let backend = backends.get(threads);
  if (backend === undefined) {
    const scratch = runtime.scratch(threads);
    let pool: ThreadPool | undefined;
    if (threads > 1) {
      pool = pools.get(threads);
      if (pool === undefined) {
        pool = createThreadPool({
          module: runtime.module,
          memory: runtime.memory,
          exports: runtime.exports as unknown as WebAssembly.Exports,
          kernels: ['matmul', 'conv2dForward', 'maxPool2dParts'],
          threads,
          scratch,
        });
        pools.set(threads, pool);
      }
    }
    backend = createWasmBackend({ runtime, threads, pool, matmulKernel: 0, conv2dKernel: 1, maxPoolKernel: 2, scratch: scratch.base });
    backends.set(threads, backend);
    if (pool !== undefined) poolOf.set(backend, pool);
  }
  return backend;
}

/**
 * The wasm backend, compiled and instantiated asynchronously: what a browser's main thread needs,
 * where compiling the kernels synchronously is refused. Once it resolves, {@link wasmBackend} and
 * `backend: 'auto'` use the loaded module there too. Elsewhere it is {@link wasmBackend}, after a
 * wait. Rejects with the same `BACKEND_UNAVAILABLE` error as {@link wasmBackend} where wasm
 * cannot run (no SIMD; a Content-Security-Policy without `'wasm-unsafe-eval'`).
 *
 * @example
 * ```ts
 * import { loadWasmBackend } from '@gradstream/backend-wasm';
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * const backend = await loadWasmBackend();
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), backend });
 * ```
 */
export async function loadWasmBackend(options: WasmBackendOptions = {}): Promise<Backend> {
  const why = wasmUnavailable();
  if (why !== undefined) throw new GradstreamError('BACKEND_UNAVAILABLE', `wasm backend: ${why}`, { backend: 'wasm' });
  try {
    await WasmRuntime.load();
  } catch (e) {
    throw notLoading(e);
  }
  return wasmBackend(options);
}

function notLoading(e: unknown): Error {
  if (e instanceof GradstreamError) return e;
  return new GradstreamError('BACKEND_UNAVAILABLE', `wasm backend: the kernels module does not load here: ${(e as Error).message}`, { backend: 'wasm' });
}

registerBackendProvider({
  name: 'wasm',
  unavailable: wasmUnavailable,
  defaultThreads,
  create: (options: { readonly threads?: number }) => wasmBackend(options),
});
