/// <reference types="@webgpu/types" />
import { GradstreamError, type Backend, type DType, type DeviceSync, type KernelCall, type Kernels, type SourceBindings, type TypedArray } from '@gradstream/tensor';
import type { AdapterSummary, GpuDeviceHandle, WebGpu } from './device.js';
import { Dispatcher } from './dispatcher.js';
import { GpuArrays } from './gpu-arrays.js';
import { GpuContext } from './gpu-context.js';
import { attentionKernels } from './kernels/attention.js';
import { conv2dForwardKernel } from './kernels/conv2d-forward.js';
import { deviceReductions } from './kernels/device-reduce.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { imageKernels } from './kernels/image.js';
import { lossKernels } from './kernels/loss.js';
import { matmulKernels } from './kernels/matmul.js';
import { normKernels } from './kernels/norm.js';
import { optimizerKernels } from './kernels/optimizers.js';
import { READING_ON_HOST } from './kernels/reading.js';
import { sequenceKernels } from './kernels/sequence.js';
import { softmaxKernels } from './kernels/softmax.js';
import { sumRowsKernel } from './kernels/sum-rows.js';
import { unaryKernelsWebGpu } from './kernels/unary.js';

/**
 * The WebGPU backend: a {@link Backend} whose kernels are WGSL compute shaders, with the
 * {@link DeviceSync} through which the graph and the trainer move values between host and GPU,
 * and what it holds on the GPU.
 *
 * @example
 * ```ts
 * import { loadWebGpuBackend, type WebGpuBackend } from '@gradstream/backend-webgpu';
 * const backend: WebGpuBackend = await loadWebGpuBackend();
 * console.log(backend.adapter.architecture, backend.memory().bytes);
 * ```
 */
export interface WebGpuBackend extends Backend {
  readonly name: 'webgpu';
  readonly sync: DeviceSync;
  /** What the adapter says of itself. */
  readonly adapter: AdapterSummary;
  /** The device the kernels run on. */
  readonly device: GpuDeviceHandle;
  /** Live GPU arrays and their bytes; arrays created, dispatches and submissions so far. */
  memory(): { readonly arrays: number; readonly bytes: number; readonly created: number; readonly dispatches: number; readonly submits: number };
  /** Destroys the device and every buffer on it; the backend must not be used afterwards. */
  destroy(): void;
}

/** The kernel set on one context (every kernel of the contract, by family). */
function kernelSet(ctx: GpuContext): Kernels {
  const sets = {
    ...elementwiseKernels(ctx),
    ...sumRowsKernel(ctx),
    ...unaryKernelsWebGpu(ctx),
    ...matmulKernels(ctx),
    ...softmaxKernels(ctx),
    ...lossKernels(ctx),
    ...optimizerKernels(ctx),
    ...READING_ON_HOST,
    ...imageKernels(ctx),
    ...normKernels(ctx),
    ...sequenceKernels(ctx),
    ...attentionKernels(ctx),
  };
  return { ...sets, ...conv2dForwardKernel(sets) };
}

/**
 * The WebGPU backend on a device from {@link requestWebGpu}. Most code wants
 * {@link loadWebGpuBackend}, which requests the device too.
 *
 * @example
 * ```ts
 * import { createWebGpuBackend, requestWebGpu } from '@gradstream/backend-webgpu';
 * const backend = createWebGpuBackend(await requestWebGpu());
 * const x = backend.allocate('float32', 3);
 * backend.sync.upload([x.fill(2)]);
 * backend.scale(x, 1.5, x);
 * await backend.sync.download([x]); // x = [3, 3, 3]
 * ```
 */
export function createWebGpuBackend(webgpu: WebGpu): WebGpuBackend {
  const { adapter } = webgpu;
  const device = webgpu.device as GPUDevice;
  const dispatcher = new Dispatcher(device);
  const arrays = new GpuArrays(device, dispatcher);
  const ctx = new GpuContext(device, arrays, dispatcher);
  const kernels = kernelSet(ctx);
  const sync: DeviceSync = {
    upload: (list) => {
      for (const a of list) arrays.write(a);
    },
    download: (list) => arrays.read(list),
    ...deviceReductions(ctx),
    get downloads() {
      return arrays.maps;
    },
  };
  return Object.freeze({
    ...kernels,
    name: 'webgpu' as const,
    description: `WebGPU on ${adapter.vendor === '' ? 'an unnamed adapter' : adapter.vendor}${adapter.architecture === '' ? '' : ` ${adapter.architecture}`}${adapter.fallback ? ' (software)' : ''}`,
    threads: 1,
    sync,
    adapter,
    device,
    allocate: (dtype: DType, length: number): TypedArray => {
      if (dtype !== 'float32') throw new GradstreamError('INVALID_OPTION', `webgpu backend computes in float32; asked for ${dtype} (use backend 'ts' for float64)`, { dtype });
      return arrays.allocate(length);
    },
    free: (list: readonly TypedArray[]) => arrays.free(list),
    // Every call goes to the GPU: no loop written in place, as the CPU backends do for tiny sizes.
    renderCall: (call: KernelCall, b: SourceBindings): string => `${b.value(kernels[call.kernel], call.kernel)}(${call.args.map((a) => b.arg(a)).join(', ')});`,
    memory: () => ({ arrays: arrays.count, bytes: arrays.bytes, created: arrays.created, dispatches: dispatcher.dispatches, submits: dispatcher.submits }),
    destroy: () => {
      arrays.destroy();
      dispatcher.destroy();
      device.destroy();
    },
  });
}
