/**
 * The WebGPU backend of a test file, on the SwiftShader adapter vitest's global setup provides.
 */
import { loadWebGpuBackend, type WebGpuBackend } from '../../src/index.js';
import { nodeWebGpu } from '../../src/node.js';

/** The backend, loaded once per test file (every later call gives the same one). */
export async function webGpuBackend(): Promise<WebGpuBackend> {
  return loadWebGpuBackend({ gpu: await nodeWebGpu() });
}
