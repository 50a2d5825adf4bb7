import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from './support/chromium.js';
import { recordFigure } from './support/figures.js';
import { servePages, type PageServer } from './support/local-server.js';

/* @gradstream/browser's ready bundles in a real browser (headless Chromium, test/support/chromium.ts)
   under a strict Content-Security-Policy, the issue's requirement: a page served with
   `script-src 'self' 'wasm-unsafe-eval'` imports the bundle, trains XOR and predicts (on wasm); with
   `script-src 'self'` alone it still trains (on the TypeScript backend). The page is the plain
   module test/support/bundle-page.js; the bundles are packages/browser/dist/bundle as
   `node packages/browser/scripts/bundle.mjs` leaves them (they are served as they are, not rebuilt). */

const root = fileURLToPath(new URL('../', import.meta.url));
const BUNDLE_DIR = join(root, 'packages/browser/dist/bundle');
const PAGE_SCRIPT = join(root, 'test/support/bundle-page.js');
/** The page's one console message carrying its report (see bundle-page.js). */
const REPORT_PREFIX = 'gradstream-bundle-report ';

/** The two scenarios, by the path their HTML is served under, and the policy that HTML carries. */
const POLICIES = {
  wasm: "script-src 'self' 'wasm-unsafe-eval'",
  strict: "script-src 'self'",
} as const;
type Scenario = keyof typeof POLICIES;

// No inline script: both policies would block it. The page script is a module file of the origin.
const HTML = '<!doctype html><meta charset="utf-8"><title>gradstream bundle</title><script type="module" src="/bundle-page.js"></script>';

/** The scripts the page may load: its own file and the two bundles, nothing else (no inline, no blob:). */
const OWN_SCRIPTS = ['/bundle-page.js', '/bundle/gradstream-wasm.js', '/bundle/gradstream.js'];

let server: PageServer | undefined;
let origin = '';
let browser: Browser | undefined;

beforeAll(async () => {
  // The bundle files, read once: only these names are served under /bundle/, so no request path
  // reaches the file system.
  // Chunks (loaded on first use) are in a folder of their own: files only, by their paths.
  const names = (await readdir(BUNDLE_DIR, { recursive: true }).catch((): string[] => [])).filter((n) => /\.(js|map)$/.test(n));
  if (!names.includes('gradstream.js') || !names.includes('gradstream-wasm.js')) {
    throw new Error(`no bundles in ${BUNDLE_DIR}: run \`node packages/browser/scripts/bundle.mjs\` after building the packages`);
  }
  const files = new Map<string, Buffer>();
  for (const name of names) files.set(`/bundle/${name}`, await readFile(join(BUNDLE_DIR, name)));
  const pageScript = await readFile(PAGE_SCRIPT);
  await chromiumPath();

  server = await servePages((path) => {
    const scenario = path.replace(/^\/|\/$/g, '');
    if (path.endsWith('/') && Object.hasOwn(POLICIES, scenario)) {
      return { type: 'text/html; charset=utf-8', body: HTML, headers: { 'content-security-policy': POLICIES[scenario as Scenario] } };
    }
    if (path === '/bundle-page.js') return { type: 'text/javascript; charset=utf-8', body: pageScript };
    const file = files.get(path);
    if (file === undefined) return undefined;
    return { type: path.endsWith('.js') ? 'text/javascript; charset=utf-8' : path.endsWith('.map') ? 'application/json' : 'text/plain; charset=utf-8', body: file };
  });
  origin = server.origin;
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A `securitypolicyviolation` event, as the page copied it. */
interface Violation {
  readonly violatedDirective: string;
  readonly effectiveDirective: string;
  readonly blockedURI: string;
  readonly sourceFile: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
  readonly disposition: string;
  readonly sample: string;
}

/** What bundle-page.js reports. */
interface PageReport {
  readonly failed?: { readonly name?: string; readonly message: string };
  readonly stack?: string;
  readonly scenario: string;
  readonly requestedBackend: string;
  readonly wasmLoad:
    | { readonly ok: true; readonly backend: string }
    | { readonly ok: false; readonly error: { readonly name?: string; readonly message: string; readonly code?: string; readonly isGradstreamError: boolean } };
  readonly backend: string;
  readonly backendSummary: string;
  readonly runBackend: string;
  readonly endReason: string;
  readonly epochs: number;
  readonly loss: number;
  readonly predictions: readonly number[];
  readonly timings: Readonly<Record<string, number>>;
  readonly violations: readonly Violation[];
  readonly scriptElements: readonly { readonly src: string; readonly type: string; readonly inline: boolean; readonly text: number }[];
  readonly scriptResources: readonly { readonly name: string; readonly initiatorType: string }[];
}

/** Everything one scenario's page did, as seen from the page and from the browser. */
interface ScenarioRun {
  readonly report: PageReport;
  readonly pageErrors: readonly string[];
  readonly console: readonly { readonly type: string; readonly text: string }[];
  /** Chromium's DevTools issues about the policy (CDP Audits domain), each with its violation type: a record of the violations independent of the page's listener. */
  readonly cspIssues: readonly { readonly type: string; readonly directive: string; readonly url: string }[];
  readonly scriptRequests: readonly string[];
  readonly workers: readonly string[];
  readonly wallMs: number;
}

/**
 * Opens the scenario's page and waits for its report. Nothing is evaluated in the page (no
 * page.evaluate, no waitForFunction): the result comes in a console message, so every violation
 * counted is the library's own, none the test harness's.
 */
async function runScenario(scenario: Scenario): Promise<ScenarioRun> {
  browser ??= await launchChromium('the browser bundle test');
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  const consoleMessages: { type: string; text: string }[] = [];
  const scriptRequests: string[] = [];
  const workers: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  page.on('console', (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scriptRequests.push(r.url());
  });
  page.on('worker', (w) => workers.push(w.url()));
  // Playwright's console event carries Chromium's own messages too (a blocked blob: worker, a 404),
  // but this Chromium does not log an eval or wasm-eval violation at all: it raises a DevTools issue.
  // Those are read here, a record of the violations that does not depend on the page's listener.
  const cdp = await page.context().newCDPSession(page);
  const cspIssues: { type: string; directive: string; url: string }[] = [];
  cdp.on('Audits.issueAdded', ({ issue }) => {
    const csp = issue.details.contentSecurityPolicyIssueDetails;
    if (csp !== undefined) cspIssues.push({ type: csp.contentSecurityPolicyViolationType, directive: csp.violatedDirective, url: csp.sourceCodeLocation?.url ?? '' });
  });
  await cdp.send('Audits.enable');
  const reported = page.waitForEvent('console', { predicate: (m) => m.text().startsWith(REPORT_PREFIX), timeout: 45_000 });
  const started = performance.now();
  await page.goto(`${origin}/${scenario}/`);
  const report = JSON.parse((await reported).text().slice(REPORT_PREFIX.length)) as PageReport;
  const wallMs = Math.round(performance.now() - started);
  await page.close();
  const run: ScenarioRun = {
    report,
    pageErrors,
    console: consoleMessages.filter((m) => !m.text.startsWith(REPORT_PREFIX)),
    cspIssues,
    scriptRequests,
    workers,
    wallMs,
  };
  recordFigure(
    {
      kind: 'csp',
      policy: POLICIES[scenario],
      backend: report.backend,
      violations: report.violations.map((v) => v.blockedURI).join(' ') || 'none',
      importMs: Math.round(report.timings.importMs ?? 0),
      trainMs: Math.round(report.timings.trainMs ?? 0),
      wallMs,
    },
    `bundle under ${scenario}`,
  );
  return run;
}

/**
 * A violation of the kinds the library may cause and recover from: it tries generated code
 * (`new Function`, blocked URI 'eval') once and falls back to its interpreted plans, and it tries
 * to compile the wasm module (blocked URI 'wasm-eval') where the policy refuses that.
 */
const isEvalKind = (v: Violation): boolean =>
  v.violatedDirective === 'script-src' && v.effectiveDirective === 'script-src' && (v.blockedURI === 'eval' || v.blockedURI === 'wasm-eval');

/** Chromium's console report of such a violation, should it log one (the Chromium tested raises a DevTools issue instead). */
const CSP_EVAL_REPORT = /^Refused to (evaluate a string as JavaScript|compile or instantiate WebAssembly module) because .*Content Security Policy directive: "script-src 'self'/;

/** The checks both scenarios share: no errors, only the eval kind of violation, only the page's own scripts. */
function expectCleanPage(run: ScenarioRun, scenario: Scenario): void {
  const { report } = run;
  expect(report.failed, `the page failed: ${report.failed?.message}\n${report.stack ?? ''}`).toBeUndefined();
  expect(report.scenario).toBe(scenario);
  expect(run.pageErrors).toEqual([]);

  // Only the eval kinds, enforced (the policy is not report-only); and new Function tried at most
  // once per page, as the library means to (its refusal is remembered).
  expect(report.violations.filter((v) => !isEvalKind(v))).toEqual([]);
  expect(report.violations.every((v) => v.disposition === 'enforce')).toBe(true);
  const evalViolations = report.violations.filter((v) => v.blockedURI === 'eval');
  expect(evalViolations.length, `more than one 'eval' violation: ${JSON.stringify(evalViolations)}`).toBeLessThanOrEqual(1);
  // Chromium's own record agrees: as many policy issues as the page saw violations, all of the eval
  // kinds, all raised by the bundles.
  expect(run.cspIssues.filter((i) => !['kEvalViolation', 'kWasmEvalViolation'].includes(i.type) || i.directive !== 'script-src')).toEqual([]);
  expect(run.cspIssues.length).toBe(report.violations.length);
  expect(run.cspIssues.filter((i) => !OWN_SCRIPTS.slice(1).some((p) => i.url === origin + p))).toEqual([]);

  // Console errors: Chromium's reports of those violations and nothing else (no failed request, no
  // blocked worker), and no more reports than violations.
  const errors = run.console.filter((m) => m.type === 'error');
  expect(errors.filter((m) => !CSP_EVAL_REPORT.test(m.text))).toEqual([]);
  expect(errors.length).toBeLessThanOrEqual(report.violations.length);

  // Scripts: the page's module and the two bundles from this origin, nothing inline, no blob:
  // worker or script, no other origin.
  expect([...new Set(run.scriptRequests)].sort()).toEqual(OWN_SCRIPTS.map((p) => origin + p).sort());
  expect(report.scriptElements).toEqual([{ src: `${origin}/bundle-page.js`, type: 'module', inline: false, text: 0 }]);
  expect(report.scriptResources.filter((r) => !OWN_SCRIPTS.some((p) => r.name === origin + p))).toEqual([]);
  expect(run.workers).toEqual([]);

  // XOR learnt: completed, small loss, the outputs on the right sides of ½.
  expect(report.endReason).toBe('completed');
  expect(report.epochs).toBe(2000);
  expect(report.loss).toBeLessThan(0.01);
  expect(report.predictions.map((p) => Math.round(p))).toEqual([0, 1, 1, 0]);
}

describe('the @gradstream/browser bundles in headless Chromium under a strict Content-Security-Policy', () => {
  it("train XOR on wasm and predict with script-src 'self' 'wasm-unsafe-eval'", async () => {
    const run = await runScenario('wasm');
    expectCleanPage(run, 'wasm');
    const { report } = run;
    // Soft: each of these says something different when it fails (the load, the choice, the run).
    expect.soft(report.wasmLoad).toEqual({ ok: true, backend: 'wasm' });
    // 'auto' chose wasm once loadWasmBackend() had resolved.
    expect.soft(report.backend).toBe('wasm');
    expect.soft(report.runBackend).toMatch(/^wasm: /);
    // The policy allows compiling wasm: no violation of that kind.
    expect.soft(report.violations.filter((v) => v.blockedURI === 'wasm-eval')).toEqual([]);
  }, 60_000);

  it("still train XOR, on the TypeScript backend, with script-src 'self' alone", async () => {
    const run = await runScenario('strict');
    expectCleanPage(run, 'strict');
    const { report } = run;
    // loadWasmBackend() rejects with the library's error (one GradstreamError class for both
    // bundles: gradstream-wasm.js takes it from gradstream.js).
    expect(report.wasmLoad.ok).toBe(false);
    if (!report.wasmLoad.ok) {
      expect(report.wasmLoad.error.code).toBe('BACKEND_UNAVAILABLE');
      expect(report.wasmLoad.error.isGradstreamError).toBe(true);
    }
    // 'auto' fell back to ts and says why.
    expect(report.backend).toBe('ts');
    expect(report.runBackend).toMatch(/^ts: /);
    // Compiling wasm was refused once, by loadWasmBackend(): the refusal is remembered, so 'auto'
    // did not ask again when the model chose its backend.
    expect(report.violations.filter((v) => v.blockedURI === 'wasm-eval')).toHaveLength(1);
  }, 60_000);
});
