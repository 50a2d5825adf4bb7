import { GradstreamError } from '@gradstream/tensor';

/** Every block starts on a cache line, so SIMD loads are aligned and two buffers never share a line. */
export const ALIGN = 64;
/** Addresses below this stay unused: a zero pointer is never a buffer. */
const HEAP_START = 64 * 1024;
const PAGE = 64 * 1024;

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * The parts of a `WebAssembly.Memory` the allocator uses. Typed structurally, as in pool.ts, so
 * that the published declarations need no DOM lib: a Node project's `lib` declares no `WebAssembly`.
 */
export interface GrowableMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/**
 * Hands out and takes back byte ranges of one WebAssembly memory: first fit over a free list kept
 * sorted by address, neighbouring free blocks merged, the memory grown when no block fits. Plans
 * and models allocate once and free when collected, so allocation speed hardly matters; what
 * matters is that freed memory is reused, so a long-lived process does not grow without bound.
 */
export class Allocator {
  /** Free blocks as [start, size] pairs, sorted by start, never adjacent (merged). */
  private readonly free: [number, number][] = [];
  /** Size of each live block, by start. */
  private readonly live = new Map<number, number>();
  /** The end of the region handed out so far (the top of the heap). */
  private top = HEAP_START;

  /**
   * @param memory - the memory to allocate in
   * @param maxBytes - the most this memory may hold (its maximum; it is shared, so growing detaches no view)
   */
  constructor(
    private readonly memory: GrowableMemory,
    private readonly maxBytes: number,
  ) {}

  /** Bytes in live blocks. */
  get liveBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  /** Bytes of the memory itself. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** The most bytes the memory may hold: its maximum. */
  get capacityBytes(): number {
    return this.maxBytes;
  }

  /**
   * Bytes blocks may still be handed out from: above the top of the heap up to the capacity, and
   * the free blocks below it. An upper bound (a free block serves only buffers that fit in it), so
   * that a model or plan is refused on it only when it certainly does not fit.
   */
  get freeBytes(): number {
    let s = this.capacityBytes - this.top;
    for (const block of this.free) s += block[1];
    return Math.max(0, s);
  }

  /** The start of a block of at least `bytes` bytes, 64-byte aligned, zero-filled by the caller if needed. */
  allocate(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i] as [number, number];
      if (block[1] < size) continue;
      const start = block[0];
      if (block[1] === size) this.free.splice(i, 1);
      else {
        block[0] += size;
        block[1] -= size;
      }
      this.live.set(start, size);
      return start;
    }
    const start = this.top;
    this.ensure(start + size);
    this.top = start + size;
    this.live.set(start, size);
    return start;
  }

  /** Takes a block back (a start that is not live is ignored: freeing twice is harmless). */
  release(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) return;
    this.live.delete(start);
    if (start + size === this.top) {
      this.top = start;
      // The block below may now be the free top of the heap too.
      const last = this.free[this.free.length - 1];
      if (last !== undefined && last[0] + last[1] === this.top) {
        this.top = last[0];
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && (this.free[i] as [number, number])[0] < start) i++;
    this.free.splice(i, 0, [start, size]);
    const merge = (j: number): void => {
      const a = this.free[j];
      const b = this.free[j + 1];
      if (a !== undefined && b !== undefined && a[0] + a[1] === b[0]) {
        a[1] += b[1];
        this.free.splice(j + 1, 1);
      }
    };
    merge(i);
    merge(i - 1);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.maxBytes) {
      throw new GradstreamError('TOO_LARGE', `wasm backend: ${end - this.liveBytes - HEAP_START} more bytes needed, beyond the ${this.maxBytes} bytes its memory may hold`, {
        bytes: end,
        limit: this.maxBytes,
      });
    }
    // Grow at least by half again, so a sequence of small allocations grows the memory rarely.
    const target = Math.min(this.maxBytes, Math.max(end, Math.ceil(have * 1.5)));
    this.memory.grow(Math.ceil((target - have) / PAGE));
  }
}
