import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The package's own folder, from `src/server` (tests) and from `dist/server` (the start script) alike. */
export const packageDir = fileURLToPath(new URL('../../', import.meta.url));

const require = createRequire(import.meta.url);

/**
 * Resolves `@gradstream/x` (and `@gradstream/x/entry`) to the TypeScript source of that package's browser entry (its
 * `exports` under the `browser` condition, else its main one), found through its installed
 * `package.json`, so the page is always built from the current code and needs no `dist` of the
 * libraries. Browser entries load no backend and no schema compiler of their own: the worker
 * imports the wasm backend itself.
 */
const gradstreamSources: Plugin = {
  name: 'gradstream-sources',
  setup(b) {
    b.onResolve({ filter: /^@gradstream\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
      const [scope, name, subpath] = args.path.split('/');
      const manifest = require.resolve(`${scope}/${name}/package.json`);
      const exports = (require(manifest) as { exports: Record<string, { browser?: string; default: string } | undefined> }).exports;
      const entry = exports[subpath === undefined ? '.' : `./${subpath}`];
      if (entry === undefined) return { errors: [{ text: `${args.path}: its package exports no such entry` }] };
      const built = entry.browser ?? entry.default;
      return { path: join(dirname(manifest), built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')) };
    });
  },
};

/**
 * Bundles the page (`main.js`, `main.css`) and the training worker (`worker.js`) from their
 * TypeScript sources into `outdir`, with `index.html` beside them. Fails if a bundle would import
 * a Node built-in: that would mean a library's browser entry pulled in Node-only code.
 */
export async function buildDashboard(outdir: string): Promise<void> {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { main: join(packageDir, 'src/page/main.ts'), worker: join(packageDir, 'src/worker/worker.ts') },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    // Node-only modules of a library (digit files, checkpoint files) are left out by tree-shaking;
    // marking them external lets the bundler get that far, and the check below proves they went.
    external: ['node:*'],
    plugins: [gradstreamSources],
    metafile: true,
    logLevel: 'silent',
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const leaked = output.imports.filter((i) => i.external).map((i) => i.path);
    if (leaked.length > 0) throw new Error(`${file} imports ${leaked.join(', ')}, which a browser cannot load`);
  }
  await copyFile(join(packageDir, 'static/index.html'), join(outdir, 'index.html'));
}
