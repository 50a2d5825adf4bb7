import { gradstreamMatmul, matmulOperands } from '../peers/gradstream.js';
import { tfjsMatmul } from '../peers/tfjs.js';
import { measureInterleaved, type Measurement, type TimingOptions } from '../stats.js';

/** GFLOP/s of one `size³` float32 multiply per library, and how far TF.js's products are from gradstream's. */
export interface MatmulResult {
  readonly size: number;
  readonly raw: Record<string, Measurement>;
  /** Largest |gradstream − peer| over the product's elements. */
  readonly maxAbsDiff: Record<string, number>;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

/** Multiplies the same two random matrices with each library; 2·size³ floating-point operations each. */
export async function matmulWorkload(size: number, seed: number, timing: TimingOptions): Promise<MatmulResult> {
  const { a, b } = matmulOperands(size, seed);
  const gradstream = gradstreamMatmul(a, b, size);
  const peers = { 'tfjs-cpu': await tfjsMatmul('cpu', a, b, size), 'tfjs-wasm': await tfjsMatmul('wasm', a, b, size) };
  gradstream.run(1);
  const diffs: Record<string, number> = {};
  for (const [name, p] of Object.entries(peers)) {
    await p.prepare();
    p.run(1);
    diffs[name] = maxAbsDiff(gradstream.result(), p.result());
  }
  const gflop = (2 * size ** 3) / 1e9;
  const raw = await measureInterleaved(
    [
      { name: 'gradstream', unit: 'GFLOP/s', perIteration: gflop, run: gradstream.run },
      ...Object.entries(peers).map(([name, p]) => ({ name, unit: 'GFLOP/s', perIteration: gflop, run: p.run, prepare: p.prepare })),
    ],
    timing,
  );
  for (const p of Object.values(peers)) p.dispose();
  return { size, raw, maxAbsDiff: diffs };
}
