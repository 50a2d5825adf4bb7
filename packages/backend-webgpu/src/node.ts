/// <reference types="@webgpu/types" />
/**
 * Node's WebGPU for tests and benchmarks: the `webgpu` package (Dawn) with the SwiftShader Vulkan
 * driver that the `@sparticuz/chromium` package extracts, so a machine without a GPU, or without
 * a system Vulkan loader, still runs every WebGPU kernel. A test aid, not a production path: on a
 * machine with a GPU and its Vulkan driver, `nodeWebGpu()` alone finds the real adapter.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { GradstreamError } from '@gradstream/tensor';
import type { GpuEntry } from './device.js';

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
 * True when this process started with its Vulkan loader pointed at a SwiftShader driver
 * (`VK_ICD_FILENAMES` names its manifest, `LD_LIBRARY_PATH` holds its folder): such a process
 * that still finds no adapter gains nothing from {@link rerunOnSwiftShader}.
 *
 * @example
 * ```ts
 * import { onSwiftShader } from '@gradstream/backend-webgpu/node';
 * console.log(onSwiftShader()); // true inside the test runner's workers
 * ```
 */
export function onSwiftShader(env: NodeJS.ProcessEnv = process.env): boolean {
  const icd = env['VK_ICD_FILENAMES'];
  if (icd === undefined || basename(icd) !== 'vk_swiftshader_icd.json') return false;
  return (env['LD_LIBRARY_PATH'] ?? '').split(delimiter).includes(dirname(icd));
}

/**
 * Where this command could run again on SwiftShader when Node finds no adapter: the temporary
 * directory, when the driver is there (extracted by `@sparticuz/chromium`) and the process is not
 * already on it; undefined when a re-run would not help.
 *
 * @example
 * ```ts
 * import { rerunOnSwiftShader, swiftShaderForRerun } from '@gradstream/backend-webgpu/node';
 * const dir = swiftShaderForRerun();
 * if (dir !== undefined) process.exitCode = await rerunOnSwiftShader(dir);
 * ```
 */
export function swiftShaderForRerun(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = tmpdir();
  return onSwiftShader(env) || !hasSwiftShader(dir) ? undefined : dir;
}

/**
 * Runs this same command again (`process.execPath`, the same Node flags and arguments) in a child
 * whose environment points the Vulkan loader at the SwiftShader driver in `dir` — the loader reads
 * those variables only when a process starts, so a running one cannot switch. The child shares
 * this process's stdio; SIGINT and SIGTERM are passed on. Resolves to its exit code (128 + the
 * signal's number when a signal ended it). For commands that must run on a machine without a GPU
 * (benchmarks, examples); a test aid, not a production path.
 *
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { hasSwiftShader, onSwiftShader, rerunOnSwiftShader } from '@gradstream/backend-webgpu/node';
 * const noAdapter = false; // what loadWebGpuBackend told you
 * if (noAdapter && !onSwiftShader() && hasSwiftShader(tmpdir())) process.exit(await rerunOnSwiftShader(tmpdir()));
 * ```
 */
export function rerunOnSwiftShader(dir: string): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...swiftShaderEnv(dir) } });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === null ? 1 : 128 + constants.signals[signal]));
    });
  });
}

/**
 * GPU instances handed out: Dawn's instance must outlive every adapter and device made from it
 * (collecting it while they live aborts the process), so each is held for the process's life.
 */
const instances: GpuEntry[] = [];

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
export async function nodeWebGpu(): Promise<GpuEntry> {
  let dawn: { create(flags: string[]): GpuEntry };
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
