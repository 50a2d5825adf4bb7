import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The keys of `ratios`, in print order: gradstream's rate ÷ the peer's on that workload. */
export const RATIO_KEYS = ['lesson/brain.js', 'lesson/tfjs-cpu', 'mlp/tfjs-cpu', 'mlp/tfjs-wasm', 'matmul/tfjs-cpu', 'matmul/tfjs-wasm'] as const;

/** A ratio key. */
export type RatioKey = (typeof RATIO_KEYS)[number];

/** Ratios (> 1: gradstream is faster) plus gradstream's own matmul GFLOP/s. */
export type Ratios = Record<RatioKey, number> & { readonly matmul_gflops: number };

/**
 * Writes `value` as JSON to `path` atomically: into a temporary file beside it, then renamed over
 * it, so a reader never sees half a file and an interrupted run leaves the old results in place.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
