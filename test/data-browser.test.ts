/**
 * `@gradstream/data` runs in a browser: bundled as a web app's bundler would bundle it (esbuild,
 * platform `browser`: browser conditions, no Node built-ins to fall back on), then run in a fresh
 * V8 context that holds the standard JavaScript globals and the few web ones it is given — no
 * `Buffer`, `process` or `require`. packages/data/test/browser-safe.test.ts checks the imports;
 * this checks that what they bring runs.
 */
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { root } from './support/doc-blocks.js';
import { packageSourcesPlugin } from './support/package-sources.js';

/** The bundle of `@gradstream/data` as a script that sets the global `gradstreamData`. */
async function browserBundle(): Promise<string> {
  const result = await build({
    stdin: { contents: "export * from '@gradstream/data';", resolveDir: join(root, 'test'), loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'gradstreamData',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [packageSourcesPlugin(root)],
  });
  return (result.outputFiles[0] as { text: string }).text;
}

/** What the page computes, as JSON (values made in another context are compared as plain data). */
const PAGE = `(async () => {
  const { parseCsv, splitColumns, parseJsonSamples, shuffled, fitNormalization } = gradstreamData;
  const table = parseCsv('x1,x2,y\\n0,1,1\\n"1";1;0\\n', 'xor.csv');
  const order = [];
  for await (const v of shuffled([1, 2, 3, 4, 5, 6, 7, 8], { buffer: 4, seed: 1 })) order.push(v);
  let error;
  try {
    parseCsv('1,2\\n3,abc\\n', 'bad.csv');
  } catch (e) {
    error = { name: e.name, code: e.code, message: e.message };
  }
  return JSON.stringify({
    globals: [typeof Buffer, typeof process, typeof require],
    header: table.header,
    y: splitColumns(table, 2, 1).y,
    json: parseJsonSamples('[{"x":[0,1],"y":1}]', 'a.json').x,
    normalize: fitNormalization([[1], [3]], 'minmax'),
    order,
    error,
  });
})()`;

describe('@gradstream/data in a browser', () => {
  it('bundles for the browser and runs where there is no Buffer, process or require', { timeout: 60_000 }, async () => {
    const context = createContext({ console, TextEncoder, TextDecoder, queueMicrotask, setTimeout, clearTimeout });
    runInContext(await browserBundle(), context);
    const page = JSON.parse(await (runInContext(PAGE, context) as Promise<string>)) as Record<string, unknown>;
    expect(page).toEqual({
      globals: ['undefined', 'undefined', 'undefined'],
      header: ['x1', 'x2', 'y'],
      y: [[1], [0]],
      json: [[0, 1]],
      normalize: { method: 'minmax', min: [1], max: [3] },
      // The order seed 1 gives in Node too (packages/data/test/shuffle.test.ts checks it against Rng).
      order: [4, 5, 2, 3, 7, 6, 1, 8],
      error: { name: 'GradstreamError', code: 'INVALID_DATA', message: 'bad.csv, row 2 (line 2), column 2: "abc" is not a number' },
    });
  });
});
