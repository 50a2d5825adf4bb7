import { loadWebGpuBackend, type WebGpuBackend } from '@gradstream/backend-webgpu';
import { nodeWebGpu } from '@gradstream/backend-webgpu/node';

/** Node's `navigator.gpu`, as `nodeWebGpu` gives it (the WebGPU types come with the backend package). */
export type BenchGpu = Awaited<ReturnType<typeof nodeWebGpu>>;

let gpu: Promise<BenchGpu> | undefined;

/**
 * Node's GPU instance (Dawn, from the `webgpu` package), one per process: gradstream and TF.js
 * each ask it for their own adapter and device.
 */
export function benchGpu(): Promise<BenchGpu> {
  gpu ??= nodeWebGpu().catch((e: unknown) => {
    gpu = undefined;
    throw e;
  });
  return gpu;
}

/**
 * gradstream's WebGPU backend on {@link benchGpu}, loaded once; from then on `backend: 'webgpu'`
 * chooses it. Rejects with a `BACKEND_UNAVAILABLE` error that names what was tried where the
 * process finds no adapter (see swiftshader.ts for a machine without a GPU).
 */
export async function loadGradstreamWebGpu(): Promise<WebGpuBackend> {
  return loadWebGpuBackend({ gpu: await benchGpu() });
}
