import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRegistry, defaultRegistry, defineOp, isComposite, type AnyOpPlugin, type RegisteredPlugin, type Registry } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';

/** One module's plugins, in export order, with the `--plugin` value that named it. */
interface LoadedModule {
  readonly spec: string;
  readonly plugins: readonly RegisteredPlugin[];
}

/**
 * The registry a command runs with, from its `--plugin <module>` values: a new, isolated registry
 * holding the ops this process already knows (the built-ins) and every op plugin each module
 * exports — as named exports, as the default export (one plugin or an array of them), or as an
 * `ops` array. A path is resolved from `cwd`; a bare name (`my-ops`, `@me/ops`) is resolved as a
 * package from `cwd`. Nothing is registered into the default registry; without modules, the
 * default registry itself is returned.
 *
 * A module that cannot be found or imported, or that exports no op plugin, is an `INVALID_USAGE`
 * error naming it (the command exits 2); a plugin that breaks the op contract or takes a name
 * already used is an `INVALID_PLUGIN` or `DUPLICATE_OP` error naming the module.
 *
 * @param modules - the `--plugin` values, in the order given
 * @param cwd - the directory relative paths start from
 * @example
 * ```ts
 * import { loadPlugins } from './plugins.js';
 * const registry = await loadPlugins(['./swish.mjs'], process.cwd());
 * registry.has('swish'); // true
 * ```
 */
export async function loadPlugins(modules: readonly string[], cwd: string): Promise<Registry> {
  if (modules.length === 0) return defaultRegistry;
  const loaded: LoadedModule[] = [];
  for (const spec of modules) {
    // Ops a module registers into the default registry as it is imported count as its own.
    const before = new Set(defaultRegistry.names());
    const namespace = await importModule(spec, cwd);
    const registered = defaultRegistry.plugins().filter((p) => !before.has(p.name));
    const plugins = [...new Set([...exportedPlugins(namespace), ...registered])];
    if (plugins.length === 0) {
      const names = Object.keys(namespace);
      throw new GradstreamError(
        'INVALID_USAGE',
        `--plugin ${spec}: exports no op plugin (${names.length === 0 ? 'it exports nothing' : `its exports: ${names.join(', ')}`}); ` +
          'export the ops made with defineOp or defineComposite by name, as the default export (an array), or as an `ops` array',
        { module: spec, exports: names },
      );
    }
    loaded.push({ spec, plugins });
  }
  const registry = createRegistry(defaultRegistry.plugins());
  const from = new Map<string, string>();
  const seen = new Set<RegisteredPlugin>();
  for (const { spec, plugins } of loaded) {
    for (const plugin of plugins) {
      // The same op exported twice, by two modules, or already known, is registered once.
      if (seen.has(plugin) || (registry.has(plugin.name) && registry.get(plugin.name) === plugin)) continue;
      seen.add(plugin);
      if (registry.has(plugin.name)) {
        const first = from.get(plugin.name);
        throw new GradstreamError(
          'DUPLICATE_OP',
          `--plugin ${spec}: op "${plugin.name}" is already registered (${first === undefined ? 'a built-in op' : `by --plugin ${first}`}); op names must be unique`,
          { module: spec, op: plugin.name },
        );
      }
      try {
        // defineOp checks the contract and fills in its defaults, so a plain object works too.
        registry.register(isComposite(plugin) ? plugin : (defineOp(plugin as never) as AnyOpPlugin));
      } catch (e) {
        if (e instanceof GradstreamError) throw new GradstreamError(e.code, `--plugin ${spec}: ${e.message}`, { ...e.details, module: spec });
        throw e;
      }
      from.set(plugin.name, spec);
    }
  }
  return registry;
}

const HINT = 'load its plugin with --plugin <module>';
const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
// How spec validation reports an op it does not know (`layers/2/op must be one of ["add",…], got "swish"`)
// and how a registry lookup does (`layers/2/op: unknown op "swish"; registered ops: add, …`). A name
// close to a known op gets ` (did you mean "tanh"?)` after either: a misspelling, left as it is.
const UNKNOWN_OP = new RegExp(
  String.raw`(?<!\S)((?:\S+/)?op) must be one of \[[^\]\n]*\], got (${QUOTED})(?! \(did you mean)|(?:(\S+): )?unknown op (${QUOTED}); registered ops: [^\n(]*$`,
  'gm',
);

/**
 * Rewrites each line of a spec or checkpoint report that names an op the registry does not hold
 * (and that is no misspelling of one it does) to say a `--plugin` is missing:
 * `layers/2/op "swish" is not a registered op; load its plugin with --plugin <module>`. Other lines
 * are left as they are, such as a registered op where it may not stand (`loss/op … got "relu"`).
 *
 * @param registry - the registry the command ran with
 * @example
 * ```ts
 * import { defaultRegistry } from '@gradstream/graph';
 * import { hintMissingPlugins } from './plugins.js';
 * hintMissingPlugins('layers/2/op must be one of ["linear","mse"], got "swish"', defaultRegistry);
 * // 'layers/2/op "swish" is not a registered op; load its plugin with --plugin <module>'
 * ```
 */
export function hintMissingPlugins(text: string, registry: Registry): string {
  return text.replace(UNKNOWN_OP, (line: string, path?: string, got?: string, where?: string, name?: string) => {
    const quoted = (got ?? name) as string;
    if (registry.has(JSON.parse(quoted) as string)) return line;
    return `${path ?? where ?? 'op'} ${quoted} is not a registered op; ${HINT}`;
  });
}

/**
 * The error with {@link hintMissingPlugins} applied to its message (same code and details), or
 * the error itself when it names no missing op.
 *
 * @param registry - the registry the command ran with
 * @example
 * ```ts
 * import { defaultRegistry, fromSpec } from '@gradstream/graph';
 * import { withPluginHint } from './plugins.js';
 * try {
 *   fromSpec({ version: 1, inputShape: [1], layers: [{ op: 'swish', features: 1 }], loss: { op: 'mse' } });
 * } catch (e) {
 *   console.error((withPluginHint(e, defaultRegistry) as Error).message);
 *   // invalid model spec:
 *   // layers/0/op "swish" is not a registered op; load its plugin with --plugin <module>
 * }
 * ```
 */
export function withPluginHint(e: unknown, registry: Registry): unknown {
  if (!(e instanceof GradstreamError)) return e;
  const message = hintMissingPlugins(e.message, registry);
  return message === e.message ? e : new GradstreamError(e.code, message, { ...e.details });
}

/** Imports one `--plugin` module: a path (from `cwd`), a file URL, or a package name resolved from `cwd`. */
async function importModule(spec: string, cwd: string): Promise<Record<string, unknown>> {
  const fail = (why: string, cause?: unknown): never => {
    throw new GradstreamError('INVALID_USAGE', `--plugin ${spec}: ${why}`, {
      module: spec,
      ...(cause === undefined ? {} : { cause: cause instanceof Error ? cause.message : String(cause) }),
    });
  };
  let url: string;
  const file = spec.startsWith('file:') ? fileURLToPath(spec) : resolve(cwd, spec);
  const kind = fileKind(file);
  if (spec.startsWith('file:') || spec.startsWith('.') || isAbsolute(spec) || kind === 'file') {
    if (kind === 'none') fail(`cannot load ${file}: no such file`);
    if (kind === 'directory') fail(`cannot load ${file}: it is a directory, not a module file`);
    url = pathToFileURL(file).href;
  } else {
    // A package: resolved from the working directory, like the user's own imports; else from here.
    try {
      url = pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(spec)).href;
    } catch {
      url = spec;
    }
  }
  try {
    return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const notFound = url === spec && (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && message.includes(`'${spec}'`);
    return fail(notFound ? `cannot find the package "${spec}" from ${cwd}; install it there, or give a path (./file.mjs)` : `cannot load it: ${message}`, e);
  }
}

function fileKind(path: string): 'file' | 'directory' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'none';
  }
}

/** The op plugins among a module's exports: named ones, the default export (one or an array), an `ops` array. */
function exportedPlugins(namespace: Record<string, unknown>): RegisteredPlugin[] {
  const found: RegisteredPlugin[] = [];
  const take = (value: unknown, list: boolean): void => {
    if (isPluginLike(value)) found.push(value);
    else if (list && Array.isArray(value)) for (const v of value) take(v, false);
  };
  for (const [name, value] of Object.entries(namespace)) take(value, name === 'default' || name === 'ops');
  // A CommonJS module's exports arrive as the default export: look inside it the same way.
  const cjs = namespace.default;
  if (found.length === 0 && typeof cjs === 'object' && cjs !== null && !Array.isArray(cjs)) {
    for (const [name, value] of Object.entries(cjs)) take(value, name === 'ops');
  }
  return found;
}

/** What a registry takes: a composite, or an op with a name, forward, backward and outputShape. */
function isPluginLike(value: unknown): value is RegisteredPlugin {
  if (isComposite(value)) return true;
  const v = value as Partial<Record<'name' | 'forward' | 'backward' | 'outputShape', unknown>> | null;
  if (typeof v !== 'object' || v === null || typeof v.name !== 'string') return false;
  return typeof v.forward === 'function' && typeof v.backward === 'function' && typeof v.outputShape === 'function';
}
