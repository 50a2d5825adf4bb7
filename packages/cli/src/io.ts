/**
 * Where the command line writes: a stream with `write` and, for a terminal, `isTTY` and
 * `columns` (a progress bar is redrawn in place only on a terminal; colours follow the terminal,
 * `NO_COLOR` and `FORCE_COLOR`).
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
 * The outside world of one {@link runCli} call: its output streams (stdout for results, stderr for
 * messages and the progress display), the directory relative paths start from, a signal that stops
 * a training run (the `gradstream` binary aborts it on Ctrl-C), and the environment and stdin,
 * which default to the process's.
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
  /**
   * The environment that decides colour and cursor codes (`NO_COLOR`, `FORCE_COLOR`, `TERM`;
   * default: the process's).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What `--data -` reads (default: the process's stdin). */
  readonly stdin?: AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream;
  /**
   * Runs this same command line again in a child process whose Vulkan loader uses the SwiftShader
   * driver in `dir`, resolving to the child's exit code: how `--backend webgpu` goes on where Node
   * finds no GPU adapter. The `gradstream` binary passes `rerunOnSwiftShader` from
   * `@gradstream/backend-webgpu/node`; left out (a program calling {@link runCli}, whose process is
   * not the command line), such a command fails with the `BACKEND_UNAVAILABLE` error instead.
   */
  readonly rerunOnSwiftShader?: (dir: string) => Promise<number>;
}

/** Writes whole lines. */
export function println(out: CliOutput, text = ''): void {
  out.write(`${text}\n`);
}
