// Bundles the library for pages with esbuild, then minifies with terser (whose compression and
// frequency-ordered names gzip a few kB smaller than esbuild's own minification), as ES modules
// with source maps that lead back to the TypeScript sources:
//   dist/bundle/gradstream.js         tensor, graph, ops and trainer;
//   dist/bundle/gradstream-wasm.js    the WebAssembly backend;
//   dist/bundle/gradstream-webgpu.js  the WebGPU backend.
// The two backends take everything of @gradstream/tensor from ./gradstream.js, so that a page
// loading them has one backend table and one GradstreamError, and the core stays free of both.
// The packages resolve through their `exports` with the `browser` condition: @gradstream/graph's
// browser entry registers no backend and installs no schema compiler, so gradstream.js holds
// neither backend nor ajv's compiler. Run after `tsc -b` (it reads the packages' dist/).
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { minify } from 'terser';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // es2015: rxjs's modern build (its default one is ES5 with tslib's helpers).
  conditions: ['es2015', 'module'],
  target: 'es2022',
  // esbuild's own minification first (it drops what TypeScript left for types), terser's after.
  minify: true,
  sourcemap: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  write: false,
};

// Split: what is loaded on first use (IndexedDB's module) comes as a chunk of its own.
const core = await build({ ...common, entryPoints: { gradstream: 'src/index.ts' }, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
/** A backend's bundle: its own code, with @gradstream/tensor taken from the core at run time. */
const backendBundle = (name, entry) =>
  build({
    ...common,
    entryPoints: { [name]: entry },
    plugins: [
      {
        name: 'tensor-from-core',
        setup(b) {
          b.onResolve({ filter: /^@gradstream\/tensor$/ }, () => ({ path: './gradstream.js', external: true }));
        },
      },
    ],
  });
const wasm = await backendBundle('gradstream-wasm', 'src/wasm.ts');
const webgpu = await backendBundle('gradstream-webgpu', 'src/webgpu.ts');
const outputs = [...core.outputFiles, ...wasm.outputFiles, ...webgpu.outputFiles];

for (const js of outputs.filter((f) => f.path.endsWith('.js'))) {
  const map = outputs.find((f) => f.path === `${js.path}.map`);
  const name = js.path.slice(outdir.length + 1);
  mkdirSync(dirname(js.path), { recursive: true });
  const out = await minify(js.text, {
    module: true,
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
    sourceMap: { content: map.text, url: `${basename(name)}.map`, includeSources: true },
  });
  writeFileSync(js.path, out.code);
  writeFileSync(map.path, out.map);
  console.log(`dist/bundle/${name}  ${(out.code.length / 1000).toFixed(1)} kB`);
}

// What each file holds, by source: for size reviews (`GRADSTREAM_BUNDLE_META=meta.json`).
if (process.env.GRADSTREAM_BUNDLE_META) {
  writeFileSync(process.env.GRADSTREAM_BUNDLE_META, JSON.stringify({ core: core.metafile, wasm: wasm.metafile, webgpu: webgpu.metafile }));
}
