import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The workloads, in run order. */
export const WORKLOADS = ['lesson', 'mlp', 'matmul', 'digits-fit', 'cnn'] as const;

/** A workload's name (a key of the results' `raw`). */
export type Workload = (typeof WORKLOADS)[number];

/** One ratio: the median of row `gradstream` divided by the median of row `peer`, on `workload`. */
export interface RatioDefinition {
  readonly workload: Workload;
  readonly gradstream: string;
  readonly peer: string;
}

/**
 * Every ratio, in print order: gradstream's rate ÷ the peer's, > 1 when gradstream is faster.
 * The targets (see the README) come first among their workload's ratios; `*-1t` divides gradstream's single-threaded wasm row,
 * `*-fit` compares public training calls, `<workload>/ts` is the default configuration's speed-up
 * over gradstream's own TypeScript backend, `<workload>-fit/plan` what `fit` costs over driving the
 * compiled plan by hand (1 when it costs nothing).
 */
export const RATIOS = {
  'matmul/tfjs-wasm': { workload: 'matmul', gradstream: 'gradstream-kernel', peer: 'tfjs-wasm-kernel' },
  'matmul-1t/tfjs-wasm': { workload: 'matmul', gradstream: 'gradstream-wasm1t-kernel', peer: 'tfjs-wasm-kernel' },
  'mlp/tfjs-wasm': { workload: 'mlp', gradstream: 'gradstream-plan', peer: 'tfjs-wasm-loop' },
  'mlp-fit/tfjs-wasm-fit': { workload: 'mlp', gradstream: 'gradstream-fit', peer: 'tfjs-wasm-fit' },
  'digits-fit/tfjs-wasm-fit': { workload: 'digits-fit', gradstream: 'gradstream-fit', peer: 'tfjs-wasm-fit' },
  'lesson/brain.js': { workload: 'lesson', gradstream: 'gradstream-plan', peer: 'brain.js-trainPattern' },
  'lesson-fit/brain.js': { workload: 'lesson', gradstream: 'gradstream-fit', peer: 'brain.js-trainPattern' },
  'lesson-fit/plan': { workload: 'lesson', gradstream: 'gradstream-fit', peer: 'gradstream-plan' },
  'mlp-fit/plan': { workload: 'mlp', gradstream: 'gradstream-fit', peer: 'gradstream-plan' },
  'lesson/tfjs-cpu': { workload: 'lesson', gradstream: 'gradstream-plan', peer: 'tfjs-cpu-loop' },
  'lesson-fit/tfjs-cpu-fit': { workload: 'lesson', gradstream: 'gradstream-fit', peer: 'tfjs-cpu-fit' },
  'lesson/ts': { workload: 'lesson', gradstream: 'gradstream-plan', peer: 'gradstream-ts-plan' },
  'mlp/tfjs-cpu': { workload: 'mlp', gradstream: 'gradstream-plan', peer: 'tfjs-cpu-loop' },
  'mlp-1t/tfjs-wasm': { workload: 'mlp', gradstream: 'gradstream-wasm1t-plan', peer: 'tfjs-wasm-loop' },
  'mlp-fit/tfjs-cpu-fit': { workload: 'mlp', gradstream: 'gradstream-fit', peer: 'tfjs-cpu-fit' },
  'mlp/ts': { workload: 'mlp', gradstream: 'gradstream-plan', peer: 'gradstream-ts-plan' },
  'matmul/tfjs-cpu': { workload: 'matmul', gradstream: 'gradstream-kernel', peer: 'tfjs-cpu-kernel' },
  'matmul/ts': { workload: 'matmul', gradstream: 'gradstream-kernel', peer: 'gradstream-ts-kernel' },
  'digits-fit-1t/tfjs-wasm-fit': { workload: 'digits-fit', gradstream: 'gradstream-wasm1t-fit', peer: 'tfjs-wasm-fit' },
  'digits-fit/tfjs-cpu-fit': { workload: 'digits-fit', gradstream: 'gradstream-fit', peer: 'tfjs-cpu-fit' },
  'digits-fit/ts': { workload: 'digits-fit', gradstream: 'gradstream-fit', peer: 'gradstream-ts-fit' },
  'cnn/tfjs-cpu-fit': { workload: 'cnn', gradstream: 'gradstream-fit', peer: 'tfjs-cpu-fit' },
  'cnn-predict/tfjs-wasm': { workload: 'cnn', gradstream: 'gradstream-predict', peer: 'tfjs-wasm-predict' },
} as const satisfies Record<string, RatioDefinition>;

/** The keys of `ratios` (besides `matmul_gflops`), in print order. */
export const RATIO_KEYS = Object.keys(RATIOS) as RatioKey[];

/** A ratio key. */
export type RatioKey = keyof typeof RATIOS;

/** The ratio keys the project is measured on. */
export const TARGET_RATIO_KEYS = ['matmul/tfjs-wasm', 'matmul-1t/tfjs-wasm', 'mlp/tfjs-wasm', 'digits-fit/tfjs-wasm-fit', 'lesson/brain.js', 'lesson-fit/brain.js'] as const satisfies readonly RatioKey[];

/** Ratios (> 1: gradstream is faster) plus gradstream's own matmul GFLOP/s in its default configuration. */
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
