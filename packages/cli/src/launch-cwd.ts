/**
 * The directory the `gradstream` binary resolves relative paths from: the one the user ran the
 * command in. Through the repository's pass-through script (`pnpm gradstream …` or
 * `npm run gradstream …`, from any subdirectory) the package manager starts the binary in the
 * directory of the script's package.json, and says where the user was in `INIT_CWD`; then that is
 * the answer. Elsewhere it is the process's own directory: another package script may have changed
 * directory on purpose, and an inherited `INIT_CWD` would point back to where that script was run.
 *
 * @param env - the binary's environment (`INIT_CWD`, `npm_lifecycle_event`)
 * @param processCwd - the process's working directory
 * @example
 * ```ts
 * launchCwd({ INIT_CWD: '/repo/examples', npm_lifecycle_event: 'gradstream' }, '/repo'); // '/repo/examples'
 * launchCwd({ INIT_CWD: '/repo/examples' }, '/repo/examples/digits'); // '/repo/examples/digits'
 * ```
 */
export function launchCwd(env: Readonly<Record<string, string | undefined>>, processCwd: string): string {
  const initCwd = env.INIT_CWD;
  if (initCwd === undefined || initCwd === '') return processCwd;
  // Both pnpm and npm name the running script in npm_lifecycle_event (pnpm sets no npm_command).
  return env.npm_lifecycle_event === 'gradstream' ? initCwd : processCwd;
}
