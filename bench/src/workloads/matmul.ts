import { GRADSTREAM_CONFIGS, backendLabel, gradstreamMatmul, matmulOperands } from '../peers/gradstream.js';
import { tfjsMatmul, type TfBackend } from '../peers/tfjs.js';
import { measureInterleaved, type Candidate, type Measurement, type TimingOptions } from '../stats.js';
import { PATHS } from './rows.js';

/** GFLOP/s of one `size³` float32 multiply per row, and how far each product is from the reference. */
export interface MatmulResult {
  readonly size: number;
  readonly raw: Record<string, Measurement>;
  /** The row whose product the others are compared with: gradstream's TypeScript reference kernel. */
  readonly reference: string;
  /** Largest |reference − row| over the product's elements. */
  readonly maxAbsDiff: Record<string, number>;
}

/** Largest |a − b| over two products (infinite when their lengths differ). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

const REFERENCE = 'gradstream-ts-kernel';

/**
 * A multiply of one library in one configuration: `run(n)` multiplies n times (a device row reads
 * each product back, hence the promise), `result()` is the last product.
 */
export interface KernelRow {
  readonly name: string;
  readonly library: string;
  readonly backend: string;
  readonly kernel: { run: (n: number) => void | Promise<void>; result: () => Float32Array; prepare?: () => Promise<void>; dispose: () => void };
}
const TFJS_BACKENDS: readonly TfBackend[] = ['cpu', 'wasm'];

/** One multiply by each row, each product copied out, by row name. */
export async function kernelProducts(rows: readonly KernelRow[]): Promise<Map<string, Float32Array>> {
  const products = new Map<string, Float32Array>();
  for (const r of rows) {
    await r.kernel.prepare?.();
    await r.kernel.run(1);
    products.set(r.name, Float32Array.from(r.kernel.result()));
  }
  return products;
}

/** The rows' multiplies timed, interleaved, in GFLOP/s (2·size³ operations per multiply). */
export function timeKernels(rows: readonly KernelRow[], size: number, timing: TimingOptions): Promise<Record<string, Measurement>> {
  const gflop = (2 * size ** 3) / 1e9;
  return measureInterleaved(
    rows.map(
      (r): Candidate => ({
        name: r.name,
        library: r.library,
        backend: r.backend,
        path: PATHS.kernel,
        unit: 'GFLOP/s',
        perIteration: gflop,
        iteration: `${size}³ multiply`,
        run: r.kernel.run,
        ...(r.kernel.prepare ? { prepare: r.kernel.prepare } : {}),
      }),
    ),
    timing,
  );
}

/**
 * Multiplies the same two random matrices with each row, 2·size³ floating-point operations each:
 * gradstream's `matmul` kernel through each backend configuration (operands in that backend's
 * memory), and `tf.matMul` + `dataSync` on each TF.js backend.
 */
export async function matmulWorkload(size: number, seed: number, timing: TimingOptions): Promise<MatmulResult> {
  const { a, b } = matmulOperands(size, seed);
  const rows: KernelRow[] = GRADSTREAM_CONFIGS.map((c) => ({
    name: `gradstream${c.suffix}-kernel`,
    library: 'gradstream',
    backend: backendLabel(c),
    kernel: gradstreamMatmul(c, a, b, size),
  }));
  for (const backend of TFJS_BACKENDS) {
    rows.push({ name: `tfjs-${backend}-kernel`, library: 'tfjs', backend, kernel: await tfjsMatmul(backend, a, b, size) });
  }
  const products = await kernelProducts(rows);
  const reference = products.get(REFERENCE) as Float32Array;
  const diffs: Record<string, number> = {};
  for (const [name, p] of products) if (name !== REFERENCE) diffs[name] = maxAbsDiff(reference, p);
  const raw = await timeKernels(rows, size, timing);
  for (const r of rows) r.kernel.dispose();
  return { size, raw, reference: REFERENCE, maxAbsDiff: diffs };
}
