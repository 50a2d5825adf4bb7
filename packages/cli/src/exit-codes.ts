/**
 * The exit codes of `gradstream`: 0 success; 1 the input was wrong or the work failed (an
 * invalid spec, bad data, a corrupt checkpoint, a diverged run); 2 the command line itself was
 * wrong (unknown command or option, a missing or malformed argument); 130 interrupted (Ctrl-C).
 *
 * @example
 * ```ts
 * import { EXIT, runCli } from '@gradstream/cli';
 * const code = await runCli(['validate', 'spec.json']);
 * if (code === EXIT.failure) console.error('the spec has problems');
 * ```
 */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, interrupted: 130 });
