import { TS_CONFIG, WEBGPU_CONFIG, backendLabel, gradstreamMatmul, matmulOperands } from '../peers/gradstream.js';
import { tfjsMatmul } from '../peers/tfjs.js';
import type { TfWebGpuStatus } from '../peers/tfjs-webgpu.js';
import type { Measurement, TimingOptions } from '../stats.js';
import { kernelProducts, maxAbsDiff, timeKernels, type KernelRow } from './matmul.js';
import { REFERENCE_ROWS, WEBGPU_ROWS, tfjsWebGpuRow, type Unavailable } from './webgpu-rows.js';

/** One size of the WebGPU matmul: each row's rate, and how far each product is from the CPU's. */
export interface WebGpuMatmulResult {
  readonly size: number;
  readonly raw: Record<string, Measurement>;
  readonly unavailable: Unavailable;
  /** The product the others are compared with: gradstream's TypeScript kernel on the CPU (not timed). */
  readonly reference: string;
  /** Largest |reference − row| over the product's elements. */
  readonly maxAbsDiff: Record<string, number>;
  /** The largest difference float32 rounding explains here (see {@link matmulTolerance}). */
  readonly tolerance: number;
}

/**
 * The largest |Δ| float32 rounding explains between two products of `size`-term dot products of
 * values in [−1, 1] summed in different orders (the GPU's tiles, the CPU's loop): size·2⁻²⁰, that
 * is 16·size roundings of a value near 1 (2⁻²⁴ each). The differences observed sit near
 * size·2⁻²⁴ (128: 6e-6 against a tolerance of 1.2e-4); a wrong index or a skipped tile is off by
 * whole units.
 */
export function matmulTolerance(size: number): number {
  return size * 2 ** -20;
}

/**
 * One `size³` float32 multiply of the same two random matrices on the GPU: gradstream's `matmul` on
 * its WebGPU backend (`backend.matmul` + `await backend.sync.download([out])`) and `tf.matMul` +
 * `await data()` on TF.js's webgpu backend, so each timed multiply is the dispatch and the
 * product's read-back, the operands already on the GPU. Both products are compared with
 * gradstream's TypeScript kernel's.
 */
export async function webgpuMatmulWorkload(size: number, seed: number, timing: TimingOptions, tfjs: TfWebGpuStatus): Promise<WebGpuMatmulResult> {
  const { a, b } = matmulOperands(size, seed);
  const ts = gradstreamMatmul(TS_CONFIG, a, b, size);
  await ts.run(1);
  const reference = Float32Array.from(ts.result());
  ts.dispose();

  const unavailable: Unavailable = {};
  const diffs: Record<string, number> = {};
  const rows: KernelRow[] = [];
  const add = async (row: KernelRow): Promise<KernelRow> => {
    const product = (await kernelProducts([row])).get(row.name) as Float32Array;
    diffs[row.name] = maxAbsDiff(reference, product);
    rows.push(row);
    return row;
  };
  await add({ name: WEBGPU_ROWS.kernel.gradstream, library: 'gradstream', backend: backendLabel(WEBGPU_CONFIG), kernel: gradstreamMatmul(WEBGPU_CONFIG, a, b, size) });
  await tfjsWebGpuRow(WEBGPU_ROWS.kernel.tfjs, tfjs, unavailable, async () => {
    const kernel = await tfjsMatmul('webgpu', a, b, size);
    try {
      return await add({ name: WEBGPU_ROWS.kernel.tfjs, library: 'tfjs', backend: 'webgpu', kernel });
    } catch (e) {
      kernel.dispose();
      throw e;
    }
  });
  const raw = await timeKernels(rows, size, timing);
  for (const r of rows) r.kernel.dispose();
  return { size, raw, unavailable, reference: REFERENCE_ROWS.kernel, maxAbsDiff: diffs, tolerance: matmulTolerance(size) };
}
