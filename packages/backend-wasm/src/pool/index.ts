/**
 * The thread pool of the WebAssembly backend: kernels exported by one wasm module, run in parts on
 * the calling thread and on workers that share its memory, dispatched through Atomics on a shared
 * control block (no messages, no allocation per call).
 *
 * @example
 * ```ts
 * import { createThreadPool } from './pool/index.js';
 * const pool = createThreadPool({ module, memory, exports, kernels: ['matmul'], threads: 2, scratch });
 * pool.args.set([aPtr, bPtr, outPtr, m, n, k, 0, 0, 0]);
 * pool.run(0, 9, pool.threads);
 * ```
 *
 * @packageDocumentation
 */
export { createThreadPool, type ThreadPool, type ThreadPoolOptions, type WasmExports, type WasmMemory, type WasmModule } from './pool.js';
export { MAX_KERNEL_ARGS } from './worker-source.js';
