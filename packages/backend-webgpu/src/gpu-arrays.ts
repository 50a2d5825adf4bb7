/// <reference types="@webgpu/types" />
import { GradstreamError, type TypedArray } from '@gradstream/tensor';
import { BufferUsage, MapMode } from './gpu-constants.js';
import type { Dispatcher } from './dispatcher.js';

/** Input checks a backend's kernels can raise flags for. */
const FAULT_SLOTS = 64;

/**
 * The backend's arrays: each a `Float32Array` in host memory (its shape, its host copy) paired
 * with a GPU storage buffer of the same length, where the kernels work. The host copy holds what
 * the last {@link GpuArrays.read} brought back, or what the host wrote before
 * {@link GpuArrays.write}; between those, the GPU's copy is the truth.
 */
export class GpuArrays {
  private readonly buffers = new WeakMap<TypedArray, GPUBuffer>();
  private readonly staging = new Map<number, GPUBuffer[]>();
  /** Bytes of the live storage buffers. */
  bytes = 0;
  /** Live storage buffers. */
  count = 0;
  /** Storage buffers created so far (a steady-state training step creates none). */
  created = 0;
  /** Buffers mapped for reading since the arrays were made: one per {@link GpuArrays.read}. */
  maps = 0;
  /** Set when the device is lost or ran out of memory (or a kernel failed): every later read rejects with it. */
  get failure(): GradstreamError | undefined {
    return this.dispatcher.failure;
  }

  /**
   * Flags that kernels raise on the device when their input data is bad (a token id out of
   * range): the GPU cannot throw, so every read brings these back too, and a raised flag turns
   * the read into its check's typed error. Made when the first check is registered.
   */
  private faults: Float32Array | undefined;
  private readonly faultChecks: (() => Promise<never>)[] = [];

  constructor(
    private readonly device: GPUDevice,
    private readonly dispatcher: Dispatcher,
  ) {
    device.lost.then((info) => {
      this.dispatcher.failure ??= new GradstreamError('DEVICE_LOST', `webgpu: the device was lost (${info.reason}): ${info.message}`, { reason: info.reason });
    }, () => undefined);
  }

  /** A zero-filled array of `length` float32 values on the GPU. */
  allocate(length: number): Float32Array {
    const bytes = Math.max(4, length * 4);
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new GradstreamError('TOO_LARGE', `webgpu: a buffer of ${length} float32 values (${bytes} bytes) exceeds the device's largest storage binding (${max} bytes)`, { length, maxBytes: max });
    }
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ size: bytes, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
    void this.device.popErrorScope().then((error) => {
      if (error !== null) this.dispatcher.failure ??= new GradstreamError('OUT_OF_MEMORY', `webgpu: the device ran out of memory allocating ${bytes} bytes: ${error.message}`, { bytes });
    });
    const host = new Float32Array(length);
    this.buffers.set(host, buffer);
    this.bytes += bytes;
    this.count++;
    this.created++;
    return host;
  }

  /**
   * A flag for a kernel to raise on the device (`faults[slot] = 1.0`), and `explain`, which reads
   * what it needs back and throws the typed error the flag stands for. Returns the slot.
   */
  faultSlot(explain: () => Promise<never>): number {
    this.faults ??= this.allocate(FAULT_SLOTS);
    if (this.faultChecks.length === FAULT_SLOTS) throw new RangeError(`webgpu: more than ${FAULT_SLOTS} input checks`);
    this.faultChecks.push(explain);
    return this.faultChecks.length - 1;
  }

  /** The flags of {@link GpuArrays.faultSlot}, for a kernel's arguments. */
  faultFlags(): Float32Array {
    return this.faults ??= this.allocate(FAULT_SLOTS);
  }

  /** True when `a` came from {@link GpuArrays.allocate} and is not freed. */
  has(a: TypedArray): boolean {
    return this.buffers.has(a);
  }

  /** The storage buffer of an array from {@link GpuArrays.allocate}. */
  buffer(a: TypedArray, kernel: string): GPUBuffer {
    const b = this.buffers.get(a);
    if (b === undefined) {
      throw new GradstreamError('INVALID_USAGE', `webgpu: ${kernel} was given an array of ${a.length} values that this backend did not allocate (or has freed): allocate it with the backend's allocate, then write it`, { kernel, length: a.length });
    }
    return b;
  }

  /**
   * Copies `values` (the array's own host copy when absent) into the array's GPU buffer, after the
   * work already recorded has been submitted (which still reads the old values).
   */
  write(a: TypedArray, values: ArrayLike<number> = a): void {
    const buffer = this.buffer(a, 'write');
    if (values !== a) {
      if (values.length > a.length) throw new RangeError(`webgpu: write of ${values.length} values into an array of ${a.length}`);
      (a as Float32Array).set(values);
    }
    this.dispatcher.flush();
    this.device.queue.writeBuffer(buffer, 0, a.buffer, a.byteOffset, a.length * 4);
  }

  /**
   * Runs everything recorded, then brings the arrays' GPU values into their host copies, all in
   * one mapped buffer; resolves when they are there (rejects with a typed error if the device was
   * lost or ran out of memory).
   */
  async read(requested: readonly TypedArray[]): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const faults = this.faults;
    const arrays = faults === undefined ? requested : [...requested, faults];
    let total = 0;
    for (const a of arrays) total += Math.max(4, a.length * 4);
    const staging = this.takeStaging(total);
    const encoder = this.dispatcher.commands();
    let offset = 0;
    for (const a of arrays) {
      const bytes = Math.max(4, a.length * 4);
      encoder.copyBufferToBuffer(this.buffer(a, 'read'), 0, staging, offset, bytes);
      offset += bytes;
    }
    this.dispatcher.flush();
    this.maps++;
    try {
      await Promise.race([staging.mapAsync(MapMode.READ, 0, total), this.device.lost.then((info) => Promise.reject(new GradstreamError('DEVICE_LOST', `webgpu: the device was lost (${info.reason}): ${info.message}`, { reason: info.reason })))]);
    } catch (e) {
      throw this.failure ?? (e instanceof GradstreamError ? e : new GradstreamError('DEVICE_LOST', `webgpu: reading results failed: ${(e as Error).message}`, {}));
    }
    if (this.failure !== undefined) throw this.failure;
    const mapped = new Float32Array(staging.getMappedRange(0, total));
    offset = 0;
    for (const a of arrays) {
      (a as Float32Array).set(mapped.subarray(offset, offset + a.length));
      offset += Math.max(1, a.length);
    }
    staging.unmap();
    this.giveStaging(total, staging);
    if (faults !== undefined) await this.raiseFaults(faults);
  }

  /** Throws the error of the first raised flag (after lowering them all, so the next read is clean). */
  private async raiseFaults(faults: Float32Array): Promise<void> {
    const slot = faults.findIndex((f) => f !== 0);
    if (slot < 0) return;
    this.write(faults, new Float32Array(FAULT_SLOTS));
    await (this.faultChecks[slot] as () => Promise<never>)();
  }

  /** Destroys the arrays' GPU buffers; the arrays must not be used afterwards. */
  free(arrays: readonly TypedArray[]): void {
    for (const a of arrays) {
      const b = this.buffers.get(a);
      if (b === undefined) continue;
      this.buffers.delete(a);
      this.bytes -= b.size;
      this.count--;
      b.destroy();
    }
    this.dispatcher.forgetBindGroups();
  }

  /** Destroys the staging buffers kept for reads. */
  destroy(): void {
    for (const list of this.staging.values()) for (const b of list) b.destroy();
    this.staging.clear();
  }

  private takeStaging(bytes: number): GPUBuffer {
    const list = this.staging.get(bytes);
    const kept = list?.pop();
    return kept ?? this.device.createBuffer({ label: 'gradstream read', size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  }

  private giveStaging(bytes: number, b: GPUBuffer): void {
    let list = this.staging.get(bytes);
    if (list === undefined) this.staging.set(bytes, (list = []));
    list.push(b);
  }
}
