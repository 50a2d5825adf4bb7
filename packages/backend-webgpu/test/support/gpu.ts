/// <reference types="@webgpu/types" />
/**
 * The WebGPU device of a test file (SwiftShader under vitest, see test/support/webgpu-env.ts) and
 * helpers to move numbers to and from it.
 */
import type { TypedArray } from '@gradstream/tensor';
import { requestWebGpu, type WebGpu } from '../../src/device.js';
import { Dispatcher } from '../../src/dispatcher.js';
import { GpuArrays } from '../../src/gpu-arrays.js';
import { GpuContext } from '../../src/gpu-context.js';
import { nodeWebGpu } from '../../src/node.js';

let session: Promise<{ webgpu: WebGpu; ctx: GpuContext }> | undefined;

/** One device and kernel context per test file. */
export function gpuContext(): Promise<{ webgpu: WebGpu; ctx: GpuContext }> {
  session ??= (async () => {
    const webgpu = await requestWebGpu({ gpu: await nodeWebGpu() });
    const device = webgpu.device as GPUDevice;
    const dispatcher = new Dispatcher(device);
    const arrays = new GpuArrays(device, dispatcher);
    return { webgpu, ctx: new GpuContext(device, arrays, dispatcher) };
  })();
  return session;
}

/** A GPU array holding `values`. */
export function upload(ctx: GpuContext, values: ArrayLike<number>): Float32Array {
  const a = ctx.arrays.allocate(values.length);
  ctx.arrays.write(a, values);
  return a;
}

/** A GPU array of `length` values, all `fill` (NaN by default: a kernel must overwrite what it claims to). */
export function blank(ctx: GpuContext, length: number, fill = Number.NaN): Float32Array {
  return upload(ctx, new Float32Array(length).fill(fill));
}

/** The GPU values of `a`, after everything recorded has run. */
export async function download(ctx: GpuContext, a: TypedArray): Promise<Float32Array> {
  await ctx.arrays.read([a]);
  return Float32Array.from(a);
}
