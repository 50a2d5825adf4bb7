import type { CliIo } from '../io.js';

/** What every command runs with. */
export interface CommandContext {
  readonly io: CliIo;
  /** Directory relative paths start from. */
  readonly cwd: string;
}
