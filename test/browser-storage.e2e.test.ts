import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@gradstream/ops';
import { loadCheckpoint } from '@gradstream/graph/node';
import type { StorageTestPage } from './support/browser-storage-page.js';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { packageSourcesPlugin } from './support/package-sources.js';
import { servePages, type PageServer } from './support/local-server.js';

/* Checkpoints kept in a real browser (headless Chromium, test/support/chromium.ts): a page trains
   XOR, saves the model to IndexedDB and localStorage, is reloaded and loads both back; the model
   goes out as a download and comes back in through a file input; altered stored values, a missing
   key and a checkpoint too large for localStorage fail as they should. The page is
   test/support/browser-storage-page.ts, bundled from the packages' sources. */

const root = fileURLToPath(new URL('../', import.meta.url));

let server: PageServer | undefined;
let url = '';
let browser: Browser | undefined;
let dir: string | undefined;

const HTML = '<!doctype html><meta charset="utf-8"><title>storage</title><input type="file" id="upload"><script src="/page.js"></script>';

/** The page's script, with `@gradstream/*` resolved to the packages' sources as the tests see them. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(root, 'test/support/browser-storage-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    // Marked external so the bundle gets built at all; the check below proves none stayed in it.
    external: ['node:*'],
    plugins: [packageSourcesPlugin(root)],
    metafile: true,
    logLevel: 'silent',
  });
  const leaked = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  if (leaked.length > 0) throw new Error(`the page imports ${leaked.join(', ')}, which a browser cannot load`);
  return result.outputFiles[0]!.text;
}

beforeAll(async () => {
  const [script] = await Promise.all([bundlePage(), chromiumPath()]);
  dir = await mkdtemp(join(tmpdir(), 'gradstream-browser-storage-'));
  server = await servePages((path) =>
    path === '/' ? { type: 'text/html; charset=utf-8', body: HTML } : path === '/page.js' ? { type: 'text/javascript; charset=utf-8', body: script } : undefined,
  );
  url = `${server.origin}/`;
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Runs one of the page's steps (playwright hands the result back as JSON, numbers exact). */
type Step<K extends keyof StorageTestPage> = Awaited<ReturnType<StorageTestPage[K]>>;

describe('checkpoints in headless Chromium', () => {
  it('survive a reload in IndexedDB and localStorage, and a download and upload, bit for bit', async () => {
    browser = await launchChromium('the browser storage test');
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const step = <K extends keyof StorageTestPage>(name: K): Promise<Step<K>> =>
      page.evaluate((n) => (window as unknown as { storageTest: Record<string, () => unknown> }).storageTest[n]!(), name) as Promise<Step<K>>;
    const ready = async (): Promise<void> => {
      await page.waitForSelector('body[data-ready="true"]');
    };

    await page.goto(url);
    await ready();
    const trained = await step('train');
    // It learnt XOR: the outputs are on the right sides of ½.
    expect(trained.predictions.map((p) => (p > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);

    // A new page: nothing of the trained model is left in memory, only in the stores.
    await page.reload();
    await ready();
    const stored = await step('loadStored');
    for (const loaded of [stored.indexedDb, stored.localStorage]) {
      expect(loaded.params).toEqual(trained.params);
      expect(loaded.predictions).toEqual(trained.predictions);
      expect([loaded.step, loaded.epoch]).toEqual([trained.step, trained.epoch]);
    }
    expect(stored.keys).toEqual({ indexedDb: ['best', 'xor'], localStorage: ['xor'] });
    // checkpointBest's checkpoint object, stored as the run handed it over.
    expect(stored.best.epoch).toBeGreaterThan(0);
    expect(stored.best.epoch).toBeLessThanOrEqual(trained.epoch!);

    // Out as a download, back in through the file input.
    const [download] = await Promise.all([page.waitForEvent('download'), step('download')]);
    expect(download.suggestedFilename()).toBe('xor.ckpt.json');
    const file = join(dir!, 'xor.ckpt.json');
    await download.saveAs(file);
    await page.setInputFiles('#upload', file);
    const uploaded = await step('uploaded');
    expect(uploaded.params).toEqual(trained.params);
    expect(uploaded.predictions).toEqual(trained.predictions);
    expect([uploaded.step, uploaded.epoch]).toEqual([trained.step, trained.epoch]);

    // The downloaded file is a checkpoint file like any other: Node loads it, checksum and all.
    const inNode = await loadCheckpoint(file);
    expect(inNode.model.parameters().map((p) => Array.from(p.value.data))).toEqual(trained.params);
    // The same bytes the page keeps in localStorage: one text for every place a checkpoint goes.
    expect(await readFile(file, 'utf8')).toBe(await page.evaluate(() => localStorage.getItem('gradstream-checkpoint/xor')));

    const failed = await step('failures');
    expect(failed.localStorage.code).toBe('CHECKPOINT_INVALID');
    expect(failed.localStorage.message).toMatch(/^localstorage:\/\/xor: invalid checkpoint: checksum mismatch: parameter bytes were altered \(stored [0-9a-f]{64}, computed [0-9a-f]{64}\)$/);
    expect(failed.indexedDb.code).toBe('CHECKPOINT_INVALID');
    expect(failed.indexedDb.message).toMatch(/^indexeddb:\/\/xor: invalid checkpoint: checksum mismatch: parameter bytes were altered/);
    expect(failed.indexedDb.details).toMatchObject({ path: 'checksum', store: 'indexedDB', key: 'xor' });
    expect(failed.missing).toEqual({
      code: 'FILE_ERROR',
      message: 'loadFromIndexedDb indexeddb://no-such-model: no checkpoint is stored under this key',
      details: { path: 'indexeddb://no-such-model', operation: 'loadFromIndexedDb', store: 'indexedDB', key: 'no-such-model', reason: 'missing' },
    });
    // Chromium's own QuotaExceededError, and the checkpoint stored before it still loads.
    expect(failed.quota.code).toBe('FILE_ERROR');
    expect(failed.quota.message).toMatch(/^saveToLocalStorage localstorage:\/\/xor: the site's storage quota is exceeded: the checkpoint takes \d+(\.\d)? MiB/);
    expect(failed.quota.details).toMatchObject({ reason: 'quota', cause: 'QuotaExceededError' });
    expect(failed.afterQuota.params).toEqual(trained.params);

    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
