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
  /**
   * Runs the wasm conv2dForward on its 20 integer arguments (pointers x, weight, bias, out, then the
   * geometry, filters and the function's index in UNARY_NAMES) and the parameter `p`, split across
   * the pool's threads when `work` (multiply-adds) is large enough.
   */
  readonly conv2dPointers: (values: ArrayLike<number>, p: number, work: number) => void;
  /** Calls of at most this many elements (products: multiply-adds) run as the TypeScript loops. */
  readonly tiny: number;
  /** Runs the wasm maxPool2d on its 15 arguments (pointers, then geometry), split across the pool's threads when `work` (window reads) is large enough. */
  readonly maxPoolPointers: (args: ArrayLike<number>, work: number) => void;
  /** The largest window (kh·kw·c) the wasm conv2dForward takes. */
  readonly conv2dMaxPatch: number;
  /** The TypeScript reference backend, for buffers outside the runtime's memory and float64. */
  readonly ts: Backend;
}
