import { GradstreamError } from '@gradstream/tensor';

/**
 * The exit codes of `gradstream`, the same for every command:
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the work failed or its input was wrong: an invalid spec, bad data, an unreadable or corrupt checkpoint, a file that cannot be read or written (`FILE_ERROR`), a diverged run, a model ONNX cannot hold or an ONNX model gradstream cannot read (`UNSUPPORTED_EXPORT`, `UNSUPPORTED_IMPORT`), a backend this machine cannot run (`BACKEND_UNAVAILABLE`: `--backend webgpu` without a WebGPU adapter) |
 * | 2 | the command line itself was wrong: an unknown command or option, a missing or malformed argument, an unknown built-in dataset or setting (error code `INVALID_USAGE`) |
 * | 130 | interrupted (Ctrl-C) |
 *
 * @example
 * ```ts
 * import { EXIT, runCli } from '@gradstream/cli';
 * const code = await runCli(['validate', 'spec.json']);
 * if (code === EXIT.failure) console.error('the spec has problems');
 * ```
 */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, interrupted: 130 });

/**
 * The exit code for an error a command threw: {@link EXIT}.usage for a command line that asked
 * for something malformed or unknown (a `GradstreamError` of code `INVALID_USAGE`, such as
 * `--data builtin:nope`), {@link EXIT}.failure for everything else.
 *
 * @example
 * ```ts
 * import { GradstreamError } from '@gradstream/tensor';
 * exitCodeOf(new GradstreamError('INVALID_USAGE', '--data builtin:nope: unknown built-in dataset')); // 2
 * exitCodeOf(new GradstreamError('INVALID_DATA', 'data.csv: no rows')); // 1
 * ```
 */
export function exitCodeOf(error: unknown): number {
  return error instanceof GradstreamError && error.code === 'INVALID_USAGE' ? EXIT.usage : EXIT.failure;
}
