import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom } from 'rxjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGIT_PIXELS, digits } from '@gradstream/datasets/digits';
import { sequential, type Model } from '@gradstream/graph';
import { dropout, linear, relu, softmaxCrossEntropy } from '@gradstream/ops';
import { toOnnx } from '@gradstream/onnx';
import { Tensor } from '@gradstream/tensor';
import { adam, fit } from '@gradstream/trainer';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { recordFigure } from './support/figures.js';
import { servePages, type PageServer } from './support/local-server.js';

/* The digits model, exported with toOnnx, runs in onnxruntime-web in a real browser (headless
   Chromium, test/support/chromium.ts) and gives gradstream's outputs. The network is the one
   examples/digits builds (784 → linear 128 → ReLU → dropout → linear 10, softmax cross-entropy),
   trained briefly on real digits; 64 held-out digits go to the page, which runs the model in
   onnxruntime-web's wasm execution provider, single-threaded (test/support/onnx-web-page.js), and
   reports the outputs in a console message. The runtime is onnxruntime-web's dist folder as
   installed, served file by file. */

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGE_SCRIPT = join(root, 'test/support/onnx-web-page.js');
/** onnxruntime-web's browser builds and runtime files, found through the package's own exports. */
const ORT_DIST = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
/** What the page loads from that folder: the wasm-only ESM build, and the runtime it imports and instantiates. */
const ORT_NEEDED = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
/** The page's one console message carrying its report (see onnx-web-page.js). */
const REPORT_PREFIX = 'gradstream-onnx-web-report ';
const HTML = '<!doctype html><meta charset="utf-8"><title>gradstream onnx-web</title><script type="module" src="/onnx-web-page.js"></script>';

/** Held-out digits the page runs the model on. */
const SAMPLES = 64;
/** Training: 4096 digits, 4 epochs of 64-digit steps (256 steps). */
const TRAIN = 4096;
const EPOCHS = 4;
const BATCH = 64;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};
const contentType = (name: string): string => CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/** The architecture of examples/digits/src/model.ts (`digitsModel()`), with its defaults. */
function digitsModel(seed: number): Model {
  return sequential(
    [linear({ inFeatures: DIGIT_PIXELS, outFeatures: 128 }), relu(), dropout({ rate: 0.1 }), linear({ inFeatures: 128, outFeatures: 10 })],
    { inputShape: [DIGIT_PIXELS], loss: softmaxCrossEntropy(), seed, backend: 'auto' },
  );
}

const argmax = (values: ArrayLike<number>, from: number, width: number): number => {
  let best = 0;
  for (let j = 1; j < width; j++) if ((values[from + j] as number) > (values[from + best] as number)) best = j;
  return best;
};

let server: PageServer | undefined;
let origin = '';
let browser: Browser | undefined;
let model: Model;
let x: Tensor;
let labels: number[];
let onnxBytes: number;
let ortVersion = '';
const prepareMs: Record<string, number> = {};

beforeAll(async () => {
  const started = performance.now();
  // The runtime's files, by name, listed once: only these are served under /ort/, read-only, so no
  // request path reaches the file system.
  const ortNames = new Set((await readdir(ORT_DIST, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name));
  const missing = ORT_NEEDED.filter((n) => !ortNames.has(n));
  if (missing.length > 0) throw new Error(`onnxruntime-web's dist (${ORT_DIST}) lacks ${missing.join(', ')}: run \`pnpm install\``);
  const [pageScript, ortPackage] = await Promise.all([readFile(PAGE_SCRIPT), readFile(join(ORT_DIST, '../package.json'), 'utf8'), chromiumPath()]);
  ortVersion = (JSON.parse(ortPackage) as { version: string }).version;

  let t = performance.now();
  const { train, test } = digits({ seed: 0, train: TRAIN, test: SAMPLES });
  prepareMs.digitsMs = Math.round(performance.now() - t);

  t = performance.now();
  model = digitsModel(0);
  const end = await lastValueFrom(fit(model, train, { epochs: EPOCHS, batchSize: BATCH, optimizer: adam({ lr: 0.003 }), seed: 0 }));
  if (end.type !== 'end' || end.reason !== 'completed') throw new Error(`digits training did not complete: ${end.type}`);
  prepareMs.trainMs = Math.round(performance.now() - t);

  t = performance.now();
  const bytes = toOnnx(model);
  onnxBytes = bytes.length;
  prepareMs.exportMs = Math.round(performance.now() - t);

  x = Tensor.from(test.x.flat(), { shape: [SAMPLES, DIGIT_PIXELS] });
  labels = test.y.map((y) => y.indexOf(1));
  // float32 values written as JSON numbers read back as the same float32 values in the page.
  const inputs = JSON.stringify({ shape: [...x.shape], data: Array.from(x.data) });

  server = await servePages(async (path) => {
    if (path === '/') return { type: 'text/html; charset=utf-8', body: HTML };
    if (path === '/onnx-web-page.js') return { type: 'text/javascript; charset=utf-8', body: pageScript };
    if (path === '/model.onnx') return { type: 'application/octet-stream', body: bytes };
    if (path === '/inputs.json') return { type: 'application/json', body: inputs };
    const name = path.slice('/ort/'.length);
    if (path.startsWith('/ort/') && ortNames.has(name)) return { type: contentType(name), body: await readFile(join(ORT_DIST, name)) };
    return undefined;
  });
  origin = server.origin;
  prepareMs.beforeAllMs = Math.round(performance.now() - started);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What onnx-web-page.js reports. */
interface PageReport {
  readonly failed?: { readonly name?: string; readonly message: string };
  readonly stack?: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly outputs: Readonly<Record<string, { readonly type: string; readonly dims: readonly number[]; readonly data: readonly number[] }>>;
  readonly timings: Readonly<Record<string, number>>;
}

describe('the exported digits model in onnxruntime-web (headless Chromium, wasm, one thread)', () => {
  it("gives gradstream's predictions on 64 real digits", async () => {
    browser ??= await launchChromium('the onnxruntime-web test');
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    const consoleMessages: { type: string; text: string }[] = [];
    const failedResponses: string[] = [];
    const requested: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
    page.on('console', (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
    page.on('requestfailed', (r) => failedResponses.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));
    page.on('response', (r) => {
      requested.push(r.url());
      if (r.status() >= 400) failedResponses.push(`${r.url()}: ${r.status()}`);
    });
    const reported = page.waitForEvent('console', { predicate: (m) => m.text().startsWith(REPORT_PREFIX), timeout: 30_000 });
    const started = performance.now();
    await page.goto(`${origin}/`);
    const report = JSON.parse((await reported).text().slice(REPORT_PREFIX.length)) as PageReport;
    const wallMs = Math.round(performance.now() - started);
    await page.close();

    expect(report.failed, `the page failed: ${report.failed?.message}\n${report.stack ?? ''}`).toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(failedResponses).toEqual([]);
    expect(consoleMessages.filter((m) => m.type === 'error')).toEqual([]);
    // The runtime came from the served dist folder: the build, then the runtime's module and wasm.
    for (const name of ORT_NEEDED) expect(requested).toContain(`${origin}/ort/${name}`);

    // The graph's interface as toOnnx writes it: input x, the prediction named after the output node.
    expect(report.inputNames).toEqual(['x']);
    expect(report.outputNames).toEqual([model.output]);
    const got = report.outputs[model.output]!;
    expect(got.type).toBe('float32');
    expect(got.dims).toEqual([SAMPLES, 10]);

    const want = model.predict(x);
    expect(want.shape).toEqual([SAMPLES, 10]);
    expect(got.data.length).toBe(want.size);
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < want.size; i++) {
      scale = Math.max(scale, Math.abs(want.data[i] as number));
      worst = Math.max(worst, Math.abs((got.data[i] as number) - (want.data[i] as number)));
    }
    expect(scale).toBeGreaterThan(0);
    const relative = worst / scale;
    expect(relative, `max |ort - gradstream| = ${worst} over an output scale of ${scale}`).toBeLessThanOrEqual(1e-5);

    const ours = labels.map((_, r) => argmax(want.data, r * 10, 10));
    const theirs = labels.map((_, r) => argmax(got.data, r * 10, 10));
    expect(theirs).toEqual(ours);
    // The weights that went over are the trained ones: the held-out digits are mostly recognised
    // (chance is 10%; this short run scores about 90%).
    const correct = theirs.filter((p, r) => p === labels[r]).length;
    expect(correct / SAMPLES).toBeGreaterThan(0.7);

    recordFigure({
      kind: 'onnx-web',
      runtime: `onnxruntime-web ${ortVersion} wasm, 1 thread`,
      samples: SAMPLES,
      onnxBytes,
      maxAbsDiff: worst,
      relativeDiff: relative,
      outputScale: scale,
      accuracy: correct / SAMPLES,
      importMs: report.timings.importMs ?? 0,
      sessionCreateMs: report.timings.sessionCreateMs ?? 0,
      runMs: report.timings.runMs ?? 0,
      secondRunMs: report.timings.secondRunMs ?? 0,
      wallMs,
      ...prepareMs,
    });
  }, 45_000);
});
