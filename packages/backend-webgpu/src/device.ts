/// <reference types="@webgpu/types" />
import { GradstreamError } from '@gradstream/tensor';

/**
 * What a WebGPU adapter says of itself, for logs, the dashboard and benchmark rows.
 *
 * @example
 * ```ts
 * import type { AdapterSummary } from '@gradstream/backend-webgpu';
 * const line = (a: AdapterSummary) => `${a.vendor} ${a.architecture}`; // 'google swiftshader'
 * ```
 */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for a software adapter (SwiftShader): correct, not fast. */
  readonly fallback: boolean;
}

/**
 * A WebGPU entry point: `navigator.gpu` in a page, `nodeWebGpu()` in Node — a WebGPU `GPU`, typed
 * here by what this package calls on it, so that its declarations need no DOM types.
 *
 * @example
 * ```ts
 * import type { GpuEntry } from '@gradstream/backend-webgpu';
 * const fromPage = (): GpuEntry | undefined => (globalThis as { navigator?: { gpu?: GpuEntry } }).navigator?.gpu;
 * ```
 */
export interface GpuEntry {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<unknown>;
}

/**
 * A WebGPU device as this package hands it out: a WebGPU `GPUDevice` (cast it with
 * `@webgpu/types` to use the rest of its API), typed here by what callers of this package need.
 *
 * @example
 * ```ts
 * import type { GpuDeviceHandle } from '@gradstream/backend-webgpu';
 * const largest = (d: GpuDeviceHandle) => d.limits.maxStorageBufferBindingSize;
 * ```
 */
export interface GpuDeviceHandle {
  readonly limits: { readonly maxStorageBufferBindingSize: number; readonly maxBufferSize: number };
  /** Resolves when the device is lost (destroyed, or reset by the driver). */
  readonly lost: Promise<unknown>;
  /** Destroys the device: every buffer on it goes, and work on it fails with `DEVICE_LOST`. */
  destroy(): void;
}

/**
 * A WebGPU device ready for the kernels, with what its adapter says of itself.
 *
 * @example
 * ```ts
 * import { requestWebGpu, type WebGpu } from '@gradstream/backend-webgpu';
 * const webgpu: WebGpu = await requestWebGpu();
 * console.log(webgpu.adapter.vendor);
 * ```
 */
export interface WebGpu {
  readonly device: GpuDeviceHandle;
  readonly adapter: AdapterSummary;
}

/**
 * Options of {@link requestWebGpu}.
 *
 * @example
 * ```ts
 * import type { WebGpuRequest } from '@gradstream/backend-webgpu';
 * const request: WebGpuRequest = { powerPreference: 'high-performance' };
 * ```
 */
export interface WebGpuRequest {
  /** The GPU to ask (Node's from `nodeWebGpu()`); `navigator.gpu` when absent. */
  readonly gpu?: GpuEntry;
  readonly powerPreference?: 'low-power' | 'high-performance';
}

/** The limits the kernels use, asked up to what the adapter offers. */
const WANTED_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize'] as const;

/**
 * Finds a WebGPU adapter and opens a device on it. Where there is none it throws a
 * `BACKEND_UNAVAILABLE` error whose `details.tried` lists each step tried and what it answered.
 *
 * @example
 * ```ts
 * import { requestWebGpu } from '@gradstream/backend-webgpu';
 * try {
 *   const { adapter } = await requestWebGpu();
 *   console.log(`${adapter.vendor} ${adapter.architecture}`);
 * } catch (e) {
 *   console.log((e as Error).message); // names what was tried
 * }
 * ```
 */
export async function requestWebGpu(request: WebGpuRequest = {}): Promise<WebGpu> {
  const tried: string[] = [];
  const fail = (why: string): never => {
    tried.push(why);
    throw new GradstreamError('BACKEND_UNAVAILABLE', `webgpu: no WebGPU device here (${tried.join('; ')})`, { tried: [...tried] });
  };
  const gpu = (request.gpu ?? (globalThis as { navigator?: { gpu?: GpuEntry } }).navigator?.gpu) as GPU | undefined;
  if (gpu === undefined) fail(request.gpu === undefined ? 'navigator.gpu: absent (a browser without WebGPU, a page not served over https or localhost, or Node without nodeWebGpu())' : 'gpu: absent');
  const options: GPURequestAdapterOptions = request.powerPreference === undefined ? {} : { powerPreference: request.powerPreference };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await (gpu as GPU).requestAdapter(options);
  } catch (e) {
    fail(`requestAdapter: threw ${(e as Error).message}`);
  }
  if (adapter === null) fail(`requestAdapter: no adapter (no GPU or driver${'process' in globalThis ? "; in Node without a GPU, see swiftShaderEnv" : ''})`);
  tried.push('requestAdapter: found one');
  const a = adapter as GPUAdapter;
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = a.limits[name];
  let device: GPUDevice | undefined;
  try {
    device = await a.requestDevice({ requiredLimits });
  } catch (e) {
    fail(`requestDevice: threw ${(e as Error).message}`);
  }
  const info = a.info;
  return Object.freeze({
    device: device as GPUDevice,
    adapter: Object.freeze({
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      fallback: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || info.architecture === 'swiftshader',
    }),
  });
}
