/**
 * Headless Chromium for the end-to-end tests (the dashboard's, browser storage's, WebGPU's): the
 * Chromium shipped inside the `@sparticuz/chromium` npm package, extracted to the temp directory on
 * first use, so a test needs nothing but `pnpm install`; CHROMIUM_PATH picks another binary.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packagedChromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** Sandbox-free, and nothing that talks to the network or updates itself. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * What a WebGPU test adds to {@link CHROMIUM_ARGS}: WebGPU on, served by the SwiftShader Vulkan
 * driver shipped beside the packaged Chromium, so a machine without a GPU still gets an adapter
 * (`google swiftshader`). Their `--disable-gpu` can stay: with it, the packaged Chromium still gives
 * WebGPU this adapter. `navigator.gpu` exists only in a secure context: serve the page from 127.0.0.1.
 */
export const WEBGPU_CHROMIUM_ARGS: readonly string[] = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];

/** The longest one extraction may hold the lock; a lock older than this was left by a killed run. */
const LOCK_STALE_MS = 120_000;

let extracted: Promise<string> | undefined;

/**
 * The Chromium binary to drive: CHROMIUM_PATH when set, else the packaged one, extracted on the
 * first call. Call it in `beforeAll` so the extraction (seconds, once per machine) is not charged
 * to a test's time.
 */
export function chromiumPath(): Promise<string> {
  const chosen = process.env['CHROMIUM_PATH'];
  if (chosen !== undefined && chosen !== '') return Promise.resolve(chosen);
  extracted ??= extractOnce();
  return extracted;
}

/**
 * Launches headless Chromium with `args` (by default {@link CHROMIUM_ARGS}). A missing binary
 * throws here, inside the test, so it counts as a failed test rather than a broken file; `who`
 * names the test in that message.
 *
 * @example
 * ```ts
 * const browser = await launchChromium('the WebGPU page test', [...CHROMIUM_ARGS, ...WEBGPU_CHROMIUM_ARGS]);
 * ```
 */
export async function launchChromium(who: string, args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  const executablePath = await chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`${who} found no Chromium at ${executablePath}: unset CHROMIUM_PATH to use the one @sparticuz/chromium ships, or point it at a Chromium binary`);
  }
  return chromium.launch({ executablePath, args: [...args] });
}

/**
 * Test files run in parallel processes, and the package extracts to fixed paths in the temp
 * directory, taking a path that exists as done: two first extractions at once could each launch a
 * binary the other is still writing. A lock directory (mkdir is atomic) lets one at a time in.
 */
async function extractOnce(): Promise<string> {
  const lock = join(tmpdir(), 'gradstream-chromium-extract.lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
    const since = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (since > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
    else await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await packagedChromium.executablePath();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
