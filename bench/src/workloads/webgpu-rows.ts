import type { TfWebGpuStatus } from '../peers/tfjs-webgpu.js';

/** Rows of a workload that did not run here, by row name, each with the reason. */
export type Unavailable = Record<string, string>;

/** The rows `pnpm bench --backend webgpu` compares, by path. */
export const WEBGPU_ROWS = {
  kernel: { gradstream: 'gradstream-webgpu-kernel', tfjs: 'tfjs-webgpu-kernel' },
  fit: { gradstream: 'gradstream-webgpu-fit', tfjs: 'tfjs-webgpu-fit' },
} as const;

/** The two rows a workload of the WebGPU run compares: its kernels (`matmul-<n>`) or its training calls. */
export function comparedRows(workload: string): (typeof WEBGPU_ROWS)[keyof typeof WEBGPU_ROWS] {
  return workload.startsWith('matmul-') ? WEBGPU_ROWS.kernel : WEBGPU_ROWS.fit;
}

/** The CPU reference rows the WebGPU results are checked against (computed, not timed). */
export const REFERENCE_ROWS = { kernel: 'gradstream-ts-kernel', fit: 'gradstream-ts-fit' } as const;

/**
 * A TF.js webgpu row, made (and checked) by `make`; or `undefined`, with the reason under `name`
 * in `unavailable`. TF.js's webgpu backend may not initialise on a machine, or lack a kernel a
 * workload needs: either way its row says why, and the gradstream rows are still measured.
 */
export async function tfjsWebGpuRow<T>(name: string, tfjs: TfWebGpuStatus, unavailable: Unavailable, make: () => Promise<T>): Promise<T | undefined> {
  if (!tfjs.ok) {
    unavailable[name] = `TF.js webgpu backend unavailable: ${tfjs.reason}`;
    return undefined;
  }
  try {
    return await make();
  } catch (e) {
    unavailable[name] = `TF.js webgpu failed: ${((e as Error).message ?? String(e)).split('\n')[0]}`;
    return undefined;
  }
}
