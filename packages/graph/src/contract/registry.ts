import { GradstreamError } from '@gradstream/tensor';
import { didYouMean } from './closest.js';
import { configValidator, type ConfigValidator } from './config-validator.js';
import type { SchemaProblem } from './schema-errors.js';
import type { CompositePlugin } from './composite.js';
import type { AnyOpPlugin } from './op-plugin.js';

/**
 * What a registry holds under a name: an op plugin or a composite layer.
 *
 * @example
 * ```ts
 * import { defaultRegistry, type RegisteredPlugin } from '@gradstream/graph';
 * const all: RegisteredPlugin[] = defaultRegistry.plugins();
 * ```
 */
export type RegisteredPlugin = AnyOpPlugin | CompositePlugin<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Entry {
  readonly plugin: RegisteredPlugin;
  readonly validate: ConfigValidator;
}

/**
 * A check run on each plugin a registry with `checkGradients` receives. The gradient checker
 * installs itself here when the package is loaded (see check/development-checks.ts), so the
 * registry itself never imports development code.
 */
type RegistrationCheck = (plugin: RegisteredPlugin, registry: Registry) => void;
let registrationCheck: RegistrationCheck | undefined;

/** @internal Installs the check a registry with `checkGradients` runs on registration. */
export function setRegistrationCheck(check: RegistrationCheck): void {
  registrationCheck = check;
}

/**
 * Options of a {@link Registry}.
 *
 * @example
 * ```ts
 * import { createRegistry, type RegistryOptions } from '@gradstream/graph';
 * const options: RegistryOptions = { checkGradients: true };
 * const dev = createRegistry([], options);
 * ```
 */
export interface RegistryOptions {
  /**
   * Gradient-check every op that declares a `gradcheckCase` when it is registered, and refuse it
   * (`GRADIENT_MISMATCH`) if backward disagrees with finite differences. Costs a few forward
   * passes per parameter element, so it is meant for development; by default it is on when
   * `NODE_ENV` is `development`.
   */
  readonly checkGradients?: boolean;
}

function developmentMode(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV === 'development';
}

/**
 * A set of op plugins by name. Each plugin's configuration validator is ready when it is registered:
 * its precompiled `validateParams`, or its `paramsSchema` compiled then (see {@link setSchemaCompiler}).
 * Apps and tests that want their own ops without touching anyone else's use {@link createRegistry};
 * the built-in ops live in {@link defaultRegistry}.
 *
 * @example
 * ```ts
 * import { createRegistry, defineOp } from '@gradstream/graph';
 * const registry = createRegistry();
 * registry.register(defineOp({
 *   name: 'negate', inputs: ['x'], save: {},
 *   outputShape: ([x]) => x!,
 *   forward: ({ inputs, out, backend }) => backend.scale(inputs.x.data, -1, out.data),
 *   backward: ({ dy, dInputs, backend }) => { if (dInputs.x) backend.scale(dy.data, -1, dInputs.x.data); },
 * }));
 * registry.names(); // ['negate']
 * ```
 */
export class Registry {
  private readonly entries = new Map<string, Entry>();
  private changes = 0;
  private readonly checkOnRegister: boolean;

  /** @param options - see {@link RegistryOptions} */
  constructor(options: RegistryOptions = {}) {
    this.checkOnRegister = options.checkGradients ?? developmentMode();
  }

  /**
   * Counts the ops registered so far; it grows with every {@link Registry.register}, so anything
   * derived from the registry's contents (such as the compiled spec schema) knows when to rebuild.
   */
  get version(): number {
    return this.changes;
  }

  /**
   * Adds a plugin. A name already taken in this registry is a `DUPLICATE_OP` error.
   *
   * @returns this registry, for chaining
   */
  register(plugin: RegisteredPlugin): this {
    if (this.entries.has(plugin.name)) {
      throw new GradstreamError('DUPLICATE_OP', `op "${plugin.name}" is already registered in this registry`, { op: plugin.name });
    }
    const validate = configValidator(plugin);
    this.entries.set(plugin.name, { plugin, validate });
    if (this.checkOnRegister && plugin.gradcheckCase !== undefined) {
      try {
        registrationCheck?.(plugin, this);
      } catch (e) {
        // A plugin that fails its check is not kept.
        this.entries.delete(plugin.name);
        throw e;
      }
    }
    this.changes++;
    return this;
  }

  /** True when an op of that name is registered. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The plugin registered under `name`; an unknown name is an `UNKNOWN_OP` error listing the known names.
   *
   * @param where - where the name came from, for the message (e.g. `'layers/2/op'`)
   */
  get(name: string, where?: string): RegisteredPlugin {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      const known = this.names();
      throw new GradstreamError(
        'UNKNOWN_OP',
        `${where ? `${where}: ` : ''}unknown op "${name}"; registered ops: ${known.length ? known.join(', ') : '(none)'}${didYouMean(name, known)}`,
        { op: name, known, ...(where === undefined ? {} : { path: where }) },
      );
    }
    return entry.plugin;
  }

  /** Registered op names, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Registered plugins, in name order. */
  plugins(): RegisteredPlugin[] {
    return this.names().map((n) => (this.entries.get(n) as Entry).plugin);
  }

  /**
   * Validates a configuration against the op's schema and returns a copy with schema defaults
   * applied. Problems are an `INVALID_CONFIG` error with one line per problem and its JSON path.
   *
   * @param where - JSON path prefix for messages (default: the op name)
   * @example
   * ```ts
   * import { defaultRegistry } from '@gradstream/graph';
   * // with @gradstream/ops imported:
   * // defaultRegistry.validateConfig('linear', { inFeatures: 1, outFeatures: 1.5 });
   * // → GradstreamError INVALID_CONFIG "linear/outFeatures must be integer"
   * ```
   */
  validateConfig(name: string, config: unknown, where: string = name): Record<string, unknown> {
    const entry = this.entries.get(name);
    if (entry === undefined) this.get(name, where);
    return (entry as Entry).validate(config, where);
  }

  /**
   * The problems {@link Registry.validateConfig} would report, each with its JSON path below
   * `where`; none when the configuration is valid.
   *
   * @example
   * ```ts
   * import { defaultRegistry } from '@gradstream/graph';
   * // with @gradstream/ops imported:
   * // defaultRegistry.configProblems('linear', { inFeatures: 1 }, 'layers/0');
   * // → [{ path: 'layers/0/outFeatures', message: 'is required' }]
   * ```
   */
  configProblems(name: string, config: unknown, where: string = name): SchemaProblem[] {
    const entry = this.entries.get(name);
    if (entry === undefined) this.get(name, where);
    return (entry as Entry).validate.problems(config, where);
  }
}

/**
 * A new, isolated registry holding the given plugins (none by default). With
 * `{ checkGradients: true }` every op is gradient-checked as it is registered.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { builtinOps } from '@gradstream/ops';
 * const mine = createRegistry(builtinOps); // the built-ins, plus whatever I register
 * ```
 */
export function createRegistry(plugins: readonly RegisteredPlugin[] = [], options: RegistryOptions = {}): Registry {
  const r = new Registry(options);
  for (const p of plugins) r.register(p);
  return r;
}

/**
 * The registry `@gradstream/ops` registers the built-in ops into, and the one models use unless
 * told otherwise.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from '@gradstream/graph';
 * import '@gradstream/ops';
 * defaultRegistry.has('linear'); // true
 * ```
 */
export const defaultRegistry: Registry = createRegistry();
