import type { Registry } from '@gradstream/graph';
import type { CliIo } from '../io.js';

/** What every command runs with. */
export interface CommandContext {
  readonly io: CliIo;
  /** Directory relative paths start from. */
  readonly cwd: string;
  /**
   * Where the command looks ops up: the default registry, or, with `--plugin`, an isolated one
   * holding the built-ins and the plugins' ops. Set once, before the command's action runs.
   */
  registry: Registry;
}
