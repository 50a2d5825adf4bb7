#!/usr/bin/env node
import { runCli } from './cli.js';
import { launchCwd } from './launch-cwd.js';

// The first Ctrl-C stops a training run at the next batch (its checkpoint and summary still come);
// a second one quits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort();
  process.stderr.write('\nstopping… (Ctrl-C again to quit now)\n');
  process.once('SIGINT', () => process.exit(130));
});

// A reader that goes away (`… --json | head`) ends the program quietly rather than with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

// Relative paths start where the user ran the command, also through `pnpm gradstream` in a subdirectory.
const cwd = launchCwd(process.env, process.cwd());
// `--backend webgpu` without a GPU adapter runs this command line again on SwiftShader, where its files are at hand.
const rerunOnSwiftShader = async (dir: string): Promise<number> => (await import('@gradstream/backend-webgpu/node')).rerunOnSwiftShader(dir);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal, cwd, rerunOnSwiftShader });
