import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromCheckpoint, parseCheckpoint, type Model } from '@gradstream/graph';
import { fromOnnx } from '@gradstream/onnx';
import '@gradstream/ops';
import { Tensor } from '@gradstream/tensor';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaticServer } from '../src/server/serve.js';
import { startDashboard } from '../src/server/start.js';
import { checkSettings, fromQuery } from '../src/shared/settings.js';
import { toyData } from '../src/worker/network.js';
// The custom op the page offers after a hidden layer: a checkpoint that uses it needs it registered.
import '../src/worker/plugins.js';
import { CHROMIUM_ARGS, WEBGPU_CHROMIUM_ARGS, chromiumPath, launchChromium } from '../../../test/support/chromium.js';

/* The page as a person uses it, in headless Chromium: every control, the run's buttons, invalid
   fields, a browser language Intl refuses, a phone's screen, links that carry the settings, the
   downloads and the lesson. Every page fails its scenario on any page error, console error or
   console warning, and leaves a screenshot in test/screenshots/ for people to look at. */

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
/** Cross-entropy of two classes starts near ln 2 ≈ 0.69; this is well on the way to fitting the set. */
const LOSS_BELOW = 0.1;
/** The training accuracy a data set's defaults reach, and the longest a person should wait for it. */
const ACCURACY = 0.95;
const ACCURACY_WITHIN_MS = 20_000;
/** Points per toy set (SAMPLES in src/worker/network.ts). */
const POINTS = 400;

/** WebGPU on SwiftShader: the default arguments without --disable-gpu, which would take WebGPU away. */
const WEBGPU_ARGS = [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), ...WEBGPU_CHROMIUM_ARGS];

let server: StaticServer | undefined;
let browser: Browser | undefined;
/** A second Chromium, with WebGPU, launched by the first scenario that needs it. */
let gpuBrowser: Browser | undefined;
let outdir: string | undefined;
let downloads: string | undefined;

beforeAll(async () => {
  // The browser (test/support/chromium.ts): extracted here, so the tests' own time is the page's.
  await chromiumPath();
  outdir = await mkdtemp(join(tmpdir(), 'gradstream-dashboard-'));
  downloads = await mkdtemp(join(tmpdir(), 'gradstream-dashboard-downloads-'));
  server = await startDashboard({ outdir, port: 0 });
  browser = await launchChromium('the dashboard test');
  await mkdir(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await gpuBrowser?.close();
  await browser?.close();
  await server?.close();
  for (const dir of [outdir, downloads]) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A page of the dashboard and what went wrong in it. */
interface Opened {
  readonly page: Page;
  readonly errors: string[];
}

interface OpenOptions {
  readonly query?: string;
  readonly width?: number;
  readonly height?: number;
  /**
   * The browser's language. In a minimal container this Chromium reports `en-US@posix`, which the
   * page copes with (the bad-locale scenario); the others pin a usual one so they test one thing.
   */
  readonly locale?: string | undefined;
  readonly init?: () => void;
  /** Whether a run is to be drawn: a link with an invalid value builds none. */
  readonly drawn?: boolean;
  /** The Chromium to open it in (default: the one without WebGPU). */
  readonly browser?: Browser;
}

/** Opens the page and waits until the worker has said hello and the first run is drawn. */
async function open(options: OpenOptions = {}): Promise<Opened> {
  const { query = '', width = 1280, height = 800, init, drawn = true } = options;
  const locale = 'locale' in options ? options.locale : 'en-US';
  const page = await (options.browser ?? (browser as Browser)).newPage({ viewport: { width, height }, ...(locale === undefined ? {} : { locale }) });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  if (init !== undefined) await page.addInitScript(init);
  await page.goto(`${(server as StaticServer).url}${query}`);
  await poll(() => text(page, 'backend-in-use'), 10_000).not.toBe('–');
  if (drawn) await poll(() => units(page), 10_000).toBeGreaterThan(0);
  return { page, errors };
}

/** Keeps the scenario's screenshot, then fails it on anything the page reported. */
async function finish({ page, errors }: Opened, scenario: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${scenario}.png`) });
  expect(errors).toEqual([]);
  await page.close();
}

const poll = <T>(read: () => Promise<T>, timeout = 5_000) => expect.poll(read, { timeout, interval: 50 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const attr = async (page: Page, testId: string, name: string): Promise<string> => (await page.getByTestId(testId).getAttribute(name)) ?? '';
const text = async (page: Page, testId: string): Promise<string> => (await page.getByTestId(testId).textContent()) ?? '';
/** A figure the page shows, as its `data-value` holds it (NaN while it shows a dash). */
const figure = async (page: Page, testId: string): Promise<number> => Number((await attr(page, testId, 'data-value')) || Number.NaN);
const steps = (page: Page): Promise<number> => figure(page, 'step-count');
const state = (page: Page): Promise<string> => attr(page, 'state', 'data-state');
/** Batch losses the page has received, as its loss chart counts them. */
const points = async (page: Page): Promise<number> => Number(await attr(page, 'loss-chart', 'data-points'));
const shownPoints = async (page: Page): Promise<number> => Number(await attr(page, 'boundary', 'data-points'));
/** Units drawn in the network, in one column (0 is the input features) or in all. */
const units = (page: Page, column?: number): Promise<number> =>
  page.locator(column === undefined ? '[data-testid="unit"]' : `[data-testid="unit"][data-column="${column}"]`).count();
const enabled = (page: Page, testId: string): Promise<boolean> => page.getByTestId(testId).isEnabled();
const options = (page: Page, testId: string): Promise<string[]> => page.getByTestId(testId).locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

/** Types into a text field and leaves it, as a person commits a value. */
async function commit(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Tab');
}

/** Presses Start and waits until batches arrive. */
async function start(page: Page): Promise<void> {
  await page.getByTestId('start').click();
  await poll(() => state(page)).toBe('running');
  await poll(() => steps(page)).toBeGreaterThan(0);
}

/** A change threw the run away: a fresh one stands ready at step 0. */
async function rebuilt(page: Page): Promise<void> {
  await poll(() => state(page)).toBe('ready');
  await poll(() => steps(page)).toBe(0);
}

/** The run goes on: steps keep coming and none is lost on the way. */
async function keepsRunning(page: Page, after: number): Promise<number> {
  await poll(() => steps(page)).toBeGreaterThan(after + 20);
  expect(await state(page)).toBe('running');
  return steps(page);
}

/** The buttons' enabled state, in order: start, pause, resume, step. */
const buttons = (page: Page): Promise<boolean[]> => Promise.all(['start', 'pause', 'resume', 'step'].map((b) => enabled(page, b)));

/** A download's file, saved into the test's temp directory. */
async function download(page: Page, testId: string): Promise<{ readonly name: string; readonly path: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = join(downloads as string, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path };
}

/** Which of two classes a model picks for each row. */
function classes(model: Model, rows: readonly (readonly number[])[]): number[] {
  const out = model.predict(Tensor.from(rows.map((r) => [...r]))).toArray() as number[][];
  return out.map((logits) => ((logits[1] as number) > (logits[0] as number) ? 1 : 0));
}

describe('the dashboard in headless Chromium', () => {
  it('trains in the worker, pauses, steps one batch, resumes', async () => {
    const opened = await open();
    const { page } = opened;
    // Served cross-origin isolated: the worker trains on the WebAssembly backend with shared memory, on every core.
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(await text(page, 'backend-in-use')).toBe(`wasm: WebAssembly SIMD128, ${cores} thread${cores === 1 ? '' : 's'}`);

    await page.getByTestId('dataset').selectOption('xorCloud');
    // The 2-8-8-2 network of the default settings: 2·8 + 8·8 + 8·2 weights, one line each (the
    // output is drawn as one unit, met by one line per weight of each logit).
    await poll(() => page.locator('#network line').count()).toBe(96);
    expect(await units(page)).toBe(2 + 8 + 8 + 1);
    expect(await buttons(page)).toEqual([true, false, false, true]);
    await start(page);
    expect(await buttons(page)).toEqual([true, true, false, false]);
    expect(await text(page, 'start')).toBe('Reset');

    // The test points' loss arrives with the first epoch.
    await poll(() => attr(page, 'test-loss', 'data-value')).not.toBe('');
    expect(Number.isFinite(await figure(page, 'test-loss'))).toBe(true);
    expect(Number.isFinite(Number((await attr(page, 'loss-chart', 'data-test-loss')) || Number.NaN))).toBe(true);
    await poll(() => figure(page, 'loss'), 30_000).toBeLessThan(LOSS_BELOW);

    await page.getByTestId('pause').click();
    await poll(() => state(page)).toBe('paused');
    expect(await buttons(page)).toEqual([true, false, true, true]);
    const paused = await points(page);
    // One point per batch, none lost on the way: the count is the step number.
    expect(await steps(page)).toBe(paused);
    await sleep(1000);
    expect(await points(page), 'loss points arrived while paused').toBe(paused);

    await page.getByTestId('step').click();
    await poll(() => points(page)).toBe(paused + 1);
    await sleep(500);
    expect(await points(page), 'one step trains exactly one batch').toBe(paused + 1);
    expect(await steps(page)).toBe(paused + 1);
    // The boundary is recomputed for the stepped weights even though training stands still.
    await poll(async () => Number(await attr(page, 'boundary', 'data-step'))).toBe(paused + 1);

    await page.getByTestId('resume').click();
    await poll(() => state(page)).toBe('running');
    await poll(() => points(page), 10_000).toBeGreaterThan(paused + 200);
    // One gradient-norm series per linear layer of 2-8-8-2.
    expect(await page.locator('#norms-chart .u-legend .u-series').count()).toBe(3);
    // The name README.md shows this picture under.
    await finish(opened, 'dashboard');
  }, 60_000);

  it('learns each classification set to 95 % training accuracy within seconds with its defaults', async () => {
    for (const dataset of ['circles', 'xorCloud', 'moons', 'spirals']) {
      const opened = await open();
      const { page } = opened;
      await page.getByTestId('dataset').selectOption(dataset);
      // The set's preset features: x and y, the spirals all seven.
      await poll(() => units(page, 0)).toBe(dataset === 'spirals' ? 7 : 2);
      const clicked = Date.now();
      await page.getByTestId('start').click();
      await page.waitForFunction((at) => Number(document.querySelector<HTMLElement>('[data-testid="accuracy"]')?.dataset['value'] || 0) >= at, ACCURACY, {
        timeout: ACCURACY_WITHIN_MS,
        polling: 50,
      });
      const seconds = (Date.now() - clicked) / 1000;
      console.log(`${dataset}: ${(ACCURACY * 100).toFixed(0)} % training accuracy after ${seconds.toFixed(1)} s, ${await steps(page)} steps`);
      expect(seconds * 1000).toBeLessThanOrEqual(ACCURACY_WITHIN_MS);
      await finish(opened, `defaults-${dataset}`);
    }
  }, 100_000);

  it('data controls: problem, data set, noise, training share, test points and features', async () => {
    const opened = await open();
    const { page } = opened;

    // Regression offers its own sets and trains without an accuracy.
    await page.getByTestId('problem').selectOption('regression');
    expect(await options(page, 'dataset')).toEqual(['plane', 'gaussians']);
    await poll(() => text(page, 'boundary-hint')).toContain('prediction');
    await page.getByTestId('dataset').selectOption('gaussians');
    await start(page);
    await poll(() => attr(page, 'test-loss', 'data-value')).not.toBe('');
    expect(Number.isFinite(await figure(page, 'test-loss'))).toBe(true);
    expect(await text(page, 'accuracy')).toBe('–');
    expect(await text(page, 'test-accuracy')).toBe('–');
    expect(await text(page, 'message')).toBe('');

    await page.getByTestId('problem').selectOption('classification');
    expect(await options(page, 'dataset')).toEqual(['circles', 'xorCloud', 'moons', 'spirals']);
    expect(await page.getByTestId('dataset').inputValue()).toBe('circles');
    await rebuilt(page);

    // Sliders: the value beside them follows, and a committed value builds a new run.
    await start(page);
    await page.getByTestId('noise').fill('0.3');
    expect(await text(page, 'noise-value')).toBe('0.3');
    await rebuilt(page);

    // Only the training points are drawn, unless the test points are asked for.
    expect(await shownPoints(page)).toBe(POINTS / 2);
    await start(page);
    await page.getByTestId('trainRatio').fill('0.3');
    expect(await text(page, 'trainRatio-value')).toBe('30 % train');
    await rebuilt(page);
    await poll(() => shownPoints(page)).toBe(Math.round(POINTS * 0.3));
    await page.getByTestId('show-test').check();
    await poll(() => shownPoints(page)).toBe(POINTS);
    await page.getByTestId('show-test').uncheck();
    await poll(() => shownPoints(page)).toBe(Math.round(POINTS * 0.3));

    // Each feature is an input unit.
    expect(await units(page, 0)).toBe(2);
    const more = ['xSquared', 'ySquared', 'xTimesY', 'sinX', 'sinY'];
    for (const [i, feature] of more.entries()) {
      await page.getByTestId(`feature-${feature}`).check();
      await poll(() => units(page, 0)).toBe(3 + i);
    }
    await page.getByTestId('feature-x').uncheck();
    await page.getByTestId('feature-y').uncheck();
    await poll(() => units(page, 0)).toBe(more.length);
    for (const feature of more) await page.getByTestId(`feature-${feature}`).uncheck();
    // None left: the page says so and does not start.
    expect(await text(page, 'error-features')).toContain('at least one');
    await poll(() => enabled(page, 'start')).toBe(false);
    await page.getByTestId('feature-sinX').check();
    await poll(() => units(page, 0)).toBe(1);
    expect(await text(page, 'error-features')).toBe('');
    await start(page);
    await finish(opened, 'controls-data');
  }, 40_000);

  it('network controls: the op after each hidden layer, and layers and units added and removed', async () => {
    const opened = await open();
    const { page } = opened;

    // Built-in ops and the custom plugin.
    const ops = await options(page, 'activation');
    expect(ops).toContain('swish');
    expect(ops).toContain('gelu');
    expect(ops).toContain('tanh');
    await page.getByTestId('activation').selectOption('swish');
    await poll(() => page.locator('#network').textContent()).toContain('swish');
    await start(page);
    await keepsRunning(page, await steps(page));
    expect(await text(page, 'message')).toBe('');

    const hidden = (): Promise<string> => page.getByTestId('hidden').inputValue();
    await page.getByTestId('add-layer').click();
    expect(await hidden()).toBe('8, 8, 8');
    await poll(() => units(page, 3)).toBe(8);
    await rebuilt(page);
    await page.getByTestId('add-unit-0').click();
    expect(await hidden()).toBe('9, 8, 8');
    await poll(() => units(page, 1)).toBe(9);
    await page.getByTestId('remove-unit-0').click();
    await poll(() => units(page, 1)).toBe(8);
    await page.getByTestId('remove-unit-0').click();
    await poll(() => units(page, 1)).toBe(7);
    expect(await hidden()).toBe('7, 8, 8');
    await page.getByTestId('remove-layer').click();
    await poll(() => units(page)).toBe(2 + 7 + 8 + 1);
    await page.getByTestId('remove-layer').click();
    await poll(() => units(page)).toBe(2 + 7 + 1);
    await page.getByTestId('remove-layer').click();
    // No hidden layer: the features meet the output directly.
    await poll(() => units(page)).toBe(2 + 1);
    expect(await hidden()).toBe('');
    expect(await enabled(page, 'remove-layer')).toBe(false);
    await page.getByTestId('add-layer').click();
    await poll(() => units(page)).toBe(2 + 4 + 1);
    expect(await hidden()).toBe('4');
    await start(page);
    await finish(opened, 'controls-network');
  }, 40_000);

  it('training controls: optimizer, learning rate, regularization, batch size, seed, speed and the buttons', async () => {
    const opened = await open();
    const { page } = opened;

    expect(await options(page, 'optimizer')).toEqual(['adam', 'momentum', 'sgd']);
    await start(page);
    await page.getByTestId('optimizer').selectOption('momentum');
    await rebuilt(page);

    // Live settings reach the running run; it is not built again.
    await start(page);
    let at = await steps(page);
    await commit(page, 'lr', '0.1');
    at = await keepsRunning(page, at);
    await page.getByTestId('regularization').selectOption('l1');
    await commit(page, 'regularizationRate', '0.01');
    at = await keepsRunning(page, at);
    await poll(() => figure(page, 'test-loss'), 10_000).toBeLessThan(0.3);
    await page.getByTestId('regularization').selectOption('l2');
    await commit(page, 'regularizationRate', '0.5');
    at = await keepsRunning(page, at);
    // The penalty drives every weight towards 0, and a network of zero weights says ½ for every
    // point: a test loss of ln 2 ≈ 0.69, in the same run.
    await poll(() => figure(page, 'test-loss'), 10_000).toBeGreaterThan(0.6);
    await keepsRunning(page, at);
    expect(Number.isFinite(await figure(page, 'loss'))).toBe(true);
    expect(new URL(page.url()).searchParams.get('regularizationRate')).toBe('0.5');

    // Batch size and seed build a new run.
    await commit(page, 'batchSize', '32');
    await rebuilt(page);
    await start(page);
    await commit(page, 'seed', '11');
    await rebuilt(page);

    // A speed limit holds the run to about that many batches a second.
    await page.getByTestId('speed').selectOption('20');
    await start(page);
    await sleep(300);
    const before = await steps(page);
    await sleep(1000);
    const perSecond = (await steps(page)) - before;
    expect(perSecond).toBeGreaterThanOrEqual(10);
    expect(perSecond).toBeLessThanOrEqual(40);

    // Which buttons make sense in each state: start, pause, resume, step.
    expect(await buttons(page)).toEqual([true, true, false, false]);
    await page.getByTestId('pause').click();
    await poll(() => state(page)).toBe('paused');
    expect(await buttons(page)).toEqual([true, false, true, true]);
    await page.getByTestId('resume').click();
    await poll(() => state(page)).toBe('running');
    expect(await buttons(page)).toEqual([true, true, false, false]);
    // Reset: a fresh run, ready to start or to step from its first batch.
    await page.getByTestId('start').click();
    await rebuilt(page);
    expect(await buttons(page)).toEqual([true, false, false, true]);
    expect(await text(page, 'start')).toBe('Start');
    await finish(opened, 'controls-training');
  }, 40_000);

  it('blocks Start while a field is invalid, and keeps the running run', async () => {
    const opened = await open();
    const { page } = opened;
    await start(page);
    let at = await steps(page);

    const invalid = async (field: string, value: string, says: string): Promise<void> => {
      // The message comes as one types; leaving the field changes nothing more.
      await page.getByTestId(field).fill(value);
      expect(await text(page, `error-${field}`)).toContain(says);
      await page.getByTestId(field).press('Tab');
      expect(await text(page, `error-${field}`)).toContain(says);
      expect(await attr(page, field, 'aria-invalid')).toBe('true');
      await poll(() => enabled(page, 'start')).toBe(false);
      expect(await text(page, 'blocked')).toMatch(/^Fix the .*to start\.$/);
      // The run goes on with the settings it was built with.
      at = await keepsRunning(page, at);
      expect(await units(page, 1)).toBe(8);
    };
    await invalid('hidden', '8, x', '"x"');
    await invalid('lr', '-1', 'Between');
    await invalid('lr', '0,03', 'dot');
    await invalid('batchSize', '0', 'Between 1');
    expect(await text(page, 'blocked')).toBe('Fix the 3 marked fields to start.');

    for (const [field, value] of [['hidden', '8, 8'], ['lr', '0.03'], ['batchSize', '16']] as const) {
      await commit(page, field, value);
      expect(await text(page, `error-${field}`)).toBe('');
      expect(await attr(page, field, 'aria-invalid')).toBe('false');
    }
    expect(await text(page, 'blocked')).toBe('');
    await poll(() => enabled(page, 'start')).toBe(true);
    // Fixed back to the run's own settings: nothing to build again.
    await keepsRunning(page, at);
    await finish(opened, 'invalid-field');
  }, 30_000);

  it('loads and trains when the browser reports a language Intl refuses', async () => {
    const opened = await open({
      locale: undefined,
      init: () => {
        Object.defineProperty(Navigator.prototype, 'language', { get: () => 'en-US@posix', configurable: true });
        Object.defineProperty(Navigator.prototype, 'languages', { get: () => ['en-US@posix'], configurable: true });
      },
    });
    const { page } = opened;
    // The language is the bad one, and Intl does refuse it.
    expect(await page.evaluate(() => navigator.languages[0])).toBe('en-US@posix');
    expect(
      await page.evaluate(() => {
        try {
          new Intl.NumberFormat('en-US@posix');
          return 'accepted';
        } catch (e) {
          return (e as Error).name;
        }
      }),
    ).toBe('RangeError');

    await start(page);
    await poll(() => attr(page, 'test-loss', 'data-value')).not.toBe('');
    await poll(() => attr(page, 'accuracy', 'data-value')).not.toBe('');
    // Numbers written with a dot, whatever the language.
    expect(await text(page, 'loss')).toMatch(/^\d+(\.\d+)?(e-\d+)?$/);
    expect(await text(page, 'test-loss')).toMatch(/^\d+(\.\d+)?(e-\d+)?$/);
    expect(await text(page, 'accuracy')).toMatch(/^\d+\.\d %$/);
    expect(await text(page, 'noise-value')).toBe('0.1');
    await finish(opened, 'bad-locale');
  }, 30_000);

  it('fits a phone screen and a wide window', async () => {
    const width = 360;
    const opened = await open({ width, height: 740 });
    const { page } = opened;
    const square = (): Promise<{ width: number; height: number }> =>
      page.getByTestId('boundary').evaluate((c) => ({ width: c.clientWidth, height: c.clientHeight }));

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const phone = await square();
    expect(Math.abs(phone.width - phone.height)).toBeLessThanOrEqual(1);
    expect(phone.width).toBeGreaterThanOrEqual(300);

    // Every button is on the screen and nothing covers it.
    const all = await page.locator('button').all();
    expect(all.length).toBeGreaterThan(6);
    for (const button of all) {
      const name = (await button.getAttribute('data-testid')) ?? (await button.textContent());
      await button.scrollIntoViewIfNeeded();
      expect(await button.isVisible(), `${name} is visible`).toBe(true);
      const box = await button.boundingBox();
      expect(box !== null && box.x >= 0 && box.x + box.width <= width, `${name} is within the screen's width`).toBe(true);
      const hit = await button.evaluate((b) => {
        const r = b.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return top !== null && b.contains(top);
      });
      expect(hit, `${name} is not covered`).toBe(true);
    }

    await page.getByTestId('dataset').selectOption('xorCloud');
    await start(page);
    await poll(() => attr(page, 'accuracy', 'data-value')).not.toBe('');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: join(SCREENSHOTS, 'phone.png'), fullPage: true });

    await page.setViewportSize({ width: 1600, height: 900 });
    await poll(async () => {
      const s = await square();
      return Math.abs(s.width - s.height) <= 1 && s.width > phone.width;
    }).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1600);
    await finish(opened, 'wide');
  }, 30_000);

  it('keeps the settings in the URL, and a link rebuilds them', async () => {
    const first = await open();
    const { page } = first;
    await page.getByTestId('dataset').selectOption('spirals');
    await commit(page, 'hidden', '6, 3');
    await commit(page, 'lr', '0.01');
    await page.getByTestId('regularization').selectOption('l2');
    await page.getByTestId('noise').fill('0.2');
    await page.getByTestId('feature-sinY').uncheck();
    await poll(() => units(page)).toBe(6 + 6 + 3 + 1);

    const query = new URL(page.url()).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      dataset: 'spirals',
      hidden: '6,3',
      lr: '0.01',
      regularization: 'l2',
      noise: '0.2',
      features: 'x,y,xSquared,ySquared,xTimesY,sinX',
    });

    const controls = (p: Page): Promise<Record<string, string>> =>
      p.evaluate(() => {
        const out: Record<string, string> = {};
        for (const e of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#settings input[data-field], #settings select[data-field]'))) {
          out[e.id] = e.value.replace(/\s+/g, '');
        }
        out['features'] = Array.from(document.querySelectorAll<HTMLInputElement>('[data-field="features"] input:checked'), (c) => c.value).join(',');
        return out;
      });
    const second = await open({ query: new URL(page.url()).search });
    const linked = second.page;
    expect(await controls(linked)).toEqual(await controls(page));
    await poll(() => units(linked, 0)).toBe(6);
    expect([await units(linked, 1), await units(linked, 2), await units(linked)]).toEqual([6, 3, 6 + 6 + 3 + 1]);
    await start(linked);
    await finish(first, 'url-changed');
    await finish(second, 'url-opened');

    // A link with a value the page cannot use says so at once and does not start.
    const bad = await open({ query: '?lr=abc', drawn: false });
    // Only the learning rate is wrong once the worker has said which ops it offers.
    await poll(() => text(bad.page, 'blocked')).toBe('Fix the marked field to start.');
    expect(await text(bad.page, 'error-lr')).toContain('Write a number');
    expect(await attr(bad.page, 'lr', 'aria-invalid')).toBe('true');
    expect(await bad.page.getByTestId('lr').inputValue()).toBe('abc');
    await bad.page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    expect(await enabled(bad.page, 'start')).toBe(false);
    expect(await units(bad.page)).toBe(0);
    await finish(bad, 'url-bad');
  }, 30_000);

  it('saves the trained model as a checkpoint and as ONNX', async () => {
    const opened = await open({ query: '?dataset=xorCloud' });
    const { page } = opened;
    await start(page);
    await poll(() => figure(page, 'accuracy'), 20_000).toBeGreaterThanOrEqual(ACCURACY);
    await page.getByTestId('pause').click();
    await poll(() => state(page)).toBe('paused');

    const saved = await download(page, 'export-checkpoint');
    expect(saved.name).toBe('gradstream-xorCloud.checkpoint.json');
    await poll(() => text(page, 'message')).toContain('Saved gradstream-xorCloud.checkpoint.json');
    const onnx = await download(page, 'export-onnx');
    expect(onnx.name).toBe('gradstream-xorCloud.onnx');

    const model = fromCheckpoint(parseCheckpoint(await readFile(saved.path, 'utf8'))).model;
    expect(model.inputShape).toEqual([2]);
    expect(model.spec.layers.map((l) => l.op)).toEqual(['linear', 'tanh', 'linear', 'tanh', 'linear']);
    expect(model.parameters().map((p) => p.value.shape)).toEqual([[8, 2], [8], [8, 8], [8], [2, 8], [2]]);

    // The page's own settings and data: the saved weights are the trained ones.
    const checked = checkSettings(fromQuery('?dataset=xorCloud'), ['tanh']);
    if (!checked.ok) throw new Error(`the test's settings are invalid: ${JSON.stringify(checked.errors)}`);
    const train = toyData(checked.settings).train;
    const predicted = classes(model, train.x);
    const right = predicted.filter((c, i) => c === (train.y[i]?.[1] ?? -1)).length;
    expect(right / train.x.length).toBeGreaterThanOrEqual(0.9);

    const imported = fromOnnx(new Uint8Array(await readFile(onnx.path)));
    const rows = Tensor.from(train.x.slice(0, 8).map((r) => [...r]));
    const a = model.predict(rows).data;
    const b = imported.predict(rows).data;
    expect(b.length).toBe(a.length);
    a.forEach((v, i) => expect(Math.abs((b[i] as number) - v)).toBeLessThanOrEqual(1e-6));
    await finish(opened, 'export');
  }, 40_000);

  it('walks through one step of the lesson, number by number', async () => {
    const opened = await open();
    const { page } = opened;
    const phase = (): Promise<string> => attr(page, 'lesson', 'data-phase');
    const lesson = async (keys: readonly string[]): Promise<Record<string, string>> =>
      Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await text(page, `lesson-${k}`)] as const)));

    await page.getByTestId('mode').selectOption('lesson');
    await poll(() => phase()).toBe('forward');
    // The lesson computes in float64, on the TypeScript backend, whichever backend is chosen.
    expect(await text(page, 'backend-in-use')).toBe('ts: TypeScript (reference kernels, one thread)');
    expect(await page.getByTestId('lesson').isVisible()).toBe(true);
    expect(await page.getByTestId('boundary').isVisible()).toBe(false);
    // By hand from the hint's figures: z₁ = 0.5·1 + 0.1, a₁ = σ(z₁), ŷ = 0.8·a₁ + 0.2, L = ½(ŷ − 1)².
    expect(await lesson(['z1', 'a1', 'yhat', 'loss'])).toEqual({ z1: '0.6000', a1: '0.6457', yhat: '0.7165', loss: '0.0402' });
    expect(await page.getByTestId('lesson-dw2').isVisible()).toBe(false);

    // ∂L/∂ŷ = ŷ − 1; ∂L/∂w₂ = that · a₁; ∂L/∂w₁ = that · w₂ · a₁(1 − a₁) · x.
    await page.getByTestId('step').click();
    await poll(() => phase()).toBe('backward');
    expect(await lesson(['dw2', 'db2', 'dw1'])).toEqual({ dw2: '\u22120.1830', db2: '\u22120.2835', dw1: '\u22120.0519' });

    // Each parameter steps by −0.1 times its gradient.
    await page.getByTestId('step').click();
    await poll(() => phase()).toBe('update');
    expect(await lesson(['w2', 'b2', 'w1', 'b1'])).toEqual({ w2: '0.8183', b2: '0.2283', w1: '0.5052', b1: '0.1052' });
    await page.screenshot({ path: join(SCREENSHOTS, 'lesson-update.png') });

    // The lesson's network as the update shows it: w₁, b₁, w₂, b₂. (The worker trains a whole
    // step at once, so in the forward and backward phases the file would already hold these.)
    const saved = await download(page, 'export-checkpoint');
    expect(saved.name).toBe('gradstream-lesson.checkpoint.json');
    const model = fromCheckpoint(parseCheckpoint(await readFile(saved.path, 'utf8'))).model;
    expect(model.inputShape).toEqual([1]);
    const params = Object.fromEntries(model.parameters().map((p) => [p.id, Number((p.value.data[0] as number).toFixed(4))]));
    expect(params).toEqual({ 'linear_1.weight': 0.5052, 'linear_1.bias': 0.1052, 'linear_2.weight': 0.8183, 'linear_2.bias': 0.2283 });

    // The next step starts from the updated values, closer to the target 1.
    await page.getByTestId('step').click();
    await poll(() => text(page, 'step-count')).toBe('2');
    expect(await phase()).toBe('forward');
    expect(Number(await text(page, 'lesson-yhat'))).toBeGreaterThan(0.7165);
    expect(await text(page, 'lesson-w1')).toBe('0.5052');
    await finish(opened, 'lesson');
  }, 30_000);
  it('offers WebGPU only where the browser has an adapter, and says why not', async () => {
    const opened = await open();
    const { page } = opened;
    // This Chromium runs without a GPU process: the worker found no adapter (or, in a build
    // without WebGPU, no navigator.gpu).
    const why = /^(the browser found no WebGPU adapter|this browser offers no WebGPU here \(navigator\.gpu is absent\))$/;
    const webgpu = page.getByTestId('backend').locator('option[value="webgpu"]');
    expect(await webgpu.isDisabled()).toBe(true);
    expect(await webgpu.getAttribute('title')).toMatch(why);
    const reason = (await webgpu.getAttribute('title')) ?? '';
    expect(await page.getByTestId('backend').inputValue()).toBe('wasm');
    expect(await text(page, 'backend-in-use')).toMatch(/^wasm: WebAssembly SIMD128/);
    await finish(opened, 'webgpu-unavailable');

    // A link that asks for WebGPU says why it cannot have it, and builds nothing.
    const linked = await open({ query: '?backend=webgpu', drawn: false });
    await poll(() => text(linked.page, 'error-backend')).toBe(`WebGPU is not available here: ${reason}. Choose WebAssembly.`);
    expect(await attr(linked.page, 'backend', 'aria-invalid')).toBe('true');
    expect(await enabled(linked.page, 'start')).toBe(false);
    expect(await units(linked.page)).toBe(0);
    await linked.page.getByTestId('error-backend').scrollIntoViewIfNeeded();
    await linked.page.screenshot({ path: join(SCREENSHOTS, 'webgpu-link-refused.png') });
    await linked.page.getByTestId('backend').selectOption('wasm');
    await poll(() => units(linked.page)).toBeGreaterThan(0);
    expect(new URL(linked.page.url()).searchParams.has('backend')).toBe(false);
    await finish(linked, 'webgpu-link-unavailable');
  }, 20_000);

  it('trains on WebGPU where the browser offers it, and shows the adapter', async () => {
    gpuBrowser ??= await launchChromium('the dashboard test (WebGPU)', WEBGPU_ARGS);
    const opened = await open({ browser: gpuBrowser });
    const { page } = opened;
    const webgpu = page.getByTestId('backend').locator('option[value="webgpu"]');
    expect(await webgpu.isDisabled()).toBe(false);
    expect(await webgpu.getAttribute('title')).toBe('WebGPU — google swiftshader (software)');

    // Switching the backend builds the network again, on the GPU.
    await start(page);
    await page.getByTestId('backend').selectOption('webgpu');
    await rebuilt(page);
    await poll(() => text(page, 'backend-in-use')).toBe('WebGPU — google swiftshader (software)');
    expect(new URL(page.url()).searchParams.get('backend')).toBe('webgpu');
    expect(await units(page)).toBe(2 + 8 + 8 + 1);
    // The example's swish computes on the host, which WebGPU does not see: not offered with it.
    const op = (name: string) => page.getByTestId('activation').locator(`option[value="${name}"]`);
    expect(await op('swish').isDisabled()).toBe(true);
    expect(await op('swish').getAttribute('title')).toBe('does not run on WebGPU');
    expect(await op('tanh').isDisabled()).toBe(false);

    const clicked = Date.now();
    await start(page);
    await page.waitForFunction((at) => Number(document.querySelector<HTMLElement>('[data-testid="accuracy"]')?.dataset['value'] || 0) >= at, ACCURACY, {
      timeout: 30_000,
      polling: 50,
    });
    console.log(`circles on WebGPU: ${(ACCURACY * 100).toFixed(0)} % training accuracy after ${((Date.now() - clicked) / 1000).toFixed(1)} s, ${await steps(page)} steps`);
    expect(Number.isFinite(await figure(page, 'test-loss'))).toBe(true);
    // The drawing's gradients and weights, sampled from the GPU while it trains.
    expect(await page.locator('#network line').count()).toBe(96);

    // Pause, one step, and the boundary of that step read back from the GPU.
    await page.getByTestId('pause').click();
    await poll(() => state(page)).toBe('paused');
    // A step already on the GPU when Pause came still reports: wait until none arrives.
    await poll(async () => {
      const before = await points(page);
      await sleep(300);
      return (await points(page)) === before;
    }).toBe(true);
    const paused = await points(page);
    await page.getByTestId('step').click();
    await poll(() => points(page)).toBe(paused + 1);
    await poll(async () => Number(await attr(page, 'boundary', 'data-step'))).toBe(paused + 1);

    // The checkpoint holds the trained weights, brought back from the GPU.
    const saved = await download(page, 'export-checkpoint');
    const model = fromCheckpoint(parseCheckpoint(await readFile(saved.path, 'utf8'))).model;
    // The page's data: the defaults' (the backend does not change it).
    const checked = checkSettings(fromQuery(''), ['tanh']);
    if (!checked.ok) throw new Error(`the test's settings are invalid: ${JSON.stringify(checked.errors)}`);
    const train = toyData(checked.settings).train;
    const right = classes(model, train.x).filter((c, i) => c === (train.y[i]?.[1] ?? -1)).length;
    expect(right / train.x.length).toBeGreaterThanOrEqual(0.9);

    // A link keeps the choice.
    const linked = await open({ browser: gpuBrowser, query: new URL(page.url()).search });
    expect(await linked.page.getByTestId('backend').inputValue()).toBe('webgpu');
    await poll(() => text(linked.page, 'backend-in-use')).toBe('WebGPU — google swiftshader (software)');
    await linked.page.getByTestId('backend-in-use').scrollIntoViewIfNeeded();
    await finish(linked, 'webgpu-link');
    await finish(opened, 'webgpu');
  }, 60_000);
});
