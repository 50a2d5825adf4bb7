import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * Every `@gradstream/*` specifier a user can import (each package's `exports`, subpaths included),
 * mapped to the TypeScript source its published `types` are built from: `./dist/x.d.ts` comes from
 * `./src/x.ts`. Vitest, the docs' type-check and the docs' runs all resolve through this one map,
 * so none can reach a file the packages do not export, and a new export needs no edit here.
 */
export function packageSources(root: string): Record<string, string> {
  const sources: Record<string, string> = {};
  // Examples are workspace packages too: one example may build on another's exports.
  const dirs = ['packages', 'examples'].flatMap((group) => readdirSync(join(root, group)).sort().map((dir) => join(group, dir)));
  for (const dir of dirs) {
    let pkg: { name: string; exports?: Record<string, unknown> };
    try {
      pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue; // not a package (a stray file or folder)
    }
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const types = typeof target === 'object' && target !== null ? (target as { types?: string }).types : undefined;
      if (types === undefined) continue; // ./package.json and the like
      const source = types.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts');
      sources[sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`] = join(root, dir, source);
    }
  }
  return sources;
}

/**
 * An esbuild plugin resolving `@gradstream/*` to the packages' sources through {@link packageSources},
 * so a bundle made in a test sees the code the tests see; a specifier no package exports fails the build.
 */
export function packageSourcesPlugin(root: string): Plugin {
  const sources = packageSources(root);
  return {
    name: 'gradstream-sources',
    setup(b) {
      b.onResolve({ filter: /^@gradstream\// }, (args) => {
        const path = sources[args.path];
        return path !== undefined ? { path } : { errors: [{ text: `${args.path} is not exported by any package` }] };
      });
    },
  };
}
