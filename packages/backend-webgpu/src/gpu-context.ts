/// <reference types="@webgpu/types" />
import type { TypedArray } from '@gradstream/tensor';
import type { Dispatcher, KernelSpec } from './dispatcher.js';
import type { GpuArrays } from './gpu-arrays.js';

/**
 * What every kernel family records its work through: the device, the arrays' GPU buffers and the
 * dispatcher. Kernels take the backend's arrays, as every backend's do, and find their buffers here.
 */
export class GpuContext {
  private readonly scratch: GPUBuffer[] = [];

  constructor(
    readonly device: GPUDevice,
    readonly arrays: GpuArrays,
    readonly dispatcher: Dispatcher,
  ) {}

  /** Records `spec` over its arrays and scalars on a `x × y × z` grid of workgroups. */
  run(spec: KernelSpec, arrays: readonly TypedArray[], uniforms: readonly number[], x: number, y = 1, z = 1): void {
    this.dispatcher.dispatch(spec, this.buffers(spec, arrays), uniforms, x, y, z);
  }

  /** Records a 1-D `spec` over `n` invocations. */
  run1d(spec: KernelSpec, arrays: readonly TypedArray[], uniforms: readonly number[], n: number): void {
    if (n <= 0) return;
    this.dispatcher.dispatch1d(spec, this.buffers(spec, arrays), uniforms, n);
  }

  private buffers(spec: KernelSpec, arrays: readonly TypedArray[]): GPUBuffer[] {
    const s = this.scratch;
    s.length = arrays.length;
    for (let k = 0; k < arrays.length; k++) s[k] = this.arrays.buffer(arrays[k] as TypedArray, spec.name);
    return s;
  }
}
