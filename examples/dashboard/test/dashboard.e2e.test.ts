import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaticServer } from '../src/server/serve.js';
import { startDashboard } from '../src/server/start.js';
import { chromiumPath, launchChromium } from '../../../test/support/chromium.js';

/* The page as a person uses it, in headless Chromium: train on a toy set until the loss is low,
   pause, step one batch, resume, and keep a screenshot for people to look at. */

const SCREENSHOT = fileURLToPath(new URL('./screenshots/dashboard.png', import.meta.url));
/** Cross-entropy of two classes starts near ln 2 ≈ 0.69; this is well on the way to fitting the set. */
const LOSS_BELOW = 0.1;

let server: StaticServer | undefined;
let browser: Browser | undefined;
let outdir: string | undefined;

beforeAll(async () => {
  // The browser (test/support/chromium.ts): extracted here, so the test's own time is the page's.
  await chromiumPath();
  outdir = await mkdtemp(join(tmpdir(), 'gradstream-dashboard-'));
  server = await startDashboard({ outdir, port: 0 });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outdir !== undefined) await rm(outdir, { recursive: true, force: true });
});

const attr = async (page: Page, testId: string, name: string): Promise<string> => (await page.getByTestId(testId).getAttribute(name)) ?? '';
/** Batch losses the page has received, as its loss chart counts them. */
const points = async (page: Page): Promise<number> => Number(await attr(page, 'loss-chart', 'data-points'));
const shownLoss = async (page: Page): Promise<number> => Number((await attr(page, 'loss', 'data-value')) || Number.NaN);
const state = (page: Page): Promise<string> => attr(page, 'state', 'data-state');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the dashboard in headless Chromium', () => {
  it('trains in the worker, pauses, steps one batch, resumes', async () => {
    browser = await launchChromium('the dashboard test');
    // A locale of its own: in a minimal container this Chromium reports navigator.language as 'en-US@posix'.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto((server as StaticServer).url);
    // Served cross-origin isolated: the worker trains on the WebAssembly backend with shared memory, on every core.
    expect(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)).toBe(true);

    await page.getByTestId('dataset').selectOption('xorCloud');
    // The 2-8-8-2 network of the default settings: 2·8 + 8·8 + 8·2 weights, one line each.
    await expect.poll(() => page.locator('#network line').count()).toBe(96);
    const cores = await page.evaluate(() => (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency);
    expect(errors).toEqual([]);
    expect(await page.getByTestId('backend').textContent()).toBe(`wasm: WebAssembly SIMD128, ${cores} thread${cores === 1 ? '' : 's'}`);
    await page.getByTestId('start').click();
    await expect.poll(() => state(page)).toBe('running');
    await expect.poll(() => shownLoss(page), { timeout: 30_000 }).toBeLessThan(LOSS_BELOW);

    await page.getByTestId('pause').click();
    await expect.poll(() => state(page)).toBe('paused');
    const paused = await points(page);
    // One point per batch, none lost on the way: the count is the step number.
    expect(Number(await attr(page, 'step-count', 'data-value'))).toBe(paused);
    await sleep(1000);
    expect(await points(page), 'loss points arrived while paused').toBe(paused);

    await page.getByTestId('step').click();
    await expect.poll(() => points(page)).toBe(paused + 1);
    await sleep(500);
    expect(await points(page), 'one step trains exactly one batch').toBe(paused + 1);
    expect(Number(await attr(page, 'step-count', 'data-value'))).toBe(paused + 1);
    // The boundary is recomputed for the stepped weights even though training stands still.
    await expect.poll(async () => Number(await attr(page, 'boundary', 'data-step'))).toBe(paused + 1);

    await page.getByTestId('resume').click();
    await expect.poll(() => state(page)).toBe('running');
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThan(paused + 200);
    // One gradient-norm series per linear layer of 2-8-8-2.
    expect(await page.locator('#norms-chart .u-legend .u-series').count()).toBe(3);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
