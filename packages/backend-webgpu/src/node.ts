/// <reference types="@webgpu/types" />
/**
 * Node's WebGPU for tests and benchmarks: the `webgpu` package (Dawn) with the SwiftShader Vulkan
 * driver that the `@sparticuz/chromium` package extracts, so a machine without a GPU, or without
 * a system Vulkan loader, still runs every WebGPU kernel. A test aid, not a production path: on a
 * machine with a GPU and its Vulkan driver, `nodeWebGpu()` alone finds the real adapter.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { GradstreamError } from '@gradstream/tensor';

/** The files of the SwiftShader Vulkan driver, as `@sparticuz/chromium` extracts them. */
const SWIFTSHADER_FILES = ['libvulkan.so.1', 'libvk_swiftshader.so', 'vk_swiftshader_icd.json'] as const;

/**
 * True when `dir` holds the Vulkan loader, the SwiftShader driver and its manifest.
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { hasSwiftShader } from '@gradstream/backend-webgpu/node';
 * console.log(hasSwiftShader(tmpdir())); // true once @sparticuz/chromium has extracted Chromium
 * ```
 */
export function hasSwiftShader(dir: string): boolean {
  return SWIFTSHADER_FILES.every((f) => existsSync(join(dir, f)));
}

/**
 * The environment variables that point a process's Vulkan loader at the SwiftShader driver in
 * `dir`. The loader reads them when the process starts, so they go to a child process (a test
 * runner's workers, a benchmark), not to the running one.
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { swiftShaderEnv } from '@gradstream/backend-webgpu/node';
 * const env = { ...process.env, ...swiftShaderEnv(tmpdir()) }; // for child_process.spawn
 * ```
 */
export function swiftShaderEnv(dir: string, base: NodeJS.ProcessEnv = process.env): { LD_LIBRARY_PATH: string; VK_ICD_FILENAMES: string } {
  const existing = base['LD_LIBRARY_PATH'];
  return {
    LD_LIBRARY_PATH: existing === undefined || existing === '' ? dir : `${dir}${delimiter}${existing}`,
    VK_ICD_FILENAMES: join(dir, 'vk_swiftshader_icd.json'),
  };
}

/**
 * GPU instances handed out: Dawn's instance must outlive every adapter and device made from it
 * (collecting it while they live aborts the process), so each is held for the process's life.
 */
const instances: GPU[] = [];

/**
 * Node's `navigator.gpu`: a GPU instance from the optional `webgpu` package (install it beside this
 * one). Its adapters are whatever Vulkan driver the process's loader finds; see
 * {@link swiftShaderEnv} for a machine without a GPU.
 *
 * @example
 * ```ts
 * import { requestWebGpu } from '@gradstream/backend-webgpu';
 * import { nodeWebGpu } from '@gradstream/backend-webgpu/node';
 * const webgpu = await requestWebGpu({ gpu: await nodeWebGpu() });
 * console.log(webgpu.adapter.architecture); // 'swiftshader' under swiftShaderEnv
 * ```
 */
export async function nodeWebGpu(): Promise<GPU> {
  let dawn: { create(flags: string[]): GPU };
  try {
    // Imported when asked for: the package is optional, and this entry is Node's only.
    dawn = (await import('webgpu')) as typeof dawn;
  } catch (e) {
    throw new GradstreamError('BACKEND_UNAVAILABLE', `webgpu: Node's WebGPU needs the optional package "webgpu" (npm i webgpu): ${(e as Error).message}`, {
      tried: ['import("webgpu")'],
    });
  }
  const gpu = dawn.create([]);
  instances.push(gpu);
  return gpu;
}
