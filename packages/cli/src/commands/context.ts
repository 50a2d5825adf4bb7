import type { BuildOptions, Registry } from '@gradstream/graph';
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
  /** `--memory-limit`, in bytes, when given: the limit models and their plans are built under. */
  memoryLimit?: number | undefined;
}

/**
 * The build options every command's model gets from the command line: its registry and, with
 * `--memory-limit`, its memory limit.
 *
 * @example
 * ```ts
 * // const model = fromSpec(spec, { seed: 0, ...modelOptions(ctx) });
 * ```
 */
export function modelOptions(ctx: CommandContext): Pick<BuildOptions, 'registry' | 'memoryLimit'> {
  return ctx.memoryLimit === undefined ? { registry: ctx.registry } : { registry: ctx.registry, memoryLimit: ctx.memoryLimit };
}
