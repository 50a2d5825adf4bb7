import type { DType, TypedArray } from '../dtype.js';
import type { SourceBindings } from '../codegen/bindings.js';
import type { KernelName, Kernels } from './kernels.js';

/**
 * One kernel call with its arguments, as a compiled pass holds it: buffers, numbers, flags, the
 * name of an elementwise function, or a {@link ScalarSlot} read at run time.
 *
 * @example
 * ```ts
 * import type { KernelCall } from '@gradstream/tensor';
 * const call: KernelCall = { kernel: 'unary', args: ['relu', new Float32Array(4), new Float32Array(4)] };
 * ```
 */
export interface KernelCall {
  readonly kernel: KernelName;
  readonly args: readonly unknown[];
}

/**
 * How much a backend's own memory holds, where that memory (not the host's) bounds what the
 * backend can allocate: a wasm32 memory addresses 4 GiB at most, whatever the machine has. Models
 * and plans are sized against it before allocating, so a refusal names the layer.
 *
 * @example
 * ```ts
 * import type { MemoryCeiling } from '@gradstream/tensor';
 * const fits = (c: MemoryCeiling, bytes: number) => bytes <= c.freeBytes;
 * ```
 */
export interface MemoryCeiling {
  /** The most bytes the memory holds, in all. */
  readonly maxBytes: number;
  /** Bytes still free for new buffers (those already allocated, by any model, taken off). */
  readonly freeBytes: number;
  /** Every buffer takes a whole number of blocks of this many bytes. */
  readonly alignment: number;
  /** Why the memory holds no more, for messages: `a wasm32 memory addresses no more`. */
  readonly why: string;
}

/**
 * How the host and a backend whose kernels run on a device (a GPU) exchange values. Such a
 * backend's arrays are `Float32Array`s in host memory paired with device buffers: the kernels
 * read and write the device's copy, queued; the host's copy holds what the host wrote before an
 * {@link DeviceSync.upload}, or what the last {@link DeviceSync.download} brought back. The
 * graph uploads what the host writes (initial parameters, batches, loaded checkpoints) and the
 * trainer downloads what a subscriber reads (the loss every step; parameters and gradients only
 * when asked for); everything else stays on the device.
 *
 * @example
 * ```ts
 * import type { DeviceSync } from '@gradstream/tensor';
 * async function readBack(sync: DeviceSync, loss: Float32Array): Promise<number> {
 *   await sync.download([loss]);
 *   return loss[0] as number;
 * }
 * ```
 */
export interface DeviceSync {
  /** Copies the arrays' host values to the device, after the work already queued (which still sees the old ones). */
  upload(arrays: readonly TypedArray[]): void;
  /** Runs what is queued and brings the arrays' device values into their host copies, in one transfer. */
  download(arrays: readonly TypedArray[]): Promise<void>;
  /** `out[index] = Σ x²` computed on the device (the gradient norms' squares, read back with the loss). */
  sumSquaresInto(x: TypedArray, out: TypedArray, index: number): void;
  /** `out[index]` = 1 when `x` holds a NaN or ±Infinity, else 0, computed on the device. */
  nonFiniteInto(x: TypedArray, out: TypedArray, index: number): void;
  /** Buffers mapped for reading so far (each {@link DeviceSync.download} maps one). */
  readonly downloads: number;
}

/**
 * A backend: a kernel set, the memory its kernels work in, and how its kernel calls are written
 * into generated passes. The TypeScript backend ({@link tsBackend}) is the reference and works
 * everywhere; `@gradstream/backend-wasm` is the WebAssembly SIMD one. A model computes every
 * step with one backend: its parameters, activations, gradients and optimizer state are all
 * allocated by it.
 *
 * @example
 * ```ts
 * import { tsBackend, type Backend } from '@gradstream/tensor';
 * const b: Backend = tsBackend;
 * const out = b.allocate('float32', 2);
 * b.add(new Float32Array([1, 2]), new Float32Array([3, 4]), out);
 * ```
 */
export interface Backend extends Kernels {
  /** `'ts'`, `'wasm'` or `'webgpu'` (what `--backend` takes). */
  readonly name: string;
  /**
   * Present when the kernels run on a device and their results reach the host only when asked
   * for (the WebGPU backend); absent when they compute in host memory.
   */
  readonly sync?: DeviceSync;
  /** One line for logs and the `start` event, e.g. `WebAssembly SIMD128, 2 threads`. */
  readonly description: string;
  /** Threads its large kernels run on (1 for the TypeScript backend). */
  readonly threads: number;
  /** A zero-filled buffer in this backend's memory. */
  allocate(dtype: DType, length: number): TypedArray;
  /** Gives buffers from {@link Backend.allocate} back; they must not be used afterwards. */
  free(buffers: readonly TypedArray[]): void;
  /**
   * Where this backend's own memory bounds the buffers of `dtype` it allocates (see
   * {@link MemoryCeiling}); undefined, or absent, where only the host's memory does.
   */
  memoryCeiling?(dtype: DType): MemoryCeiling | undefined;
  /**
   * One kernel call as a JavaScript statement for a generated pass, its arguments bound in
   * `bindings` (see {@link SourceBindings.arg}): a direct call of the kernel, or its loop written
   * in place when the sizes are small enough for a call to cost more than the arithmetic.
   */
  renderCall(call: KernelCall, bindings: SourceBindings): string;
}
