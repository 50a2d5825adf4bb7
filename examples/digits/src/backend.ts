import { loadWebGpuBackend } from '@gradstream/backend-webgpu';
import { nodeWebGpu, rerunOnSwiftShader, swiftShaderForRerun } from '@gradstream/backend-webgpu/node';
import type { DigitsArgs, DigitsBackend } from './args.js';

/**
 * What a digits command line's `--backend` asks for, ready for a model's options: the WebGPU
 * backend is loaded first (a GPU device is requested asynchronously). Where Node finds no adapter
 * and the SwiftShader driver is at hand (extracted by the test setup's Chromium), the command runs
 * again on it, a software GPU; otherwise it prints why (each step tried) and exits 1.
 */
export async function backendOf(args: DigitsArgs): Promise<{ backend?: DigitsBackend }> {
  if (args.backend === undefined) return {};
  if (args.backend === 'webgpu') {
    try {
      await loadWebGpuBackend({ gpu: await nodeWebGpu() });
    } catch (e) {
      const dir = swiftShaderForRerun();
      if (dir !== undefined) {
        console.error('No WebGPU adapter here: running again on SwiftShader, a software GPU (correct, slow).');
        process.exit(await rerunOnSwiftShader(dir));
      }
      console.error((e as Error).message);
      process.exit(1);
    }
  }
  return { backend: args.backend };
}
