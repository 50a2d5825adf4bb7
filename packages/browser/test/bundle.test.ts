/**
 * The page bundles as built (`pnpm test` builds them first): within the size budget, self-contained,
 * mapped back to the TypeScript sources, and working — imported as they are, gradstream.js trains
 * XOR on the TypeScript backend and gradstream-wasm.js adds the WebAssembly one; gradstream-webgpu.js
 * registers WebGPU's and, in Node with no GPU given, says why it cannot load. That they train under a
 * strict Content-Security-Policy in Chromium is test/browser-bundle.e2e.test.ts; WebGPU in Chromium,
 * test/webgpu-page.e2e.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { recordFigure } from '../../../test/support/figures.js';

const dir = fileURLToPath(new URL('../dist/bundle/', import.meta.url));
const packages = fileURLToPath(new URL('../../', import.meta.url));
/**
 * tensor + graph + ops + trainer, gzipped at level 9, in bytes (80 kB). It was 60 kB for the
 * multilayer-perceptron ops (59.7 kB used); the layer families (convolution, pooling,
 * normalization, embeddings, GRU, LSTM, attention, two activations and three losses, with their
 * kernels) add 13.7 kB. For scale, in the same install: TensorFlow.js 4.22's tf.min.js is 367 kB
 * gzipped, and tfjs-core with its cpu backend alone (no layers, no training loop) 121 kB.
 */
const CORE_BUDGET = 80_000;

function file(name: string): Buffer {
  const path = dir + name;
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`pnpm run build\` first (it bundles after compiling)`);
  return readFileSync(path);
}

/**
 * What a module imports statically: `import … from "x"` and `import "x"` where a statement starts,
 * as esbuild and terser write them (not the words inside a message, nor a dynamic `import()`).
 */
function importsOf(code: string): string[] {
  return [...code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1] as string);
}

describe('the page bundles', () => {
  it(`gradstream.js is at most ${CORE_BUDGET / 1000} kB gzipped, and imports nothing`, () => {
    const core = file('gradstream.js');
    const gzipped = gzipSync(core, { level: 9 }).length;
    const wasm = gzipSync(file('gradstream-wasm.js'), { level: 9 }).length;
    const webgpu = gzipSync(file('gradstream-webgpu.js'), { level: 9 }).length;
    recordFigure({ kind: 'bundle', coreBytes: core.length, coreGzip: gzipped, wasmGzip: wasm, webgpuGzip: webgpu });
    expect(gzipped).toBeLessThanOrEqual(CORE_BUDGET);
    expect(importsOf(core.toString('utf8'))).toEqual([]);
  });

  it('leaves IndexedDB for a chunk loaded on first use, which imports nothing', () => {
    const lazy = [...file('gradstream.js').toString('utf8').matchAll(/\bimport\(\s*["'](\.\/chunks\/[^"']+)["']\s*\)/g)].map((m) => m[1] as string);
    expect(lazy.map((p) => p.replace(/-\w+\.js$/, ''))).toEqual(['./chunks/indexed-db']);
    for (const path of lazy) {
      const chunk = file(path.slice(2)).toString('utf8');
      expect(importsOf(chunk)).toEqual([]);
      expect(chunk).toContain('gradstream-checkpoints');
    }
  });

  it.each(['gradstream-wasm.js', 'gradstream-webgpu.js'])('%s takes everything else from gradstream.js, so a page has one backend table and one error class', (name) => {
    const imports = importsOf(file(name).toString('utf8'));
    expect(imports.length).toBeGreaterThan(0);
    expect(new Set(imports)).toEqual(new Set(['./gradstream.js']));
  });

  it('carries source maps that lead to the TypeScript sources, with their text', () => {
    for (const name of ['gradstream.js', 'gradstream-wasm.js', 'gradstream-webgpu.js']) {
      expect(file(name).toString('utf8').trimEnd().endsWith(`//# sourceMappingURL=${name}.map`)).toBe(true);
      const map = JSON.parse(file(`${name}.map`).toString('utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      // Relative to the map, as browsers resolve them; the text is in the map too, for a published copy.
      const own = map.sources.map((s) => resolve(dir, s)).filter((s) => s.startsWith(packages) && /\/src\/.+\.ts$/.test(s));
      expect(own.length, name).toBeGreaterThan(5);
      expect(own.filter((s) => !existsSync(s))).toEqual([]);
      expect(map.sourcesContent?.length).toBe(map.sources.length);
    }
    const core = (JSON.parse(file('gradstream.js.map').toString('utf8')) as { sources: string[] }).sources.map((s) => resolve(dir, s));
    expect(core).toContain(resolve(packages, 'trainer/src/run/run.ts'));
    expect(core.filter((s) => s.includes('backend-wasm') || s.includes('backend-webgpu'))).toEqual([]);
    // The browser entry only: nothing of Node's Dawn or of the SwiftShader driver files.
    const webgpu = (JSON.parse(file('gradstream-webgpu.js.map').toString('utf8')) as { sources: string[] }).sources.map((s) => resolve(dir, s));
    expect(webgpu).toContain(resolve(packages, 'backend-webgpu/src/index.ts'));
    expect(webgpu.filter((s) => !s.startsWith(resolve(packages, 'backend-webgpu/src/')) || s.endsWith('/node.ts'))).toEqual([]);
  });

  it('train XOR as imported: on the TypeScript backend alone, then on wasm once gradstream-wasm.js is loaded', async () => {
    type Bundle = typeof import('../src/index.js');
    const g = (await import(pathToFileURL(`${dir}gradstream.js`).href)) as Bundle;
    const xor = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
    const train = async (): Promise<{ backend: string; predictions: number[] }> => {
      const model = g.sequential([g.linear({ inFeatures: 2, outFeatures: 8 }), g.tanh(), g.linear({ inFeatures: 8, outFeatures: 1 }), g.sigmoid()], {
        inputShape: [2],
        loss: g.mse(),
        seed: 3,
      });
      await lastValueFrom(g.fit(model, xor, { epochs: 600, batchSize: 4, optimizer: g.adam({ lr: 0.05 }), shuffle: false }));
      return { backend: model.backend.name, predictions: [...model.predict(xor.x).data].map((p) => Math.round(p)) };
    };
    const ts = await train();
    expect(ts).toEqual({ backend: 'ts', predictions: [0, 1, 1, 0] });
    expect(g.backendSummary(g.sequential([g.sigmoid()], { inputShape: [1], loss: g.mse() }).backend)).toMatch(/wasm not loaded/);

    await import(pathToFileURL(`${dir}gradstream-wasm.js`).href);
    const wasm = await train();
    expect(wasm).toEqual({ backend: 'wasm', predictions: [0, 1, 1, 0] });
  });

  it('gradstream-webgpu.js registers the webgpu backend, and in Node without a GPU rejects with what it tried', async () => {
    type Bundle = typeof import('../src/index.js');
    type WebGpuBundle = typeof import('../src/webgpu.js');
    const g = (await import(pathToFileURL(`${dir}gradstream.js`).href)) as Bundle;
    const w = (await import(pathToFileURL(`${dir}gradstream-webgpu.js`).href)) as WebGpuBundle;
    // Node has no navigator.gpu: the library's error, of gradstream.js's one class, saying so.
    const error = await w.loadWebGpuBackend().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(g.GradstreamError);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { tried: [expect.stringMatching(/^navigator\.gpu: absent/)] } });
    // Registered, not loaded: choosing it by name fails the same way, and 'auto' passes it by.
    const make = (backend: 'webgpu' | 'auto') => g.sequential([g.sigmoid()], { inputShape: [1], loss: g.mse(), backend });
    expect(() => make('webgpu')).toThrow(expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }));
    expect(make('auto').backend.name).not.toBe('webgpu');
  });
});
