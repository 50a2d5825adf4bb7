/// <reference types="@webgpu/types" />
/**
 * gradstream's WebGPU backend: every kernel of the contract as a WGSL compute shader. Parameters,
 * activations, gradients and optimizer state stay on the GPU for a whole training run; the loss
 * comes back every step in one small read, parameters only when a subscriber asks for them.
 *
 * Load it once (`await loadWebGpuBackend()`), then choose it with `backend: 'webgpu'` or pass the
 * backend object. In Node, `@gradstream/backend-webgpu/node` provides the GPU (`nodeWebGpu`).
 *
 * @packageDocumentation
 */
import { GradstreamError, registerBackendProvider } from '@gradstream/tensor';
import { createWebGpuBackend, type WebGpuBackend } from './backend.js';
import { requestWebGpu, type WebGpuRequest } from './device.js';

export { createWebGpuBackend, type WebGpuBackend } from './backend.js';
export { requestWebGpu, type AdapterSummary, type GpuDeviceHandle, type GpuEntry, type WebGpu, type WebGpuRequest } from './device.js';

let loaded: WebGpuBackend | undefined;
let loading: Promise<WebGpuBackend> | undefined;
/** Why the last load failed, for the error `backend: 'webgpu'` then gives. */
let lastFailure: GradstreamError | undefined;

/**
 * Requests a WebGPU device and makes the backend on it, once per page or process (later calls
 * give the same backend); from then on `backend: 'webgpu'` chooses it. Rejects with a
 * `BACKEND_UNAVAILABLE` error naming what was tried where there is no adapter.
 *
 * @example
 * ```ts
 * import { loadWebGpuBackend } from '@gradstream/backend-webgpu';
 * import { sequential } from '@gradstream/graph';
 * import { linear, mse } from '@gradstream/ops';
 * await loadWebGpuBackend();
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 1 })], { inputShape: [2], loss: mse(), backend: 'webgpu' });
 * ```
 */
export function loadWebGpuBackend(request: WebGpuRequest = {}): Promise<WebGpuBackend> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  loading ??= requestWebGpu(request).then(
    (webgpu) => {
      lastFailure = undefined;
      return (loaded = createWebGpuBackend(webgpu));
    },
    (e: unknown) => {
      loading = undefined; // a later call may find an adapter (another GPU instance)
      if (e instanceof GradstreamError) lastFailure = e;
      throw e;
    },
  );
  return loading;
}

/**
 * Forgets the loaded backend and destroys its device with every buffer on it (a test's or a page's
 * teardown); the next {@link loadWebGpuBackend} requests a new device.
 *
 * @example
 * ```ts
 * import { loadWebGpuBackend, unloadWebGpuBackend } from '@gradstream/backend-webgpu';
 * await loadWebGpuBackend();
 * unloadWebGpuBackend();
 * ```
 */
export function unloadWebGpuBackend(): void {
  loaded?.destroy();
  loaded = undefined;
  loading = undefined;
}

const NOT_LOADED = 'await loadWebGpuBackend() from @gradstream/backend-webgpu first (a GPU device is requested asynchronously)';

registerBackendProvider({
  name: 'webgpu',
  unavailable: () => (loaded !== undefined ? undefined : (lastFailure?.message ?? `not loaded: ${NOT_LOADED}`)),
  defaultThreads: () => 1,
  create: () => {
    if (loaded !== undefined) return loaded;
    if (lastFailure !== undefined) throw new GradstreamError('BACKEND_UNAVAILABLE', lastFailure.message, { ...lastFailure.details, backend: 'webgpu' });
    throw new GradstreamError('BACKEND_UNAVAILABLE', `webgpu backend ${NOT_LOADED}`, { backend: 'webgpu', tried: ['loadWebGpuBackend: not called'] });
  },
});
