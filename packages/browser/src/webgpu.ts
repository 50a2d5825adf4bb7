/**
 * The WebGPU backend, `dist/bundle/gradstream-webgpu.js`: importing it registers the backend under
 * the name `'webgpu'`; `await loadWebGpuBackend()` then requests a device from `navigator.gpu`,
 * and models made by `gradstream.js` train on it with `backend: 'webgpu'`. Predictions come back
 * asynchronously there: `await model.predictAsync(x)`. Where the page has no WebGPU adapter,
 * `loadWebGpuBackend()` rejects with a `BACKEND_UNAVAILABLE` error whose `details.tried` says
 * what was tried.
 *
 * Only the browser entry of `@gradstream/backend-webgpu`: its `/node` entry (Dawn for Node, the
 * SwiftShader driver files) has no place in a page.
 *
 * @example
 * ```ts
 * import { loadWebGpuBackend } from '@gradstream/browser/webgpu';
 * const backend = await loadWebGpuBackend();
 * console.log(backend.description); // 'WebGPU on google swiftshader (software)'
 * ```
 *
 * @packageDocumentation
 */
export {
  createWebGpuBackend,
  loadWebGpuBackend,
  requestWebGpu,
  unloadWebGpuBackend,
  type AdapterSummary,
  type WebGpu,
  type WebGpuBackend,
  type WebGpuRequest,
} from '@gradstream/backend-webgpu';
