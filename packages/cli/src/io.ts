/**
 * Where the command line writes: a stream with `write` and, for a terminal, `isTTY` and
 * `columns` (progress bars and colours are drawn only on a terminal).
 *
 * @example
 * ```ts
 * import type { CliOutput } from '@gradstream/cli';
 * const lines: string[] = [];
 * const captured: CliOutput = { write: (text: string) => lines.push(text) };
 * ```
 */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * The outside world of one {@link runCli} call: its output streams, the directory relative paths
 * start from, and a signal that stops a training run (the `gradstream` binary aborts it on Ctrl-C).
 *
 * @example
 * ```ts
 * import { runCli, type CliIo } from '@gradstream/cli';
 * let out = '';
 * const io: CliIo = { stdout: { write: (t: string) => (out += t) }, stderr: process.stderr };
 * const code = await runCli(['validate', 'examples/specs/xor.json'], io);
 * ```
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Directory that relative paths are resolved from (default: the process's). */
  readonly cwd?: string;
  /** Aborting it stops a running `train` at the next batch, which then saves and reports as usual. */
  readonly signal?: AbortSignal;
}

/** Writes whole lines. */
export function println(out: CliOutput, text = ''): void {
  out.write(`${text}\n`);
}
