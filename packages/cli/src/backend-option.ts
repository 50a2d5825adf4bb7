import type { BuildOptions } from '@gradstream/graph';
import { println } from './io.js';
import type { CommandContext } from './commands/context.js';

/**
 * What `--backend` takes: `auto` (wasm where it runs, else ts), `ts`, `wasm`, or `webgpu` (the GPU,
 * through Node's `webgpu` package).
 *
 * @example
 * ```ts
 * const backend: BackendOption = parse.backend('webgpu');
 * ```
 */
export type BackendOption = 'auto' | 'ts' | 'wasm' | 'webgpu';

/**
 * Every {@link BackendOption}: what `parse.backend` accepts.
 *
 * @example
 * ```ts
 * BACKEND_OPTIONS.includes('webgpu'); // true
 * ```
 */
export const BACKEND_OPTIONS: readonly BackendOption[] = Object.freeze(['auto', 'ts', 'wasm', 'webgpu']);

/**
 * Makes the backend `--backend` names ready before a command builds its model, and returns the
 * model's backend options. Only `webgpu` needs anything: a GPU device is requested asynchronously,
 * so the WebGPU backend is loaded here, once per process. Where Node finds no adapter, the command
 * runs again on SwiftShader (a software GPU) when the `gradstream` binary can re-run itself
 * (`io.rerunOnSwiftShader`), the process is not already on it and the driver's files are in the
 * temporary directory; the child's exit code then comes back as `{ exit }`. Otherwise the
 * `BACKEND_UNAVAILABLE` error, which names each step tried, is thrown for the command line to report.
 *
 * @param backend - the `--backend` option
 * @param threads - the `--threads` option
 * @param ctx - the command's context (its io: stderr, environment and the re-run hook)
 * @example
 * ```ts
 * // const ready = await prepareBackend(options.backend, options.threads, ctx);
 * // if ('exit' in ready) return ready.exit;
 * // const model = fromSpec(spec, { ...ready.options, ...modelOptions(ctx) });
 * ```
 */
export async function prepareBackend(
  backend: BackendOption,
  threads: number | undefined,
  ctx: CommandContext,
): Promise<{ readonly options: Pick<BuildOptions, 'backend' | 'threads'> } | { readonly exit: number }> {
  const options = threads === undefined ? { backend } : { backend, threads };
  if (backend !== 'webgpu') return { options };
  // Imported only when asked for: the CPU backends need none of the WebGPU code.
  const [{ loadWebGpuBackend }, node] = await Promise.all([import('@gradstream/backend-webgpu'), import('@gradstream/backend-webgpu/node')]);
  // Without the `webgpu` package there is nothing to re-run with: that error goes straight out.
  const gpu = await node.nodeWebGpu();
  try {
    await loadWebGpuBackend({ gpu });
    return { options };
  } catch (e) {
    const rerun = ctx.io.rerunOnSwiftShader;
    // The Vulkan loader reads its driver from the environment only when a process starts.
    const dir = node.swiftShaderForRerun(ctx.io.env ?? process.env);
    if (rerun === undefined || dir === undefined) throw e;
    println(ctx.io.stderr, 'No WebGPU adapter here: running again on SwiftShader, a software GPU (correct, slow).');
    return { exit: await rerun(dir) };
  }
}
