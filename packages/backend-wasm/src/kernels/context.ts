import type { Backend, TypedArray } from '@gradstream/tensor';

/**
 * What a family of the wasm backend's kernels is built from: the module's exports, the test
 * whether a call's buffers all live in the runtime's memory (and the call is not tiny), pointers,
 * the one matmul every path uses, and the TypeScript reference to fall back on.
 */
export interface WasmKernelContext {
  /** The module's export of that name (throws when the module lacks it). */
  readonly exportOf: (name: string) => (...args: number[]) => number;
  /** True when every buffer is a float32 view of the runtime's memory and the call is not tiny. */
  readonly on: (a: TypedArray, b?: TypedArray, c?: TypedArray, d?: TypedArray) => boolean;
  /** True when the buffer is a float32 view of the runtime's memory, whatever its size. */
  readonly owns: (a: unknown) => a is Float32Array;
  /** The byte address of a view of the runtime's memory. */
  readonly ptr: (a: TypedArray) => number;
  /** `out = op(A)·op(B)` on addresses, split across the pool's threads when large enough. */
  readonly matmulPointers: (a: number, b: number, out: number, m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean) => void;
  /** The TypeScript reference backend, for buffers outside the runtime's memory and float64. */
  readonly ts: Backend;
}
