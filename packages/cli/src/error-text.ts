import type { GradstreamError } from '@gradstream/tensor';

/**
 * An error's message as the command line says it: where the library names an API option, the
 * command line names its flag (the memory limit is `--memory-limit` there, not `memoryLimit`; the
 * TypeScript backend `--backend ts`).
 *
 * @example
 * ```ts
 * // println(stderr, `error (${e.code}): ${commandLineMessage(e)}`);
 * ```
 */
export function commandLineMessage(e: GradstreamError): string {
  if (e.code !== 'TOO_LARGE') return e.message;
  return e.message
    .replace(/\(the `memoryLimit` option raises the limit\)/, '(--memory-limit raises the limit)')
    .replace(/\(the 'ts' backend has no such ceiling\)/, '(--backend ts has no such ceiling)');
}
