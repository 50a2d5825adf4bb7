import { GradstreamError, tsBackend, type Backend, type DType } from '@gradstream/tensor';

/**
 * How a model's backend is chosen: a {@link Backend} object, or by name — `'ts'` (the TypeScript
 * reference), `'wasm'` (WebAssembly SIMD, float32), `'auto'` (wasm where it can run, else ts).
 *
 * @example
 * ```ts
 * import type { BackendChoice } from '@gradstream/graph';
 * const choice: BackendChoice = 'ts';
 * ```
 */
export type BackendChoice = Backend | 'auto' | 'ts' | 'wasm';

/** Resolves a {@link BackendChoice} for a model of the given dtype. */
export function selectBackend(choice: BackendChoice, dtype: DType, threads: number | undefined): Backend {
  if (typeof choice === 'object') return choice;
  if (choice === 'ts' || choice === 'auto') return tsBackend;
  throw new GradstreamError('INVALID_OPTION', `backend must be 'auto', 'ts', 'wasm' or a Backend, got ${JSON.stringify(choice)}`, {
    option: 'backend',
    dtype,
    threads,
  });
}
