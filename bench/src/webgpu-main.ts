import { fileURLToPath } from 'node:url';
import { benchGpu, loadGradstreamWebGpu } from './peers/gradstream-webgpu.js';
import { writeJsonAtomic } from './results.js';
import { extractSwiftShader, onSwiftShader, rerunOnSwiftShader } from './swiftshader.js';
import { WEBGPU_FULL, WEBGPU_QUICK, runWebGpuBench } from './webgpu-bench.js';
import { formatWebGpuReport } from './webgpu-report.js';

const unavailable = (e: unknown): e is Error => (e as { code?: unknown } | undefined)?.code === 'BACKEND_UNAVAILABLE';

/**
 * `pnpm bench --backend webgpu [--quick] [--out FILE]`: the WebGPU rows, printed and written to
 * `bench/results/webgpu.json` (`webgpu-quick.json` with `--quick`) unless `out` says otherwise.
 * Where this process finds no adapter and was not started on SwiftShader, it extracts SwiftShader
 * and runs the same command again on it (see swiftshader.ts). Resolves to the exit code: 1 when
 * there is still no adapter, with the error that names what was tried on stderr.
 */
export async function webgpuMain(quick: boolean, out: string | undefined, log: (line: string) => void): Promise<number> {
  try {
    // Without Node's WebGPU itself (the `webgpu` package) another driver cannot help: no re-run.
    await benchGpu();
  } catch (e) {
    if (!unavailable(e)) throw e;
    console.error(e.message);
    return 1;
  }
  try {
    await loadGradstreamWebGpu();
  } catch (e) {
    if (!unavailable(e)) throw e;
    if (onSwiftShader()) {
      console.error(e.message);
      return 1;
    }
    log(`no WebGPU adapter in this process (${e.message})`);
    let dir: string;
    try {
      dir = await extractSwiftShader();
    } catch (extract) {
      console.error(`${e.message}\nand SwiftShader could not be extracted: ${(extract as Error).message}`);
      return 1;
    }
    log(`re-running on SwiftShader, the CPU's emulation of a GPU: LD_LIBRARY_PATH and VK_ICD_FILENAMES point at ${dir}`);
    return rerunOnSwiftShader(dir);
  }
  // A smoke run writes beside the full results, never over them.
  const path = out ?? fileURLToPath(new URL(quick ? '../results/webgpu-quick.json' : '../results/webgpu.json', import.meta.url));
  const started = performance.now();
  const result = await runWebGpuBench(quick ? WEBGPU_QUICK : WEBGPU_FULL, log);
  console.log(formatWebGpuReport(result));
  writeJsonAtomic(path, result);
  console.log(`\nwrote ${path} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}
