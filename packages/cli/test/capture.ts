import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIo } from '../src/index.js';

/** The repository root: examples/specs lives there. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What one in-process run of the command line printed, and its exit code. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `gradstream …argv` in-process with captured output, relative paths from `cwd` (default: the
 * repository root). `tty` makes both streams terminals (`stdoutTty`/`stderrTty` set one);
 * `env` is the environment it sees (default: empty, whatever the test runner's is); `stdin` what
 * `--data -` reads.
 */
export async function run(
  argv: readonly string[],
  options: { cwd?: string; tty?: boolean; stdoutTty?: boolean; stderrTty?: boolean; env?: Record<string, string>; stdin?: string } = {},
): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.stdoutTty ?? options.tty ?? false, columns: 80 },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.stderrTty ?? options.tty ?? false, columns: 80 },
    cwd: options.cwd ?? ROOT,
    env: options.env ?? {},
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(options.stdin)]) }),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A fresh temporary directory holding the given files; `cleanup` removes it. */
export function tempDir(files: Readonly<Record<string, string>> = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
