import { loadWebGpuBackend } from '@gradstream/backend-webgpu';
import { nodeWebGpu } from '@gradstream/backend-webgpu/node';
import type { DigitsArgs, DigitsBackend } from './args.js';

/**
 * What a digits command line's `--backend` asks for, ready for a model's options: the WebGPU
 * backend is loaded first (a GPU device is requested asynchronously). Where it cannot be, prints
 * why (each step tried) and exits 1; on a machine without a GPU, see `swiftShaderEnv` in the
 * Backends guide.
 */
export async function backendOf(args: DigitsArgs): Promise<{ backend?: DigitsBackend }> {
  if (args.backend === undefined) return {};
  if (args.backend === 'webgpu') {
    try {
      await loadWebGpuBackend({ gpu: await nodeWebGpu() });
    } catch (e) {
      console.error((e as Error).message);
      process.exit(1);
    }
  }
  return { backend: args.backend };
}
