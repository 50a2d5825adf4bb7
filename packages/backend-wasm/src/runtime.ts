import { GradstreamError, decodeBase64 } from '@gradstream/tensor';
import { Allocator, type GrowableMemory } from './allocator.js';
import type { WasmModule } from './pool/index.js';
import { WASM_KERNELS_BASE64 } from './generated/kernels-wasm.js';

const PAGE = 64 * 1024;
/** A shared memory's maximum: all 4 GiB a wasm32 memory can address (reserved, not committed). */
const SHARED_MAX_PAGES = 65536;
const SHARED_INITIAL_PAGES = 256;

/**
 * The smallest module using a SIMD128 instruction (`i32.const 0; i8x16.splat; i8x16.popcnt`); it
 * validates exactly where WebAssembly SIMD is there.
 */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** The exports of the kernels module: every kernel takes numbers (pointers are byte offsets). */
export type KernelExports = Readonly<Record<string, (...args: number[]) => number>>;

/** Why the wasm backend cannot run here, or undefined when it can. */
export function wasmUnavailable(): string | undefined {
  if (typeof WebAssembly !== 'object') return 'this platform has no WebAssembly';
  try {
    if (!WebAssembly.validate(SIMD_PROBE)) return 'this platform has WebAssembly but not its SIMD128 instructions';
  } catch {
    return 'this platform cannot validate WebAssembly SIMD';
  }
  return undefined;
}

/** Whether memory can be shared with worker threads here (Node, or a cross-origin-isolated page). */
export function sharedMemoryAvailable(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  return typeof g.SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}

/**
 * The one WebAssembly memory, module and instance of this process (or page, or worker), made on
 * first use: every wasm backend computes in it, whatever its thread count.
 */
export class WasmRuntime {
  // Structural types, not WebAssembly.*: these land in the published declarations (see GrowableMemory).
  readonly module: WasmModule;
  readonly memory: GrowableMemory;
  readonly exports: KernelExports;
  readonly allocator: Allocator;
  /** Whether worker threads may share the memory (Node, or a cross-origin-isolated page); else the kernels run on one thread. */
  readonly shared: boolean;
  /** Every ArrayBuffer the memory has had (growing a shared memory gives a new, larger one; views on the old ones stay valid). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private current: ArrayBufferLike;
  /**
   * Gives a view's block back once the view is collected: parameters and optimizer state are never
   * freed by hand, and without this a process that builds models or optimizers one after another
   * would fill its memory with blocks nothing can reach. Views freed by hand are unregistered first.
   */
  private readonly reclaim = new FinalizationRegistry<number>((start) => this.allocator.release(start));

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, instance: WebAssembly.Instance) {
    this.module = module;
    this.memory = memory;
    this.shared = sharedMemoryAvailable();
    this.exports = instance.exports as unknown as KernelExports;
    this.allocator = new Allocator(this.memory, SHARED_MAX_PAGES * PAGE);
    this.current = this.memory.buffer;
    this.buffers.add(this.current);
  }

  private static instance: WasmRuntime | undefined;
  /**
   * Why making the runtime failed, synchronously or asynchronously: a page's policy refusing
   * WebAssembly refuses it for good, so later models fall back at once instead of asking again
   * (each ask is another violation report). An asynchronous refusal stands for both ways.
   */
  private static refused: { sync?: unknown; async?: unknown } = {};

  /**
   * The runtime, made on the first call, compiling synchronously (Node and workers allow it for
   * any size; a browser's main thread may refuse, and {@link WasmRuntime.load} is the way there).
   */
  static get(): WasmRuntime {
    if (WasmRuntime.instance !== undefined) return WasmRuntime.instance;
    const { refused } = WasmRuntime;
    if ('async' in refused || 'sync' in refused) throw refused.async ?? refused.sync;
    try {
      const module = new WebAssembly.Module(kernelBytes());
      const memory = newMemory();
      WasmRuntime.instance = new WasmRuntime(module, memory, new WebAssembly.Instance(module, importsFor(memory)));
    } catch (e) {
      refused.sync = e;
      throw e;
    }
    return WasmRuntime.instance;
  }

  /** The runtime, compiled and instantiated asynchronously, which a browser's main thread allows. */
  static async load(): Promise<WasmRuntime> {
    if (WasmRuntime.instance !== undefined) return WasmRuntime.instance;
    const { refused } = WasmRuntime;
    if ('async' in refused) throw refused.async;
    try {
      const module = await WebAssembly.compile(kernelBytes());
      const memory = newMemory();
      const instance = await WebAssembly.instantiate(module, importsFor(memory));
      // Another load may have finished first: the first runtime stays the one.
      WasmRuntime.instance ??= new WasmRuntime(module, memory, instance);
    } catch (e) {
      refused.async = e;
      throw e;
    }
    return WasmRuntime.instance;
  }

  /** A zero-filled float32 view of `length` elements in the memory. */
  float32(length: number): Float32Array {
    const start = this.allocator.allocate(4 * length);
    const buffer = this.memory.buffer;
    if (buffer !== this.current) {
      this.current = buffer;
      this.buffers.add(buffer);
    }
    const view = new Float32Array(buffer, start, length);
    // Reused blocks hold old values; new memory is zero already, but a fill is cheap next to a plan's life.
    view.fill(0);
    this.reclaim.register(view, start, view);
    return view;
  }

  /** True when `a` is a float32 view into this memory (so its byte offset is a pointer). */
  owns(a: unknown): a is Float32Array {
    return a instanceof Float32Array && (a.buffer === this.current || this.buffers.has(a.buffer));
  }

  private scratchRegions = new Map<number, { base: number; bytesPerThread: number }>();

  /** Per-thread scratch for the pooled kernels (matmul's packed panels; conv2dForward's, and its chunk of windows), for `threads` threads (made once per count). */
  scratch(threads: number): { base: number; bytesPerThread: number } {
    let region = this.scratchRegions.get(threads);
    if (region === undefined) {
      const bytesPerThread = Math.ceil(Math.max(this.exports.matmulScratchBytes?.() ?? 0, this.exports.conv2dScratchBytes?.() ?? 0) / 64) * 64;
      region = { base: this.allocator.allocate(bytesPerThread * threads), bytesPerThread };
      this.scratchRegions.set(threads, region);
    }
    return region;
  }

  /** Gives a view's block back. */
  release(a: Float32Array): void {
    if (!this.owns(a)) return;
    // Its block may be handed out again at once: the view's collection must not free it a second time.
    this.reclaim.unregister(a);
    this.allocator.release(a.byteOffset);
  }
}

/**
 * The kernels' memory: shared, as the module declares it, everywhere (a page that is not
 * cross-origin isolated may make one, it only may not hand it to workers), so it grows without
 * detaching the views already handed out.
 */
function newMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAX_PAGES, shared: true });
}

function importsFor(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort: (): never => {
        throw new GradstreamError('INVALID_OPTION', 'wasm backend: a kernel aborted (an internal check failed)');
      },
    },
  };
}

function kernelBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(WASM_KERNELS_BASE64);
}

